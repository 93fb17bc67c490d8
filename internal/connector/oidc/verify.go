package oidc

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// defaultAlgorithms are the signature algorithms an ID token may use when the config names
// none: the asymmetric ones (OpenID Connect Core §3.1.3.7 makes RS256 the default); never
// "none", and never an HMAC keyed with the client secret, which the admin shares with others.
var defaultAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

func supportedAlg(a string) bool {
	return slices.Contains(defaultAlgorithms, jose.SignatureAlgorithm(a))
}

func (c *Connector) algorithms() []jose.SignatureAlgorithm {
	if len(c.cfg.IDTokenVerificationConfig.Algorithms) == 0 {
		return defaultAlgorithms
	}
	var out []jose.SignatureAlgorithm
	for _, a := range c.cfg.IDTokenVerificationConfig.Algorithms {
		out = append(out, jose.SignatureAlgorithm(a))
	}
	return out
}

// idClaims are the ID-token claims Gatehouse reads (Logto's idTokenProfileStandardClaimsGuard).
type idClaims struct {
	jwt.Claims
	Nonce         string `json:"nonce"`
	Name          string `json:"name"`
	Picture       string `json:"picture"`
	Email         string `json:"email"`
	EmailVerified any    `json:"email_verified"`
	Phone         string `json:"phone"`
	PhoneNumber   string `json:"phone_number"`
	PhoneVerified any    `json:"phone_number_verified"`
}

// verify checks the ID token's signature with the provider's JWKS, its issuer (when known), that
// its audience holds the client id, its times (with the configured tolerance), and that its
// nonce is this sign-in's (OpenID Connect Core §3.1.3.7; Logto checks the nonce only when the
// token has one, Gatehouse always).
func (c *Connector) verify(ctx context.Context, ep endpoints, raw, nonce string) (idClaims, json.RawMessage, error) {
	invalid := func(why string) (idClaims, json.RawMessage, error) {
		return idClaims{}, nil, connector.Errorf(connector.CodeIDTokenInvalid, "the ID token %s", why)
	}
	tok, err := jwt.ParseSigned(raw, c.algorithms())
	if err != nil || len(tok.Headers) != 1 {
		return invalid("is not a JWT signed with an accepted algorithm")
	}
	var set jose.JSONWebKeySet
	if err := c.getJSON(ctx, ep.JwksURI, &set); err != nil {
		return idClaims{}, nil, err
	}
	keys := set.Keys
	if kid := tok.Headers[0].KeyID; kid != "" {
		keys = set.Key(kid)
	}
	var claims idClaims
	var all map[string]any
	verified := false
	for _, k := range keys {
		if tok.Claims(k.Key, &claims, &all) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return invalid("signature does not verify with the provider's keys")
	}
	leeway := time.Duration(c.cfg.IDTokenVerificationConfig.ClockTolerance) * time.Second
	exp := jwt.Expected{Issuer: ep.Issuer, AnyAudience: jwt.Audience{c.cfg.ClientID}, Time: c.now()}
	if err := claims.ValidateWithLeeway(exp, max(leeway, time.Minute)); err != nil || claims.Expiry == nil {
		return invalid("is for another issuer or client, or expired")
	}
	if claims.Subject == "" {
		return invalid("has no subject")
	}
	if !nonceMatches(nonce, claims.Nonce) {
		return invalid("nonce is not this sign-in's")
	}
	rawClaims, _ := json.Marshal(all)
	return claims, rawClaims, nil
}

// mapClaims is Logto's mapping: id = sub, name, avatar = picture, the email only when verified
// (or trusted by config), the phone only when verified.
func (c *Connector) mapClaims(cl idClaims, raw json.RawMessage) connector.UserInfo {
	info := connector.UserInfo{ID: cl.Subject, Name: cl.Name, Avatar: cl.Picture, Raw: raw}
	if cl.Email != "" && (c.truthy(cl.EmailVerified) || c.cfg.TrustUnverifiedEmail) {
		info.Email = cl.Email
	}
	phone := cl.PhoneNumber
	if phone == "" {
		phone = cl.Phone
	}
	if phone != "" && c.truthy(cl.PhoneVerified) {
		info.Phone = phone
	}
	return info
}

// truthy is a boolean claim; "true" counts only with acceptStringTypedBooleanClaims.
func (c *Connector) truthy(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return c.cfg.AcceptStringTypedBooleanClaims && b == "true"
	}
	return false
}
