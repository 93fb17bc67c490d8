package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// The flow scenarios need a web app, a single-page app and one user per worker, created through
// the Management API with the M2M client the tool bootstrapped.
const (
	flowRedirect = "http://127.0.0.1/callback" // registered, never fetched
	flowPassword = "Load-Test-Password-7"
)

type flowSetup struct {
	base     string
	web      struct{ id, secret string } // Traditional: client_secret_basic, no PKCE required
	spa      string                      // SPA: public client, PKCE, refresh tokens rotate on every use
	users    []string
	userIDs  []string
	social   socialSetup // scenario social
	mgmt     string
	mgmtHTTP *http.Client
}

func flowWorkers(o options) (workerFactory, error) {
	tok, err := fetchToken(o.baseURL, o.clientID, o.clientSecret)
	if err != nil {
		return nil, err
	}
	fs := &flowSetup{base: strings.TrimRight(o.baseURL, "/"), mgmt: tok, mgmtHTTP: &http.Client{Timeout: 30 * time.Second}}
	meta := map[string]any{"redirectUris": []string{flowRedirect}, "postLogoutRedirectUris": []string{}}
	var web struct{ ID, Secret string }
	if err := fs.api(http.MethodPost, "/api/applications", map[string]any{"name": "load web", "type": "Traditional", "oidcClientMetadata": meta}, &web); err != nil {
		return nil, err
	}
	fs.web.id, fs.web.secret = web.ID, web.Secret
	var spa struct{ ID string }
	if err := fs.api(http.MethodPost, "/api/applications", map[string]any{"name": "load spa", "type": "SPA", "oidcClientMetadata": meta}, &spa); err != nil {
		return nil, err
	}
	fs.spa = spa.ID
	for w := 0; w < o.conns; w++ {
		name := fmt.Sprintf("load_user_%d", w)
		var u struct{ ID string }
		if err := fs.api(http.MethodPost, "/api/users", map[string]any{"username": name, "password": flowPassword}, &u); err != nil {
			return nil, err
		}
		fs.users, fs.userIDs = append(fs.users, name), append(fs.userIDs, u.ID)
	}
	if o.scenario == "social" {
		if err := fs.setUpSocial(); err != nil {
			return nil, err
		}
	}

	return func(w int) (operation, error) {
		fc := newFlowClient(fs, w)
		switch o.scenario {
		case "signin":
			// One whole password sign-in per operation: authorize, sign-in page, Experience API,
			// code, token exchange. A fresh cookie jar each time, so single sign-on never skips it.
			return func(ctx context.Context) error {
				_, err := fc.signIn(ctx, fs.web.id, fs.web.secret, "openid profile email", "")
				return err
			}, nil
		case "social":
			// One whole sign-in through a social connector per operation, the upstream provider
			// being this tool's own (social.go).
			return func(ctx context.Context) error {
				_, err := fc.signInWith(ctx, fs.web.id, fs.web.secret, "openid profile email", "", fc.socialSteps)
				return err
			}, nil
		case "refresh":
			tokens, err := fc.signIn(context.Background(), fs.spa, "", "openid profile offline_access", "consent")
			if err != nil {
				return nil, err
			}
			refresh := tokens.RefreshToken
			if refresh == "" {
				return nil, errors.New("no refresh token for the SPA")
			}
			return func(ctx context.Context) error {
				t, err := fc.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {fs.spa}}, "", "")
				if err != nil {
					return err
				}
				if t.RefreshToken == "" || t.RefreshToken == refresh {
					return errors.New("refresh token was not rotated")
				}
				refresh = t.RefreshToken
				return nil
			}, nil
		default: // userinfo
			tokens, err := fc.signIn(context.Background(), fs.web.id, fs.web.secret, "openid profile email", "")
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context) error {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fs.base+"/oidc/me", nil)
				req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
				resp, err := fc.http.Do(req)
				if err != nil {
					return err
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("userinfo status %d", resp.StatusCode)
				}
				return nil
			}, nil
		}
	}, nil
}

func (fs *flowSetup) api(method, path string, body, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, fs.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+fs.mgmt)
	req.Header.Set("Content-Type", "application/json")
	resp, err := fs.mgmtHTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// addressesPerWorker is how many loopback source addresses each worker rotates through. The
// server allows 20 credential checks per second per address, as it should for real users; one
// load worker signs in faster than that, so it presents itself as several users' machines.
const addressesPerWorker = 4

// flowClient is one worker's "browser": keep-alive connections from its own loopback addresses
// (127.0.10+w.1…4), as separate users would come from separate addresses.
type flowClient struct {
	fs         *flowSetup
	user       string
	transports []*http.Transport
	next       int
	http       *http.Client
}

func newFlowClient(fs *flowSetup, w int) *flowClient {
	fc := &flowClient{fs: fs, user: fs.users[w]}
	for k := 0; k < addressesPerWorker; k++ {
		dialer := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(10+w%200), byte(1+k))}}
		fc.transports = append(fc.transports, &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute})
	}
	fc.http = &http.Client{Transport: fc.transports[0], Timeout: 10 * time.Second}
	return fc
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
}

// signIn performs one complete authorization-code sign-in with a password and a fresh cookie jar.
func (fc *flowClient) signIn(ctx context.Context, clientID, secret, scope, prompt string) (tokenResponse, error) {
	return fc.signInWith(ctx, clientID, secret, scope, prompt, fc.passwordSteps)
}

// experienceSteps are the Experience API calls that identify the person, up to the submit.
type experienceSteps func(ctx context.Context, c *http.Client, api, clientID string) error

// passwordSteps: start, check the password, identify.
func (fc *flowClient) passwordSteps(ctx context.Context, c *http.Client, api, clientID string) error {
	if _, err := fc.call(ctx, c, http.MethodPut, api, clientID, map[string]any{"interactionEvent": "SignIn"}); err != nil {
		return err
	}
	v, err := fc.call(ctx, c, http.MethodPost, api+"/verification/password", clientID,
		map[string]any{"identifier": map[string]any{"type": "username", "value": fc.user}, "password": flowPassword})
	if err != nil {
		return err
	}
	_, err = fc.call(ctx, c, http.MethodPost, api+"/identification", clientID, map[string]any{"verificationId": v["verificationId"]})
	return err
}

// signInWith performs one complete authorization-code sign-in, identifying the person with steps.
func (fc *flowClient) signInWith(ctx context.Context, clientID, secret, scope, prompt string, steps experienceSteps) (tokenResponse, error) {
	jar, _ := cookiejar.New(nil)
	transport := fc.transports[fc.next%len(fc.transports)]
	fc.next++
	c := &http.Client{Transport: transport, Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	verifierBytes := make([]byte, 32)
	_, _ = rand.Read(verifierBytes)
	verifier := base64.RawURLEncoding.EncodeToString(verifierBytes)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id": {clientID}, "redirect_uri": {flowRedirect}, "response_type": {"code"}, "scope": {scope},
		"state": {"load"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	if prompt != "" {
		q.Set("prompt", prompt)
	}
	loc, err := fc.hop(ctx, c, http.MethodGet, fc.fs.base+"/oidc/auth?"+q.Encode(), nil)
	if err != nil {
		return tokenResponse{}, err
	}
	if !strings.Contains(loc, "/sign-in") {
		return tokenResponse{}, fmt.Errorf("authorize went to %s, not the sign-in page", loc)
	}
	api := fc.fs.base + "/api/experience"
	if err := steps(ctx, c, api, clientID); err != nil {
		return tokenResponse{}, err
	}
	sub, err := fc.call(ctx, c, http.MethodPost, api+"/submit", clientID, nil)
	if err != nil {
		return tokenResponse{}, err
	}
	next, _ := sub["redirectTo"].(string)
	for i := 0; i < 5 && !strings.HasPrefix(next, flowRedirect); i++ {
		if next, err = fc.hop(ctx, c, http.MethodGet, next, nil); err != nil {
			return tokenResponse{}, err
		}
	}
	cb, err := url.Parse(next)
	if err != nil || cb.Query().Get("code") == "" {
		return tokenResponse{}, fmt.Errorf("sign-in ended at %q without a code", next)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "redirect_uri": {flowRedirect}, "code_verifier": {verifier}}
	if secret == "" {
		form.Set("client_id", clientID)
	}
	return fc.token(ctx, form, clientID, secret)
}

// hop sends one request and returns the absolute Location of its redirect.
func (fc *flowClient) hop(ctx context.Context, c *http.Client, method, u string, body io.Reader) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, method, u, body)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return "", fmt.Errorf("%s %s: status %d, want a redirect", method, u, resp.StatusCode)
	}
	next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", err
	}
	return next.String(), nil
}

// call sends one Experience API request with the interaction cookie and decodes its answer.
func (fc *flowClient) call(ctx context.Context, c *http.Client, method, u, appID string, body any) (map[string]any, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(ctx, method, u, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Logto-App-Id", appID)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, raw)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return out, nil
}

func (fc *flowClient) token(ctx context.Context, form url.Values, clientID, secret string) (tokenResponse, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fc.fs.base+"/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := fc.http.Do(req)
	if err != nil {
		return tokenResponse{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return tokenResponse{}, fmt.Errorf("token: %d %s", resp.StatusCode, raw)
	}
	var t tokenResponse
	return t, json.Unmarshal(raw, &t)
}
