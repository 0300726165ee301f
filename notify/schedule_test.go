package notify

import (
	"flag"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// almostOne is the largest value a [0, 1) source returns.
const almostOne = 1 - 1e-12

func constRand(v float64) func() float64 { return func() float64 { return v } }

func TestNextRetryJitterBounds(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(1, 2)).Float64
	for i, base := range DefaultSchedule {
		attempt := i + 1
		lo := time.Duration(float64(base) * (1 - Jitter))
		hi := time.Duration(float64(base) * (1 + Jitter))
		if attempt == 1 {
			hi = min(hi, FirstRetryMax)
		}
		got, ok := DefaultSchedule.NextRetry(attempt, constRand(0))
		require.True(t, ok)
		require.Equal(t, lo, got, "attempt %d at the low edge", attempt)
		got, _ = DefaultSchedule.NextRetry(attempt, constRand(almostOne))
		require.InDelta(t, float64(hi), float64(got), float64(time.Millisecond), "attempt %d at the high edge", attempt)
		for range 200 {
			got, _ := DefaultSchedule.NextRetry(attempt, rnd)
			require.GreaterOrEqual(t, got, lo)
			require.LessOrEqual(t, got, hi)
		}
	}
}

func TestNextRetryJitterSpreads(t *testing.T) {
	t.Parallel()
	// Retries after a merchant outage must not all land in the same second.
	rnd := rand.New(rand.NewPCG(3, 4)).Float64
	seen := map[time.Duration]bool{}
	for range 50 {
		d, _ := DefaultSchedule.NextRetry(6, rnd)
		seen[d.Truncate(time.Second)] = true
	}
	require.Greater(t, len(seen), 20)
}

func TestFirstRetryWithinAMinute(t *testing.T) {
	t.Parallel()
	for _, r := range []float64{0, 0.5, almostOne} {
		d, ok := DefaultSchedule.NextRetry(1, constRand(r))
		require.True(t, ok)
		require.Less(t, d, time.Minute)
	}
	slow := Schedule{10 * time.Minute, time.Hour}
	d, ok := slow.NextRetry(1, constRand(almostOne))
	require.True(t, ok)
	require.Equal(t, FirstRetryMax, d, "the first retry is capped whatever the schedule")
	d, _ = slow.NextRetry(2, constRand(0))
	require.Equal(t, 48*time.Minute, d, "later retries are not capped")
}

func TestDefaultScheduleLastsAboutThreeDays(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	total := DefaultSchedule.Total()
	require.GreaterOrEqual(t, total, 3*day)
	require.Less(t, total, 3*day+6*time.Hour)

	var minTotal, maxTotal time.Duration
	attempt := 1
	for {
		lo, ok := DefaultSchedule.NextRetry(attempt, constRand(0))
		if !ok {
			break
		}
		hi, _ := DefaultSchedule.NextRetry(attempt, constRand(almostOne))
		minTotal += lo
		maxTotal += hi
		attempt++
	}
	require.Equal(t, len(DefaultSchedule)+1, attempt, "one attempt more than waits, then dead")
	require.Greater(t, minTotal, 2*day+12*time.Hour)
	require.Less(t, maxTotal, 4*day)
}

func TestNextRetryExhausted(t *testing.T) {
	t.Parallel()
	s := Schedule{time.Second, 2 * time.Second}
	_, ok := s.NextRetry(2, nil)
	require.True(t, ok)
	d, ok := s.NextRetry(3, nil)
	require.False(t, ok)
	require.Zero(t, d)
	_, ok = Schedule(nil).NextRetry(1, nil)
	require.False(t, ok, "an empty schedule never retries")
}

func TestNextRetryClampsBadInput(t *testing.T) {
	t.Parallel()
	s := Schedule{10 * time.Second, 20 * time.Second}
	d, ok := s.NextRetry(0, constRand(0.5))
	require.True(t, ok, "attempt 0 is treated as attempt 1, never as dead")
	require.Equal(t, 10*time.Second, d)
	for _, r := range []float64{-3, math.NaN(), math.Inf(-1)} {
		d, _ := s.NextRetry(2, constRand(r))
		require.Equal(t, 16*time.Second, d, "rnd %v", r)
	}
	d, _ = s.NextRetry(2, constRand(7))
	require.Equal(t, 24*time.Second, d)
}

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	s, err := ParseSchedule("1s,2s,5s")
	require.NoError(t, err)
	require.Equal(t, Schedule{time.Second, 2 * time.Second, 5 * time.Second}, s)

	s, err = ParseSchedule(" 100ms , 1m30s ")
	require.NoError(t, err)
	require.Equal(t, Schedule{100 * time.Millisecond, 90 * time.Second}, s)

	again, err := ParseSchedule(DefaultSchedule.String())
	require.NoError(t, err)
	require.Equal(t, DefaultSchedule, again, "String and ParseSchedule round-trip")
}

func TestParseScheduleErrors(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":         "empty",
		"  ":       "empty",
		"1s,,2s":   "entry 2",
		"1s,":      "entry 2",
		"abc":      "entry 1",
		"5":        "entry 1",
		"1s,0s":    "not positive",
		"1s,2s,-1": "entry 3",
		"-5s":      "not positive",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSchedule(in)
			require.ErrorContains(t, err, want)
		})
	}
}

func TestScheduleIsAFlag(t *testing.T) {
	t.Parallel()
	s := DefaultSchedule
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&s, "retry-schedule", "waits between notification attempts")
	require.NoError(t, fs.Parse([]string{"--retry-schedule", "1s,2s"}))
	require.Equal(t, Schedule{time.Second, 2 * time.Second}, s)
	require.Equal(t, "1s,2s", s.String())
	require.Equal(t, "durations", s.Type())
	require.Len(t, DefaultSchedule, 12, "setting the flag must not modify the default")

	require.Error(t, fs.Parse([]string{"--retry-schedule", "soon"}))
}
