package management

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
)

// FuzzBearerAuth feeds arbitrary Authorization headers to the authenticator: it must never
// panic, and must accept only the one token it was seeded with (in its valid spellings).
func FuzzBearerAuth(f *testing.F) {
	e := newEnv(f)
	valid := e.token
	for _, seed := range []string{"", "Bearer", "Bearer ", "Basic abc", "Bearer " + valid, "bearer " + valid,
		"Bearer a.b.c", "Bearer " + valid + "x", "Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", "Bearer ..", "Bearer \x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest("GET", "/api/roles", nil)
		req.Header["Authorization"] = []string{header}
		_, err := e.api.auth.authenticate(req)
		if err == nil {
			return // only a correctly signed token gets here; signatures cannot be forged by fuzzing
		}
		ae, ok := apperr.As(err)
		if !ok {
			t.Fatalf("authenticate(%q) = %v; want a Logto error", header, err)
		}
		switch ae.Code {
		case "auth.authorization_header_missing", "auth.authorization_token_type_not_supported", "auth.unauthorized", "auth.jwt_sub_missing":
			if ae.Status != http.StatusUnauthorized {
				t.Fatalf("%s with status %d", ae.Code, ae.Status)
			}
		case "auth.forbidden":
			t.Fatalf("authenticate(%q) = forbidden: a forged token passed verification", header)
		default:
			t.Fatalf("authenticate(%q) = unexpected code %s", header, ae.Code)
		}
	})
}
