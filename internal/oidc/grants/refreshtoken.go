package grants

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// maxRotatingLifetime is how long a refresh token chain keeps rotating: a year after its first
// token, its TTL is final (oidc-provider's rotateRefreshToken default, Logto's).
const maxRotatingLifetime = time.Duration(365.25 * 24 * float64(time.Hour))

// refreshToken serves refresh_token (RFC 6749 §6) as Logto's fork of oidc-provider does
// (core/oidc/grants/refresh-token.ts): new access and ID tokens for a refresh token, with the
// token rotated when the rotation policy says so (rotates). A rotated token still works for
// protocol.RefreshTokenReuseInterval, so concurrent refreshes of one app do not race each other
// out; after that, using it again is reuse (RFC 9700 §4.14.2) and revokes the whole grant, the
// newest rotated token included.
type refreshToken struct{ issuer *userTokenIssuer }

func (g *refreshToken) GrantType() string { return oauth.GrantRefreshToken }

func (g *refreshToken) Authorize(ctx context.Context, req *oauth.Request, client *directory.Client) (*TokenResponse, error) {
	opts := g.issuer.opts
	value := req.Params.Get("refresh_token")
	if value == "" {
		return nil, oautherr.MissingParams("refresh_token")
	}
	// The token and its grant in one read: a revoked grant takes its tokens with it.
	rec, grant, err := opts.Service.FindRefreshTokenWithGrant(ctx, opts.TenantID, value)
	if errors.Is(err, model.ErrNotFound) {
		return nil, oautherr.InvalidGrantError("refresh token not found")
	}
	if err != nil {
		return nil, err
	}
	now := opts.Clock.Now()
	art := artifact{kind: "refresh token", clientID: rec.ClientID, accountID: rec.AccountID, expiresAt: rec.ExpiresAt}
	if _, err := redeemPrologue(art, client, now, func() (model.Grant, error) { return grant, nil }); err != nil {
		return nil, err
	}
	scopes, oerr := narrowedScopes(rec.Scope, req.Scope)
	if oerr != nil {
		return nil, oerr
	}
	user, err := g.issuer.account(ctx, art, grant)
	if err != nil {
		return nil, err
	}
	if !protocol.RefreshUsable(rec, now) {
		return nil, g.reused(ctx, rec.GrantID)
	}
	if req.Params.Get("organization_id") != "" {
		// Logto issues organization tokens here after checking membership; Gatehouse has no
		// organizations, so the user is a member of none: Logto's answer for that case.
		return nil, oautherr.New(http.StatusForbidden, oautherr.AccessDenied, "user is not a member of the organization")
	}
	resp, at, err := g.issuer.signTokens(ctx, issuance{client: client, user: user, grant: grant, scopes: scopes,
		requested: req.Resources, held: rec.Resources, sid: rec.SID, nonce: rec.Nonce, authTime: rec.AuthTime}, now)
	if err != nil {
		return nil, err
	}
	resp.RefreshToken = value
	return g.exchange(ctx, rec, client, at, resp, now)
}

// narrowedScopes is the scopes of the refreshed tokens: the refresh token's, or the subset the
// request names. A refresh may narrow the scope, never widen it (RFC 6749 §6).
func narrowedScopes(held, requested string) ([]string, *oautherr.Error) {
	heldScopes := strings.Fields(held)
	if requested == "" {
		return heldScopes, nil
	}
	wanted := strings.Fields(requested)
	var missing []string
	for _, s := range wanted {
		if !slices.Contains(heldScopes, s) && !slices.Contains(missing, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return wanted, nil
	}
	noun := "scope"
	if len(missing) > 1 {
		noun = "scopes"
	}
	e := oautherr.New(http.StatusBadRequest, oautherr.InvalidScope, "refresh token missing requested "+noun)
	e.Scope = strings.Join(missing, " ")
	return nil, e
}

// exchange stores the refresh's new opaque access token and, when the policy rotates it, the
// refresh token's successor. A concurrent refresh that consumed the token first counts as reuse.
func (g *refreshToken) exchange(ctx context.Context, rec model.RefreshToken, client *directory.Client,
	at accessToken, resp *TokenResponse, now time.Time) (*TokenResponse, error) {
	opts := g.issuer.opts
	rotate := rotates(&client.Application, rec, now)
	issue := protocol.NewTokens{AccessToken: at.opaque}
	if rotate {
		expiresAt := now.Add(RefreshTokenTTL(&client.Application)).UnixMilli()
		if client.Type == model.AppSPA {
			// A browser app's rotated token keeps the remaining lifetime: rotation never extends a
			// token a script in the page could have copied (oidc-provider's refreshTokenTtl for
			// web clients without authentication).
			expiresAt = rec.ExpiresAt
		}
		issue.RefreshToken = newRefreshTokenRecord(client, rec.GrantID, rec.AccountID, rec.Scope, rec.Resources, rec.Nonce, rec.SID,
			rec.AuthTime, rec.Rotations+1, rec.FirstIssuedAt, now, expiresAt)
	}
	issued, err := opts.Service.ExchangeRefreshToken(ctx, opts.TenantID, rec, rotate, issue)
	if errors.Is(err, protocol.ErrConsumed) {
		return nil, g.reused(ctx, rec.GrantID)
	}
	if err != nil {
		return nil, err
	}
	if at.opaque != nil {
		resp.AccessToken = issued.AccessToken
	}
	if rotate {
		resp.RefreshToken = issued.RefreshToken
	}
	return resp, nil
}

// reused answers the use of a refresh token rotated longer ago than the reuse leeway: someone
// holds a copy, so the grant goes with every token under it.
func (g *refreshToken) reused(ctx context.Context, grantID string) error {
	if err := g.issuer.opts.Service.RevokeGrant(ctx, g.issuer.opts.TenantID, grantID); err != nil {
		return fmt.Errorf("revoke the grant of a reused refresh token: %w", err)
	}
	return oautherr.InvalidGrantError("refresh token already used")
}

// rotates decides whether this refresh replaces the refresh token. Gatehouse follows Logto
// (customClientMetadata.rotateRefreshToken, default true, then oidc-provider's default policy):
//
//   - never when the application turned rotation off;
//   - never once the chain is a year old: its remaining lifetime is final;
//   - always for public clients (SPA, Native): nothing but the token itself proves who presents
//     it, so every use must retire it (RFC 9700 §4.14.2);
//   - for confidential clients, once 70% of the token's lifetime has passed: their tokens are bound
//     to the client secret, and rotating on every call would only multiply rows and races.
func rotates(app *model.Application, rec model.RefreshToken, now time.Time) bool {
	if r := app.CustomClientMetadata.RotateRefreshToken; r != nil && !*r {
		return false
	}
	if now.Sub(time.UnixMilli(rec.FirstIssuedAt)) >= maxRotatingLifetime {
		return false
	}
	if !app.Type.Confidential() {
		return true
	}
	lifetime := rec.ExpiresAt - rec.CreatedAt
	return lifetime <= 0 || (now.UnixMilli()-rec.CreatedAt)*100 >= lifetime*70
}
