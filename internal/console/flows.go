package console

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/ids"
)

// serveWelcome shows the first visit's form, only while no admin exists.
func (c *Console) serveWelcome(w http.ResponseWriter, r *http.Request) {
	if c.closedWelcome(w, r) {
		return
	}
	token := ids.NewString(32)
	c.setCookie(w, r, welcomeCookie, token, 3600)
	d := c.newPage(r, "console.welcome_heading")
	d.CSRF, d.MinLength = token, c.minPasswordLength(r.Context())
	c.render(w, r, http.StatusOK, "welcome", d)
}

// closedWelcome sends the browser to the console once an admin exists, and reports whether it did.
func (c *Console) closedWelcome(w http.ResponseWriter, r *http.Request) bool {
	has, err := c.o.Backend.HasAdmin(r.Context())
	if err != nil {
		c.internal(w, r, err)
		return true
	}
	if has {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
		return true
	}
	return false
}

// postWelcome creates the first admin (the form's token must match its cookie: a double submit,
// as there is no session yet), then starts the admin's sign-in.
func (c *Console) postWelcome(w http.ResponseWriter, r *http.Request) {
	if c.closedWelcome(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	ck, cookieErr := r.Cookie(welcomeCookie)
	if formErr := r.ParseForm(); formErr != nil || cookieErr != nil || !sameToken(ck.Value, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	d := c.newPage(r, "console.welcome_heading")
	d.CSRF, d.MinLength = ck.Value, c.minPasswordLength(r.Context())
	d.Username = strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm_password") {
		d.Error = d.Msg.T("error.passwords_mismatch")
		c.render(w, r, http.StatusBadRequest, "welcome", d)
		return
	}
	if _, err := c.o.Backend.CreateFirstAdmin(r.Context(), d.Username, password); err != nil {
		text, known := errorText(d.Msg, err)
		if !known {
			c.internal(w, r, err)
			return
		}
		d.Error = text
		c.render(w, r, http.StatusUnprocessableEntity, "welcome", d)
		return
	}
	c.setCookie(w, r, welcomeCookie, "", -1)
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}

// beginSignIn starts the console's authorization request at the admin tenant: state, nonce and
// the PKCE verifier are kept in a short-lived cookie for the callback.
func (c *Console) beginSignIn(w http.ResponseWriter, r *http.Request) {
	base, err := c.baseURL(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	state, nonce, verifier := ids.NewString(32), ids.NewString(32), ids.NewString(64)
	c.setCookie(w, r, loginCookie, state+"."+nonce+"."+verifier, 600)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {c.o.ClientID}, "redirect_uri": {base + "/console/callback"}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {state}, "nonce": {nonce},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	http.Redirect(w, r, base+"/oidc/auth?"+q.Encode(), http.StatusFound)
}

// serveCallback finishes the sign-in: the state must be this browser's, the code is redeemed in
// process, the ID token's nonce must match, and a server-side session starts.
func (c *Console) serveCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ck, err := r.Cookie(loginCookie)
	parts := []string{}
	if err == nil {
		parts = strings.Split(ck.Value, ".")
	}
	if len(parts) != 3 || !sameToken(parts[0], q.Get("state")) || q.Get("code") == "" {
		c.fail(w, r, http.StatusBadRequest, "console.sign_in_failed")
		return
	}
	c.setCookie(w, r, loginCookie, "", -1)
	base, err := c.baseURL(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	idToken, err := c.o.Exchange(r.Context(), url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")},
		"redirect_uri": {base + "/console/callback"}, "client_id": {c.o.ClientID}, "code_verifier": {parts[2]}})
	if err != nil {
		c.o.Log.InfoContext(r.Context(), "console sign-in: code exchange failed", "err", err)
		c.fail(w, r, http.StatusBadRequest, "console.sign_in_failed")
		return
	}
	sub, err := subject(idToken, parts[1])
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, "console.sign_in_failed")
		return
	}
	token, err := c.o.Backend.StartSession(r.Context(), sub, idToken)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	c.setCookie(w, r, sessionCookie, token, 0)
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}

// subject reads the ID token the admin tenant's token endpoint just gave this process (so its
// signature needs no check here) and checks its nonce.
func subject(idToken, nonce string) (string, error) {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return "", errors.New("not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims struct{ Sub, Nonce string }
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", err
	}
	if claims.Sub == "" || !sameToken(claims.Nonce, nonce) {
		return "", errors.New("the ID token's nonce is not this sign-in's")
	}
	return claims.Sub, nil
}

// postLogout ends the console session and the admin tenant's sign-in session (end-session).
func (c *Console) postLogout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	s, _, ok := c.session(r)
	if !ok || r.ParseForm() != nil || !sameToken(s.CSRF, r.PostFormValue("csrf")) {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
		return
	}
	ck, _ := r.Cookie(sessionCookie)
	idToken, err := c.o.Backend.EndSession(r.Context(), ck.Value)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	c.setCookie(w, r, sessionCookie, "", -1)
	base, err := c.baseURL(r)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	q := url.Values{"client_id": {c.o.ClientID}, "post_logout_redirect_uri": {base + "/console"}}
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	http.Redirect(w, r, base+"/oidc/session/end?"+q.Encode(), http.StatusSeeOther)
}

// baseURL is the console's origin for this request: AdminURL, or — behind a trusted proxy —
// the origin the browser used (the proxy's scheme and the Host it passed on), which the
// console's client is then allowed to call back at. Logto uses ADMIN_ENDPOINT alone, and a
// console reached any other way fails with invalid_redirect_uri.
func (c *Console) baseURL(r *http.Request) (string, error) {
	if !c.o.TrustProxy {
		return c.o.AdminURL, nil
	}
	host := r.Host
	if fwd := strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Host"), ",")[0]); fwd != "" {
		host = fwd
	}
	if !validHost(host) {
		return c.o.AdminURL, nil
	}
	origin := httpx.Scheme(r.Context()) + "://" + strings.ToLower(host)
	if origin == c.o.AdminURL {
		return origin, nil
	}
	if err := c.o.Backend.AllowOrigin(r.Context(), origin); err != nil {
		return "", fmt.Errorf("allow console origin: %w", err)
	}
	return origin, nil
}

// validHost accepts a DNS name or an IP literal with an optional port, nothing else.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, ch := range h {
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.ContainsRune(".-:[]", ch)
		if !ok {
			return false
		}
	}
	return true
}
