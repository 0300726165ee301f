package notify

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
)

func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.Write(&m))
	return m.GetCounter().GetValue()
}

func TestMetricsCountDeliveries(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg, QueueStats{})
	require.NoError(t, err)

	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	cfg := sandbox()
	cfg.Metrics = m
	d := newTestDeliverer(t, cfg)
	d.Deliver(t.Context(), testNotification(rcv.URL+"/ok"), 1, nil)
	d.Deliver(t.Context(), testNotification(rcv.URL+"/ok"), 1, nil)
	d.Deliver(t.Context(), testNotification(rcv.URL+"/fail"), 1, nil)
	d.Deliver(t.Context(), testNotification("ftp://x"), 1, nil)

	require.Equal(t, 2.0, counterValue(t, m.deliveries.WithLabelValues("delivered")))
	require.Equal(t, 1.0, counterValue(t, m.deliveries.WithLabelValues("retry")))
	require.Equal(t, 1.0, counterValue(t, m.deliveries.WithLabelValues("refused")))
	require.Equal(t, 0.0, counterValue(t, m.deliveries.WithLabelValues("gone")))

	mfs := gather(t, reg)
	require.Len(t, mfs["pasarela_notification_deliveries_total"].GetMetric(), 5, "every outcome is exported from the start")
	h := mfs["pasarela_notification_attempt_duration_seconds"].GetMetric()[0].GetHistogram()
	require.Equal(t, uint64(3), h.GetSampleCount(), "the refused attempt made no request and has no duration")
	require.NotContains(t, mfs, "pasarela_notification_queue_depth", "no callback, no gauge")
}

func TestMetricsQueueGauges(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	oldest := now.Add(-90 * time.Second)
	var gotDeadline bool
	_, err := NewMetrics(reg, QueueStats{
		Stats: func(ctx context.Context) (Stats, error) {
			_, gotDeadline = ctx.Deadline()
			return Stats{Pending: 7, OldestPending: oldest}, nil
		},
		Now: func() time.Time { return now },
	})
	require.NoError(t, err)

	mfs := gather(t, reg)
	require.Equal(t, 7.0, mfs["pasarela_notification_queue_depth"].GetMetric()[0].GetGauge().GetValue())
	require.Equal(t, 90.0, mfs["pasarela_notification_oldest_pending_age_seconds"].GetMetric()[0].GetGauge().GetValue())
	require.True(t, gotDeadline, "callbacks get a bounded context")
}

func TestMetricsQueueGaugesEmptyAndErrors(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	_, err := NewMetrics(reg, QueueStats{
		Stats: func(context.Context) (Stats, error) { return Stats{}, errors.New("database is down") },
	})
	require.NoError(t, err)
	mfs := gather(t, reg) // a failing callback must not fail the scrape
	require.NotContains(t, mfs, "pasarela_notification_queue_depth", "left out rather than reported as 0")

	empty := prometheus.NewRegistry()
	_, err = NewMetrics(empty, QueueStats{Stats: func(context.Context) (Stats, error) { return Stats{}, nil }})
	require.NoError(t, err)
	mfs = gather(t, empty)
	require.Equal(t, 0.0, mfs["pasarela_notification_queue_depth"].GetMetric()[0].GetGauge().GetValue(), "empty queue")
	require.Equal(t, 0.0, mfs["pasarela_notification_oldest_pending_age_seconds"].GetMetric()[0].GetGauge().GetValue(), "empty queue")
}

func TestMetricsDoubleRegistrationFails(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	_, err := NewMetrics(reg, QueueStats{})
	require.NoError(t, err)
	_, err = NewMetrics(reg, QueueStats{})
	require.Error(t, err)
}

func TestMetricsNilIsSafe(t *testing.T) {
	t.Parallel()
	var m *Metrics
	m.observe(Attempt{}, Delivered)
	m2, err := NewMetrics(nil, QueueStats{})
	require.NoError(t, err)
	m2.observe(Attempt{Latency: time.Second}, Retry)
	require.Equal(t, 1.0, counterValue(t, m2.deliveries.WithLabelValues("retry")))
}
