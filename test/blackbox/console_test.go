package blackbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleFirstVisitAndSignIn: on a fresh server the admin listener's / leads to the welcome
// page, which creates the first admin (the password policy applies) and then closes; the admin
// signs in to the console through the admin tenant's own OIDC provider and hosted page (code +
// PKCE, a server-side session), sees the Get started checklist, and signs out through
// end-session.
func TestConsoleFirstVisitAndSignIn(t *testing.T) {
	n := startNode(t, t.TempDir())
	if out := n.stdout.String(); !strings.Contains(out, n.admBase+"/console") || !strings.Contains(out, "the first visit to the console creates one") {
		t.Errorf("serve does not point at the console and its first visit:\n%s", out)
	}
	br := newPageBrowser(t)
	where, page := br.follow("GET", n.admBase+"/", nil, "")
	if !strings.HasSuffix(where, "/console/welcome") || !strings.Contains(page, "Welcome to Gatehouse") {
		t.Fatalf("first visit ended at %s:\n%s", where, page)
	}
	post := func(page string, fields url.Values) (string, string) {
		t.Helper()
		fields.Set("csrf", csrfIn(t, page))
		return br.follow("POST", n.admBase+"/console/welcome", fields, "")
	}
	_, refused := post(page, url.Values{"username": {"root"}, "password": {"abc"}, "confirm_password": {"abc"}})
	if !strings.Contains(refused, "role=\"alert\"") {
		t.Fatalf("a 3-character admin password was not refused:\n%s", refused)
	}
	where, signIn := post(refused, url.Values{"username": {"root"}, "password": {"Admin-passw0rd!"}, "confirm_password": {"Admin-passw0rd!"}})
	if !strings.Contains(where, "/sign-in") || !strings.Contains(signIn, `name="password"`) {
		t.Fatalf("after creating the admin: %s\n%s", where, signIn)
	}
	where, home := br.follow("POST", where, url.Values{"csrf": {csrfIn(t, signIn)}, "identifier": {"root"}, "password": {"Admin-passw0rd!"}}, "")
	if !strings.HasSuffix(where, "/console") || !strings.Contains(home, "Get started") || !strings.Contains(home, "Signed in as root") {
		t.Fatalf("after signing in: %s\n%s", where, home)
	}

	// The welcome page is closed, and so is the admin tenant's registration.
	if where, _ := newPageBrowser(t).follow("GET", n.admBase+"/console/welcome", nil, n.admBase+"/oidc/auth"); !strings.HasPrefix(where, n.admBase+"/oidc/auth") {
		t.Fatalf("welcome after the first admin went to %s", where)
	}
	var sie struct{ SignInMode string }
	if code := getJSON(t, n.admBase+"/api/.well-known/sign-in-exp", &sie); code != http.StatusOK || sie.SignInMode != "SignIn" {
		t.Fatalf("admin sign-in mode %q (%d), want SignIn", sie.SignInMode, code)
	}

	// Create an application in the console: the form refuses a missing name and a missing
	// token, and the new app's page has the settings to paste into LibreChat.
	_, apps := br.follow("GET", n.admBase+"/console/applications", nil, "")
	if where, page := br.follow("POST", n.admBase+"/console/applications", url.Values{"name": {"x"}, "type": {"Traditional"}}, ""); where != n.admBase+"/console/applications" || strings.Contains(page, "OPENID_CLIENT_ID") {
		t.Fatalf("a form without its token went to %s", where)
	}
	_, refused = br.follow("POST", n.admBase+"/console/applications", url.Values{"csrf": {csrfIn(t, apps)}, "name": {""}, "type": {"Traditional"}}, "")
	if !strings.Contains(refused, `role="alert"`) {
		t.Fatalf("an application without a name was not refused:\n%s", refused)
	}
	where, appPage := br.follow("POST", n.admBase+"/console/applications", url.Values{"csrf": {csrfIn(t, apps)}, "name": {"LibreChat"},
		"type": {"Traditional"}, "redirect_uri": {"https://chat.example.com/oauth/openid/callback"}}, "")
	id := strings.TrimPrefix(where, n.admBase+"/console/applications/")
	for _, want := range []string{"OPENID_CLIENT_ID=" + id, "OPENID_ISSUER=" + n.base + "/oidc", "OPENID_CLIENT_SECRET=", "AUTH_LOGTO_ID=" + id} {
		if !strings.Contains(appPage, want) {
			t.Fatalf("the application page (%s) lacks %s:\n%s", where, want, appPage)
		}
	}
	// Add GitHub on the connectors page: a missing secret is refused naming the field; once
	// added, the page shows the callback URL to register at GitHub.
	_, conns := br.follow("GET", n.admBase+"/console/connectors", nil, "")
	_, refused = br.follow("POST", n.admBase+"/console/connectors", url.Values{"csrf": {csrfIn(t, conns)}, "factory": {"github-universal"}, "clientId": {"gh-id"}}, "")
	if !strings.Contains(refused, `role="alert"`) || !strings.Contains(refused, "clientSecret") {
		t.Fatalf("GitHub without a secret was not refused by name:\n%s", refused)
	}
	_, conns = br.follow("POST", n.admBase+"/console/connectors", url.Values{"csrf": {csrfIn(t, conns)}, "factory": {"github-universal"},
		"clientId": {"gh-id"}, "clientSecret": {"gh-secret"}}, "")
	if !regexp.MustCompile(regexp.QuoteMeta(n.base+"/callback/")+`[a-z0-9]+`).MatchString(conns) || strings.Contains(conns, "gh-secret") {
		t.Fatalf("the connectors page lacks GitHub's callback URL (or shows its secret):\n%s", conns)
	}
	// Make the sign-in page social-only with a logo, a colour and custom CSS (seed guide A, step 4).
	_, sieForm := br.follow("GET", n.admBase+"/console/sign-in-experience", nil, "")
	where, savedPage := br.follow("POST", n.admBase+"/console/sign-in-experience", url.Values{"csrf": {csrfIn(t, sieForm)}, "social": {"github"},
		"logo": {"https://cdn.example.com/logo.svg"}, "primary": {"#0f766e"}, "dark_primary": {"#2dd4bf"}, "dark": {"yes"},
		"css": {".card { border-radius: 4px; }"}}, "")
	if !strings.HasSuffix(where, "notice=saved") {
		t.Fatalf("saving the sign-in experience ended at %s:\n%s", where, savedPage)
	}
	var userSIE struct {
		SignIn                       struct{ Methods []any }
		SocialSignInConnectorTargets []string
		CustomCSS                    string `json:"customCss"`
		Color                        struct{ PrimaryColor string }
	}
	getJSON(t, n.base+"/api/.well-known/sign-in-exp", &userSIE)
	if len(userSIE.SignIn.Methods) != 0 || len(userSIE.SocialSignInConnectorTargets) != 1 || userSIE.CustomCSS == "" || !strings.EqualFold(userSIE.Color.PrimaryColor, "#0f766e") {
		t.Fatalf("the user tenant's sign-in experience after the console's save: %+v", userSIE)
	}
	// Subscribe LobeChat's receiver to User.Data.Updated (pre-ticked); the list shows the
	// signing key its receiver checks.
	_, hooksPage := br.follow("GET", n.admBase+"/console/webhooks", nil, "")
	_, refused = br.follow("POST", n.admBase+"/console/webhooks", url.Values{"csrf": {csrfIn(t, hooksPage)}, "name": {"LobeChat"},
		"url": {"ftp://lobe.example.com/x"}, "event": {"User.Data.Updated"}}, "")
	if !strings.Contains(refused, `role="alert"`) {
		t.Fatalf("a webhook to an ftp URL was not refused:\n%s", refused)
	}
	_, hooksPage = br.follow("POST", n.admBase+"/console/webhooks", url.Values{"csrf": {csrfIn(t, hooksPage)}, "name": {"LobeChat"},
		"url": {"https://lobe.example.com/api/webhooks/logto"}, "event": {"User.Data.Updated"}}, "")
	if !strings.Contains(hooksPage, "https://lobe.example.com/api/webhooks/logto") || !strings.Contains(hooksPage, "User.Data.Updated") {
		t.Fatalf("the webhooks page lacks the new hook:\n%s", hooksPage)
	}
	// Users: a bad username is refused with the API's message; a user made here is found by a
	// search.
	_, usersPage := br.follow("GET", n.admBase+"/console/users", nil, "")
	_, refused = br.follow("POST", n.admBase+"/console/users", url.Values{"csrf": {csrfIn(t, usersPage)}, "username": {"1-bad"}}, "")
	if !strings.Contains(refused, `role="alert"`) || !strings.Contains(refused, "username") {
		t.Fatalf("a bad username was not refused:\n%s", refused)
	}
	br.follow("POST", n.admBase+"/console/users", url.Values{"csrf": {csrfIn(t, usersPage)}, "username": {"ada_l"}, "email": {"ada@example.com"}, "password": {"Analytical-1843"}}, "")
	if _, found := br.follow("GET", n.admBase+"/console/users?q=ADA@", nil, ""); !strings.Contains(found, "ada_l") || !strings.Contains(found, "Users found: 1") {
		t.Fatalf("the new user is not found by a search:\n%s", found)
	}
	// … and every step of the checklist ticks itself.
	if _, home = br.follow("GET", n.admBase+"/console", nil, ""); !regexp.MustCompile(`class="done"><strong>✓ Create an application`).MatchString(home) ||
		!regexp.MustCompile(`class="done"><strong>✓ Add a social connector`).MatchString(home) ||
		!regexp.MustCompile(`class="done"><strong>✓ Make the sign-in page social-only`).MatchString(home) ||
		!regexp.MustCompile(`class="done"><strong>✓ Subscribe a webhook`).MatchString(home) {
		t.Fatalf("the checklist's steps are not all ticked:\n%s", home)
	}

	// Signing out ends the console session and the admin tenant's session.
	where, _ = br.follow("POST", n.admBase+"/console/logout", url.Values{"csrf": {csrfIn(t, home)}}, n.admBase+"/oidc/session/end")
	if !strings.HasPrefix(where, n.admBase+"/oidc/session/end") || !strings.Contains(where, "id_token_hint=") {
		t.Fatalf("sign-out went to %s", where)
	}
	if where, _ := br.follow("GET", n.admBase+"/console", nil, n.admBase+"/oidc/auth"); !strings.HasPrefix(where, n.admBase+"/oidc/auth") {
		t.Fatalf("the console after sign-out went to %s, want the sign-in", where)
	}

	// A lost admin password is reset from the CLI, under the same policy.
	if _, errOut, code := cli(t, n.dir, n.env, "admin", "reset-password", "--username", "root", "--password", "abc"); code != 2 || !strings.Contains(errOut, "policy") {
		t.Fatalf("reset-password with a weak password: exit %d %q", code, errOut)
	}
	if out, errOut, code := cli(t, n.dir, n.env, "admin", "reset-password", "--username", "root", "--password", "New-admin-passw0rd"); code != 0 || !strings.Contains(out, "changed") {
		t.Fatalf("reset-password: exit %d %q %q", code, out, errOut)
	}
	fresh := newPageBrowser(t)
	where, signIn = fresh.follow("GET", n.admBase+"/console", nil, "")
	where, home = fresh.follow("POST", where, url.Values{"csrf": {csrfIn(t, signIn)}, "identifier": {"root"}, "password": {"New-admin-passw0rd"}}, "")
	if !strings.Contains(home, "Signed in as root") {
		t.Fatalf("sign-in with the reset password ended at %s:\n%s", where, home)
	}
}
