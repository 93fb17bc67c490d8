package cookie

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

func newJar(t *testing.T) (*Jar, store.Store, *store.Freshness) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "gh.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateTenant(ctx, model.Tenant{ID: "default", Name: "default"}); err != nil {
		t.Fatal(err)
	}
	putKeys(t, st, "first-key-0123456789abcdefghijkl")
	fresh := store.NewFreshness(st, clock.System{}, time.Hour)
	return NewJar(directory.New(st, fresh, clock.System{})), st, fresh
}

func putKeys(t *testing.T, st store.Store, values ...string) {
	t.Helper()
	var list []model.CookieKey
	for i, v := range values {
		list = append(list, model.CookieKey{ID: string(rune('a' + i)), Value: v})
	}
	b, _ := json.Marshal(list)
	if err := st.Tenant("default").Configs().Put(context.Background(), model.ConfigCookieKeys, b); err != nil {
		t.Fatal(err)
	}
}

// roundTrip sets cookies through handler set and returns a request carrying them.
func roundTrip(t *testing.T, set func(w http.ResponseWriter, r *http.Request)) *http.Request {
	t.Helper()
	rec := httptest.NewRecorder()
	set(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	return req
}

func TestSignedCookie(t *testing.T) {
	jar, st, fresh := newJar(t)
	req := roundTrip(t, func(w http.ResponseWriter, r *http.Request) {
		if err := jar.Set(w, r, "default", &http.Cookie{Name: Session, Value: "s1"}); err != nil {
			t.Fatal(err)
		}
	})
	if v, ok := jar.Get(req, "default", Session); !ok || v != "s1" {
		t.Fatalf("Get = %q, %v", v, ok)
	}

	// A forged value with the old signature is refused.
	forged := httptest.NewRequest(http.MethodGet, "/", nil)
	sig, _ := req.Cookie(Session + ".sig")
	forged.AddCookie(&http.Cookie{Name: Session, Value: "s2"})
	forged.AddCookie(sig)
	if _, ok := jar.Get(forged, "default", Session); ok {
		t.Fatal("a tampered cookie verified")
	}
	// Missing signature: refused.
	bare := httptest.NewRequest(http.MethodGet, "/", nil)
	bare.AddCookie(&http.Cookie{Name: Session, Value: "s1"})
	if _, ok := jar.Get(bare, "default", Session); ok {
		t.Fatal("an unsigned cookie verified")
	}

	// After rotation (new key in front) the old cookie still verifies; after the old key is
	// dropped it does not.
	putKeys(t, st, "second-key-0123456789abcdefghijk", "first-key-0123456789abcdefghijkl")
	fresh.Invalidate("default")
	if _, ok := jar.Get(req, "default", Session); !ok {
		t.Fatal("cookie signed by the previous key no longer verifies")
	}
	putKeys(t, st, "second-key-0123456789abcdefghijk")
	fresh.Invalidate("default")
	if _, ok := jar.Get(req, "default", Session); ok {
		t.Fatal("cookie signed by a dropped key still verifies")
	}
}

func TestInteractionMap(t *testing.T) {
	jar, _, _ := newJar(t)
	req := roundTrip(t, func(w http.ResponseWriter, r *http.Request) {
		if err := jar.SetInteraction(w, r, "default", "app-a", "uid-a", time.Hour); err != nil {
			t.Fatal(err)
		}
	})
	// A second app's sign-in in the same browser keeps the first app's entry.
	req = roundTrip(t, func(w http.ResponseWriter, r *http.Request) {
		for _, c := range req.Cookies() {
			r.AddCookie(c)
		}
		if err := jar.SetInteraction(w, r, "default", "app-b", "uid-b", time.Hour); err != nil {
			t.Fatal(err)
		}
	})
	cases := []struct{ header, want string }{{"app-a", "uid-a"}, {"app-b", "uid-b"}, {"", "uid-b"}, {"unknown-app", "uid-b"}}
	for _, c := range cases {
		r := req.Clone(context.Background())
		if c.header != "" {
			r.Header.Set(AppIDHeader, c.header)
		}
		if uid, ok := jar.InteractionUID(r, "default", ""); !ok || uid != c.want {
			t.Errorf("Logto-App-Id %q: uid %q %v, want %q", c.header, uid, ok, c.want)
		}
	}
}

func TestSecureBehindTrustedProxy(t *testing.T) {
	jar, _, _ := newJar(t)
	rec := httptest.NewRecorder()
	h := httpx.Proxy(1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := jar.Set(w, r, "default", &http.Cookie{Name: Session, Value: "x"}); err != nil {
			t.Fatal(err)
		}
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Forwarded-Proto", "https")
	h.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: Secure %v HttpOnly %v SameSite %v", c.Name, c.Secure, c.HttpOnly, c.SameSite)
		}
	}
}
