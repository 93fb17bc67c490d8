package claims

import (
	"encoding/json"
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
	p := u.Profile
	for _, c := range accepted(use, scopes) {
		switch c {
		case "name":
			out[c] = u.Name
		case "picture":
			out[c] = u.Avatar
		case "username":
			out[c] = u.Username
		case "email":
			out[c] = u.PrimaryEmail
		case "email_verified":
			out[c] = u.PrimaryEmail != nil && *u.PrimaryEmail != ""
		case "phone_number":
			out[c] = u.PrimaryPhone
		case "phone_number_verified":
			out[c] = u.PrimaryPhone != nil && *u.PrimaryPhone != ""
		case "created_at":
			out[c] = u.CreatedAt
		case "updated_at":
			out[c] = u.UpdatedAt
		case "preferred_username":
			switch {
			case p.PreferredUsername != "":
				out[c] = p.PreferredUsername
			case u.Username != nil:
				out[c] = *u.Username
			}
		case "address":
			// Logto copies the stored profile address as it is (camelCase members).
			if p.Address != nil {
				out[c] = p.Address
			}
		case "custom_data":
			out[c] = jsonObject(u.CustomData)
		case "identities":
			out[c] = jsonObject(u.Identities)
		case "sso_identities":
			out[c] = []any{} // Gatehouse has no enterprise SSO connectors
		case "roles":
			if roles == nil {
				roles = []string{}
			}
			out[c] = roles
		default:
			if v := profileClaim(p, c); v != "" {
				out[c] = v
			}
		}
	}
	return out
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

// jsonObject passes a stored JSON object through, {} when empty.
func jsonObject(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(`{}`)
	}
	return raw
}
