package experience

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/password"
)

// TestWithTheRealService runs the experience on the service exactly as the binary wires it:
// the tenant's seeded sign-in experience, changed through UpdateSignInExperience.
func TestWithTheRealService(t *testing.T) {
	h := newHarness(t)
	h.createUser("alice", "", alicePassword)
	mux := http.NewServeMux()
	srv := httptest.NewServer(httpx.Proxy(0, httpx.Middleware(slog.New(slog.DiscardHandler), mux)))
	t.Cleanup(srv.Close)
	New(Options{TenantID: tenant, Issuer: srv.URL + "/oidc", Service: h.svc, Passwords: password.New(password.Options{}),
		Cookies: h.jar, Clock: h.clk}).Mount(mux)
	n := &node{h: h, srv: srv, issuer: srv.URL + "/oidc"}

	b := n.browser()
	in := b.startInteraction(nil)
	r := b.get("/sign-in?app_id="+h.app.ID, nil)
	wantStatus(t, r, http.StatusOK, "", "sign-in page with the seeded sign-in experience")
	wantContains(t, r, "seeded page", `<label for="identifier">Username</label>`)

	if _, err := h.svc.UpdateSignInExperience(t.Context(), tenant, json.RawMessage(`{"sentinelPolicy":{"maxAttempts":2,"lockoutDuration":3}}`)); err != nil {
		t.Fatalf("update sign-in experience: %v", err)
	}
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT")
	for i, want := range []int{422, 400} {
		r := b.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
			"identifier": map[string]string{"type": "username", "value": "alice"}, "password": "wrong-" + string(rune('a'+i))})
		wantStatus(t, r, want, "", "attempt")
		if want == 400 && !strings.Contains(string(r.body), "in 3 minutes") {
			t.Fatalf("lock message %s does not use the updated policy", r.body)
		}
	}
	if h.interaction(in.UID).Result != nil {
		t.Fatal("a locked sign-in produced a result")
	}
}
