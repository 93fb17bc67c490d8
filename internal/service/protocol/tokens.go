package protocol

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// The protocol's artifact vault: random bearer secrets, their digests, and the all-or-nothing
// writes that make codes one-time and refresh tokens single-use. Which tokens to issue, for how
// long and with what scope is the protocol's decision (package oidc); this file only keeps the
// promises the store alone cannot: a secret is never stored, an exchange either issues every token
// or none, and detected reuse takes the whole grant down.

// Lifetimes Logto gives protocol artifacts (logto-core.md §1.6).
const (
	AuthorizationCodeTTL = 60 * time.Second     // oidc-provider's default
	GrantTTL             = 180 * 24 * time.Hour // Logto: the longest a refresh token may live
	// RefreshTokenReuseInterval is how long after its rotation a refresh token still works. Logto
	// keeps this leeway (refreshTokenReuseInterval in queries/oidc-model-instance.ts) so that two
	// requests of one app refreshing at once, without shared storage (serverless), do not sign
	// the user out; past it, using a rotated token is reuse and revokes the grant.
	RefreshTokenReuseInterval = 3 * time.Second
)

// ErrConsumed means a one-time artifact was already used: an authorization code exchanged
// before, or a refresh token rotated more than RefreshTokenReuseInterval ago. The caller treats
// it as replay and revokes the grant (RFC 9700 §4.5.3.1, §4.14.2).
var ErrConsumed = errors.New("service: already used")

// secretBytes is the entropy of every bearer secret: 256 bits, as oidc-provider's opaque tokens.
const secretBytes = 32

// newSecret returns a fresh bearer secret (43 characters of base64url) and its digest.
func newSecret() (secret, hash string) {
	var b [secretBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a code, token or session secret: its SHA-256 digest in
// base64url. The secrets carry 256 random bits, so a plain digest (no salt, no slow KDF) already
// makes a stored value useless to whoever reads the database, and costs one hash per request.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ---------------------------------------------------------------------------------------------
// Grants

// Authorization is what a signed-in account allows a client in a browser session.
type Authorization struct {
	SessionID      string
	AccountID      string
	ClientID       string
	Scopes         []string            // OIDC scopes
	ResourceScopes map[string][]string // resource indicator -> scopes
	// PersistsLogout keeps the grant alive when the session ends (offline_access was granted).
	PersistsLogout bool
}

// AuthorizeClient records a: it widens the grant the session already holds for the client, when
// it holds one for the same account, or creates a grant; and it records the client's
// authorization in the session with its `sid`. It returns the grant and the authorization.
func (s *Protocol) AuthorizeClient(ctx context.Context, tenantID string, a Authorization) (model.Grant, model.SessionAuthorization, error) {
	var (
		grant model.Grant
		auth  model.SessionAuthorization
	)
	now := s.core.Clock().Now()
	err := s.core.Store().InTx(ctx, tenantID, func(t store.Tenant) error {
		repo := t.OIDC()
		var err error
		grant, auth, err = findSessionGrant(ctx, repo, a, now.UnixMilli())
		if err != nil {
			return err
		}
		if grant.ID == "" {
			grant, auth = newGrant(a, now)
			err = repo.CreateGrant(ctx, grant)
		} else {
			widenGrant(&grant, a)
			err = repo.UpdateGrantScopes(ctx, grant)
		}
		if err != nil {
			return err
		}
		auth.PersistsLogout = auth.PersistsLogout || a.PersistsLogout
		return repo.PutSessionAuthorization(ctx, auth)
	})
	if err != nil {
		return model.Grant{}, model.SessionAuthorization{}, fmt.Errorf("authorize client %s: %w", a.ClientID, err)
	}
	return grant, auth, nil
}

// findSessionGrant finds the live grant a's session holds for a's client and account, with the
// session's authorization of the client; a zero grant when there is none.
func findSessionGrant(ctx context.Context, repo store.OIDC, a Authorization, nowMs int64) (model.Grant, model.SessionAuthorization, error) {
	var (
		grant model.Grant
		auth  model.SessionAuthorization
	)
	existing, err := repo.SessionAuthorizations(ctx, a.SessionID)
	if err != nil {
		return grant, auth, err
	}
	for _, e := range existing {
		if e.ClientID != a.ClientID {
			continue
		}
		g, err := repo.GetGrant(ctx, e.GrantID)
		if err == nil && g.AccountID == a.AccountID && g.ExpiresAt > nowMs {
			grant, auth = g, e
		} else if err != nil && !errors.Is(err, model.ErrNotFound) {
			return grant, auth, err
		}
	}
	return grant, auth, nil
}

// newGrant is a new grant of a's scopes and the session's authorization of a's client under it.
func newGrant(a Authorization, now time.Time) (model.Grant, model.SessionAuthorization) {
	grant := model.Grant{
		ID: ids.New(), AccountID: a.AccountID, ClientID: a.ClientID,
		Scopes: core.Union(nil, a.Scopes), ResourceScopes: map[string][]string{},
		CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(GrantTTL).UnixMilli(),
	}
	for indicator, scopes := range a.ResourceScopes {
		grant.ResourceScopes[indicator] = core.Union(nil, scopes)
	}
	// Each client gets its own random sid, so one client cannot correlate or end another
	// client's session through it (oidc-provider's per-client sidFor).
	auth := model.SessionAuthorization{SessionID: a.SessionID, ClientID: a.ClientID, GrantID: grant.ID, SID: ids.NewString(21)}
	return grant, auth
}

// widenGrant adds a's scopes and resource scopes to grant.
func widenGrant(grant *model.Grant, a Authorization) {
	grant.Scopes = core.Union(grant.Scopes, a.Scopes)
	if grant.ResourceScopes == nil {
		grant.ResourceScopes = map[string][]string{}
	}
	for indicator, scopes := range a.ResourceScopes {
		grant.ResourceScopes[indicator] = core.Union(grant.ResourceScopes[indicator], scopes)
	}
}

// GetGrant returns a live grant; an absent or expired one wraps model.ErrNotFound.
func (s *Protocol) GetGrant(ctx context.Context, tenantID, id string) (model.Grant, error) {
	g, err := s.core.Store().Tenant(tenantID).OIDC().GetGrant(ctx, id)
	if err != nil {
		return model.Grant{}, fmt.Errorf("grant %s: %w", id, err)
	}
	if g.ExpiresAt <= s.core.NowMs() {
		return model.Grant{}, fmt.Errorf("grant %s expired: %w", id, model.ErrNotFound)
	}
	return g, nil
}

// RevokeGrant withdraws a grant and every code and token issued under it.
func (s *Protocol) RevokeGrant(ctx context.Context, tenantID, grantID string) error {
	if err := s.core.Store().Tenant(tenantID).OIDC().RevokeGrant(ctx, grantID); err != nil {
		return fmt.Errorf("revoke grant: %w", err)
	}
	return nil
}

// RevokeUserArtifacts signs a user out everywhere: every session, grant, code and token of the
// user goes (call it when a user is suspended or deleted; Logto's signOutUser).
func (s *Protocol) RevokeUserArtifacts(ctx context.Context, tenantID, userID string) error {
	if err := s.core.Store().Tenant(tenantID).OIDC().RevokeAccount(ctx, userID); err != nil {
		return fmt.Errorf("revoke artifacts of user %s: %w", userID, err)
	}
	return nil
}

// ---------------------------------------------------------------------------------------------
// Codes and tokens

// NewTokens are the tokens one token request issues, filled in by the protocol except for their
// secrets (Hash). A nil member is not issued.
type NewTokens struct {
	AccessToken  *model.AccessToken  // an opaque access token
	RefreshToken *model.RefreshToken // a refresh token
}

// IssuedTokens are the secrets of the tokens issued ("" for one not issued).
type IssuedTokens struct {
	AccessToken  string
	RefreshToken string
}

// IssueAuthorizationCode stores c under a fresh code and returns the code.
func (s *Protocol) IssueAuthorizationCode(ctx context.Context, tenantID string, c model.AuthorizationCode) (string, error) {
	code, hash := newSecret()
	c.Hash = hash
	if err := s.core.Store().Tenant(tenantID).OIDC().CreateAuthorizationCode(ctx, c); err != nil {
		return "", fmt.Errorf("issue authorization code: %w", err)
	}
	return code, nil
}

// FindAuthorizationCode returns the code's record, consumed or expired or not; an unknown code
// wraps model.ErrNotFound.
func (s *Protocol) FindAuthorizationCode(ctx context.Context, tenantID, code string) (model.AuthorizationCode, error) {
	c, err := s.core.Store().Tenant(tenantID).OIDC().AuthorizationCodeByHash(ctx, HashSecret(code))
	if err != nil {
		return model.AuthorizationCode{}, fmt.Errorf("authorization code: %w", err)
	}
	return c, nil
}

// RedeemAuthorizationCode consumes the code with digest codeHash and issues tokens, all in one
// transaction: when another request consumed the code first nothing is issued and the answer is
// ErrConsumed.
func (s *Protocol) RedeemAuthorizationCode(ctx context.Context, tenantID, codeHash string, tokens NewTokens) (IssuedTokens, error) {
	var out IssuedTokens
	err := s.core.Store().InTx(ctx, tenantID, func(t store.Tenant) error {
		won, err := t.OIDC().ConsumeAuthorizationCode(ctx, codeHash, s.core.NowMs())
		if err != nil {
			return err
		}
		if !won {
			return ErrConsumed
		}
		out, err = StoreTokens(ctx, t.OIDC(), tokens)
		return err
	})
	if err != nil {
		return IssuedTokens{}, fmt.Errorf("redeem authorization code: %w", err)
	}
	return out, nil
}

// FindRefreshToken returns the token's record, consumed or expired or not; an unknown token
// wraps model.ErrNotFound.
func (s *Protocol) FindRefreshToken(ctx context.Context, tenantID, token string) (model.RefreshToken, error) {
	t, err := s.core.Store().Tenant(tenantID).OIDC().RefreshTokenByHash(ctx, HashSecret(token))
	if err != nil {
		return model.RefreshToken{}, fmt.Errorf("refresh token: %w", err)
	}
	return t, nil
}

// FindRefreshTokenWithGrant returns a refresh token's record and its grant in one read; an
// unknown token wraps model.ErrNotFound.
func (s *Protocol) FindRefreshTokenWithGrant(ctx context.Context, tenantID, token string) (model.RefreshToken, model.Grant, error) {
	t, g, err := s.core.Store().Tenant(tenantID).OIDC().RefreshTokenWithGrant(ctx, HashSecret(token))
	if err != nil {
		return model.RefreshToken{}, model.Grant{}, fmt.Errorf("refresh token: %w", err)
	}
	return t, g, nil
}

// RefreshUsable reports whether a refresh token may still be used at now: never consumed, or
// consumed within RefreshTokenReuseInterval.
func RefreshUsable(t model.RefreshToken, now time.Time) bool {
	return t.ConsumedAt == nil || *t.ConsumedAt > now.Add(-RefreshTokenReuseInterval).UnixMilli()
}

// ExchangeRefreshToken issues tokens for a refresh request on old, in one transaction. With
// rotate, old is consumed first (a rotation); when it was consumed longer than
// RefreshTokenReuseInterval ago nothing is issued and the answer is ErrConsumed.
func (s *Protocol) ExchangeRefreshToken(ctx context.Context, tenantID string, old model.RefreshToken, rotate bool, tokens NewTokens) (IssuedTokens, error) {
	var out IssuedTokens
	now := s.core.Clock().Now()
	err := s.core.Store().InTx(ctx, tenantID, func(t store.Tenant) error {
		if rotate {
			won, err := t.OIDC().ConsumeRefreshToken(ctx, old.Hash, now.UnixMilli(), now.Add(-RefreshTokenReuseInterval).UnixMilli())
			if err != nil {
				return err
			}
			if !won {
				return ErrConsumed
			}
		}
		var err error
		out, err = StoreTokens(ctx, t.OIDC(), tokens)
		return err
	})
	if err != nil {
		return IssuedTokens{}, fmt.Errorf("exchange refresh token: %w", err)
	}
	return out, nil
}

// StoreTokens creates the requested tokens under fresh secrets.
func StoreTokens(ctx context.Context, repo store.OIDC, tokens NewTokens) (IssuedTokens, error) {
	var out IssuedTokens
	if at := tokens.AccessToken; at != nil {
		var hash string
		out.AccessToken, hash = newSecret()
		record := *at
		record.Hash = hash
		if err := repo.CreateAccessToken(ctx, record); err != nil {
			return IssuedTokens{}, err
		}
	}
	if rt := tokens.RefreshToken; rt != nil {
		var hash string
		out.RefreshToken, hash = newSecret()
		record := *rt
		record.Hash = hash
		if err := repo.CreateRefreshToken(ctx, record); err != nil {
			return IssuedTokens{}, err
		}
	}
	return out, nil
}

// FindAccessToken returns an opaque access token's record, expired or not; an unknown token
// wraps model.ErrNotFound.
func (s *Protocol) FindAccessToken(ctx context.Context, tenantID, token string) (model.AccessToken, error) {
	t, err := s.core.Store().Tenant(tenantID).OIDC().AccessTokenByHash(ctx, HashSecret(token))
	if err != nil {
		return model.AccessToken{}, fmt.Errorf("access token: %w", err)
	}
	return t, nil
}

// DeleteExpiredArtifacts removes every expired interaction, session, grant, code and token of
// every tenant and returns how many rows went. The composition root calls it on a timer; nothing
// depends on it for correctness (every lookup checks expiry), it only keeps the tables small.
func (s *Protocol) DeleteExpiredArtifacts(ctx context.Context) (int64, error) {
	tenants, err := s.core.Store().Tenants(ctx)
	if err != nil {
		return 0, fmt.Errorf("list tenants: %w", err)
	}
	var total int64
	now := s.core.NowMs()
	for _, t := range tenants {
		n, err := s.core.Store().Tenant(t.ID).OIDC().DeleteExpired(ctx, now)
		total += n
		if err != nil {
			return total, fmt.Errorf("delete expired artifacts of tenant %s: %w", t.ID, err)
		}
	}
	return total, nil
}
