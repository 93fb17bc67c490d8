package oauth2

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

const secret = "s3cr3t-Client-Secret-value"

// idp is a fake OAuth 2.0 provider (the one part that cannot run here: a community's "connect"
// server). It records the token request and answers as the test says.
type idp struct {
	t          *testing.T
	srv        *httptest.Server
	mu         sync.Mutex
	tokenForm  url.Values
	tokenAuth  string
	userAuth   string
	tokenReply func(w http.ResponseWriter)
	userReply  func(w http.ResponseWriter)
}

func newIdP(t *testing.T) *idp {
	p := &idp{t: t,
		tokenReply: func(w http.ResponseWriter) { io.WriteString(w, "access_token=at-123&token_type=bearer&scope=read") },
		userReply: func(w http.ResponseWriter) {
			io.WriteString(w, `{"id":9007199254740993,"username":"ann","name":"Ann","email":"ann@example.com","details":{"avatar":{"url":"https://img/a.png"}}}`)
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		p.mu.Lock()
		p.tokenForm, p.tokenAuth = r.PostForm, r.Header.Get("Authorization")
		p.mu.Unlock()
		p.tokenReply(w)
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.userAuth = r.Header.Get("Authorization")
		p.mu.Unlock()
		p.userReply(w)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) config(extra map[string]any) json.RawMessage {
	c := map[string]any{
		"authorizationEndpoint": p.srv.URL + "/authorize?prompt=consent", "tokenEndpoint": p.srv.URL + "/token",
		"userInfoEndpoint": p.srv.URL + "/user", "clientId": "client-1", "clientSecret": secret, "scope": "read",
		"profileMap": map[string]string{"avatar": "details.avatar.url"},
	}
	for k, v := range extra {
		c[k] = v
	}
	b, _ := json.Marshal(c)
	return b
}

func (p *idp) connector(extra map[string]any) *Connector {
	p.t.Helper()
	s, err := Factory{}.Social(p.config(extra), connector.NewClient(connector.ClientOptions{Timeout: time.Second, MaxResponseBytes: 4096}))
	if err != nil {
		p.t.Fatal(err)
	}
	return s.(*Connector)
}

// start returns the session and the callback the provider would send back.
func start(t *testing.T, c *Connector) (connector.Session, url.Values) {
	t.Helper()
	_, sess, err := c.AuthorizationURI(context.Background(), connector.AuthRequest{RedirectURI: "https://auth.example.com/callback/c1", State: "state-xyz"})
	if err != nil {
		t.Fatal(err)
	}
	return sess, url.Values{"code": {"code-1"}, "state": {"state-xyz"}}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("err = %v; want connector.%s", err, code)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "at-123") || strings.Contains(err.Error(), "code-1") {
		t.Fatalf("the error tells a secret: %v", err)
	}
}

func TestConfigDefaultsAndErrors(t *testing.T) {
	c, err := ParseConfig(json.RawMessage(`{"authorizationEndpoint":"https://a.example/auth","tokenEndpoint":"https://a.example/token",
		"userInfoEndpoint":"https://a.example/me","clientId":"id","clientSecret":"x","unknown":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenEndpointResponseType != "query-string" || c.TokenEndpointAuthMethod != "client_secret_post" ||
		c.ProfileMap.ID != "id" || c.ProfileMap.Avatar != "avatar" || c.ResponseType != "code" {
		t.Errorf("defaults = %+v; want Logto's", c)
	}
	for _, tc := range []struct{ name, raw, field string }{
		{"missing token endpoint", `{"authorizationEndpoint":"https://a/x","userInfoEndpoint":"https://a/u","clientId":"i","clientSecret":"s"}`, "tokenEndpoint"},
		{"relative endpoint", `{"authorizationEndpoint":"/auth","tokenEndpoint":"https://a/t","userInfoEndpoint":"https://a/u","clientId":"i","clientSecret":"s"}`, "authorizationEndpoint"},
		{"javascript endpoint", `{"authorizationEndpoint":"javascript:alert(1)","tokenEndpoint":"https://a/t","userInfoEndpoint":"https://a/u","clientId":"i","clientSecret":"s"}`, "authorizationEndpoint"},
		{"no secret", `{"authorizationEndpoint":"https://a/x","tokenEndpoint":"https://a/t","userInfoEndpoint":"https://a/u","clientId":"i"}`, "clientSecret"},
		{"bad auth method", `{"authorizationEndpoint":"https://a/x","tokenEndpoint":"https://a/t","userInfoEndpoint":"https://a/u","clientId":"i","clientSecret":"s","tokenEndpointAuthMethod":"none"}`, "tokenEndpointAuthMethod"},
		{"bad response type", `{"authorizationEndpoint":"https://a/x","tokenEndpoint":"https://a/t","userInfoEndpoint":"https://a/u","clientId":"i","clientSecret":"s","tokenEndpointResponseType":"xml"}`, "tokenEndpointResponseType"},
		{"customConfig overrides the secret", `{"authorizationEndpoint":"https://a/x","tokenEndpoint":"https://a/t","userInfoEndpoint":"https://a/u","clientId":"i","clientSecret":"s","customConfig":{"client_secret":"y"}}`, "customConfig.client_secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Factory{}.CheckConfig(json.RawMessage(tc.raw))
			var ce *connector.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("err = %v; want a ConfigError naming %s", err, tc.field)
			}
		})
	}
	err = Factory{}.CheckConfig(json.RawMessage(`{"clientSecret":12345678}`))
	if err == nil || strings.Contains(err.Error(), "12345678") || !strings.Contains(err.Error(), "clientSecret") {
		t.Errorf("type error = %v; want the field named and the value not echoed", err)
	}
}

func TestAuthorizationURI(t *testing.T) {
	p := newIdP(t)
	c := p.connector(map[string]any{"customConfig": map[string]string{"audience": "forum"}, "enablePkce": true})
	raw, sess, err := c.AuthorizationURI(context.Background(), connector.AuthRequest{RedirectURI: "https://auth.example.com/callback/c1", State: "st"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": "client-1", "scope": "read", "state": "st",
		"redirect_uri": "https://auth.example.com/callback/c1", "audience": "forum", "prompt": "consent", "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q; want %q", k, q.Get(k), want)
		}
	}
	sum := sha256.Sum256([]byte(sess.CodeVerifier))
	if sess.CodeVerifier == "" || q.Get("code_challenge") != base64.RawURLEncoding.EncodeToString(sum[:]) || strings.Contains(raw, sess.CodeVerifier) {
		t.Errorf("PKCE: challenge %q, verifier kept in the session only", q.Get("code_challenge"))
	}
	if sess.State != "st" || sess.RedirectURI != "https://auth.example.com/callback/c1" {
		t.Errorf("session = %+v", sess)
	}
	if _, noPKCE, _ := p.connector(nil).AuthorizationURI(context.Background(), connector.AuthRequest{State: "s"}); noPKCE.CodeVerifier != "" {
		t.Error("PKCE without enablePkce")
	}
}

func TestSignInThroughTheProvider(t *testing.T) {
	p := newIdP(t)
	c := p.connector(map[string]any{"enablePkce": true, "customConfig": map[string]string{"audience": "forum"}})
	sess, cb := start(t, c)
	info, err := c.UserInfo(context.Background(), sess, cb)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "9007199254740993" || info.Name != "Ann" || info.Email != "ann@example.com" || info.Avatar != "https://img/a.png" || len(info.Raw) == 0 {
		t.Errorf("user = %+v", info)
	}
	f := p.tokenForm
	if f.Get("grant_type") != "authorization_code" || f.Get("code") != "code-1" || f.Get("redirect_uri") != sess.RedirectURI ||
		f.Get("client_id") != "client-1" || f.Get("client_secret") != secret || f.Get("code_verifier") != sess.CodeVerifier || f.Get("audience") != "forum" {
		t.Errorf("token request = %v", f)
	}
	if p.userAuth != "Bearer at-123" {
		t.Errorf("user-info Authorization = %q; want the normalised Bearer scheme", p.userAuth)
	}
}

func TestTokenEndpointAuthentication(t *testing.T) {
	p := newIdP(t)
	c := p.connector(map[string]any{"tokenEndpointAuthMethod": "client_secret_basic"})
	sess, cb := start(t, c)
	if _, err := c.UserInfo(context.Background(), sess, cb); err != nil {
		t.Fatal(err)
	}
	if p.tokenAuth != "Basic "+base64.StdEncoding.EncodeToString([]byte("client-1:"+secret)) || p.tokenForm.Has("client_secret") {
		t.Errorf("basic: header %q form %v", p.tokenAuth, p.tokenForm)
	}
	c = p.connector(map[string]any{"tokenEndpointAuthMethod": "client_secret_jwt", "clientSecretJwtSigningAlgorithm": "HS256"})
	sess, cb = start(t, c)
	if _, err := c.UserInfo(context.Background(), sess, cb); err != nil {
		t.Fatal(err)
	}
	jwt := p.tokenForm.Get("client_assertion")
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 || p.tokenForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || p.tokenForm.Has("client_secret") {
		t.Fatalf("jwt: %v", p.tokenForm)
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(parts[0] + "." + parts[1]))
	if base64.RawURLEncoding.EncodeToString(m.Sum(nil)) != parts[2] {
		t.Error("the client assertion is not HMAC-SHA256 signed with the client secret")
	}
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var cl struct {
		Iss, Sub, Aud string
		Exp, Iat      int64
	}
	_ = json.Unmarshal(claims, &cl)
	if cl.Iss != "client-1" || cl.Sub != "client-1" || cl.Aud != p.srv.URL+"/token" || cl.Exp-cl.Iat != 600 {
		t.Errorf("assertion claims = %+v", cl)
	}
}

func TestProviderFailuresAreConnectorErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		extra    map[string]any
		token    func(w http.ResponseWriter)
		user     func(w http.ResponseWriter)
		callback func(url.Values)
		code     string
	}{
		{name: "consent denied", callback: func(v url.Values) { v.Del("code"); v.Set("error", "access_denied") }, code: connector.CodeGeneral},
		{name: "state replaced", callback: func(v url.Values) { v.Set("state", "attacker") }, code: connector.CodeGeneral},
		{name: "no code", callback: func(v url.Values) { v.Del("code") }, code: connector.CodeAuthCodeInvalid},
		{name: "token endpoint down", token: func(w http.ResponseWriter) { w.WriteHeader(500) }, code: connector.CodeGeneral},
		{name: "bad code", token: func(w http.ResponseWriter) { w.WriteHeader(400); io.WriteString(w, `{"error":"invalid_grant"}`) }, code: connector.CodeGeneral},
		{name: "JSON answer to a query-string connector", token: func(w http.ResponseWriter) { io.WriteString(w, `{"access_token":"at-123","token_type":"bearer"}`) }, code: connector.CodeInvalidResponse},
		{name: "garbage JSON", extra: map[string]any{"tokenEndpointResponseType": "json"}, token: func(w http.ResponseWriter) { io.WriteString(w, "<html>") }, code: connector.CodeInvalidResponse},
		{name: "token refused by user info", user: func(w http.ResponseWriter) { w.WriteHeader(401) }, code: connector.CodeAccessTokenBad},
		{name: "user info not JSON", user: func(w http.ResponseWriter) { io.WriteString(w, "ok") }, code: connector.CodeInvalidResponse},
		{name: "user info without id", user: func(w http.ResponseWriter) { io.WriteString(w, `{"name":"x"}`) }, code: connector.CodeInvalidResponse},
		{name: "user info too large", user: func(w http.ResponseWriter) { io.WriteString(w, `{"id":"1","pad":"`+strings.Repeat("a", 5000)+`"}`) }, code: connector.CodeInvalidResponse},
		{name: "provider too slow", user: func(http.ResponseWriter) { time.Sleep(1500 * time.Millisecond) }, code: connector.CodeGeneral},
		{name: "redirect to another host", user: func(w http.ResponseWriter) {
			w.Header().Set("Location", "http://203.0.113.9/steal")
			w.WriteHeader(302)
		}, code: connector.CodeGeneral},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newIdP(t)
			if tc.token != nil {
				p.tokenReply = tc.token
			}
			if tc.user != nil {
				p.userReply = tc.user
			}
			c := p.connector(tc.extra)
			sess, cb := start(t, c)
			if tc.callback != nil {
				tc.callback(cb)
			}
			_, err := c.UserInfo(context.Background(), sess, cb)
			wantCode(t, err, tc.code)
			if tc.name == "state replaced" && p.tokenForm != nil {
				t.Error("the code was redeemed although the state did not match")
			}
		})
	}
}

func TestJSONTokenAnswer(t *testing.T) {
	p := newIdP(t)
	p.tokenReply = func(w http.ResponseWriter) { io.WriteString(w, `{"access_token":"at-123","token_type":"Bearer"}`) }
	c := p.connector(map[string]any{"tokenEndpointResponseType": "json", "profileMap": map[string]string{"id": "username"}})
	sess, cb := start(t, c)
	info, err := c.UserInfo(context.Background(), sess, cb)
	if err != nil || info.ID != "ann" {
		t.Fatalf("user = %+v, %v", info, err)
	}
}
