package grants

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// Token lifetimes Logto uses for user tokens (logto-core.md §1.6).
const (
	OpaqueAccessTokenTTL   = time.Hour
	DefaultIDTokenTTL      = time.Hour
	DefaultRefreshTokenTTL = 14 * 24 * time.Hour
)

// userTokenIssuer issues the tokens of the grants that act for a user (authorization_code,
// refresh_token): ID tokens, opaque access tokens for the userinfo endpoint, JWT access tokens for
// API resources and refresh tokens. The two grants share it so they cannot drift apart.
type userTokenIssuer struct {
	opts         Options
	accessTokens *accessTokenIssuer
}

// IDTokenTTL is an application's ID token lifetime: customClientMetadata.idTokenTtl (seconds) or
// 3600 s.
func IDTokenTTL(app *model.Application) time.Duration {
	if ttl := app.CustomClientMetadata.IDTokenTTL; ttl != nil && *ttl > 0 {
		return time.Duration(*ttl) * time.Second
	}
	return DefaultIDTokenTTL
}

// RefreshTokenTTL is an application's refresh token lifetime: refreshTokenTtlInDays, else the
// deprecated refreshTokenTtl (seconds), else 14 days (Logto's ttl.RefreshToken).
func RefreshTokenTTL(app *model.Application) time.Duration {
	m := app.CustomClientMetadata
	switch {
	case m.RefreshTokenTTLInDays != nil && *m.RefreshTokenTTLInDays > 0:
		return time.Duration(*m.RefreshTokenTTLInDays) * 24 * time.Hour
	case m.RefreshTokenTTL != nil && *m.RefreshTokenTTL > 0:
		return time.Duration(*m.RefreshTokenTTL) * time.Second
	}
	return DefaultRefreshTokenTTL
}

// issuesRefreshToken is Logto's issueRefreshToken (core/oidc/init.ts): only a client allowed the
// refresh_token grant gets one, and only when offline_access survived into the granted scopes
// (the authorization endpoint drops it unless prompt=consent) or, for web (non-native)
// applications, when customClientMetadata.alwaysIssueRefreshToken is set.
func issuesRefreshToken(app *model.Application, scopes []string) bool {
	if !oauth.GrantAllowed(app, oauth.GrantRefreshToken) {
		return false
	}
	if slices.Contains(scopes, claims.OfflineAccess) {
		return true
	}
	always := app.CustomClientMetadata.AlwaysIssueRefreshToken
	return app.Type != model.AppNative && always != nil && *always
}

// idTokenClaims are the fixed claims of an ID token (OIDC Core §2); the scope claims are merged in.
type idTokenClaims struct {
	Issuer   string
	Audience string
	IssuedAt int64
	Expiry   int64
	AuthTime int64
	Nonce    string
	SID      string
}

// idToken signs the ID token of user for client with the claims of scopes (OIDC Core §3.1.3.6).
// Like Logto (conformIdTokenClaims: false), the profile claims go into the ID token even in the
// code flow, because Auth.js and LobeChat read the email, name and picture from it. There is no
// at_hash: oidc-provider 9 dropped it from the token endpoint, where it protects nothing.
func (i *userTokenIssuer) idToken(ctx context.Context, client *directory.Client, user model.User, scopes []string, c idTokenClaims) (string, error) {
	var roles []string
	if claims.NeedsRoles(claims.IDToken, scopes) {
		var err error
		if roles, err = i.opts.Accounts.UserRoleNames(ctx, i.opts.TenantID, user.ID); err != nil {
			return "", fmt.Errorf("roles for the ID token: %w", err)
		}
	}
	out := claims.For(claims.IDToken, scopes, user, roles)
	out["iss"] = c.Issuer
	out["aud"] = c.Audience
	out["iat"] = c.IssuedAt
	out["exp"] = c.Expiry
	out["auth_time"] = c.AuthTime
	if c.Nonce != "" {
		out["nonce"] = c.Nonce
	}
	if c.SID != "" {
		out["sid"] = c.SID
	}
	signer, err := i.opts.Keys(ctx)
	if err != nil {
		return "", fmt.Errorf("signing keys: %w", err)
	}
	token, err := signer.Sign(out, keys.TypIDToken)
	if err != nil {
		return "", fmt.Errorf("sign ID token: %w", err)
	}
	return token, nil
}

// resolveResource picks the API resource a user access token is for, as oidc-provider's
// resolveResource with Logto's useGrantedResource: false:
//
//   - a `resource` parameter names it; it must be one the authorization request asked for
//     (granted), and only one may be named;
//   - without one, a request that included openid gets an opaque token for the userinfo
//     endpoint (nil), whatever resources were granted;
//   - otherwise the one granted resource, or among several the tenant's default resource; with
//     none granted, an opaque token.
func (i *userTokenIssuer) resolveResource(ctx context.Context, requested, granted, scopes []string) (*model.Resource, error) {
	var indicator string
	switch {
	case len(requested) > 0:
		for _, r := range requested {
			if r != requested[0] {
				return nil, oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget,
					"only a single resource indicator value must be requested/resolved during Access Token oauth.Request")
			}
		}
		indicator = requested[0]
	case len(granted) == 0, slices.Contains(scopes, claims.OpenID):
		return nil, nil
	case len(granted) == 1:
		indicator = granted[0]
	default:
		def, err := i.opts.Directory.DefaultResource(ctx, i.opts.TenantID)
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		indicator = def.Indicator
	}
	if !slices.Contains(granted, indicator) {
		return nil, invalidTarget()
	}
	r, err := i.opts.Directory.Resource(ctx, i.opts.TenantID, indicator)
	if errors.Is(err, model.ErrNotFound) {
		return nil, invalidTarget() // deleted since the authorization
	}
	return r, err
}

func invalidTarget() *oautherr.Error {
	return oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget, "resource indicator is missing, or unknown")
}

// accessToken is an access token about to be issued: a signed JWT for an API resource, or the
// record of an opaque token the service stores under a fresh secret.
type accessToken struct {
	jwt       string
	opaque    *model.AccessToken
	expiresIn int64
	scope     string
}

// accessTokenFor prepares the access token of a user grant. For an API resource it is a JWT
// (typ at+jwt, aud the indicator) whose scope is what was asked for, cut down to what the grant
// allows on that resource and what the user holds on it through roles right now (Logto's
// findResourceScopes), living the resource's accessTokenTtl. Otherwise it is opaque, carries the
// asked-for OIDC scopes of the grant and lives an hour.
func (i *userTokenIssuer) accessTokenFor(ctx context.Context, client *directory.Client, userID string, grant model.Grant,
	scopes []string, resource *model.Resource, sid string) (accessToken, error) {
	if resource != nil {
		held, err := i.opts.Accounts.UserScopeNames(ctx, i.opts.TenantID, userID, resource.ID)
		if err != nil {
			return accessToken{}, fmt.Errorf("user scopes on %s: %w", resource.Indicator, err)
		}
		allowed := grant.ResourceScopes[resource.Indicator]
		var kept []string
		for _, s := range scopes {
			if slices.Contains(held, s) && slices.Contains(allowed, s) && !slices.Contains(kept, s) {
				kept = append(kept, s)
			}
		}
		scope := strings.Join(kept, " ")
		token, ttl, err := i.accessTokens.issue(ctx, userID, client.ID, resource, scope)
		if err != nil {
			return accessToken{}, err
		}
		return accessToken{jwt: token, expiresIn: ttl, scope: scope}, nil
	}
	scope := strings.Join(grantedOIDCScopes(grant, scopes), " ")
	now := i.opts.Clock.Now()
	return accessToken{
		opaque: &model.AccessToken{GrantID: grant.ID, ClientID: client.ID, AccountID: userID, Scope: scope, SID: sid,
			CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(OpaqueAccessTokenTTL).UnixMilli()},
		expiresIn: int64(OpaqueAccessTokenTTL / time.Second),
		scope:     scope,
	}, nil
}

// grantedOIDCScopes returns the OIDC scopes among scopes that grant holds, in request order
// (oidc-provider's Grant.getOIDCScopeFiltered).
func grantedOIDCScopes(grant model.Grant, scopes []string) []string {
	var out []string
	for _, s := range scopes {
		if claims.IsOIDCScope(s) && slices.Contains(grant.Scopes, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// newRefreshTokenRecord is a refresh token continuing an authorization; the service fills in its
// secret.
func newRefreshTokenRecord(client *directory.Client, grantID, accountID, scope string, resources []string, nonce, sid string,
	authTime int64, rotations int, firstIssuedAt int64, now time.Time, expiresAt int64) *model.RefreshToken {
	return &model.RefreshToken{
		GrantID: grantID, ClientID: client.ID, AccountID: accountID, Scope: scope, Resources: resources, Nonce: nonce,
		SID: sid, AuthTime: authTime, Rotations: rotations, FirstIssuedAt: firstIssuedAt,
		CreatedAt: now.UnixMilli(), ExpiresAt: expiresAt,
	}
}
