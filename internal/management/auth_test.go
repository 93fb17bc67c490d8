package management

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
)

func TestBearerAuth(t *testing.T) {
	e := newEnv(t)
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt"}`))
	validParts := strings.Split(e.token, ".")

	tests := []struct {
		name   string
		header string
		status int
		code   string
	}{
		{"no header", "", 401, "auth.authorization_header_missing"},
		{"basic scheme", "Basic bTJtOnNlY3JldA==", 401, "auth.authorization_token_type_not_supported"},
		{"bearer without token", "Bearer ", 401, "auth.unauthorized"},
		{"garbage", "Bearer not.a.jwt", 401, "auth.unauthorized"},
		{"alg none", "Bearer " + noneHeader + "." + validParts[1] + ".", 401, "auth.unauthorized"},
		{"tampered payload", "Bearer " + validParts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"`+testIssuer+`","sub":"x","scope":"all"}`)) + "." + validParts[2], 401, "auth.unauthorized"},
		{"expired", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) {
			c["exp"] = e.clk.Now().Add(-time.Minute).Unix()
		}), 401, "auth.unauthorized"},
		{"no exp", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) { delete(c, "exp") }), 401, "auth.unauthorized"},
		{"not yet valid", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) {
			c["nbf"] = e.clk.Now().Add(time.Hour).Unix()
		}), 401, "auth.unauthorized"},
		{"audience of another tenant", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) {
			c["aud"] = model.ManagementAPIIndicator(model.AdminTenantID)
		}), 401, "auth.unauthorized"},
		{"audience of another resource", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) {
			c["aud"] = "https://api.example.com"
		}), 401, "auth.unauthorized"},
		{"unknown issuer", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) {
			c["iss"] = "https://evil.example.com/oidc"
		}), 401, "auth.unauthorized"},
		{"admin issuer but default tenant's key", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) {
			c["iss"] = testAdminIssuer
		}), 401, "auth.unauthorized"},
		{"default issuer but admin tenant's key", "Bearer " + e.mint(model.AdminTenantID, func(c map[string]any) {
			c["iss"] = testIssuer
		}), 401, "auth.unauthorized"},
		{"no sub", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) { delete(c, "sub") }), 401, "auth.jwt_sub_missing"},
		{"valid without all", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) { c["scope"] = "read write" }), 403, "auth.forbidden"},
		{"valid without scope", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) { delete(c, "scope") }), 403, "auth.forbidden"},
		{"valid", "Bearer " + e.token, 200, ""},
		{"valid, lower-case scheme (RFC 7235 §2.1)", "bearer " + e.token, 200, ""},
		{"audience as array", "Bearer " + e.mint(model.DefaultTenantID, func(c map[string]any) {
			c["aud"] = []string{"https://other.example.com", model.ManagementAPIIndicator(model.DefaultTenantID)}
		}), 200, ""},
		{"admin tenant's token with the admin issuer (cross-tenant trust)", "Bearer " + e.mint(model.AdminTenantID, nil), 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.doAuth("GET", "/api/roles", tc.header, "")
			e.want(r, tc.status, tc.code)
			if tc.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	if r := e.doAuth("GET", "/api/roles", "Basic x", ""); !strings.Contains(string(r.body), `"supportedTypes":["Bearer"]`) {
		t.Errorf("token type error lacks data.supportedTypes: %s", r.body)
	}
}

func TestBearerAuthCachedTokenExpiresAndFollowsKeys(t *testing.T) {
	e := newEnv(t)
	tok := e.mint(model.DefaultTenantID, func(c map[string]any) { c["exp"] = e.clk.Now().Add(time.Minute).Unix() })
	e.want(e.doAuth("GET", "/api/roles", "Bearer "+tok, ""), 200, "")
	e.want(e.doAuth("GET", "/api/roles", "Bearer "+tok, ""), 200, "") // from the cache

	// The cache never outlives the token.
	e.clk.Advance(2 * time.Minute)
	e.want(e.doAuth("GET", "/api/roles", "Bearer "+tok, ""), 401, "auth.unauthorized")

	// A token whose key is rotated out stops working although it was verified before.
	tok = e.mint(model.DefaultTenantID, nil)
	e.want(e.doAuth("GET", "/api/roles", "Bearer "+tok, ""), 200, "")
	zero := time.Duration(0)
	for range 2 { // the first rotation keeps the old key as Previous, the second drops it
		if _, err := e.svc.RotateKeysWithGrace(e.ctx, model.DefaultTenantID, keyring.KeyTypePrivateKeys, "EC", &zero); err != nil {
			t.Fatal(err)
		}
	}
	e.want(e.doAuth("GET", "/api/roles", "Bearer "+tok, ""), 401, "auth.unauthorized")
}

func TestPublicRoutesAndUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	e.want(e.doAuth("GET", "/api/status", "", ""), http.StatusNoContent, "")
	e.want(e.doAuth("GET", "/api/swagger.json", "", ""), http.StatusOK, "")
	e.want(e.do("GET", "/api/no-such-thing", ""), http.StatusNotFound, "entity.not_found")
	e.want(e.do("POST", "/api/status", ""), http.StatusNotFound, "entity.not_found")
	e.want(e.doAuth("GET", "/api/applications/x/unknown", "", ""), http.StatusNotFound, "entity.not_found")
}
