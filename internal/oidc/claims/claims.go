package claims

import (
	"slices"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Scopes Gatehouse knows (Logto's UserScope plus the two reserved ones). Any other scope in a
// request is an API resource's scope or unknown, never a claims scope.
const (
	OpenID        = "openid"
	OfflineAccess = "offline_access"
	Profile       = "profile"
	Email         = "email"
	Phone         = "phone"
	Address       = "address"
	CustomData    = "custom_data"
	Identities    = "identities"
	Roles         = "roles"
)

// Use is where claims go: the ID token carries the scopes' base claims and the tenant's enabled
// extended claims, the userinfo response carries every claim of every scope.
type Use int

const (
	IDToken Use = iota
	Userinfo
)

// Supported lists the OIDC scopes, in Logto's discovery order (scopes_supported). Logto's
// organization, session and trusted-device scopes are left out: Gatehouse has no organizations
// and no Account API, so it would never fill them.
var Supported = []string{OpenID, OfflineAccess, Profile, Email, Phone, Address, CustomData, Identities, Roles}

// IsOIDCScope reports whether scope is one of Supported: a scope the authorization server itself
// grants, as opposed to an API resource's scope.
func IsOIDCScope(scope string) bool { return slices.Contains(Supported, scope) }

// baseClaims are the claims of each scope in ID tokens and userinfo (Logto's idTokenClaims).
var baseClaims = map[string][]string{
	Profile: {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
		"picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "username", "created_at"},
	Email:   {"email", "email_verified"},
	Phone:   {"phone_number", "phone_number_verified"},
	Address: {"address"},
}

// extendedClaims are the claims userinfo always carries but ID tokens only when the tenant
// enables them (Logto's extendedIdTokenClaimsByScope).
var extendedClaims = map[string][]string{
	CustomData: {"custom_data"},
	Identities: {"identities", "sso_identities"},
	Roles:      {"roles"},
}

// enabledInIDToken are the extended claims Logto's seeded idToken config enables
// (createDefaultIdTokenConfig: roles, organizations, organization_roles; Gatehouse has no
// organizations).
var enabledInIDToken = []string{"roles"}

// SupportedClaims lists every claim Gatehouse issues (discovery claims_supported), in Logto's order.
var SupportedClaims = []string{"sub", "name", "family_name", "given_name", "middle_name", "nickname",
	"preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale",
	"updated_at", "username", "created_at", "email", "email_verified", "phone_number", "phone_number_verified",
	"address", "custom_data", "identities", "sso_identities", "roles", "sid", "auth_time", "iss"}

// accepted returns the claims scopes give in use, each once, in scope order.
func accepted(use Use, scopes []string) []string {
	var out []string
	add := func(names []string) {
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	for _, s := range scopes {
		add(baseClaims[s])
		for _, c := range extendedClaims[s] {
			if use == Userinfo || slices.Contains(enabledInIDToken, c) {
				add([]string{c})
			}
		}
	}
	return out
}

// NeedsRoles reports whether the claims of scopes in use include `roles`, so the caller loads the
// user's role names only then.
func NeedsRoles(use Use, scopes []string) bool {
	return slices.Contains(accepted(use, scopes), "roles")
}

// For returns the claims of user u for the granted scopes in use, keyed by claim name: `sub`
// always, then each scope's claims valued as Logto does (core/oidc/scope.ts):
//
//   - name, picture, username, email and phone_number are null when the user has none; claims of
//     the profile JSON (given_name, locale, address …) are left out when empty;
//   - preferred_username falls back to the username;
//   - email_verified and phone_number_verified are whether the user has one;
//   - created_at and updated_at are epoch milliseconds;
//   - roles are the names of the user's roles (roles must hold them when NeedsRoles).
func For(use Use, scopes []string, u model.User, roles []string) map[string]any {
	out := map[string]any{"sub": u.ID}
	for _, c := range accepted(use, scopes) {
		if value, ok := claimValue(c, u, roles); ok {
			out[c] = value
		}
	}
	return out
}

// userClaims values the claims that come from the user's own columns; ok is false for a claim
// left out.
var userClaims = map[string]func(u model.User, roles []string) (value any, ok bool){
	"name":                  func(u model.User, _ []string) (any, bool) { return u.Name, true },
	"picture":               func(u model.User, _ []string) (any, bool) { return u.Avatar, true },
	"username":              func(u model.User, _ []string) (any, bool) { return u.Username, true },
	"email":                 func(u model.User, _ []string) (any, bool) { return u.PrimaryEmail, true },
	"email_verified":        func(u model.User, _ []string) (any, bool) { return model.StringOf(u.PrimaryEmail) != "", true },
	"phone_number":          func(u model.User, _ []string) (any, bool) { return u.PrimaryPhone, true },
	"phone_number_verified": func(u model.User, _ []string) (any, bool) { return model.StringOf(u.PrimaryPhone) != "", true },
	"created_at":            func(u model.User, _ []string) (any, bool) { return u.CreatedAt, true },
	"updated_at":            func(u model.User, _ []string) (any, bool) { return u.UpdatedAt, true },
	"preferred_username":    preferredUsername,
	// Logto copies the stored profile address as it is (camelCase members).
	"address":        func(u model.User, _ []string) (any, bool) { return u.Profile.Address, u.Profile.Address != nil },
	"custom_data":    func(u model.User, _ []string) (any, bool) { return model.ObjectOrEmpty(u.CustomData), true },
	"identities":     func(u model.User, _ []string) (any, bool) { return model.ObjectOrEmpty(u.Identities), true },
	"sso_identities": func(model.User, []string) (any, bool) { return []any{}, true }, // no enterprise SSO connectors
	"roles": func(_ model.User, roles []string) (any, bool) {
		if roles == nil {
			roles = []string{}
		}
		return roles, true
	},
}

// claimValue is the value of claim c for u; ok is false when the claim is left out (an empty
// profile member).
func claimValue(c string, u model.User, roles []string) (any, bool) {
	if f, ok := userClaims[c]; ok {
		return f(u, roles)
	}
	v := profileClaim(u.Profile, c)
	return v, v != ""
}

// preferredUsername is the profile's preferred_username, falling back to the username.
func preferredUsername(u model.User, _ []string) (any, bool) {
	switch {
	case u.Profile.PreferredUsername != "":
		return u.Profile.PreferredUsername, true
	case u.Username != nil:
		return *u.Username, true
	}
	return nil, false
}

// profileClaim returns the profile JSON member behind a standard claim.
func profileClaim(p model.UserProfile, claim string) string {
	switch claim {
	case "family_name":
		return p.FamilyName
	case "given_name":
		return p.GivenName
	case "middle_name":
		return p.MiddleName
	case "nickname":
		return p.Nickname
	case "profile":
		return p.Profile
	case "website":
		return p.Website
	case "gender":
		return p.Gender
	case "birthdate":
		return p.Birthdate
	case "zoneinfo":
		return p.Zoneinfo
	case "locale":
		return p.Locale
	}
	return ""
}
