package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the delivery collectors. Pass one in [Config.Metrics] and the
// [Deliverer] records every attempt; a nil *Metrics records nothing.
type Metrics struct {
	deliveries *prometheus.CounterVec
	duration   prometheus.Histogram
}

// QueueStats is the callback into the store for the queue gauges, called
// once per scrape; nil leaves the gauges out.
type QueueStats struct {
	// Stats returns how many notifications await delivery (pending or
	// failed) and when the oldest of them was created (Repository's
	// NotificationStats). The age is what to alert on: a growing one means
	// deliveries are stuck.
	Stats func(ctx context.Context) (Stats, error)
	// Timeout bounds each callback so a slow database cannot hang /metrics;
	// default 2s.
	Timeout time.Duration
	// Now is the clock for the age; default time.Now.
	Now func() time.Time
}

// attemptBuckets span fast 2xx answers to the 15 s timeout.
var attemptBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30}

// NewMetrics creates the collectors and registers them on reg (none when reg
// is nil, which suits tests):
//
//   - pasarela_notification_deliveries_total{outcome}: attempts by outcome,
//     including refused and deferred ones that sent nothing;
//   - pasarela_notification_attempt_duration_seconds: latency of attempts
//     that made a request;
//   - pasarela_notification_queue_depth and
//     pasarela_notification_oldest_pending_age_seconds from stats.
func NewMetrics(reg prometheus.Registerer, stats QueueStats) (*Metrics, error) {
	m := &Metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pasarela_notification_deliveries_total",
			Help: "Notification delivery attempts by outcome (delivered, retry, gone, refused, deferred).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pasarela_notification_attempt_duration_seconds",
			Help:    "Time from sending a notification to reading the merchant's answer, for attempts that made a request.",
			Buckets: attemptBuckets,
		}),
	}
	// Start every series at zero so rate() and alerts work before the first
	// failure ever happens.
	for _, o := range []Outcome{Delivered, Retry, Gone, Refused, Deferred} {
		m.deliveries.WithLabelValues(o.String())
	}
	if reg == nil {
		return m, nil
	}
	collectors := []prometheus.Collector{m.deliveries, m.duration}
	if stats.Stats != nil {
		collectors = append(collectors, newQueueCollector(stats))
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering notification metrics: %w", err)
		}
	}
	return m, nil
}

// observe records one attempt.
func (m *Metrics) observe(a Attempt, o Outcome) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(o.String()).Inc()
	if o != Refused && o != Deferred {
		m.duration.Observe(a.Latency.Seconds())
	}
}

// queueCollector asks the store on each scrape rather than caching, so the
// gauges are never stale; when the query fails the gauges are left out of
// that scrape (absent() alerts catch it) instead of failing all of /metrics.
type queueCollector struct {
	stats     QueueStats
	depthDesc *prometheus.Desc
	ageDesc   *prometheus.Desc
}

func newQueueCollector(stats QueueStats) *queueCollector {
	if stats.Timeout <= 0 {
		stats.Timeout = 2 * time.Second
	}
	if stats.Now == nil {
		stats.Now = time.Now
	}
	return &queueCollector{
		stats: stats,
		depthDesc: prometheus.NewDesc("pasarela_notification_queue_depth",
			"Notifications awaiting delivery (pending or failed with a retry scheduled).", nil, nil),
		ageDesc: prometheus.NewDesc("pasarela_notification_oldest_pending_age_seconds",
			"Age of the oldest notification awaiting delivery; 0 when none.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depthDesc
	ch <- c.ageDesc
}

// Collect implements prometheus.Collector: one store query for both gauges.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.stats.Timeout)
	st, err := c.stats.Stats(ctx)
	cancel()
	if err != nil {
		return
	}
	age := 0.0
	if !st.OldestPending.IsZero() {
		age = max(c.stats.Now().Sub(st.OldestPending).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.depthDesc, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(c.ageDesc, prometheus.GaugeValue, age)
}
