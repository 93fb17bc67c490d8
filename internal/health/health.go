package health

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Probe checks what a node needs to serve: the database answers and no migration is pending.
type Probe interface {
	Ready(ctx context.Context) error
}

// readyTimeout bounds a readiness check: a database that does not answer in time is not ready.
const readyTimeout = 2 * time.Second

// Mount registers GET /healthz and GET /readyz on mux.
func Mount(mux *http.ServeMux, p Probe) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := p.Ready(ctx); err != nil {
			// The reason names what is wrong (the database, migrations) without connection details.
			write(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return
		}
		write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func write(w http.ResponseWriter, status int, body map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
