package management

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// clockLeeway absorbs clock skew between the node that issued a token and this one when
// checking exp, nbf and iat.
const clockLeeway = 10 * time.Second

// maxCachedTokens bounds the verified-token cache; a flood of distinct valid tokens evicts old
// entries instead of growing memory.
const maxCachedTokens = 10_000

// authenticator checks Management API bearer tokens (logto-core §3.1): a JWT signed by the
// tenant's keys with the tenant's issuer, or by the admin tenant's keys with the admin issuer;
// audience https://<tenant>.logto.app/api; scope containing `all`.
//
// Verifying an ES384 signature costs about 600 µs, so verified tokens are remembered (by SHA-256
// of the token) until they expire, as long as the key set that verified them is still current.
type authenticator struct {
	tenantID    string
	issuer      string
	adminIssuer string
	audience    string
	keys        KeySets
	clk         clock.Clock

	mu    sync.Mutex
	cache map[[sha256.Size]byte]verifiedToken
}

// verifiedToken is what the cache remembers of a token whose signature and claims checked out.
type verifiedToken struct {
	set    *keys.Set // the key set that verified it; a reloaded set means verify again
	expiry time.Time
	hasAll bool
	caller caller
}

// caller is who a verified token was issued to: its client, and its subject (the same client
// for machine-to-machine tokens, a user otherwise). Audit entries of the request's changes name
// them.
type caller struct {
	clientID, subject string
}

func newAuthenticator(tenantID, issuer, adminIssuer string, ks KeySets, clk clock.Clock) *authenticator {
	if tenantID == model.AdminTenantID || adminIssuer == issuer {
		adminIssuer = "" // the admin tenant trusts only itself
	}
	return &authenticator{tenantID: tenantID, issuer: issuer, adminIssuer: adminIssuer,
		audience: model.ManagementAPIIndicator(tenantID), keys: ks, clk: clk,
		cache: map[[sha256.Size]byte]verifiedToken{}}
}

// accessClaims are the claims of a client_credentials (or console) access token that matter here.
type accessClaims struct {
	Iss      string        `json:"iss"`
	Sub      string        `json:"sub"`
	Aud      keys.Audience `json:"aud"`
	Scope    string        `json:"scope"`
	ClientID string        `json:"client_id"`
	Exp      *float64      `json:"exp"`
	Nbf      *float64      `json:"nbf"`
	Iat      *float64      `json:"iat"`
}

func errUnauthorized() *apperr.Error {
	return apperr.New(http.StatusUnauthorized, "auth.unauthorized", "Unauthorized. Please check credentials and its scope.")
}

// authenticate answers nil when r carries a valid Management API token with scope `all`, and
// otherwise Logto's error: 401 auth.authorization_header_missing, 401
// auth.authorization_token_type_not_supported, 401 auth.unauthorized (bad, expired, foreign or
// unsigned token), 401 auth.jwt_sub_missing, or 403 auth.forbidden (valid token without `all`).
func (a *authenticator) authenticate(r *http.Request) (caller, error) {
	header := r.Header.Get("Authorization")
	if strings.TrimSpace(header) == "" {
		return caller{}, apperr.New(http.StatusUnauthorized, "auth.authorization_header_missing", "Authorization header is missing.")
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(header), " ")
	// RFC 7235 §2.1: the scheme is case-insensitive (Logto itself only accepts "Bearer").
	if !strings.EqualFold(scheme, "Bearer") {
		return caller{}, apperr.New(http.StatusUnauthorized, "auth.authorization_token_type_not_supported",
			"Authorization type is not supported.").WithData(map[string]any{"supportedTypes": []string{"Bearer"}})
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return caller{}, errUnauthorized()
	}
	v, err := a.verify(r, token)
	if err != nil {
		return caller{}, err
	}
	if !v.hasAll {
		return caller{}, apperr.New(http.StatusForbidden, "auth.forbidden", "Forbidden. Please check your user roles and permissions.")
	}
	return v.caller, nil
}

// verify checks token and reports whether its scope holds `all`: its issuer picks the keys, a
// token this key set verified before is answered from the cache, else its signature and then
// its claims are checked.
func (a *authenticator) verify(r *http.Request, token string) (verifiedToken, error) {
	iss, ok := unverifiedIssuer(token)
	if !ok {
		return verifiedToken{}, errUnauthorized()
	}
	keyTenant, ok := a.keyTenantOf(iss)
	if !ok {
		return verifiedToken{}, errUnauthorized()
	}
	set, err := a.keys.Keys(r.Context(), keyTenant)
	if err != nil {
		return verifiedToken{}, err // the keys cannot be read: a fault, answered 500
	}
	now := a.clk.Now()
	sum := sha256.Sum256([]byte(token))
	if v, hit := a.cached(sum, set, now); hit {
		return v, nil
	}
	var c accessClaims
	if _, err := set.Verify(token, &c); err != nil {
		return verifiedToken{}, errUnauthorized()
	}
	if err := a.checkClaims(c, iss, now); err != nil {
		return verifiedToken{}, err
	}
	v := verifiedToken{set: set, expiry: epoch(*c.Exp), hasAll: slices.Contains(strings.Fields(c.Scope), model.ScopeAll),
		caller: caller{clientID: c.ClientID, subject: c.Sub}}
	a.remember(sum, v, now)
	return v, nil
}

// keyTenantOf names the tenant whose keys sign tokens of issuer iss: this tenant's own, or the
// admin tenant's when this tenant trusts it; false for any other issuer.
func (a *authenticator) keyTenantOf(iss string) (string, bool) {
	switch {
	case iss == a.issuer:
		return a.tenantID, true
	case a.adminIssuer != "" && iss == a.adminIssuer:
		return model.AdminTenantID, true
	}
	return "", false
}

// cached answers a token (by its hash sum) that set verified before and that has not expired.
func (a *authenticator) cached(sum [sha256.Size]byte, set *keys.Set, now time.Time) (verifiedToken, bool) {
	a.mu.Lock()
	v, hit := a.cache[sum]
	a.mu.Unlock()
	if hit && v.set == set && now.Before(v.expiry.Add(clockLeeway)) {
		return v, true
	}
	return verifiedToken{}, false
}

// checkClaims checks a verified token's claims: the issuer it was chosen by, this API as
// audience, the times, and a subject.
func (a *authenticator) checkClaims(c accessClaims, iss string, now time.Time) error {
	if c.Iss != iss || !c.Aud.Contains(a.audience) {
		return errUnauthorized()
	}
	if !validTimes(c, now) {
		return errUnauthorized()
	}
	if c.Sub == "" {
		return apperr.New(http.StatusUnauthorized, "auth.jwt_sub_missing", "Missing `sub` in JWT.")
	}
	return nil
}

// validTimes reports whether a Management API token's times hold: it must expire (and not have
// expired), and nbf and iat must not lie in the future (each within clockLeeway).
func validTimes(c accessClaims, now time.Time) bool {
	if c.Exp == nil || !finite(*c.Exp) || now.After(epoch(*c.Exp).Add(clockLeeway)) {
		return false
	}
	return notInFuture(c.Nbf, now) && notInFuture(c.Iat, now)
}

// notInFuture reports whether the optional NumericDate t is absent, or finite and not after now.
func notInFuture(t *float64, now time.Time) bool {
	return t == nil || (finite(*t) && !now.Add(clockLeeway).Before(epoch(*t)))
}

// remember caches a verified token, evicting expired entries (and then arbitrary ones) when the
// cache is full.
func (a *authenticator) remember(sum [sha256.Size]byte, v verifiedToken, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cache) >= maxCachedTokens {
		for k, e := range a.cache {
			if now.After(e.expiry.Add(clockLeeway)) {
				delete(a.cache, k)
			}
		}
		for k := range a.cache {
			if len(a.cache) < maxCachedTokens {
				break
			}
			delete(a.cache, k)
		}
	}
	a.cache[sum] = v
}

// unverifiedIssuer reads `iss` from a compact JWS payload before verification, only to choose
// which tenant's keys verify it; the verified payload is checked again afterwards.
func unverifiedIssuer(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > 16<<10 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Iss == "" {
		return "", false
	}
	return c.Iss, true
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1e12 }

// epoch converts a NumericDate (RFC 7519 §2, seconds, possibly fractional) to a time.
func epoch(f float64) time.Time { return time.UnixMilli(int64(f * 1000)) }
