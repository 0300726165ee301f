package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The SQLite writer's counters in the gateway's /metrics.
const (
	writerBusyMetric    = "pasarela_sqlite_writer_busy_seconds_total"
	writerCommitsMetric = "pasarela_sqlite_commits_total"
	writerWritesMetric  = "pasarela_sqlite_committed_writes_total"
)

// scrapeWriter reads the writer's counters from base's /metrics, by name;
// nil where there are none (PostgreSQL, the baseline) or no answer within
// a second.
func (e *env) scrapeWriter(ctx context.Context, base string) map[string]float64 {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	code, resp, err := e.do(ctx, base, request{method: http.MethodGet, path: "/metrics"})
	if err != nil || code != http.StatusOK {
		return nil
	}
	got := map[string]float64{}
	for line := range strings.Lines(string(resp.Body)) {
		name, value, _ := strings.Cut(strings.TrimSpace(line), " ")
		if name != writerBusyMetric && name != writerCommitsMetric && name != writerWritesMetric {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil
		}
		got[name] = v
	}
	if len(got) != 3 {
		return nil
	}
	return got
}

// writerShare fills st's writer fields from counters taken before and
// after a step of wall seconds.
func (st *stepResult) writerShare(before, after map[string]float64, wall float64) {
	if before == nil || after == nil || wall <= 0 {
		return
	}
	delta := func(name string) float64 { return after[name] - before[name] }
	st.WriterBusy = delta(writerBusyMetric) / wall
	if c := delta(writerCommitsMetric); c > 0 {
		st.WritesPerCommit = delta(writerWritesMetric) / c
	}
}
