package experience

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/experience/throttle"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

const alicePassword = "Correct-Horse-9"

// TestPasswordSignInHops drives Logto's observed sequence: PUT 204, verification/password 200
// {verificationId}, identification 204, submit 200 {redirectTo: <issuer>/auth/<uid>}.
func TestPasswordSignInHops(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignIn.Methods = append(s.SignIn.Methods, model.SignInMethod{Identifier: model.IdentifierEmail, Password: true})
	})
	alice := h.createUser("alice", "alice@example.com", alicePassword)
	n := h.node(RateLimit{})

	for _, tc := range []struct {
		name, kind, value, appIDHeader string
	}{
		{"username with the Logto-App-Id header", "username", "alice", "app"},
		{"username without the header (the _legacy entry)", "username", "alice", ""},
		{"email in another letter case", "email", "Alice@Example.COM", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := n.browser()
			if tc.appIDHeader != "" {
				b.appID = h.app.ID
			}
			in := b.startInteraction(nil)

			r := b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"})
			wantStatus(t, r, http.StatusNoContent, "", "PUT /api/experience")
			if len(r.body) != 0 {
				t.Fatalf("PUT answered a body: %q", r.body)
			}
			r = b.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
				"identifier": map[string]string{"type": tc.kind, "value": tc.value}, "password": alicePassword})
			wantStatus(t, r, http.StatusOK, "", "verification/password")
			verificationID, _ := r.json(t)["verificationId"].(string)
			if verificationID == "" {
				t.Fatalf("no verificationId in %s", r.body)
			}
			r = b.api(http.MethodPost, "/api/experience/identification", map[string]string{"verificationId": verificationID})
			wantStatus(t, r, http.StatusNoContent, "", "identification")
			r = b.api(http.MethodPost, "/api/experience/submit", nil)
			wantStatus(t, r, http.StatusOK, "", "submit")
			if got, want := r.json(t)["redirectTo"], n.issuer+"/auth/"+in.UID; got != want {
				t.Fatalf("redirectTo %v, want %s", got, want)
			}

			res := h.interaction(in.UID).Result
			if res == nil {
				t.Fatal("the interaction has no result after submit")
			}
			if res.AccountID != alice.ID || res.Event != "SignIn" || !slices.Equal(res.AMR, []string{"pwd"}) || res.AuthTime != h.clk.Now().Unix() {
				t.Fatalf("result %+v, want account %s, SignIn, amr [pwd], auth time %d", res, alice.ID, h.clk.Now().Unix())
			}
			u, err := h.svc.GetUser(t.Context(), tenant, alice.ID)
			if err != nil || u.LastSignInAt == nil || *u.LastSignInAt != h.clk.Now().UnixMilli() {
				t.Fatalf("lastSignInAt %v (err %v), want %d", u.LastSignInAt, err, h.clk.Now().UnixMilli())
			}
			// Logto: any Experience API call after a submit gives 400 session.not_found.
			wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}),
				http.StatusBadRequest, "session.not_found", "PUT after submit")
		})
	}
}

func TestRegistration(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignUp.SecondaryIdentifiers = []model.SecondaryIdentifierRule{{Identifier: model.IdentifierEmail, Verify: ptr(false)}}
	})
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)

	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "Register"}), http.StatusNoContent, "", "PUT Register")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/profile", map[string]string{"type": "username", "value": "bob_1"}), http.StatusNoContent, "", "profile username")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/profile", map[string]string{"type": "email", "value": "Bob@Example.com"}), http.StatusNoContent, "", "profile email")
	r := b.api(http.MethodPost, "/api/experience/identification", nil)
	wantStatus(t, r, http.StatusUnprocessableEntity, "user.missing_profile", "identification without a password")
	if got := r.json(t)["data"]; !strings.Contains(string(r.body), `"missingProfile":["password"]`) {
		t.Fatalf("missing profile data %v, want [password]", got)
	}
	wantStatus(t, b.api(http.MethodPost, "/api/experience/profile", map[string]string{"type": "password", "value": "Blue-Sky-Morning-42"}), http.StatusNoContent, "", "profile password")

	r = b.api(http.MethodGet, "/api/experience/interaction", nil)
	wantStatus(t, r, http.StatusOK, "", "GET interaction")
	if !strings.Contains(string(r.body), `"username":"bob_1"`) || !strings.Contains(string(r.body), `"primaryEmail":"bob@example.com"`) {
		t.Fatalf("interaction does not show the profile: %s", r.body)
	}
	if strings.Contains(string(r.body), "argon2") || strings.Contains(strings.ToLower(string(r.body)), "password") {
		t.Fatalf("interaction shows the password hash: %s", r.body)
	}

	wantStatus(t, b.api(http.MethodPost, "/api/experience/identification", nil), http.StatusCreated, "", "identification creates the user")
	r = b.api(http.MethodPost, "/api/experience/submit", nil)
	wantStatus(t, r, http.StatusOK, "", "submit")

	u, err := h.svc.FindUserByIdentifier(t.Context(), tenant, "username", "bob_1")
	if err != nil {
		t.Fatalf("the registered user is not found: %v", err)
	}
	if u.PrimaryEmail == nil || *u.PrimaryEmail != "bob@example.com" || u.ApplicationID == nil || *u.ApplicationID != h.app.ID {
		t.Fatalf("registered user %+v: want email bob@example.com and application %s", u, h.app.ID)
	}
	if ok, err := h.svc.VerifyUserPassword(t.Context(), tenant, u, "Blue-Sky-Morning-42"); err != nil || !ok {
		t.Fatalf("the registered password does not verify (ok %v, err %v)", ok, err)
	}
	res := h.interaction(in.UID).Result
	if res == nil || res.AccountID != u.ID || res.Event != "Register" || !slices.Equal(res.AMR, []string{"pwd"}) {
		t.Fatalf("result %+v, want the new user, Register, [pwd]", res)
	}

	// The new user signs in with what they registered.
	b2 := n.browser()
	b2.startInteraction(nil)
	wantStatus(t, b2.signInAPI("username", "bob_1", "Blue-Sky-Morning-42"), http.StatusOK, "", "sign-in of the registered user")
}

// step is one Experience API call of an error-code case.
type step struct {
	method, path string
	body         any
}

func put(event string) step {
	return step{http.MethodPut, "/api/experience", map[string]string{"interactionEvent": event}}
}

func verify(kind, value, pw string) step {
	return step{http.MethodPost, "/api/experience/verification/password", map[string]any{
		"identifier": map[string]string{"type": kind, "value": value}, "password": pw}}
}

func prof(typ, value string) step {
	return step{http.MethodPost, "/api/experience/profile", map[string]string{"type": typ, "value": value}}
}

func TestErrorCodes(t *testing.T) {
	h := newHarness(t)
	h.createUser("alice", "alice@example.com", alicePassword)
	suspended := h.createUser("mallory", "", alicePassword)
	if _, err := h.svc.SetUserSuspended(t.Context(), tenant, suspended.ID, true); err != nil {
		t.Fatal(err)
	}
	n := h.node(RateLimit{Disabled: true})

	identification := step{http.MethodPost, "/api/experience/identification", map[string]string{}}
	for _, tc := range []struct {
		name    string
		sie     func(*model.SignInExperience)
		setup   []step // must succeed (2xx)
		last    step
		raw     string // raw body of last instead of last.body, when set
		status  int
		code    string
		message string // a substring of the message, when set
	}{
		{name: "not valid JSON", last: step{http.MethodPut, "/api/experience", nil}, raw: `{"interactionEvent":`, status: 400, code: "guard.invalid_input"},
		{name: "not an object", last: step{http.MethodPut, "/api/experience", nil}, raw: `["SignIn"]`, status: 400, code: "guard.invalid_input"},
		{name: "wrong type", last: step{http.MethodPut, "/api/experience", nil}, raw: `{"interactionEvent":7}`, status: 400, code: "guard.invalid_input"},
		{name: "unknown event", last: put("LogIn"), status: 400, code: "guard.invalid_input"},
		{name: "forgot password is not available yet", last: put("ForgotPassword"), status: 422, code: "session.forgot_password_not_enabled"},
		{name: "oversized body", last: step{http.MethodPut, "/api/experience", nil}, raw: `{"interactionEvent":"SignIn","x":"` + strings.Repeat("a", 20_000) + `"}`, status: 413, code: "guard.invalid_input"},
		{name: "verification before PUT", last: verify("username", "alice", alicePassword), status: 404, code: "session.interaction_not_found"},
		{name: "wrong password", setup: []step{put("SignIn")}, last: verify("username", "alice", "nope-nope-1"), status: 422, code: "session.invalid_credentials"},
		{name: "unknown user", setup: []step{put("SignIn")}, last: verify("username", "nobody", alicePassword), status: 422, code: "session.invalid_credentials"},
		{name: "disabled identifier", setup: []step{put("SignIn")}, last: verify("email", "alice@example.com", alicePassword), status: 422, code: "user.sign_in_method_not_enabled"},
		{name: "unknown identifier type", setup: []step{put("SignIn")}, last: verify("nickname", "alice", alicePassword), status: 400, code: "guard.invalid_input"},
		{name: "empty password", setup: []step{put("SignIn")}, last: verify("username", "alice", ""), status: 400, code: "guard.invalid_input"},
		{name: "password too long", setup: []step{put("SignIn")}, last: verify("username", "alice", strings.Repeat("p", 1025)), status: 400, code: "guard.invalid_input"},
		{name: "suspended user", setup: []step{put("SignIn")}, last: verify("username", "mallory", alicePassword), status: 401, code: "user.suspended"},
		{name: "identification without verificationId", setup: []step{put("SignIn")}, last: identification, status: 400, code: "guard.invalid_input"},
		{name: "identification with an unknown verification", setup: []step{put("SignIn")},
			last: step{http.MethodPost, "/api/experience/identification", map[string]string{"verificationId": "nope"}}, status: 404, code: "session.verification_session_not_found"},
		{name: "submit before identification", setup: []step{put("SignIn")}, last: step{http.MethodPost, "/api/experience/submit", nil}, status: 404, code: "session.identifier_not_found"},
		{name: "registration while only sign-in is allowed", sie: func(s *model.SignInExperience) { s.SignInMode = model.SignInModeSignIn },
			last: put("Register"), status: 403, code: "auth.forbidden"},
		{name: "sign-in while only registration is allowed", sie: func(s *model.SignInExperience) { s.SignInMode = model.SignInModeRegister },
			last: put("SignIn"), status: 403, code: "auth.forbidden"},
		{name: "switching to a forbidden event", sie: func(s *model.SignInExperience) { s.SignInMode = model.SignInModeRegister },
			setup: []step{put("Register")}, last: step{http.MethodPut, "/api/experience/interaction-event", map[string]string{"interactionEvent": "SignIn"}}, status: 403, code: "auth.forbidden"},
		{name: "username in use", setup: []step{put("Register")}, last: prof("username", "alice"), status: 422, code: "user.username_already_in_use"},
		{name: "username starting with a digit", setup: []step{put("Register")}, last: prof("username", "1alice"), status: 422, code: "user.username_starts_with_number"},
		{name: "username with a space", setup: []step{put("Register")}, last: prof("username", "al ice"), status: 422, code: "user.username_invalid_charset_hard"},
		{name: "weak password", setup: []step{put("Register"), prof("username", "newbie")}, last: prof("password", "abc"), status: 422, code: "password.rejected"},
		{name: "email not collected by sign-up", setup: []step{put("Register")}, last: prof("email", "new@example.com"), status: 422, code: "user.sign_up_method_not_enabled"},
		{name: "email needing verification", sie: func(s *model.SignInExperience) {
			s.SignUp = model.SignUp{Identifiers: []string{model.IdentifierEmail}, Password: true, Verify: true}
		}, setup: []step{put("Register")}, last: prof("email", "new@example.com"), status: 422, code: "session.identifier_not_verified"},
		{name: "invalid email", sie: func(s *model.SignInExperience) {
			s.SignUp.SecondaryIdentifiers = []model.SecondaryIdentifierRule{{Identifier: "email", Verify: ptr(false)}}
		}, setup: []step{put("Register")}, last: prof("email", "not-an-email"), status: 400, code: "user.invalid_email"},
		{name: "profile during sign-in", setup: []step{put("SignIn")}, last: prof("username", "someone"), status: 400, code: "session.invalid_interaction_type"},
		{name: "unknown profile type", setup: []step{put("Register")}, last: prof("nickname", "x"), status: 400, code: "guard.invalid_input"},
		{name: "registration without a username", setup: []step{put("Register"), prof("password", "Blue-Sky-Morning-42")}, last: identification, status: 422, code: "user.missing_profile"},
		{name: "locked message names the minutes", sie: func(s *model.SignInExperience) {
			s.SentinelPolicy = model.SentinelPolicy{MaxAttempts: ptr(1), LockoutDuration: ptr(7)}
		}, setup: []step{put("SignIn")}, last: verify("username", "alice", "wrong-wrong-1"), status: 400, code: "session.verification_blocked_too_many_attempts", message: "in 7 minutes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.backend.setSIE(func(s *model.SignInExperience) {
				*s = defaultSIE()
				if tc.sie != nil {
					tc.sie(s)
				}
			})
			b := n.browser()
			b.startInteraction(nil)
			for _, s := range tc.setup {
				if r := b.api(s.method, s.path, s.body); r.status >= 300 {
					t.Fatalf("setup %s %s: %d %s", s.method, s.path, r.status, r.body)
				}
			}
			var r response
			if tc.raw != "" {
				r = b.do(tc.last.method, tc.last.path, strings.NewReader(tc.raw), "application/json", nil)
			} else {
				r = b.api(tc.last.method, tc.last.path, tc.last.body)
			}
			wantStatus(t, r, tc.status, tc.code, tc.name)
			if msg, _ := r.json(t)["message"].(string); msg == "" || !strings.Contains(msg, tc.message) {
				t.Fatalf("message %q, want one containing %q", msg, tc.message)
			}
		})
	}
}

func TestNoInteraction(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})
	b := n.browser() // no _interaction cookie
	for _, s := range []step{put("SignIn"), verify("username", "a", "b"), {http.MethodPost, "/api/experience/submit", nil},
		{http.MethodGet, "/api/experience/interaction", nil}} {
		wantStatus(t, b.api(s.method, s.path, s.body), http.StatusBadRequest, "session.not_found", s.method+" "+s.path)
	}
	// A forged cookie (no valid signature) counts as none.
	u := mustParse(t, n.srv.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "_interaction", Value: `%7B%22_legacy%22%3A%22x%22%7D`}, {Name: "_interaction.sig", Value: "forged"}})
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusBadRequest, "session.not_found", "forged cookie")
	// An expired interaction.
	b2 := n.browser()
	b2.startInteraction(nil)
	h.clk.Advance(2 * time.Hour)
	wantStatus(t, b2.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusBadRequest, "session.not_found", "expired interaction")
}

// TestSocialOnlyRefusesPasswordsAtFirstStep: with no identifier methods, a password is refused
// before anything is looked up or counted, and a script cannot register a username either.
func TestSocialOnlyRefusesPasswordsAtFirstStep(t *testing.T) {
	h := newHarness(t)
	alice := h.createUser("alice", "", alicePassword)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignIn.Methods = []model.SignInMethod{}
		s.SignUp = model.SignUp{Identifiers: []string{}}
		s.SentinelPolicy = model.SentinelPolicy{MaxAttempts: ptr(1)}
	})
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT SignIn (social sign-in stays possible)")
	for range 3 {
		r := b.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
			"identifier": map[string]string{"type": "username", "value": "alice"}, "password": alicePassword})
		wantStatus(t, r, http.StatusUnprocessableEntity, "user.sign_in_method_not_enabled", "password sign-in")
	}
	// Nothing was counted: with maxAttempts 1 a counted failure would have locked alice.
	target := throttle.Target(&alice, "username", "alice")
	if n, err := h.st.Tenant(tenant).Sentinel().CountFailures(t.Context(), target, 0); err != nil || n != 0 {
		t.Fatalf("failures recorded %d (err %v), want 0: the refusal must come before the password check", n, err)
	}
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "Register"}), http.StatusNoContent, "", "PUT Register")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/profile", map[string]string{"type": "username", "value": "scripted"}),
		http.StatusUnprocessableEntity, "user.sign_up_method_not_enabled", "profile username")
	wantStatus(t, b.api(http.MethodPost, "/api/experience/profile", map[string]string{"type": "password", "value": "Blue-Sky-Morning-42"}),
		http.StatusUnprocessableEntity, "user.sign_up_method_not_enabled", "profile password")
}

// TestLockoutAcrossNodes: failures on one node lock the account on another; a locked account is
// refused even with the right password, by username or email alike, until the lock ends.
func TestLockoutAcrossNodes(t *testing.T) {
	h := newHarness(t)
	h.createUser("alice", "alice@example.com", alicePassword)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignIn.Methods = append(s.SignIn.Methods, model.SignInMethod{Identifier: model.IdentifierEmail, Password: true})
		s.SentinelPolicy = model.SentinelPolicy{MaxAttempts: ptr(3), LockoutDuration: ptr(10)}
	})
	n1, n2 := h.node(RateLimit{}), h.node(RateLimit{})
	b := n1.browser()
	b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), http.StatusNoContent, "", "PUT")

	attempt := func(on *browser, kind, value, pw string) response {
		return on.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
			"identifier": map[string]string{"type": kind, "value": value}, "password": pw})
	}
	wantStatus(t, attempt(b, "username", "alice", "wrong-1a"), 422, "session.invalid_credentials", "failure 1 on node 1")
	wantStatus(t, attempt(b.on(n2), "email", "alice@example.com", "wrong-2b"), 422, "session.invalid_credentials", "failure 2 on node 2")
	r := attempt(b, "username", "alice", "wrong-3c")
	wantStatus(t, r, 400, "session.verification_blocked_too_many_attempts", "failure 3 reaches the maximum")
	if !strings.Contains(r.json(t)["message"].(string), "10 minutes") {
		t.Fatalf("lock message %q does not say 10 minutes", r.json(t)["message"])
	}
	wantStatus(t, attempt(b.on(n2), "username", "alice", alicePassword), 400, "session.verification_blocked_too_many_attempts", "right password on node 2 while locked")
	wantStatus(t, attempt(b, "email", "ALICE@example.com", alicePassword), 400, "session.verification_blocked_too_many_attempts", "right password by email while locked")

	h.clk.Advance(4 * time.Minute)
	r = attempt(b, "username", "alice", alicePassword)
	wantStatus(t, r, 400, "session.verification_blocked_too_many_attempts", "still locked after 4 minutes")
	if !strings.Contains(r.json(t)["message"].(string), "6 minutes") {
		t.Fatalf("lock message %q does not say 6 minutes", r.json(t)["message"])
	}

	h.clk.Advance(6 * time.Minute)
	wantStatus(t, attempt(b.on(n2), "username", "alice", alicePassword), 200, "", "right password once the lock ended")

	// Unknown identifiers lock alike, so a lock tells nothing about who exists.
	for i := range 2 {
		wantStatus(t, attempt(b, "username", "ghost", "guess-guess-"+string(rune('a'+i))), 422, "session.invalid_credentials", "unknown user failure")
	}
	wantStatus(t, attempt(b, "username", "ghost", "guess-guess-z"), 400, "session.verification_blocked_too_many_attempts", "unknown user locked")
}

// TestSuccessRestartsCount: occasional typos between successful sign-ins never lock.
func TestSuccessRestartsCount(t *testing.T) {
	h := newHarness(t)
	h.createUser("alice", "", alicePassword)
	h.backend.setSIE(func(s *model.SignInExperience) { s.SentinelPolicy = model.SentinelPolicy{MaxAttempts: ptr(2)} })
	n := h.node(RateLimit{})
	for round := range 3 {
		b := n.browser()
		b.startInteraction(nil)
		wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), 204, "", "PUT")
		wantStatus(t, b.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
			"identifier": map[string]string{"type": "username", "value": "alice"}, "password": "typo"}), 422, "session.invalid_credentials", "typo")
		wantStatus(t, b.signInAPI("username", "alice", alicePassword), 200, "", "sign-in after one typo, round "+string(rune('1'+round)))
	}
}

func TestRateLimitPerAddress(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{PerSecond: 1, Burst: 2})
	b := n.browser()
	b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), 204, "", "PUT")
	try := func() response {
		return b.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
			"identifier": map[string]string{"type": "username", "value": "nobody"}, "password": "whatever-1"})
	}
	wantStatus(t, try(), 422, "session.invalid_credentials", "first")
	wantStatus(t, try(), 422, "session.invalid_credentials", "second (burst)")
	r := try()
	wantStatus(t, r, 429, "request.rate_limited", "third at once")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	h.clk.Advance(time.Second)
	wantStatus(t, try(), 422, "session.invalid_credentials", "after a second")
}

// TestAttemptsAreStoredHashed: the attempt rows never hold the identifier.
func TestAttemptsAreStoredHashed(t *testing.T) {
	h := newHarness(t)
	alice := h.createUser("alice", "", alicePassword)
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(nil)
	wantStatus(t, b.api(http.MethodPut, "/api/experience", map[string]string{"interactionEvent": "SignIn"}), 204, "", "PUT")
	b.api(http.MethodPost, "/api/experience/verification/password", map[string]any{
		"identifier": map[string]string{"type": "username", "value": "alice"}, "password": "wrong-1"})
	target := throttle.Target(&alice, "username", "alice")
	if len(target.Hash) != 64 || strings.Contains(target.Hash, "alice") {
		t.Fatalf("target hash %q is not a SHA-256 hex", target.Hash)
	}
	got, err := h.st.Tenant(tenant).Sentinel().CountFailures(t.Context(), target, 0)
	if err != nil || got != 1 {
		t.Fatalf("failures under the hashed target: %d (err %v), want 1", got, err)
	}
	other, _ := h.st.Tenant(tenant).Sentinel().CountFailures(t.Context(), model.SentinelTarget{Type: model.SentinelTargetUser, Hash: strings.Repeat("0", 64), Actions: throttle.PooledActions}, 0)
	if other != 0 {
		t.Fatalf("failures under an unrelated target: %d", other)
	}
}
