package metrics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds one node's collectors in their own registry (no global state).
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	tokens     *prometheus.CounterVec
	signIns    *prometheus.CounterVec
	deliveries *prometheus.CounterVec
}

// New registers the collectors; queueDepth reports the webhook outbox's pending deliveries when
// scraped (an error reports nothing for that scrape).
func New(queueDepth func(context.Context) (int, error)) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_http_requests_total",
			Help: "HTTP requests by listener, route pattern, method and status."}, []string{"tenant", "route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by listener and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"tenant", "route"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_tokens_issued_total",
			Help: "Successful token requests at /oidc/token by grant."}, []string{"grant"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_sign_ins_total",
			Help: "Finished sign-ins and registrations (result success), and failed verification steps (result failed)."}, []string{"event", "result"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_webhook_deliveries_total",
			Help: "Webhook delivery attempts by result."}, []string{"result"}),
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gatehouse_webhook_queue_depth",
		Help: "Pending webhook deliveries in the outbox (all tenants)."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := queueDepth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	m.reg.MustRegister(m.requests, m.latency, m.tokens, m.signIns, m.deliveries, depth,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Observe counts an audit entry: token exchanges (ExchangeTokenBy.<Grant>), finished sign-ins
// and registrations (Interaction.<event>.Submit), failed verification steps
// (Interaction.<event>.Verification.*), and delivery attempts (TriggerHook.*).
func (m *Metrics) Observe(key string, failed bool) {
	switch {
	case strings.HasPrefix(key, "ExchangeTokenBy."):
		if !failed {
			m.tokens.WithLabelValues(strings.TrimPrefix(key, "ExchangeTokenBy.")).Inc()
		}
	case strings.HasPrefix(key, "Interaction."):
		parts := strings.Split(key, ".")
		if len(parts) == 3 && parts[2] == "Submit" && !failed {
			m.signIns.WithLabelValues(parts[1], "success").Inc()
		} else if len(parts) > 3 && parts[2] == "Verification" && failed {
			m.signIns.WithLabelValues(parts[1], "failed").Inc()
		}
	case strings.HasPrefix(key, "TriggerHook."):
		result := "success"
		if failed {
			result = "failed"
		}
		m.deliveries.WithLabelValues(result).Inc()
	}
}

// Wrap counts and times the requests mux answers for tenant. It must wrap the ServeMux itself:
// the mux writes the matched pattern into the request it is given, which labels the request
// (unmatched requests share one label, so a scan of random paths cannot grow the series).
func (m *Metrics) Wrap(tenant string, mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(tenant, route, r.Method, strconv.Itoa(rec.status)).Inc()
		m.latency.WithLabelValues(tenant, route).Observe(time.Since(start).Seconds())
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer (flushes, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
