package grants

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// artifact is what the two redeeming grants (authorization_code, refresh_token) check alike about
// the code or refresh token presented.
type artifact struct {
	kind      string // "authorization code" or "refresh token", for the error descriptions
	clientID  string
	accountID string
	expiresAt int64 // epoch ms
}

// redeemPrologue is the first phase of both redeeming grants, in oidc-provider's order: the
// artifact was issued to this client and has not expired; then its grant (loadGrant reads it,
// or hands over the one read with the artifact) exists and is this client's.
func redeemPrologue(a artifact, client *directory.Client, now time.Time, loadGrant func() (model.Grant, error)) (model.Grant, error) {
	if a.clientID != client.ID {
		return model.Grant{}, oautherr.InvalidGrantError("client mismatch")
	}
	if a.expiresAt <= now.UnixMilli() {
		return model.Grant{}, oautherr.InvalidGrantError(a.kind + " is expired")
	}
	grant, err := loadGrant()
	if errors.Is(err, model.ErrNotFound) {
		return model.Grant{}, oautherr.InvalidGrantError("grant not found")
	}
	if err != nil {
		return model.Grant{}, err
	}
	if grant.ClientID != client.ID {
		return model.Grant{}, oautherr.InvalidGrantError("client mismatch")
	}
	return grant, nil
}

// account is the user an artifact was issued to, who must still be active and still hold the
// grant (Logto's findAccount and its accountId check).
func (i *userTokenIssuer) account(ctx context.Context, a artifact, grant model.Grant) (model.User, error) {
	user, err := oauth.ActiveUser(ctx, i.opts.Accounts, i.opts.TenantID, a.accountID)
	if inactive := (*oauth.InactiveAccountError)(nil); errors.As(err, &inactive) {
		return model.User{}, oautherr.InvalidGrantError(inactive.Reason)
	}
	if err != nil {
		return model.User{}, err
	}
	if grant.AccountID != a.accountID {
		return model.User{}, oautherr.InvalidGrantError("accountId mismatch")
	}
	return user, nil
}

// issuance is what a redeeming grant issues tokens for.
type issuance struct {
	client    *directory.Client
	user      model.User
	grant     model.Grant
	scopes    []string
	requested []string // resource indicators of the token request
	held      []string // resource indicators the code or refresh token carries
	sid       string
	nonce     string
	authTime  int64 // unix seconds
}

// signTokens makes the response's access token (a JWT for a resource, else an opaque one that
// is stored later) and, for the openid scope, its ID token. Everything is signed before the code
// or refresh token is used up, so a failure to sign leaves it usable.
func (i *userTokenIssuer) signTokens(ctx context.Context, in issuance, now time.Time) (*TokenResponse, accessToken, error) {
	resource, err := i.resolveResource(ctx, in.requested, in.held, in.scopes)
	if err != nil {
		return nil, accessToken{}, err
	}
	at, err := i.accessTokenFor(ctx, in.client, in.user.ID, in.grant, in.scopes, resource, in.sid)
	if err != nil {
		return nil, accessToken{}, err
	}
	resp := &TokenResponse{AccessToken: at.jwt, ExpiresIn: at.expiresIn, Scope: at.scope, TokenType: "Bearer"}
	if !slices.Contains(in.scopes, claims.OpenID) {
		return resp, at, nil
	}
	iat := now.Truncate(time.Second)
	resp.IDToken, err = i.idToken(ctx, in.client, in.user, grantedOIDCScopes(in.grant, in.scopes), idTokenClaims{
		Issuer: i.opts.Issuer, Audience: in.client.ID, IssuedAt: iat.Unix(),
		Expiry:   iat.Add(IDTokenTTL(&in.client.Application)).Unix(),
		AuthTime: in.authTime, Nonce: in.nonce, SID: in.sid,
	})
	if err != nil {
		return nil, accessToken{}, err
	}
	return resp, at, nil
}
