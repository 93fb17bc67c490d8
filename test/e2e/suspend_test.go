package e2e

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestSuspensionRevokesTokens: suspending a user through the Management API ends their access at
// once — the access token stops working at userinfo and the refresh token is refused — instead of
// when the tokens expire.
func TestSuspensionRevokesTokens(t *testing.T) {
	ctx := oidc.ClientContext(context.Background(), server.client)
	user := createUser(t, "suspended_user")
	redirect := "https://suspend.example.test/callback"
	app := createApp(t, "Suspension app", []string{redirect}, nil, nil)
	provider, err := oidc.NewProvider(ctx, issuer())
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: app.ID, ClientSecret: app.Secret, Endpoint: provider.Endpoint(), RedirectURL: redirect,
		Scopes: []string{oidc.ScopeOpenID, "profile", oidc.ScopeOfflineAccess}}
	v := oauth2.GenerateVerifier()
	cb, _ := newBrowser(t).signIn(conf.AuthCodeURL("s", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("prompt", "consent")), redirect, app.ID, user)
	q, _ := url.Parse(cb)
	tok, err := conf.Exchange(ctx, q.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchange: %v (refresh token %q)", err, tok.RefreshToken)
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatalf("userinfo before suspension: %v", err)
	}

	api(t, http.MethodPatch, "/users/"+user.ID+"/is-suspended", map[string]any{"isSuspended": true}, nil)

	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("userinfo still answers for a suspended user's access token")
	}
	expired := *tok
	expired.AccessToken, expired.Expiry = "", expired.Expiry.Add(-48*3600*1e9)
	if _, err := conf.TokenSource(ctx, &expired).Token(); err == nil {
		t.Error("a suspended user's refresh token still works")
	}
}
