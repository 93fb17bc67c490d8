package grants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// authorizationCode serves authorization_code (RFC 6749 §4.1.3, OIDC Core §3.1.3): the client
// trades the one-time code from the authorization response for an ID token, an access token and,
// when offline access was granted, a refresh token.
//
// The checks follow oidc-provider's order, so clients see Logto's answers: the code must exist,
// belong to this client and be fresh; its grant must live; the PKCE verifier and redirect_uri
// must match; only then does a second use count as replay, which revokes the grant and with it
// every token the first exchange issued (RFC 9700 §4.5.3.1). A wrong verifier or redirect_uri
// does not burn the code, so only the holder of the verifier can trigger the revocation.
type authorizationCode struct{ issuer *userTokenIssuer }

func (g *authorizationCode) GrantType() string { return oauth.GrantAuthorizationCode }

func (g *authorizationCode) Authorize(ctx context.Context, req *oauth.Request, client *directory.Client) (*TokenResponse, error) {
	opts := g.issuer.opts
	code, redirectURI := req.Params.Get("code"), req.Params.Get("redirect_uri")
	if redirectURI == "" && len(client.OIDCClientMetadata.RedirectURIs) == 1 {
		// oidc-provider's allowOmittingSingleRegisteredRedirectUri, as at the authorization endpoint.
		redirectURI = client.OIDCClientMetadata.RedirectURIs[0]
	}
	if missing := missingParams(map[string]string{"code": code, "redirect_uri": redirectURI}, "code", "redirect_uri"); missing != nil {
		return nil, missing
	}
	rec, err := opts.Service.FindAuthorizationCode(ctx, opts.TenantID, code)
	if errors.Is(err, model.ErrNotFound) {
		return nil, oautherr.InvalidGrantError("authorization code not found")
	}
	if err != nil {
		return nil, err
	}
	now := opts.Clock.Now()
	art := artifact{kind: "authorization code", clientID: rec.ClientID, accountID: rec.AccountID, expiresAt: rec.ExpiresAt}
	grant, err := redeemPrologue(art, client, now, func() (model.Grant, error) {
		return opts.Service.GetGrant(ctx, opts.TenantID, rec.GrantID)
	})
	if err != nil {
		return nil, err
	}
	if oerr := checkCodeBinding(rec, client, req.Params.Get("code_verifier"), redirectURI); oerr != nil {
		return nil, oerr
	}
	if rec.ConsumedAt != nil {
		return nil, g.replayed(ctx, rec.GrantID)
	}
	user, err := g.issuer.account(ctx, art, grant)
	if err != nil {
		return nil, err
	}
	scopes := strings.Fields(rec.Scope)
	resp, at, err := g.issuer.signTokens(ctx, issuance{client: client, user: user, grant: grant, scopes: scopes,
		requested: req.Resources, held: rec.Resources, sid: rec.SID, nonce: rec.Nonce, authTime: rec.AuthTime}, now)
	if err != nil {
		return nil, err
	}
	return g.redeem(ctx, rec, client, grant, at, resp, now)
}

// checkCodeBinding checks what binds the code to its authorization request: the PKCE verifier
// (RFC 7636 §4.6; required for a client that must use PKCE, even for a code issued before that
// was switched on) and the redirect URI (RFC 6749 §4.1.3).
func checkCodeBinding(rec model.AuthorizationCode, client *directory.Client, verifier, redirectURI string) *oautherr.Error {
	if rec.CodeChallenge == "" && client.PKCERequired() {
		return oautherr.InvalidGrantError("PKCE is required for this client")
	}
	if oerr := oauth.VerifyPKCE(verifier, rec.CodeChallenge, rec.CodeChallengeMethod); oerr != nil {
		return oerr
	}
	if rec.RedirectURI != redirectURI {
		return oautherr.InvalidGrantError("authorization code redirect_uri mismatch")
	}
	return nil
}

// redeem consumes the code and stores what it issued: the opaque access token and, with offline
// access, a refresh token. A concurrent exchange that won counts as a replay.
func (g *authorizationCode) redeem(ctx context.Context, rec model.AuthorizationCode, client *directory.Client, grant model.Grant,
	at accessToken, resp *TokenResponse, now time.Time) (*TokenResponse, error) {
	opts := g.issuer.opts
	issue := protocol.NewTokens{AccessToken: at.opaque}
	if issuesRefreshToken(&client.Application, strings.Fields(rec.Scope)) {
		issue.RefreshToken = newRefreshTokenRecord(client, grant.ID, rec.AccountID, rec.Scope, rec.Resources, rec.Nonce, rec.SID,
			rec.AuthTime, 0, now.UnixMilli(), now, now.Add(RefreshTokenTTL(&client.Application)).UnixMilli())
	}
	issued, err := opts.Service.RedeemAuthorizationCode(ctx, opts.TenantID, rec.Hash, issue)
	if errors.Is(err, protocol.ErrConsumed) {
		return nil, g.replayed(ctx, rec.GrantID) // a concurrent exchange won
	}
	if err != nil {
		return nil, err
	}
	if at.opaque != nil {
		resp.AccessToken = issued.AccessToken
	}
	resp.RefreshToken = issued.RefreshToken
	return resp, nil
}

// replayed answers a second use of a code: the grant goes, and with it everything the code's
// first exchange issued.
func (g *authorizationCode) replayed(ctx context.Context, grantID string) error {
	if err := g.issuer.opts.Service.RevokeGrant(ctx, g.issuer.opts.TenantID, grantID); err != nil {
		return fmt.Errorf("revoke the grant of a replayed code: %w", err)
	}
	return oautherr.InvalidGrantError("authorization code already consumed")
}

// missingParams answers the parameters among names whose value in values is empty.
func missingParams(values map[string]string, names ...string) *oautherr.Error {
	var missing []string
	for _, n := range names {
		if values[n] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return oautherr.MissingParams(missing...)
}
