package main

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// writerCounters are the SQLite writer's counters from the gateway's
// /metrics. ok is false where there are none: PostgreSQL, the baseline.
type writerCounters struct {
	busy, commits, writes float64
	ok                    bool
}

// writerMetrics names the counters and where each goes.
var writerMetrics = map[string]func(*writerCounters) *float64{
	"pasarela_sqlite_writer_busy_seconds_total": func(w *writerCounters) *float64 { return &w.busy },
	"pasarela_sqlite_commits_total":             func(w *writerCounters) *float64 { return &w.commits },
	"pasarela_sqlite_committed_writes_total":    func(w *writerCounters) *float64 { return &w.writes },
}

// scrapeWriter reads the writer's counters from base's /metrics; a target
// without them (or that does not answer within a second) gives ok false.
func scrapeWriter(ctx context.Context, client *http.Client, base string) writerCounters {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return writerCounters{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return writerCounters{}
	}
	defer resp.Body.Close()
	var w writerCounters
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		field, known := writerMetrics[name]
		if !ok || !known {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return writerCounters{}
		}
		*field(&w) = v
		found++
	}
	w.ok = resp.StatusCode == http.StatusOK && found == len(writerMetrics)
	return w
}

// writerShare fills st's writer fields from counters taken before and
// after a step of wall seconds.
func (st *stepResult) writerShare(before, after writerCounters, wall float64) {
	if !before.ok || !after.ok || wall <= 0 {
		return
	}
	st.WriterBusy = (after.busy - before.busy) / wall
	if c := after.commits - before.commits; c > 0 {
		st.WritesPerCommit = (after.writes - before.writes) / c
	}
}
