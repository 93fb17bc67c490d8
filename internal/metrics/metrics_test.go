package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestMetrics(t *testing.T) {
	m := New(func(context.Context) (int, error) { return 7, nil })
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oidc/token", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadRequest) })
	h := m.Wrap("default", mux)
	for _, path := range []string{"/oidc/token", "/random-1", "/random-2"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", path, nil))
	}
	m.Observe("ExchangeTokenBy.ClientCredentials", false)
	m.Observe("ExchangeTokenBy.ClientCredentials", true) // a refused request issues nothing
	m.Observe("Interaction.SignIn.Submit", false)
	m.Observe("Interaction.SignIn.Verification.Password.Submit", true)
	m.Observe("Interaction.SignIn.Verification.Password.Submit", false) // a step, not a sign-in
	m.Observe("TriggerHook.User.Created", true)
	out := scrape(t, m)
	for _, want := range []string{
		`gatehouse_http_requests_total{method="POST",route="POST /oidc/token",status="400",tenant="default"} 1`,
		`gatehouse_http_requests_total{method="POST",route="unmatched",status="404",tenant="default"} 2`,
		`gatehouse_http_request_duration_seconds_count{route="POST /oidc/token",tenant="default"} 1`,
		`gatehouse_tokens_issued_total{grant="ClientCredentials"} 1`,
		`gatehouse_sign_ins_total{event="SignIn",result="success"} 1`,
		`gatehouse_sign_ins_total{event="SignIn",result="failed"} 1`,
		`gatehouse_webhook_deliveries_total{result="failed"} 1`,
		`gatehouse_webhook_queue_depth 7`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
