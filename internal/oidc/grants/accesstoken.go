package grants

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// AccessTokenType is the JWT header typ of access tokens (RFC 9068 §2.1).
const AccessTokenType = "at+jwt"

// AccessTokenClaims are the claims of a JWT access token for a resource (RFC 9068 §2.2), in
// the order oidc-provider writes them. Scope is left out when empty, as Logto does.
type AccessTokenClaims struct {
	JTI      string `json:"jti"`
	Subject  string `json:"sub"`
	IssuedAt int64  `json:"iat"`
	Expiry   int64  `json:"exp"`
	Scope    string `json:"scope,omitempty"`
	ClientID string `json:"client_id"`
	Issuer   string `json:"iss"`
	Audience string `json:"aud"`
}

// accessTokenIssuer mints JWT access tokens for API resources (Logto: accessTokenFormat "jwt"
// whenever a resource is named).
type accessTokenIssuer struct {
	issuer string
	keys   func(ctx context.Context) (Signer, error)
	clock  clock.Clock
}

// issue signs an access token for subject and clientID, audience resource, with scope; it
// lives for the resource's accessTokenTtl. It returns the token and its lifetime in seconds.
func (t *accessTokenIssuer) issue(ctx context.Context, subject, clientID string, resource *model.Resource, scope string) (string, int64, error) {
	ttl := resource.AccessTokenTTL
	if ttl <= 0 {
		ttl = model.DefaultAccessTokenTTL
	}
	now := t.clock.Now().Truncate(time.Second).Unix()
	claims := AccessTokenClaims{
		// 43 characters of [0-9A-Za-z] ≈ 256 bits, the length of oidc-provider's token ids.
		JTI:      ids.NewString(43),
		Subject:  subject,
		IssuedAt: now,
		Expiry:   now + ttl,
		Scope:    scope,
		ClientID: clientID,
		Issuer:   t.issuer,
		Audience: resource.Indicator,
	}
	signer, err := t.keys(ctx)
	if err != nil {
		return "", 0, fmt.Errorf("signing keys: %w", err)
	}
	token, err := signer.Sign(claims, AccessTokenType)
	if err != nil {
		return "", 0, fmt.Errorf("sign access token: %w", err)
	}
	return token, ttl, nil
}
