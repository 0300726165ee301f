package notify

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Schedule is the wait before each retry: Schedule[0] follows the first
// failed attempt, Schedule[1] the second, and so on. After len(Schedule)
// failed retries the notification is dead.
type Schedule []time.Duration

// DefaultSchedule backs off like the large gateways do: quickly at first so a
// brief outage costs the merchant seconds, then hourly and daily so a
// merchant who is down over a weekend still gets every notification. Its
// waits add up to about 3 days 4 hours (13 attempts in all).
var DefaultSchedule = Schedule{
	30 * time.Second,
	2 * time.Minute,
	5 * time.Minute,
	15 * time.Minute,
	30 * time.Minute,
	1 * time.Hour,
	2 * time.Hour,
	4 * time.Hour,
	8 * time.Hour,
	12 * time.Hour,
	24 * time.Hour,
	24 * time.Hour,
}

// Jitter is how far, as a fraction, each wait may move either way, so that
// notifications that failed together (a merchant outage) do not all retry in
// the same second when the merchant comes back.
const Jitter = 0.2

// FirstRetryMax caps the first wait whatever the schedule and jitter say: a
// merchant whose endpoint blipped should learn the result within a minute.
const FirstRetryMax = time.Minute

// NextRetry returns how long to wait after failed attempt number attempt
// (1 for the first attempt) before the next one, jittered by ±[Jitter], and
// false when the schedule is exhausted and the notification is dead. rnd
// returns numbers in [0, 1); nil means math/rand/v2's Float64. An attempt
// number below 1 is treated as 1 rather than refused, so that a caller's
// off-by-one retries early instead of giving up.
func (s Schedule) NextRetry(attempt int, rnd func() float64) (time.Duration, bool) {
	attempt = max(attempt, 1)
	if attempt > len(s) {
		return 0, false
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	r := rnd()
	if !(r >= 0) { // negative or NaN: a bad rnd must not escape the band
		r = 0
	}
	r = min(r, 1)
	base := s[attempt-1]
	d := time.Duration(float64(base) * (1 - Jitter + 2*Jitter*r))
	if attempt == 1 {
		d = min(d, FirstRetryMax)
	}
	return d, true
}

// Total is the sum of the waits before jitter: roughly how long after the
// first attempt a notification dies.
func (s Schedule) Total() time.Duration {
	var t time.Duration
	for _, d := range s {
		t += d
	}
	return t
}

// String returns the schedule in the form ParseSchedule reads.
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// ParseSchedule reads a comma-separated list of Go durations such as
// "1s,2s,5s", so tests and operators can compress or stretch the schedule.
// Every wait must be positive; an empty list is refused because it would
// make every first failure fatal.
func ParseSchedule(v string) (Schedule, error) {
	if strings.TrimSpace(v) == "" {
		return nil, errors.New("retry schedule is empty")
	}
	parts := strings.Split(v, ",")
	s := make(Schedule, 0, len(parts))
	for i, p := range parts {
		d, err := time.ParseDuration(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("retry schedule entry %d: %w", i+1, err)
		}
		if d <= 0 {
			return nil, fmt.Errorf("retry schedule entry %d: %s is not positive", i+1, d)
		}
		s = append(s, d)
	}
	return s, nil
}

// Set implements flag.Value (and pflag.Value with Type) so a command can take
// the schedule as a flag.
func (s *Schedule) Set(v string) error {
	parsed, err := ParseSchedule(v)
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}

// Type names the flag's value type in help text.
func (s *Schedule) Type() string { return "durations" }
