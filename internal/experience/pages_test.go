package experience

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf reads the form token from a rendered page.
func csrfOf(t testing.TB, r response) string {
	t.Helper()
	m := csrfField.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no CSRF field in the page:\n%s", r.body)
	}
	return string(m[1])
}

func wantContains(t testing.TB, r response, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(string(r.body), s) {
			t.Fatalf("%s: page lacks %q:\n%s", what, s, r.body)
		}
	}
}

func wantLacks(t testing.TB, r response, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(string(r.body), s) {
			t.Fatalf("%s: page contains %q:\n%s", what, s, r.body)
		}
	}
}

func TestSignInPage(t *testing.T) {
	h := newHarness(t)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignIn.Methods = append(s.SignIn.Methods, model.SignInMethod{Identifier: model.IdentifierEmail, Password: true})
		s.Branding.Favicon = "https://cdn.example.com/favicon.ico"
		s.TermsOfUseURL = ptr("https://example.com/terms")
		s.PrivacyPolicyURL = ptr("https://example.com/privacy")
	})
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(func(in *model.Interaction) { in.Params.LoginHint = "alice@example.com" })

	r := b.get("/sign-in?app_id="+h.app.ID, nil)
	wantStatus(t, r, http.StatusOK, "", "GET /sign-in")
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	wantContains(t, r, "sign-in page",
		`<html lang="en">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`<label for="identifier">Username or Email</label>`,
		`<input id="identifier" name="identifier"`,
		`value="alice@example.com"`, // login_hint
		`<label for="password">Password</label>`,
		`autocomplete="current-password"`,
		`<img src="https://logto.io/logo.svg" alt="Chat">`,
		`<link rel="icon" href="https://cdn.example.com/favicon.ico">`,
		`--brand:#6139F6`,
		`to continue to Chat`,
		`href="/register?app_id=`+h.app.ID+`"`,
		`<a href="https://example.com/terms" target="_blank" rel="noreferrer">Terms of use</a>`,
		`<a href="https://example.com/privacy" target="_blank" rel="noreferrer">Privacy policy</a>`,
	)
	wantLacks(t, r, "sign-in page without an error", `role="alert"`, `aria-invalid`, `data-dark`, `<script`)
	csrfOf(t, r)

	csp := r.header.Get("Content-Security-Policy")
	nonces := regexp.MustCompile(`<style nonce="([^"]+)">`).FindAllSubmatch(r.body, -1)
	if len(nonces) == 0 {
		t.Fatal("no nonced style element")
	}
	for _, m := range nonces {
		if !strings.Contains(csp, "'nonce-"+string(m[1])+"'") {
			t.Fatalf("style nonce %s is not in the CSP %q", m[1], csp)
		}
	}
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Fatalf("CSP %q lacks %q", csp, want)
		}
	}
	for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := r.header.Get(k); got != v {
			t.Fatalf("%s: %q, want %q", k, got, v)
		}
	}
	// Each response has its own nonce.
	r2 := b.get("/sign-in?app_id="+h.app.ID, nil)
	if r2.header.Get("Content-Security-Policy") == csp {
		t.Fatal("two responses share a CSP nonce")
	}
	if csrfOf(t, r2) != csrfOf(t, r) {
		t.Fatal("the form token changed between two views of one interaction")
	}

	css := b.get(staticPrefix+"experience.css", nil)
	wantStatus(t, css, http.StatusOK, "", "stylesheet")
	wantContains(t, css, "stylesheet", ":focus-visible", "prefers-color-scheme: dark")
	wantStatus(t, b.get(staticPrefix, nil), http.StatusNotFound, "", "static directory listing")
}

func TestSignInForm(t *testing.T) {
	h := newHarness(t)
	alice := h.createUser("alice", "", alicePassword)
	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SentinelPolicy = model.SentinelPolicy{MaxAttempts: ptr(2), LockoutDuration: ptr(5)}
	})
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	path := "/sign-in?app_id=" + h.app.ID
	token := csrfOf(t, b.get(path, nil))

	r := b.post(path, url.Values{"csrf": {token}, "identifier": {"alice"}, "password": {"not-it-1"}})
	wantStatus(t, r, http.StatusUnprocessableEntity, "", "wrong password")
	wantContains(t, r, "wrong password page",
		`<div id="form-error" class="alert" role="alert">Incorrect account or password. Please check your input.</div>`,
		`aria-describedby="form-error"`, `aria-invalid="true"`, `value="alice"`)
	wantLacks(t, r, "wrong password page", "not-it-1")
	if h.interaction(in.UID).Result != nil {
		t.Fatal("a wrong password produced a result")
	}

	r = b.post(path, url.Values{"csrf": {token}, "identifier": {"alice"}, "password": {"not-it-2"}})
	wantStatus(t, r, http.StatusBadRequest, "", "lock")
	wantContains(t, r, "lock page", "Too many failed attempts. Please try again in 5 minutes.")
	h.clk.Advance(5 * time.Minute)

	r = b.post(path, url.Values{"csrf": {token}, "identifier": {"alice"}, "password": {alicePassword}})
	wantStatus(t, r, http.StatusSeeOther, "", "right password")
	if loc := r.header.Get("Location"); loc != "/oidc/auth/"+in.UID {
		t.Fatalf("Location %q, want %s/auth/%s", loc, n.issuer, in.UID)
	}
	res := h.interaction(in.UID).Result
	if res == nil || res.AccountID != alice.ID || res.Event != "SignIn" {
		t.Fatalf("result %+v, want alice signed in", res)
	}
	// Back on the page after the sign-in: continue where the protocol left off.
	r = b.get(path, nil)
	wantStatus(t, r, http.StatusSeeOther, "", "GET /sign-in after sign-in")
}

func TestFormProtection(t *testing.T) {
	h := newHarness(t)
	h.createUser("alice", "", alicePassword)
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	path := "/sign-in?app_id=" + h.app.ID
	token := csrfOf(t, b.get(path, nil))
	good := url.Values{"csrf": {token}, "identifier": {"alice"}, "password": {alicePassword}}

	for _, tc := range []struct {
		name   string
		form   url.Values
		header http.Header
		status int
		text   string
	}{
		{"no token", url.Values{"identifier": {"alice"}, "password": {alicePassword}}, nil, http.StatusForbidden, "This form has expired."},
		{"wrong token", url.Values{"csrf": {token + "x"}, "identifier": {"alice"}, "password": {alicePassword}}, nil, http.StatusForbidden, "This form has expired."},
		{"another site's post", good, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}, http.StatusForbidden, "sent from another site"},
		{"an origin that is not ours", good, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden, "sent from another site"},
		{"a body that is not a form", nil, nil, http.StatusBadRequest, "Something went wrong"},
		{"a NUL in the identifier", url.Values{"csrf": {token}, "identifier": {"ali\x00ce"}, "password": {alicePassword}}, nil, http.StatusBadRequest, "Something went wrong"},
		{"invalid UTF-8 in the password", url.Values{"csrf": {token}, "identifier": {"alice"}, "password": {"\xff\xfe"}}, nil, http.StatusBadRequest, "Something went wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			switch {
			case tc.form == nil:
				r = b.do(http.MethodPost, path, strings.NewReader("%zz=%zz"), "application/x-www-form-urlencoded", nil)
			case tc.header != nil:
				r = b.do(http.MethodPost, path, strings.NewReader(tc.form.Encode()), "application/x-www-form-urlencoded", tc.header)
			default:
				r = b.post(path, tc.form)
			}
			wantStatus(t, r, tc.status, "", tc.name)
			wantContains(t, r, tc.name, tc.text)
			if h.interaction(in.UID).Result != nil {
				t.Fatal("the refused form signed the user in")
			}
		})
	}
	wantStatus(t, b.post(path, good), http.StatusSeeOther, "", "the same form with its token")
}

func TestPageLanguage(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})
	for _, tc := range []struct {
		name      string
		uiLocales string // of the authorization request
		query     string
		accept    string
		info      model.LanguageInfo
		lang      string
		text      string
	}{
		{"ui_locales first", "zh-CN en", "", "en-US", model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}, "zh-CN", "登录你的账号"},
		{"unsupported ui_locales fall through", "fr de", "", "zh-Hans-CN,en;q=0.5", model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}, "zh-CN", "登录你的账号"},
		{"Accept-Language by quality", "", "", "en;q=0.4, zh;q=0.8", model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}, "zh-CN", "登录你的账号"},
		{"no detection: the fallback", "", "", "zh-CN", model.LanguageInfo{AutoDetect: false, FallbackLanguage: "en"}, "en", "Sign in to your account"},
		{"fallback language", "", "", "fr-FR", model.LanguageInfo{AutoDetect: true, FallbackLanguage: "zh-CN"}, "zh-CN", "登录你的账号"},
		{"traditional Chinese is not simplified", "", "", "zh-TW", model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}, "en", "Sign in to your account"},
		{"the page's own ui_locales", "", "&ui_locales=zh-CN", "en", model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}, "zh-CN", "登录你的账号"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.backend.setSIE(func(s *model.SignInExperience) { *s = defaultSIE(); s.LanguageInfo = tc.info })
			b := n.browser()
			b.startInteraction(func(in *model.Interaction) { in.Params.UILocales = tc.uiLocales })
			r := b.get("/sign-in?app_id="+h.app.ID+tc.query, http.Header{"Accept-Language": {tc.accept}})
			wantStatus(t, r, http.StatusOK, "", tc.name)
			wantContains(t, r, tc.name, `<html lang="`+tc.lang+`">`, tc.text)
		})
	}
	// Errors are worded in the page's language too.
	h.backend.setSIE(func(s *model.SignInExperience) { *s = defaultSIE() })
	b := n.browser()
	b.startInteraction(func(in *model.Interaction) { in.Params.UILocales = "zh-CN" })
	path := "/sign-in?app_id=" + h.app.ID
	token := csrfOf(t, b.get(path, nil))
	r := b.post(path, url.Values{"csrf": {token}, "identifier": {"nobody"}, "password": {"nope-nope-1"}})
	wantContains(t, r, "Chinese error", "账号或密码错误")
}

func TestBranding(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})
	for _, tc := range []struct {
		name  string
		sie   func(*model.SignInExperience)
		has   []string
		lacks []string
	}{
		{"dark mode enabled", func(s *model.SignInExperience) {
			s.Color = model.Color{PrimaryColor: "#123456", IsDarkModeEnabled: true, DarkPrimaryColor: "#abcdef"}
		}, []string{`data-dark="auto"`, `--brand:#123456;--brand-dark:#abcdef`,
			`<source srcset="https://logto.io/logo-dark.svg" media="(prefers-color-scheme: dark)">`,
			`<meta name="color-scheme" content="light dark">`}, nil},
		{"dark mode disabled", func(s *model.SignInExperience) {
			s.Color = model.Color{PrimaryColor: "#123456", DarkPrimaryColor: "#abcdef"}
		}, []string{`--brand:#123456`, `<meta name="color-scheme" content="light">`}, []string{`data-dark`, `<source`}},
		{"a colour that is not one falls back", func(s *model.SignInExperience) {
			s.Color.PrimaryColor = "red;}</style><script>alert(1)</script>"
		}, []string{`--brand:#6139F6`}, []string{"alert(1)"}},
		{"custom CSS cannot leave its style element", func(s *model.SignInExperience) {
			s.CustomCSS = ptr("body{background:#000}</style><script>alert(1)</script></STYLE ><b>x</b>")
		}, []string{`body{background:#000}<\/style><script>alert(1)<\/script><\/STYLE ><b>x<\/b></style>`}, []string{"</style><script>", "</STYLE >"}},
		{"a javascript: logo is dropped", func(s *model.SignInExperience) {
			s.Branding.LogoURL = "javascript:alert(1)"
		}, []string{`<h1>`}, []string{"javascript:", `class="logo"`}},
		{"a data:image logo is shown", func(s *model.SignInExperience) {
			s.Branding.LogoURL = "data:image/png;base64,iVBORw0KGgo="
		}, []string{`src="data:image/png;base64,iVBORw0KGgo="`}, []string{"ZgotmplZ"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.backend.setSIE(func(s *model.SignInExperience) { *s = defaultSIE(); tc.sie(s) })
			b := n.browser()
			b.startInteraction(nil)
			r := b.get("/sign-in?app_id="+h.app.ID, nil)
			wantStatus(t, r, http.StatusOK, "", tc.name)
			wantContains(t, r, tc.name, tc.has...)
			wantLacks(t, r, tc.name, tc.lacks...)
			if opened, closed := strings.Count(string(r.body), "<style"), strings.Count(strings.ToLower(string(r.body)), "</style"); opened != closed {
				t.Fatalf("%d style elements opened, %d closed", opened, closed)
			}
		})
	}
}

func TestSignInPageMethods(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})

	h.backend.setSIE(func(s *model.SignInExperience) {
		s.SignIn.Methods = nil
		s.SignUp = model.SignUp{}
	})
	b := n.browser()
	b.startInteraction(nil)
	r := b.get("/sign-in?app_id="+h.app.ID, nil)
	wantStatus(t, r, http.StatusOK, "", "social-only")
	wantContains(t, r, "social-only", "No sign-in method is available here yet.")
	wantLacks(t, r, "social-only", `type="password"`, `/register`)

	h.backend.setSIE(func(s *model.SignInExperience) {
		*s = defaultSIE()
		s.TermsOfUseURL = ptr("https://example.com/terms")
		s.AgreeToTermsPolicy = "Manual"
	})
	h.createUser("alice", "", alicePassword)
	b = n.browser()
	in := b.startInteraction(nil)
	r = b.get("/sign-in?app_id="+h.app.ID, nil)
	wantContains(t, r, "manual terms", `<input type="checkbox" id="agree_terms" name="agree_terms" value="yes" required>`,
		`<label for="agree_terms">I have read and agree to the`)
	token := csrfOf(t, r)
	r = b.post("/sign-in?app_id="+h.app.ID, url.Values{"csrf": {token}, "identifier": {"alice"}, "password": {alicePassword}})
	wantStatus(t, r, http.StatusBadRequest, "", "terms not ticked")
	wantContains(t, r, "terms not ticked", "Please agree to the terms to continue.")
	r = b.post("/sign-in?app_id="+h.app.ID, url.Values{"csrf": {token}, "identifier": {"alice"}, "password": {alicePassword}, "agree_terms": {"yes"}})
	wantStatus(t, r, http.StatusSeeOther, "", "terms ticked")
	if h.interaction(in.UID).Result == nil {
		t.Fatal("no result after signing in with the terms ticked")
	}

	h.backend.setSIE(func(s *model.SignInExperience) { *s = defaultSIE(); s.SignInMode = model.SignInModeRegister })
	b = n.browser()
	b.startInteraction(nil)
	r = b.get("/sign-in?app_id="+h.app.ID, nil)
	wantStatus(t, r, http.StatusSeeOther, "", "register-only tenant")
	if loc := r.header.Get("Location"); loc != "/register?app_id="+h.app.ID {
		t.Fatalf("Location %q", loc)
	}
}

func TestUnknownSession(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})
	b := n.browser() // no interaction
	for _, path := range []string{"/sign-in", "/register", "/consent"} {
		r := b.get(path+"?app_id="+h.app.ID, nil)
		wantStatus(t, r, http.StatusFound, "", path)
		if loc := r.header.Get("Location"); loc != "/unknown-session?app_id="+h.app.ID {
			t.Fatalf("%s: Location %q", path, loc)
		}
	}
	r := b.get("/unknown-session?app_id="+h.app.ID, nil)
	wantStatus(t, r, http.StatusOK, "", "unknown-session page")
	wantContains(t, r, "unknown-session page", "This sign-in has expired", `<a class="button primary" href="https://chat.example.com/">Back to Chat</a>`)
	r = b.get("/unknown-session?app_id=nope", nil)
	wantStatus(t, r, http.StatusOK, "", "unknown-session page of an unknown app")
	wantLacks(t, r, "unknown app", "Back to")

	// An interaction that expired counts as unknown.
	b.startInteraction(nil)
	h.clk.Advance(2 * time.Hour)
	wantStatus(t, b.get("/sign-in?app_id="+h.app.ID, nil), http.StatusFound, "", "expired interaction")

	h.backend.setSIE(func(s *model.SignInExperience) { s.UnknownSessionRedirectURL = ptr("https://example.com/start") })
	r = b.get("/sign-in?app_id="+h.app.ID, nil)
	wantStatus(t, r, http.StatusFound, "", "unknownSessionRedirectUrl")
	if loc := r.header.Get("Location"); loc != "https://example.com/start" {
		t.Fatalf("Location %q, want the tenant's unknownSessionRedirectUrl", loc)
	}
}

func TestRegisterPage(t *testing.T) {
	h := newHarness(t)
	h.createUser("taken", "", alicePassword)
	n := h.node(RateLimit{})
	b := n.browser()
	in := b.startInteraction(nil)
	path := "/register?app_id=" + h.app.ID
	r := b.get(path, nil)
	wantStatus(t, r, http.StatusOK, "", "GET /register")
	wantContains(t, r, "register page", `<label for="username">Username</label>`, `<label for="password">Password</label>`,
		`<label for="confirm_password">Confirm password</label>`, `aria-describedby="password-hint"`, "At least 8 characters.",
		`href="/sign-in?app_id=`+h.app.ID+`"`)
	wantLacks(t, r, "register page", `<label for="email">`)
	token := csrfOf(t, r)

	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		text   string
	}{
		{"passwords differ", url.Values{"username": {"carol"}, "password": {"Blue-Sky-Morning-42"}, "confirm_password": {"Blue-Sky-Morning-43"}}, 400, "The passwords do not match."},
		{"username taken", url.Values{"username": {"taken"}, "password": {"Blue-Sky-Morning-42"}, "confirm_password": {"Blue-Sky-Morning-42"}}, 422, "This username is already in use."},
		{"weak password", url.Values{"username": {"carol"}, "password": {"aaaaaaaa"}, "confirm_password": {"aaaaaaaa"}}, 422, "Avoid repeating the same character."},
		{"missing username", url.Values{"password": {"Blue-Sky-Morning-42"}, "confirm_password": {"Blue-Sky-Morning-42"}}, 400, "Please fill in every field."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("csrf", token)
			r := b.post(path, tc.form)
			wantStatus(t, r, tc.status, "", tc.name)
			wantContains(t, r, tc.name, tc.text)
		})
	}
	if _, err := h.svc.FindUserByIdentifier(t.Context(), tenant, "username", "carol"); err == nil {
		t.Fatal("a refused registration created the user")
	}
	r = b.post(path, url.Values{"csrf": {token}, "username": {"carol"}, "password": {"Blue-Sky-Morning-42"}, "confirm_password": {"Blue-Sky-Morning-42"}})
	wantStatus(t, r, http.StatusSeeOther, "", "registration")
	carol, err := h.svc.FindUserByIdentifier(t.Context(), tenant, "username", "carol")
	if err != nil {
		t.Fatalf("registered user: %v", err)
	}
	if res := h.interaction(in.UID).Result; res == nil || res.AccountID != carol.ID || res.Event != "Register" {
		t.Fatalf("result %+v, want carol registered", res)
	}

	h.backend.setSIE(func(s *model.SignInExperience) { s.SignInMode = model.SignInModeSignIn })
	b = n.browser()
	b.startInteraction(nil)
	wantStatus(t, b.get(path, nil), http.StatusSeeOther, "", "registration closed")

	h.backend.setSIE(func(s *model.SignInExperience) {
		*s = defaultSIE()
		s.SignUp = model.SignUp{Identifiers: []string{"email"}, Password: true, Verify: true}
	})
	r = b.get(path, nil)
	wantStatus(t, r, http.StatusOK, "", "email sign-up needing codes")
	wantContains(t, r, "email sign-up needing codes", "Creating an account here is not possible yet")
	wantLacks(t, r, "email sign-up needing codes", `type="password"`)
}

func TestConsent(t *testing.T) {
	h := newHarness(t)
	alice := h.createUser("alice", "alice@example.com", alicePassword)
	third, err := h.svc.CreateApplication(t.Context(), tenant, applications.CreateApplicationInput{
		Name: "Partner", Type: model.AppTraditional, IsThirdParty: true, RedirectURIs: []string{"https://partner.example.com/cb"},
		LogoURI: ptr("https://partner.example.com/logo.png"),
	})
	if err != nil {
		t.Fatal(err)
	}
	n := h.node(RateLimit{})

	signedIn := func(clientID string, mod func(*model.Interaction)) (*browser, model.Interaction) {
		b := n.browser()
		in := b.startInteraction(func(in *model.Interaction) {
			in.ClientID = clientID
			in.Params.RedirectURI = "https://partner.example.com/cb"
			in.Params.Scope = "openid profile email read:docs"
			in.Params.Resource = []string{"https://api.example.com"}
			if mod != nil {
				mod(in)
			}
		})
		wantStatus(t, b.signInAPI("username", "alice", alicePassword), http.StatusOK, "", "sign-in")
		return b, in
	}

	t.Run("first-party apps are consented automatically", func(t *testing.T) {
		b, in := signedIn(h.app.ID, nil)
		r := b.get("/consent?app_id="+h.app.ID, nil)
		wantStatus(t, r, http.StatusFound, "", "auto-consent")
		if loc := r.header.Get("Location"); loc != "/oidc/auth/"+in.UID {
			t.Fatalf("Location %q", loc)
		}
		c := h.interaction(in.UID).Result.Consent
		if c == nil || strings.Join(c.Scopes, " ") != "openid profile email read:docs" ||
			strings.Join(c.ResourceScopes["https://api.example.com"], " ") != "read:docs" {
			t.Fatalf("consent %+v", c)
		}
	})

	t.Run("third-party apps ask", func(t *testing.T) {
		b, in := signedIn(third.ID, nil)
		path := "/consent?app_id=" + third.ID
		r := b.get(path, nil)
		wantStatus(t, r, http.StatusOK, "", "consent page")
		wantContains(t, r, "consent page", "Partner wants to access your account", "Signed in as alice",
			"<li>Your name, username, avatar and other profile information</li>", "<li>Your email address</li>",
			`<span class="resource">https://api.example.com</span>`, "<code>read:docs</code>",
			`<img class="app-logo" src="https://partner.example.com/logo.png" alt="">`,
			`name="decision" value="allow"`, `name="decision" value="deny"`, "you will be sent back to https://partner.example.com")
		token := csrfOf(t, r)
		wantStatus(t, b.post(path, url.Values{"decision": {"allow"}}), http.StatusForbidden, "", "consent without a token")
		if h.interaction(in.UID).Result.Consent != nil {
			t.Fatal("consent recorded without a token")
		}
		r = b.post(path, url.Values{"csrf": {token}, "decision": {"allow"}})
		wantStatus(t, r, http.StatusSeeOther, "", "allow")
		if loc := r.header.Get("Location"); loc != "/oidc/auth/"+in.UID {
			t.Fatalf("Location %q", loc)
		}
		if c := h.interaction(in.UID).Result.Consent; c == nil || len(c.Scopes) != 4 {
			t.Fatalf("consent %+v", c)
		}
	})

	t.Run("deny sends access_denied to the app", func(t *testing.T) {
		b, in := signedIn(third.ID, nil)
		path := "/consent?app_id=" + third.ID
		token := csrfOf(t, b.get(path, nil))
		r := b.post(path, url.Values{"csrf": {token}, "decision": {"deny"}})
		wantStatus(t, r, http.StatusSeeOther, "", "deny")
		loc, err := url.Parse(r.header.Get("Location"))
		if err != nil || loc.Scheme+"://"+loc.Host+loc.Path != "https://partner.example.com/cb" {
			t.Fatalf("Location %q", r.header.Get("Location"))
		}
		q := loc.Query()
		if q.Get("error") != "access_denied" || q.Get("state") != "st-123" || q.Get("iss") != n.issuer {
			t.Fatalf("denial parameters %v", q)
		}
		if h.interaction(in.UID).Result.Consent != nil {
			t.Fatal("a denial recorded consent")
		}
	})

	t.Run("deny with form_post answers a form", func(t *testing.T) {
		b, _ := signedIn(third.ID, func(in *model.Interaction) { in.Params.ResponseMode = "form_post" })
		path := "/consent?app_id=" + third.ID
		token := csrfOf(t, b.get(path, nil))
		r := b.post(path, url.Values{"csrf": {token}, "decision": {"deny"}})
		wantStatus(t, r, http.StatusOK, "", "deny form_post")
		wantContains(t, r, "deny form_post", `<form method="post" action="https://partner.example.com/cb">`,
			`<input type="hidden" name="error" value="access_denied">`, `<input type="hidden" name="state" value="st-123">`)
	})

	t.Run("known user from the SSO session", func(t *testing.T) {
		b := n.browser()
		in := b.startInteraction(func(in *model.Interaction) {
			in.ClientID, in.Prompt, in.AccountID = third.ID, "consent", alice.ID
			in.Params.RedirectURI = "https://partner.example.com/cb"
		})
		path := "/consent?app_id=" + third.ID
		r := b.get(path, nil)
		wantStatus(t, r, http.StatusOK, "", "consent page for an SSO session")
		r = b.post(path, url.Values{"csrf": {csrfOf(t, r)}, "decision": {"allow"}})
		wantStatus(t, r, http.StatusSeeOther, "", "allow")
		res := h.interaction(in.UID).Result
		if res == nil || res.AccountID != alice.ID || res.Consent == nil {
			t.Fatalf("result %+v", res)
		}
	})

	t.Run("nobody signed in yet", func(t *testing.T) {
		b := n.browser()
		b.startInteraction(nil)
		r := b.get("/consent?app_id="+h.app.ID, nil)
		wantStatus(t, r, http.StatusSeeOther, "", "consent before sign-in")
		if loc := r.header.Get("Location"); loc != "/sign-in?app_id="+h.app.ID {
			t.Fatalf("Location %q", loc)
		}
	})
}

// TestOtherFirstScreens: every page the protocol can send the browser to answers usefully.
func TestOtherFirstScreens(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})
	b := n.browser()
	b.startInteraction(nil)
	q := "?app_id=" + h.app.ID

	wantContains(t, b.get("/identifier-sign-in"+q, nil), "identifier-sign-in", `<label for="identifier">Username</label>`)
	wantContains(t, b.get("/identifier-register"+q, nil), "identifier-register", `<label for="username">Username</label>`)
	r := b.get("/reset-password"+q, nil)
	wantStatus(t, r, http.StatusOK, "", "reset-password")
	wantContains(t, r, "reset-password", "Password reset is not available", `href="/sign-in?app_id=`+h.app.ID+`">Back to sign in</a>`)
	wantContains(t, b.get("/single-sign-on"+q, nil), "single-sign-on", "Single sign-on is not available yet")

	for _, tc := range []struct{ path, want string }{
		{"/direct/social/github" + q + "&fallback=register&ui_locales=zh-CN", "/register?app_id=" + h.app.ID + "&ui_locales=zh-CN"},
		{"/direct/sso/abc" + q + "&fallback=sign-in", "/sign-in?app_id=" + h.app.ID},
		{"/direct/social/github" + q + "&fallback=https://evil.example", "/sign-in?app_id=" + h.app.ID},
	} {
		r := b.get(tc.path, nil)
		wantStatus(t, r, http.StatusSeeOther, "", tc.path)
		if loc := r.header.Get("Location"); loc != tc.want {
			t.Fatalf("%s: Location %q, want %q", tc.path, loc, tc.want)
		}
	}
	wantStatus(t, n.browser().get("/reset-password"+q, nil), http.StatusFound, "", "reset-password without an interaction")
}

// TestTwoTabsShareTheFormToken: two pages of one interaction opened at once end with the same
// token instead of one failing on the other's save.
func TestTwoTabsShareTheFormToken(t *testing.T) {
	h := newHarness(t)
	n := h.node(RateLimit{})
	in := n.browser().startInteraction(nil)
	first, err := n.exp.load(t.Context(), in.UID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := n.exp.load(t.Context(), in.UID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := n.exp.ensureCSRF(t.Context(), first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.exp.ensureCSRF(t.Context(), second)
	if err != nil {
		t.Fatalf("second tab: %v", err)
	}
	if a == "" || a != b {
		t.Fatalf("tokens %q and %q, want one shared token", a, b)
	}
}
