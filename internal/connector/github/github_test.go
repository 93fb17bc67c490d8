package github

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// fakeGitHub answers like github.com and api.github.com for one user.
type fakeGitHub struct {
	srv       *httptest.Server
	user      string // GET /user body
	emails    string // GET /user/emails body ("" = 404, as without the user:email scope)
	tokenBody string
	form      url.Values
	auth      []string
}

func newFake(t *testing.T) *fakeGitHub {
	f := &fakeGitHub{
		user:      `{"id":583231,"login":"octocat","name":"The Octocat","email":null,"avatar_url":"https://avatars.githubusercontent.com/u/583231"}`,
		emails:    `[{"email":"old@example.com","primary":false,"verified":true},{"email":"octo@example.com","primary":true,"verified":true}]`,
		tokenBody: `{"access_token":"gho_token","token_type":"bearer","scope":"read:user,user:email"}`,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.form = r.PostForm
		io.WriteString(w, f.tokenBody)
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		io.WriteString(w, f.user)
	})
	mux.HandleFunc("GET /user/emails", func(w http.ResponseWriter, r *http.Request) {
		if f.emails == "" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, f.emails)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGitHub) connector(t *testing.T) connector.Social {
	t.Helper()
	ep := Endpoints{Authorize: f.srv.URL + "/login/oauth/authorize", Token: f.srv.URL + "/login/oauth/access_token",
		User: f.srv.URL + "/user", Emails: f.srv.URL + "/user/emails"}
	s, err := Factory{Endpoints: ep}.Social(json.RawMessage(`{"clientId":"Iv1.abc","clientSecret":"gh-secret"}`),
		connector.NewClient(connector.ClientOptions{Timeout: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signIn(t *testing.T, c connector.Social, mutate func(url.Values)) (connector.UserInfo, error) {
	t.Helper()
	raw, sess, err := c.AuthorizationURI(context.Background(), connector.AuthRequest{RedirectURI: "https://auth.example.com/callback/gh", State: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	if q := u.Query(); q.Get("client_id") != "Iv1.abc" || q.Get("scope") != "read:user user:email" || q.Get("state") != "s1" {
		t.Fatalf("authorize URL = %s", raw)
	}
	cb := url.Values{"code": {"c0de"}, "state": {"s1"}}
	if mutate != nil {
		mutate(cb)
	}
	return c.UserInfo(context.Background(), sess, cb)
}

func TestGitHubPrimaryVerifiedEmail(t *testing.T) {
	f := newFake(t)
	info, err := signIn(t, f.connector(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != "583231" || info.Name != "The Octocat" || info.Email != "octo@example.com" || !strings.Contains(info.Avatar, "583231") {
		t.Errorf("user = %+v", info)
	}
	if f.form.Get("client_secret") != "gh-secret" || f.form.Get("code") != "c0de" || f.auth[0] != "Bearer gho_token" {
		t.Errorf("token form %v, auth %v", f.form, f.auth)
	}
}

func TestGitHubEmails(t *testing.T) {
	for _, tc := range []struct{ name, user, emails, want string }{
		{"public email wins", `{"id":1,"email":"public@example.com"}`, `[{"email":"p@example.com","primary":true,"verified":true}]`, "public@example.com"},
		{"unverified primary is not used", `{"id":1,"email":null}`, `[{"email":"p@example.com","primary":true,"verified":false}]`, ""},
		{"no user:email scope", `{"id":1}`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.user, f.emails = tc.user, tc.emails
			info, err := signIn(t, f.connector(t), nil)
			if err != nil || info.Email != tc.want || info.ID != "1" {
				t.Fatalf("user = %+v, %v; want email %q", info, err, tc.want)
			}
		})
	}
}

func TestGitHubFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		setup  func(*fakeGitHub)
		mutate func(url.Values)
		code   string
	}{
		{name: "denied", mutate: func(v url.Values) { v.Del("code"); v.Set("error", "access_denied") }, code: connector.CodeAuthorizationFail},
		{name: "state mismatch", mutate: func(v url.Values) { v.Set("state", "x") }, code: connector.CodeGeneral},
		{name: "replayed code", setup: func(f *fakeGitHub) { f.tokenBody = `{"error":"bad_verification_code"}` }, code: connector.CodeAuthCodeInvalid},
		{name: "no id", setup: func(f *fakeGitHub) { f.user = `{"login":"x"}` }, code: connector.CodeInvalidResponse},
		{name: "not JSON", setup: func(f *fakeGitHub) { f.user = `<html>` }, code: connector.CodeInvalidResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.setup != nil {
				tc.setup(f)
			}
			_, err := signIn(t, f.connector(t), tc.mutate)
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Code != tc.code || strings.Contains(err.Error(), "gh-secret") {
				t.Fatalf("err = %v; want connector.%s", err, tc.code)
			}
		})
	}
}

func TestGitHubConfig(t *testing.T) {
	var ce *connector.ConfigError
	if err := (Factory{}).CheckConfig(json.RawMessage(`{"clientId":"x"}`)); !errors.As(err, &ce) || ce.Field != "clientSecret" {
		t.Errorf("missing secret: %v", err)
	}
	if m := (Factory{}).Metadata(); m.ID != "github-universal" || m.Target != "github" || m.IsStandard {
		t.Errorf("metadata = %+v", m)
	}
}
