package experience

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
)

// provider is a small OAuth 2.0 provider in the shape of a Discourse-style community server:
// codes are single use, the token endpoint answers a query string (the generic connector's
// default), and the profile is nested with a numeric id.
type provider struct {
	srv      *httptest.Server
	mu       sync.Mutex
	codes    map[string]bool
	user     map[string]any
	tokenErr int           // when set, the token endpoint answers this status
	delay    time.Duration // the token endpoint waits this long first
	json     bool          // the token endpoint answers JSON instead of a query string
}

func newProvider(t testing.TB) *provider {
	p := &provider{codes: map[string]bool{}, user: map[string]any{
		"id": 42, "username": "mira", "name": "Mira Chen", "email": "mira@community.example", "avatar_url": "https://cdn.community.example/mira.png",
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", p.token)
	mux.HandleFunc("GET /api/user", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at-1" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"user": p.user})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	delay := p.delay
	p.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tokenErr != 0 {
		http.Error(w, "down", p.tokenErr)
		return
	}
	code := r.PostFormValue("code")
	if !p.codes[code] || r.PostFormValue("client_secret") != "s3cret" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("error=invalid_grant"))
		return
	}
	delete(p.codes, code)
	if p.json {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at-1","token_type":"bearer"}`))
		return
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
	_, _ = w.Write([]byte("access_token=at-1&token_type=bearer"))
}

// approve is what the provider does when the person allows the sign-in: it sends the browser
// back to the redirect URI of authURL with a fresh code and the state.
func (p *provider) approve(t testing.TB, authURL string) string {
	t.Helper()
	u := mustParse(t, authURL)
	q := u.Query()
	p.mu.Lock()
	code := "code-" + q.Get("state")[:8]
	p.codes[code] = true
	p.mu.Unlock()
	back := mustParse(t, q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	return back.String()
}

// addConnector adds the community's generic OAuth 2.0 connector under target "community".
func (h *harness) addConnector(p *provider, syncProfile bool) connectors.View {
	h.t.Helper()
	c := map[string]any{
		"authorizationEndpoint": p.srv.URL + "/oauth2/authorize", "tokenEndpoint": p.srv.URL + "/oauth2/token",
		"userInfoEndpoint": p.srv.URL + "/api/user", "clientId": "gatehouse", "clientSecret": "s3cret", "scope": "read",
		"profileMap": map[string]string{"id": "user.id", "name": "user.name", "email": "user.email", "avatar": "user.avatar_url"},
	}
	if p.json {
		c["tokenEndpointResponseType"] = "json"
	}
	cfg, _ := json.Marshal(c)
	v, err := h.svc.CreateConnector(h.t.Context(), tenant, connectors.CreateInput{ConnectorID: "oauth2", Config: cfg,
		Metadata: json.RawMessage(`{"target":"community","name":{"en":"LINUX DO"}}`), SyncProfile: syncProfile})
	if err != nil {
		h.t.Fatalf("create connector: %v", err)
	}
	return v
}

func socialOnly(s *model.SignInExperience) {
	s.SignIn.Methods = nil
	s.SignUp = model.SignUp{}
	s.SocialSignInConnectorTargets = []string{"community"}
}

// socialStart opens the sign-in page, checks it shows only the social button, and presses it.
func (b *browser) socialStart(t testing.TB, connectorID string) string {
	t.Helper()
	page := b.get("/sign-in?app_id="+b.n.h.app.ID, nil)
	wantStatus(t, page, http.StatusOK, "", "GET /sign-in")
	body := string(page.body)
	if !strings.Contains(body, "Continue with LINUX DO") || strings.Contains(body, `name="password"`) {
		t.Fatalf("the social-only page should show only the social button:\n%s", body)
	}
	r := b.post("/social?app_id="+b.n.h.app.ID, url.Values{"csrf": {csrfOf(t, page)}, "connector": {connectorID}})
	wantStatus(t, r, http.StatusSeeOther, "", "POST /social")
	return r.header.Get("Location")
}

// callback follows the provider's redirect back to Gatehouse.
func (b *browser) callback(t testing.TB, back string) response {
	t.Helper()
	u := mustParse(t, back)
	return b.get(u.RequestURI(), nil)
}

func TestSocialOnlySignUpThenSignIn(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(socialOnly)
	p := newProvider(t)
	c := h.addConnector(p, false)
	n := h.node(RateLimit{})

	b := n.browser()
	in := b.startInteraction(nil)
	authURL := b.socialStart(t, c.ID)
	if !strings.HasPrefix(authURL, p.srv.URL+"/oauth2/authorize?") {
		t.Fatalf("POST /social went to %s, want the provider", authURL)
	}
	if got := mustParse(t, authURL).Query().Get("redirect_uri"); got != n.srv.URL+"/callback/"+c.ID {
		t.Fatalf("redirect_uri %s", got)
	}
	r := b.callback(t, p.approve(t, authURL))
	wantStatus(t, r, http.StatusSeeOther, "", "callback")
	if got, want := r.header.Get("Location"), "/oidc/auth/"+in.UID; got != want {
		t.Fatalf("callback went to %s, want %s", got, want)
	}
	res := h.interaction(in.UID).Result
	if res == nil {
		t.Fatal("no result after the callback")
	}
	u, err := h.svc.GetUser(t.Context(), tenant, res.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if model.StringOf(u.PrimaryEmail) != "mira@community.example" || model.StringOf(u.Name) != "Mira Chen" {
		t.Fatalf("new user %+v", u)
	}
	var ids map[string]struct {
		UserID  string         `json:"userId"`
		Details map[string]any `json:"details"`
	}
	if err := json.Unmarshal(u.Identities, &ids); err != nil || ids["community"].UserID != "42" || ids["community"].Details["rawData"] == nil {
		t.Fatalf("identities %s (%v): want community → userId \"42\" with the raw profile", u.Identities, err)
	}

	// A later sign-in finds the same user; without syncProfile the name stays.
	p.mu.Lock()
	p.user["name"] = "Mira C."
	p.mu.Unlock()
	b2 := n.browser()
	in2 := b2.startInteraction(nil)
	r = b2.callback(t, p.approve(t, b2.socialStart(t, c.ID)))
	wantStatus(t, r, http.StatusSeeOther, "", "second callback")
	res2 := h.interaction(in2.UID).Result
	if res2 == nil || res2.AccountID != u.ID {
		t.Fatalf("second sign-in result %+v, want user %s", res2, u.ID)
	}
	if again, _ := h.svc.GetUser(t.Context(), tenant, u.ID); model.StringOf(again.Name) != "Mira Chen" {
		t.Fatalf("name changed to %q without syncProfile", model.StringOf(again.Name))
	}
}

func TestSocialCallbackFailuresEndOnAFriendlyPage(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(socialOnly)
	p := newProvider(t)
	c := h.addConnector(p, false)
	n := h.node(RateLimit{})
	withQuery := func(back string, mod func(url.Values)) string {
		u := mustParse(t, back)
		q := u.Query()
		mod(q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, tc := range []struct {
		name   string
		back   func(b *browser, authURL string) string
		before func()
		want   string
	}{
		{"consent denied", func(_ *browser, a string) string {
			return withQuery(p.approve(t, a), func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") })
		}, nil, "cancelled at LINUX DO"},
		{"state from another sign-in", func(_ *browser, a string) string {
			return withQuery(p.approve(t, a), func(q url.Values) { q.Set("state", "forged") })
		}, nil, "did not confirm who you are"},
		{"provider down", func(_ *browser, a string) string { return p.approve(t, a) },
			func() { p.mu.Lock(); p.tokenErr = http.StatusBadGateway; p.mu.Unlock() }, "did not confirm who you are"},
		{"provider too slow", func(_ *browser, a string) string { return p.approve(t, a) },
			func() { p.mu.Lock(); p.delay = 3 * time.Second; p.mu.Unlock() }, "did not confirm who you are"},
		{"profile without an id", func(_ *browser, a string) string { return p.approve(t, a) },
			func() { p.mu.Lock(); delete(p.user, "id"); p.mu.Unlock() }, "did not confirm who you are"},
		{"replayed callback", func(b *browser, a string) string {
			back := p.approve(t, a)
			wantStatus(t, b.callback(t, back), http.StatusSeeOther, "", "first use")
			// The interaction is done; a new one must not accept the old callback.
			b.startInteraction(nil)
			return back
		}, nil, "already used or has expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.mu.Lock()
			p.tokenErr, p.delay, p.user["id"] = 0, 0, 42
			p.mu.Unlock()
			if tc.before != nil {
				tc.before()
			}
			b := n.browser()
			b.startInteraction(nil)
			back := tc.back(b, b.socialStart(t, c.ID))
			r := b.callback(t, back)
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.want) ||
				!strings.Contains(string(r.body), "Back to sign in") {
				t.Fatalf("status %d, want 400 with %q and a way back:\n%s", r.status, tc.want, r.body)
			}
		})
	}
	if list, total, err := h.svc.ListUsers(t.Context(), tenant, model.UserFilter{}, model.Page{}); err != nil || total != 1 {
		t.Fatalf("users after the failures: %d (%v) %v; want only the replay's one", total, err, list)
	}
}

func TestSocialSignInModeSignInRefusesNewUsers(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(func(s *model.SignInExperience) { socialOnly(s); s.SignInMode = model.SignInModeSignIn })
	p := newProvider(t)
	c := h.addConnector(p, false)
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(nil)
	r := b.callback(t, p.approve(t, b.socialStart(t, c.ID)))
	if r.status != http.StatusNotFound || !strings.Contains(string(r.body), "does not accept new sign-ups") {
		t.Fatalf("status %d, want 404 with the registration-closed wording:\n%s", r.status, r.body)
	}
	if _, total, _ := h.svc.ListUsers(t.Context(), tenant, model.UserFilter{}, model.Page{}); total != 0 {
		t.Fatalf("%d users created with registration closed", total)
	}
}

func TestSocialEmailOfAnExistingAccountOffersToLink(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(socialOnly)
	existing := h.createUser("mira", "Mira@Community.example", alicePassword)
	p := newProvider(t)
	c := h.addConnector(p, true)
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	r := b.callback(t, p.approve(t, b.socialStart(t, c.ID)))
	page := string(r.body)
	if r.status != http.StatusOK || !strings.Contains(page, "mira@community.example") || !strings.Contains(page, `value="link"`) {
		t.Fatalf("status %d, want the link choice:\n%s", r.status, page)
	}
	verification := between(page, `name="verification" value="`, `"`)
	// A provider's word for an email is not enough: the wrong password links nothing.
	r = b.post("/social/continue?app_id="+h.app.ID, url.Values{"csrf": {csrfOf(t, r)}, "choice": {"link"}, "verification": {verification}, "password": {"not-her-password"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `name="password"`) {
		t.Fatalf("link with a wrong password: %d\n%s", r.status, r.body)
	}
	if u, _ := h.svc.GetUser(t.Context(), tenant, existing.ID); strings.Contains(string(u.Identities), "community") {
		t.Fatal("linked without the account's password")
	}
	r = b.post("/social/continue?app_id="+h.app.ID, url.Values{"csrf": {csrfOf(t, r)}, "choice": {"link"}, "verification": {verification}, "password": {alicePassword}})
	wantStatus(t, r, http.StatusSeeOther, "", "link")
	res := h.interaction(in.UID).Result
	if res == nil || res.AccountID != existing.ID {
		t.Fatalf("result %+v, want the existing user %s", res, existing.ID)
	}
	u, _ := h.svc.GetUser(t.Context(), tenant, existing.ID)
	if !strings.Contains(string(u.Identities), `"community"`) {
		t.Fatalf("identities %s: the community identity was not linked", u.Identities)
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	rest := s[i+len(start):]
	return rest[:strings.Index(rest, end)]
}

// TestSocialThroughTheExperienceAPI drives Logto's observed sequence: authorization-uri, the
// provider, verify, identification 404 identity_not_exist, Register, identification 201, submit.
func TestSocialThroughTheExperienceAPI(t *testing.T) {
	h := newHarness(t)
	p := newProvider(t)
	c := h.addConnector(p, false)
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT")
	r := b.api(http.MethodPost, "/api/experience/verification/social/"+c.ID+"/authorization-uri",
		map[string]string{"state": "client-state-123456", "redirectUri": n.srv.URL + "/callback/" + c.ID})
	wantStatus(t, r, http.StatusOK, "", "authorization-uri")
	authURL, _ := r.json(t)["authorizationUri"].(string)
	verificationID, _ := r.json(t)["verificationId"].(string)
	back := mustParse(t, p.approve(t, authURL))
	data := map[string]string{}
	for k := range back.Query() {
		data[k] = back.Query().Get(k)
	}
	verify := map[string]any{"verificationId": verificationID, "connectorData": data}
	wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/social/"+c.ID+"/verify", verify), http.StatusOK, "", "verify")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/social/"+c.ID+"/verify", verify),
		http.StatusBadRequest, "session.connector_validation_session_not_found", "replayed verify")
	ident := map[string]string{"verificationId": verificationID}
	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", ident), http.StatusNotFound, "user.identity_not_exist", "sign-in identification")
	// No account has the provider's email yet; with one, linking would need its password:
	h.createUser("mira_pw", "mira@community.example", alicePassword)
	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", map[string]any{"verificationId": verificationID, "linkSocialIdentity": true}),
		http.StatusForbidden, "session.verification_required", "link without proof")
	if err := h.svc.DeleteUser(t.Context(), tenant, h.userID(t, "mira_pw")); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.api(http.MethodPut, "/api/experience/interaction-event", map[string]string{"interactionEvent": "Register"}), http.StatusNoContent, "", "to Register")
	// The default sign-up settings ask for a username: Logto's 422 missing_profile, then the profile.
	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", ident), http.StatusUnprocessableEntity, "user.missing_profile", "register without username")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/profile", map[string]string{"type": "username", "value": "mira"}), http.StatusNoContent, "", "profile")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", ident), http.StatusCreated, "", "register identification")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/submit", nil), http.StatusOK, "", "submit")
	res := h.interaction(in.UID).Result
	u, err := h.svc.GetUser(t.Context(), tenant, res.AccountID)
	if err != nil || model.StringOf(u.Username) != "mira" || u.PasswordEncrypted != nil {
		t.Fatalf("registered user %+v (%v): want username mira and no password", u, err)
	}
}

func TestDirectSocialSignInSkipsThePage(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(socialOnly)
	p := newProvider(t)
	h.addConnector(p, false)
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(nil)
	r := b.get("/direct/social/community?app_id="+h.app.ID+"&fallback=sign-in", nil)
	if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !strings.HasPrefix(loc, p.srv.URL+"/oauth2/authorize?") {
		t.Fatalf("direct sign-in: %d to %q, want a redirect to the provider", r.status, loc)
	}
	r = b.get("/direct/social/nobody?app_id="+h.app.ID+"&fallback=sign-in", nil)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/sign-in") {
		t.Fatalf("unknown target went to %q, want the sign-in page", loc)
	}
}

func TestSocialSyncProfile(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(socialOnly)
	p := newProvider(t)
	c := h.addConnector(p, true)
	n := h.node(RateLimit{})
	signIn := func() model.User {
		b := n.browser()
		in := b.startInteraction(nil)
		wantStatus(t, b.callback(t, p.approve(t, b.socialStart(t, c.ID))), http.StatusSeeOther, "", "callback")
		u, err := h.svc.GetUser(t.Context(), tenant, h.interaction(in.UID).Result.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	first := signIn()
	p.mu.Lock()
	p.user["name"], p.user["avatar_url"], p.user["email"] = "Mira C.", "https://cdn.community.example/new.png", "other@community.example"
	p.mu.Unlock()
	again := signIn()
	if again.ID != first.ID || model.StringOf(again.Name) != "Mira C." || model.StringOf(again.Avatar) != "https://cdn.community.example/new.png" {
		t.Fatalf("after a synced sign-in: %+v", again)
	}
	if model.StringOf(again.PrimaryEmail) != "mira@community.example" {
		t.Fatalf("the email was re-synced to %q; Logto never re-syncs it", model.StringOf(again.PrimaryEmail))
	}
}

// TestSocialWithAJSONTokenEndpoint: the same sign-up with a provider that answers the token
// request in JSON (tokenEndpointResponseType json), and a query-string-configured connector
// refusing that answer with Logto's connector.invalid_response.
func TestSocialWithAJSONTokenEndpoint(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(socialOnly)
	p := newProvider(t)
	p.json = true
	c := h.addConnector(p, false)
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	wantStatus(t, b.callback(t, p.approve(t, b.socialStart(t, c.ID))), http.StatusSeeOther, "", "callback")
	if h.interaction(in.UID).Result == nil {
		t.Fatal("no sign-in with a JSON token answer")
	}
	// Reconfigured for query strings, the same provider's JSON answer is refused.
	cfg := json.RawMessage(strings.Replace(string(mustJSON(t, c.Config)), `"tokenEndpointResponseType":"json"`, `"tokenEndpointResponseType":"query-string"`, 1))
	if _, err := h.svc.UpdateConnector(t.Context(), tenant, c.ID, connectors.Patch{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	b2 := n.browser()
	b2.startInteraction(nil)
	wantStatus(t, b2.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT")
	r := b2.api(http.MethodPost, "/api/experience/verification/social/"+c.ID+"/authorization-uri",
		map[string]string{"state": "state-123456", "redirectUri": n.srv.URL + "/callback/" + c.ID})
	authURL, _ := r.json(t)["authorizationUri"].(string)
	back := mustParse(t, p.approve(t, authURL))
	data := map[string]string{"code": back.Query().Get("code"), "state": back.Query().Get("state")}
	wantStatus(t, b2.api(http.MethodPost, "/api/experience/verification/social/"+c.ID+"/verify",
		map[string]any{"verificationId": r.json(t)["verificationId"], "connectorData": data}), http.StatusBadRequest, "connector.invalid_response", "JSON to a query-string connector")
}

func mustJSON(t testing.TB, raw json.RawMessage) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return b
}

func (h *harness) userID(t testing.TB, username string) string {
	t.Helper()
	u, err := h.svc.FindUserByIdentifier(t.Context(), tenant, "username", username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
