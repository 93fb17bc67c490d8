package e2e

import (
	"net/http"
	"strings"
	"testing"
)

func issuer() string { return server.endpoint + "/oidc" }

// TestOpenIDClientLibreChat: openid-client v6 as LibreChat configures it (OPENID_ISSUER,
// OPENID_CALLBACK_URL=/oauth/openid/callback, OPENID_SCOPE="openid profile email").
func TestOpenIDClientLibreChat(t *testing.T) {
	user := createUser(t, "librechat_user")
	app := createApp(t, "LibreChat", []string{"https://chat.example.test/oauth/openid/callback"}, []string{"https://chat.example.test/"}, nil)
	var got struct {
		CallbackHasIss       string         `json:"callbackHasIss"`
		IDTokenAlg           string         `json:"idTokenAlg"`
		Claims               map[string]any `json:"claims"`
		Userinfo             map[string]any `json:"userinfo"`
		UserinfoAfterRefresh map[string]any `json:"userinfoAfterRefresh"`
		TokenType            string         `json:"tokenType"`
		HasRefreshToken      bool           `json:"hasRefreshToken"`
		LoggedOutAt          string         `json:"loggedOutAt"`
		AfterLogout          string         `json:"afterLogout"`
	}
	runScript(t, &got, "node", []string{"js/openid-client.mjs"}, map[string]string{
		"ISSUER": issuer(), "CLIENT_ID": app.ID, "CLIENT_SECRET": app.Secret,
		"REDIRECT_URI": "https://chat.example.test/oauth/openid/callback", "POST_LOGOUT_REDIRECT_URI": "https://chat.example.test/",
		"USERNAME": user.Username, "PASSWORD": user.Password,
	})
	if got.CallbackHasIss != issuer() {
		t.Errorf("authorization response iss = %q, want %q (RFC 9207)", got.CallbackHasIss, issuer())
	}
	if got.IDTokenAlg != "ES384" {
		t.Errorf("ID token alg %q, want ES384", got.IDTokenAlg)
	}
	wantClaims(t, "ID token", got.Claims, map[string]any{
		"sub": user.ID, "email": user.Email, "name": user.Name, "picture": user.Avatar, "username": user.Username,
		"email_verified": true, "iss": issuer(), "aud": app.ID,
	})
	wantClaims(t, "userinfo", got.Userinfo, map[string]any{"sub": user.ID, "email": user.Email, "name": user.Name})
	wantClaims(t, "userinfo after refresh", got.UserinfoAfterRefresh, map[string]any{"sub": user.ID})
	if !strings.EqualFold(got.TokenType, "bearer") || !got.HasRefreshToken {
		t.Errorf("token_type %q, refresh token %v; want Bearer and a refresh token (offline_access + prompt=consent)", got.TokenType, got.HasRefreshToken)
	}
	if !strings.HasPrefix(got.LoggedOutAt, "https://chat.example.test/") || !strings.Contains(got.LoggedOutAt, "state=bye") {
		t.Errorf("logout ended at %q, want the post-logout URI with state", got.LoggedOutAt)
	}
	if got.AfterLogout != "/sign-in" {
		t.Errorf("after logout a new sign-in went to %q, want /sign-in (the session must be gone)", got.AfterLogout)
	}
}

// TestNextAuthV4: NextAuth v4's OIDC provider, through openid-client v5 as next-auth 4.24 uses
// it, with the values docs/nextauth.md gives: the sign-in works once the client expects ES384,
// and fails without it (the note in the guide).
func TestNextAuthV4(t *testing.T) {
	user := createUser(t, "nextauth_user")
	redirect := "https://next.example.test/api/auth/callback/gatehouse"
	app := createApp(t, "NextAuth v4", []string{redirect}, nil, nil)
	var got struct {
		WithAlg struct {
			Claims map[string]any
			Error  string
		}
		WithoutAlg struct {
			Claims map[string]any
			Error  string
		}
	}
	runScript(t, &got, "node", []string{"js/nextauth-v4.mjs"}, map[string]string{
		"ISSUER": issuer(), "CLIENT_ID": app.ID, "CLIENT_SECRET": app.Secret, "REDIRECT_URI": redirect,
		"USERNAME": user.Username, "PASSWORD": user.Password,
	})
	if got.WithAlg.Error != "" {
		t.Fatalf("NextAuth v4 with id_token_signed_response_alg ES384: %s", got.WithAlg.Error)
	}
	wantClaims(t, "ID token", got.WithAlg.Claims, map[string]any{"sub": user.ID, "email": user.Email, "iss": issuer(), "aud": app.ID})
	t.Logf("without the alg setting: %s", got.WithoutAlg.Error)
	if !strings.Contains(got.WithoutAlg.Error, "ES384") {
		t.Errorf("without the alg setting openid-client v5 should refuse the ES384 ID token (the guide's note); got %+v", got.WithoutAlg)
	}
}

// TestAuthJSLobeChat: @auth/core's Logto provider as LobeChat configures it (AUTH_LOGTO_ISSUER =
// <endpoint>/oidc, callback /api/auth/callback/logto). LobeChat's guide enables refresh tokens
// for the app (alwaysIssueRefreshToken), since Auth.js sends no prompt=consent.
func TestAuthJSLobeChat(t *testing.T) {
	user := createUser(t, "lobe_user")
	origin := "https://lobe.example.test"
	app := createApp(t, "LobeChat", []string{origin + "/api/auth/callback/logto"}, []string{origin + "/"},
		map[string]any{"alwaysIssueRefreshToken": true})
	var got struct {
		Session struct {
			User struct{ Name, Email, Image string } `json:"user"`
		} `json:"session"`
		Scope               string         `json:"scope"`
		HasRefreshToken     bool           `json:"hasRefreshToken"`
		RefreshStatus       int            `json:"refreshStatus"`
		RefreshedHasIDToken bool           `json:"refreshedHasIdToken"`
		Userinfo            map[string]any `json:"userinfo"`
		LoggedOutAt         string         `json:"loggedOutAt"`
		SessionAfter        map[string]any `json:"sessionAfter"`
	}
	runScript(t, &got, "node", []string{"js/authjs.mjs"}, map[string]string{
		"ISSUER": issuer(), "CLIENT_ID": app.ID, "CLIENT_SECRET": app.Secret, "APP_ORIGIN": origin,
		"POST_LOGOUT_REDIRECT_URI": origin + "/", "USERNAME": user.Username, "PASSWORD": user.Password,
	})
	if s := got.Session.User; s.Name != user.Name || s.Email != user.Email || s.Image != user.Avatar {
		t.Errorf("Auth.js session user = %+v, want name %q email %q image %q (from the ID token)", s, user.Name, user.Email, user.Avatar)
	}
	for _, sc := range []string{"openid", "profile", "email"} {
		if !strings.Contains(" "+got.Scope+" ", " "+sc+" ") {
			t.Errorf("granted scope %q lacks %s", got.Scope, sc)
		}
	}
	// Auth.js asks for offline_access without prompt=consent: Logto drops it from the grant (and
	// issues a refresh token only because the app has alwaysIssueRefreshToken).
	if strings.Contains(" "+got.Scope+" ", " offline_access ") {
		t.Errorf("granted scope %q keeps offline_access without prompt=consent; Logto drops it", got.Scope)
	}
	if !got.HasRefreshToken || got.RefreshStatus != http.StatusOK || !got.RefreshedHasIDToken {
		t.Errorf("refresh: has token %v, status %d, new id_token %v", got.HasRefreshToken, got.RefreshStatus, got.RefreshedHasIDToken)
	}
	wantClaims(t, "userinfo", got.Userinfo, map[string]any{"sub": user.ID, "email": user.Email})
	if !strings.HasPrefix(got.LoggedOutAt, origin+"/") {
		t.Errorf("logout ended at %q", got.LoggedOutAt)
	}
	if len(got.SessionAfter) != 0 {
		t.Errorf("Auth.js session after sign-out = %v, want empty", got.SessionAfter)
	}
}

// TestLogtoNodeSDK: the @logto/node SDK with an API resource; the user holds a role granting
// read:orders on it.
func TestLogtoNodeSDK(t *testing.T) {
	user := createUser(t, "sdk_user")
	resource := "https://orders.example.test"
	var res struct{ ID string }
	api(t, http.MethodPost, "/resources", map[string]any{"name": "Orders", "indicator": resource}, &res)
	var scope struct{ ID string }
	api(t, http.MethodPost, "/resources/"+res.ID+"/scopes", map[string]any{"name": "read:orders"}, &scope)
	var role struct{ ID string }
	api(t, http.MethodPost, "/roles", map[string]any{"name": "order-reader-user", "description": "reads orders", "type": "User", "scopeIds": []string{scope.ID}}, &role)
	api(t, http.MethodPost, "/users/"+user.ID+"/roles", map[string]any{"roleIds": []string{role.ID}}, nil)
	app := createApp(t, "Node app", []string{"https://node.example.test/callback"}, []string{"https://node.example.test/"}, nil)

	var got struct {
		Claims             map[string]any `json:"claims"`
		Userinfo           map[string]any `json:"userinfo"`
		HasRefreshToken    bool           `json:"hasRefreshToken"`
		APITokenIsJWT      bool           `json:"apiTokenIsJwt"`
		APIClaims          map[string]any `json:"apiClaims"`
		OpaqueAfterRefresh bool           `json:"opaqueAfterRefresh"`
		LoggedOutAt        string         `json:"loggedOutAt"`
		AuthenticatedAfter bool           `json:"authenticatedAfter"`
	}
	runScript(t, &got, "node", []string{"js/logto-node.mjs"}, map[string]string{
		"ENDPOINT": server.endpoint, "CLIENT_ID": app.ID, "CLIENT_SECRET": app.Secret, "RESOURCE": resource,
		"REDIRECT_URI": "https://node.example.test/callback", "POST_LOGOUT_REDIRECT_URI": "https://node.example.test/",
		"USERNAME": user.Username, "PASSWORD": user.Password,
	})
	wantClaims(t, "ID token", got.Claims, map[string]any{"sub": user.ID, "username": user.Username, "email": user.Email})
	wantClaims(t, "userinfo", got.Userinfo, map[string]any{"sub": user.ID, "email": user.Email})
	if !got.HasRefreshToken || !got.OpaqueAfterRefresh {
		t.Errorf("refresh token %v, token after refresh %v", got.HasRefreshToken, got.OpaqueAfterRefresh)
	}
	if !got.APITokenIsJWT || got.APIClaims["aud"] != resource || !strings.Contains(" "+str(got.APIClaims["scope"])+" ", " read:orders ") {
		t.Errorf("API token: JWT %v, claims %v; want aud %s and scope read:orders", got.APITokenIsJWT, got.APIClaims, resource)
	}
	if !strings.HasPrefix(got.LoggedOutAt, "https://node.example.test/") || got.AuthenticatedAfter {
		t.Errorf("logout ended at %q, authenticated after: %v", got.LoggedOutAt, got.AuthenticatedAfter)
	}
}

// TestAuthlibOpenWebUI: Debian's python3-authlib as Open WebUI configures it
// (OPENID_PROVIDER_URL = the full discovery URL, client_secret_basic, email/name/picture).
func TestAuthlibOpenWebUI(t *testing.T) {
	user := createUser(t, "webui_user")
	app := createApp(t, "Open WebUI", []string{"https://webui.example.test/oauth/oidc/callback"}, []string{"https://webui.example.test/"}, nil)
	var got struct {
		IDTokenAlg  string         `json:"idTokenAlg"`
		Claims      map[string]any `json:"claims"`
		Userinfo    map[string]any `json:"userinfo"`
		TokenType   string         `json:"tokenType"`
		Refreshed   bool           `json:"refreshed"`
		LoggedOutAt string         `json:"loggedOutAt"`
	}
	runScript(t, &got, "/usr/bin/python3", []string{"py/authlib_flow.py"}, map[string]string{
		"OPENID_PROVIDER_URL": issuer() + "/.well-known/openid-configuration",
		"CLIENT_ID":           app.ID, "CLIENT_SECRET": app.Secret,
		"REDIRECT_URI": "https://webui.example.test/oauth/oidc/callback", "POST_LOGOUT_REDIRECT_URI": "https://webui.example.test/",
		"USERNAME": user.Username, "PASSWORD": user.Password,
	})
	if got.IDTokenAlg != "ES384" {
		t.Errorf("ID token alg %q", got.IDTokenAlg)
	}
	wantClaims(t, "ID token", got.Claims, map[string]any{"sub": user.ID, "email": user.Email, "name": user.Name, "picture": user.Avatar})
	wantClaims(t, "userinfo", got.Userinfo, map[string]any{"sub": user.ID, "email": user.Email, "name": user.Name, "picture": user.Avatar})
	if !got.Refreshed {
		t.Error("refresh failed")
	}
	if !strings.HasPrefix(got.LoggedOutAt, "https://webui.example.test/") {
		t.Errorf("logout ended at %q", got.LoggedOutAt)
	}
}

func str(v any) string { s, _ := v.(string); return s }

// wantClaims checks that got holds each wanted claim with that value.
func wantClaims(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: no %q claim (have %v)", what, k, got)
			continue
		}
		if gs, isList := g.([]any); isList {
			found := false
			for _, e := range gs {
				found = found || e == v
			}
			if !found {
				t.Errorf("%s: %s = %v, want it to contain %v", what, k, g, v)
			}
			continue
		}
		if g != v {
			t.Errorf("%s: %s = %v, want %v", what, k, g, v)
		}
	}
}
