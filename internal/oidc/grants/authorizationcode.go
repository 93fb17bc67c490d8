package grants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
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

func (g *authorizationCode) GrantType() string { return GrantAuthorizationCode }

func (g *authorizationCode) Authorize(ctx context.Context, req *Request, client *directory.Client) (*TokenResponse, error) {
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
	if rec.ClientID != client.ID {
		return nil, oautherr.InvalidGrantError("client mismatch")
	}
	now := opts.Clock.Now()
	if rec.ExpiresAt <= now.UnixMilli() {
		return nil, oautherr.InvalidGrantError("authorization code is expired")
	}
	grant, err := opts.Service.GetGrant(ctx, opts.TenantID, rec.GrantID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, oautherr.InvalidGrantError("grant not found")
	}
	if err != nil {
		return nil, err
	}
	if grant.ClientID != client.ID {
		return nil, oautherr.InvalidGrantError("client mismatch")
	}
	// The authorization endpoint already refused a request without a challenge from a client that
	// must use PKCE; a code issued before the client's requirePkce was switched on is refused here.
	if rec.CodeChallenge == "" && client.PKCERequired() {
		return nil, oautherr.InvalidGrantError("PKCE is required for this client")
	}
	if oerr := verifyPKCE(req.Params.Get("code_verifier"), rec.CodeChallenge, rec.CodeChallengeMethod); oerr != nil {
		return nil, oerr
	}
	if rec.RedirectURI != redirectURI {
		return nil, oautherr.InvalidGrantError("authorization code redirect_uri mismatch")
	}
	if rec.ConsumedAt != nil {
		return nil, g.replayed(ctx, rec.GrantID)
	}
	user, err := ActiveUser(ctx, opts.Accounts, opts.TenantID, rec.AccountID)
	if inactive := (*InactiveAccountError)(nil); errors.As(err, &inactive) {
		return nil, oautherr.InvalidGrantError(inactive.Reason)
	}
	if err != nil {
		return nil, err
	}
	if grant.AccountID != rec.AccountID {
		return nil, oautherr.InvalidGrantError("accountId mismatch")
	}

	// Everything is signed before the code is consumed: a failure to sign then leaves the code
	// usable, and a consumed code always yields its tokens.
	scopes := strings.Fields(rec.Scope)
	resource, err := g.issuer.resolveResource(ctx, req.Resources, rec.Resources, scopes)
	if err != nil {
		return nil, err
	}
	at, err := g.issuer.accessTokenFor(ctx, client, user.ID, grant, scopes, resource, rec.SID)
	if err != nil {
		return nil, err
	}
	resp := &TokenResponse{AccessToken: at.jwt, ExpiresIn: at.expiresIn, Scope: at.scope, TokenType: "Bearer"}
	if slices.Contains(scopes, claims.OpenID) {
		iat := now.Truncate(time.Second)
		resp.IDToken, err = g.issuer.idToken(ctx, client, user, grantedOIDCScopes(grant, scopes), idTokenClaims{
			Issuer: opts.Issuer, Audience: client.ID, IssuedAt: iat.Unix(), Expiry: iat.Add(IDTokenTTL(&client.Application)).Unix(),
			AuthTime: rec.AuthTime, Nonce: rec.Nonce, SID: rec.SID,
		})
		if err != nil {
			return nil, err
		}
	}
	issue := protocol.NewTokens{AccessToken: at.opaque}
	if issuesRefreshToken(&client.Application, scopes) {
		issue.RefreshToken = newRefreshTokenRecord(client, grant.ID, user.ID, rec.Scope, rec.Resources, rec.Nonce, rec.SID,
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
