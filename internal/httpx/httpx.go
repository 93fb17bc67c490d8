package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/faults"
	"github.com/gatehouse-id/gatehouse/internal/ids"
)

// RequestIDHeader is Logto's response header naming the request (Logto-Core-Request-Id).
const RequestIDHeader = "Logto-Core-Request-Id"

type ctxKey int

const requestIDKey ctxKey = iota

// RequestID returns the id Middleware gave the request, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WriteJSON writes v as JSON with the given status. Like Logto's JSON.stringify it does not
// escape &, < and > (the answers are application/json with nosniff, never HTML), so a stored
// webhook body is shown byte for byte as it was sent and signed.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := MarshalJSON(v)
	if err != nil { // only unmarshalable values (programming errors) end here
		http.Error(w, `{"message":"Internal server error."}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteUnavailable answers a request the server cannot serve because its database is
// unreachable: 503 with Retry-After, in Logto's {code, message} shape.
func WriteUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", faults.RetryAfterSeconds)
	WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"code": "database.unavailable",
		"message": "The database is unavailable. Try again shortly."})
}

// MarshalJSON is json.Marshal without HTML escaping.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ErrBodyTooLarge is returned by ReadBody when the body exceeds its limit.
var ErrBodyTooLarge = errors.New("request body too large")

// ReadBody reads at most limit bytes of r's body; a longer body gives ErrBodyTooLarge.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}

// Middleware gives every request an id (echoed in RequestIDHeader), sets nosniff, recovers panics into a bare
// 500 without internals (the panic is logged with the id), and logs one line per request.
func Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := ids.NewString(16)
		w.Header().Set(RequestIDHeader, id)
		// No answer of ours is meant to be sniffed into another type (an error body rendered as
		// HTML, say); pages add the rest of their headers with PageHeaders.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic serving request", "request_id", id, "method", r.Method, "path", r.URL.Path, "panic", p)
				if !rec.wrote {
					WriteJSON(rec, http.StatusInternalServerError, map[string]string{"message": "Internal server error."})
				}
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Int("status", rec.status),
				slog.String("client_ip", ClientIP(r.Context())),
				slog.Duration("duration", time.Since(start)))
		}()
		next.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
