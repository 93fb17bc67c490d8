package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type probe struct{ err error }

func (p probe) Ready(context.Context) error { return p.err }

func TestEndpoints(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		err        error
		status     int
		body       string
	}{
		{"live", "/healthz", errors.New("ignored"), 200, `"status":"ok"`},
		{"ready", "/readyz", nil, 200, `"status":"ok"`},
		{"database down", "/readyz", errors.New("database unreachable"), 503, `"reason":"database unreachable"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			Mount(mux, probe{tc.err})
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("%s: %d %s", tc.path, rec.Code, rec.Body)
			}
		})
	}
}
