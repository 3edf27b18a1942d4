package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/authd/authd/actions"
)

// metrics live in a registry of their own (no global state).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	logins   *prometheus.CounterVec
	actDur   *prometheus.HistogramVec
	actRuns  *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_http_requests_total", Help: "HTTP requests by endpoint and status code.",
		}, []string{"endpoint", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "authd_http_request_duration_seconds", Help: "HTTP request latency by endpoint.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"endpoint"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_logins_total", Help: "Login attempts by outcome.",
		}, []string{"outcome"}),
		actDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "authd_action_duration_seconds", Help: "Post-login action execution time.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .01, .05, .25, 1, 5, 20},
		}, []string{"action"}),
		actRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_action_executions_total", Help: "Post-login action executions by outcome.",
		}, []string{"action", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.logins, m.actDur, m.actRuns,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *metrics) observeAction(l actions.Log) {
	if !l.Cached { // a reused outcome took no execution time
		m.actDur.WithLabelValues(l.Action).Observe(l.Duration.Seconds())
	}
	m.actRuns.WithLabelValues(l.Action, l.Outcome).Inc()
}

func (m *metrics) observeRequest(endpoint string, code int, d time.Duration) {
	m.requests.WithLabelValues(endpoint, strconv.Itoa(code)).Inc()
	m.latency.WithLabelValues(endpoint).Observe(d.Seconds())
}

// endpointLabel maps a path to a bounded set of labels.
func endpointLabel(path string) string {
	switch {
	case path == "/authorize", path == "/authorize/callback", path == "/oauth/token", path == "/userinfo",
		path == "/oauth/revoke", path == "/v2/logout", path == "/oidc/logout", path == "/continue",
		path == "/.well-known/openid-configuration", path == "/.well-known/jwks.json",
		path == "/healthz", path == "/readyz", path == "/metrics", path == "/test":
		return path
	case strings.HasPrefix(path, "/u/static/"):
		return "/u/static"
	case strings.HasPrefix(path, "/u/"):
		if i := strings.IndexByte(path[3:], '/'); i >= 0 {
			return path[:3+i]
		}
		return path
	default:
		return "other"
	}
}
