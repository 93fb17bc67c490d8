package claims

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

func strptr(s string) *string { return &s }

func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestClaimsPerScope(t *testing.T) {
	full := model.User{
		ID: "u1", Username: strptr("alice"), PrimaryEmail: strptr("alice@example.com"), PrimaryPhone: strptr("+15550100"),
		Name: strptr("Alice"), Avatar: strptr("https://img/a.png"),
		Profile: model.UserProfile{GivenName: "Alice", Nickname: "Al", PreferredUsername: "ally", Zoneinfo: "Europe/London",
			Address: &model.UserAddress{Locality: "Oxford", PostalCode: "OX1"}},
		CustomData: json.RawMessage(`{"plan":"pro"}`), Identities: json.RawMessage(`{"github":{"userId":"7"}}`),
		CreatedAt: 1_700_000_000_123, UpdatedAt: 1_700_000_500_456,
	}
	bare := model.User{ID: "u2", CreatedAt: 1, UpdatedAt: 2}
	roles := []string{"admin", "editor"}

	cases := []struct {
		name   string
		use    Use
		scopes []string
		user   model.User
		want   string // the claims as JSON (keys sorted)
	}{
		{"openid alone is sub", IDToken, []string{"openid"}, full, `{"sub":"u1"}`},
		{"profile in the ID token", IDToken, []string{"openid", "profile"}, full,
			`{"created_at":1700000000123,"given_name":"Alice","name":"Alice","nickname":"Al","picture":"https://img/a.png",` +
				`"preferred_username":"ally","sub":"u1","updated_at":1700000500456,"username":"alice","zoneinfo":"Europe/London"}`},
		{"profile of a bare user: nulls and fallbacks", IDToken, []string{"profile"}, bare,
			`{"created_at":1,"name":null,"picture":null,"sub":"u2","updated_at":2,"username":null}`},
		{"preferred_username falls back to username", Userinfo, []string{"profile"}, model.User{ID: "u3", Username: strptr("bob")},
			`{"created_at":0,"name":null,"picture":null,"preferred_username":"bob","sub":"u3","updated_at":0,"username":"bob"}`},
		{"email and phone", IDToken, []string{"email", "phone"}, full,
			`{"email":"alice@example.com","email_verified":true,"phone_number":"+15550100","phone_number_verified":true,"sub":"u1"}`},
		{"no email: null and unverified", Userinfo, []string{"email", "phone"}, bare,
			`{"email":null,"email_verified":false,"phone_number":null,"phone_number_verified":false,"sub":"u2"}`},
		{"address as Logto stores it", IDToken, []string{"address"}, full, `{"address":{"locality":"Oxford","postalCode":"OX1"},"sub":"u1"}`},
		{"no address: absent", IDToken, []string{"address"}, bare, `{"sub":"u2"}`},
		{"extended claims: only roles in the ID token", IDToken, []string{"roles", "custom_data", "identities"}, full,
			`{"roles":["admin","editor"],"sub":"u1"}`},
		{"extended claims: all in userinfo", Userinfo, []string{"roles", "custom_data", "identities"}, full,
			`{"custom_data":{"plan":"pro"},"identities":{"github":{"userId":"7"}},"roles":["admin","editor"],"sso_identities":[],"sub":"u1"}`},
		{"custom_data of a bare user is {}", Userinfo, []string{"custom_data", "identities"}, bare,
			`{"custom_data":{},"identities":{},"sso_identities":[],"sub":"u2"}`},
		{"resource and unknown scopes add nothing", Userinfo, []string{"read", "urn:logto:scope:organizations", "offline_access"}, full, `{"sub":"u1"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r []string
			if NeedsRoles(tc.use, tc.scopes) {
				r = roles
			}
			if got := encode(t, For(tc.use, tc.scopes, tc.user, r)); got != tc.want {
				t.Errorf("claims:\n got  %s\n want %s", got, tc.want)
			}
		})
	}
}

func TestNeedsRolesAndSupported(t *testing.T) {
	if !NeedsRoles(IDToken, []string{"openid", "roles"}) || NeedsRoles(IDToken, []string{"openid", "profile"}) {
		t.Error("NeedsRoles must be true exactly when the roles scope is granted")
	}
	for _, s := range []string{"openid", "offline_access", "profile", "email", "roles"} {
		if !IsOIDCScope(s) {
			t.Errorf("%s is not an OIDC scope", s)
		}
	}
	if IsOIDCScope("read") || IsOIDCScope("") {
		t.Error("resource scopes are not OIDC scopes")
	}
	for _, c := range []string{"username", "created_at", "roles", "custom_data"} {
		if !slices.Contains(SupportedClaims, c) {
			t.Errorf("claims_supported lacks %s", c)
		}
	}
}
