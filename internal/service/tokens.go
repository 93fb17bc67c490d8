package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
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
func (s *Service) AuthorizeClient(ctx context.Context, tenantID string, a Authorization) (store.Grant, store.SessionAuthorization, error) {
	var (
		grant store.Grant
		auth  store.SessionAuthorization
	)
	now := s.clk.Now()
	err := s.st.InTx(ctx, tenantID, func(t store.Tenant) error {
		repo := t.OIDC()
		existing, err := repo.SessionAuthorizations(ctx, a.SessionID)
		if err != nil {
			return err
		}
		for _, e := range existing {
			if e.ClientID != a.ClientID {
				continue
			}
			g, err := repo.GetGrant(ctx, e.GrantID)
			if err == nil && g.AccountID == a.AccountID && g.ExpiresAt > now.UnixMilli() {
				grant, auth = g, e
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if grant.ID == "" {
			grant = store.Grant{
				ID: ids.New(), AccountID: a.AccountID, ClientID: a.ClientID,
				Scopes: union(nil, a.Scopes), ResourceScopes: map[string][]string{},
				CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(GrantTTL).UnixMilli(),
			}
			for indicator, scopes := range a.ResourceScopes {
				grant.ResourceScopes[indicator] = union(nil, scopes)
			}
			if err := repo.CreateGrant(ctx, grant); err != nil {
				return err
			}
			// Each client gets its own random sid, so one client cannot correlate or end another
			// client's session through it (oidc-provider's per-client sidFor).
			auth = store.SessionAuthorization{SessionID: a.SessionID, ClientID: a.ClientID, GrantID: grant.ID, SID: ids.NewString(21)}
		} else {
			grant.Scopes = union(grant.Scopes, a.Scopes)
			if grant.ResourceScopes == nil {
				grant.ResourceScopes = map[string][]string{}
			}
			for indicator, scopes := range a.ResourceScopes {
				grant.ResourceScopes[indicator] = union(grant.ResourceScopes[indicator], scopes)
			}
			if err := repo.UpdateGrantScopes(ctx, grant); err != nil {
				return err
			}
		}
		auth.PersistsLogout = auth.PersistsLogout || a.PersistsLogout
		return repo.PutSessionAuthorization(ctx, auth)
	})
	if err != nil {
		return store.Grant{}, store.SessionAuthorization{}, fmt.Errorf("authorize client %s: %w", a.ClientID, err)
	}
	return grant, auth, nil
}

// union returns base with the members of add it lacks appended, in order.
func union(base, add []string) []string {
	out := slices.Clone(base)
	for _, s := range add {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// GetGrant returns a live grant; an absent or expired one wraps store.ErrNotFound.
func (s *Service) GetGrant(ctx context.Context, tenantID, id string) (store.Grant, error) {
	g, err := s.st.Tenant(tenantID).OIDC().GetGrant(ctx, id)
	if err != nil {
		return store.Grant{}, fmt.Errorf("grant %s: %w", id, err)
	}
	if g.ExpiresAt <= s.nowMs() {
		return store.Grant{}, fmt.Errorf("grant %s expired: %w", id, store.ErrNotFound)
	}
	return g, nil
}

// RevokeGrant withdraws a grant and every code and token issued under it.
func (s *Service) RevokeGrant(ctx context.Context, tenantID, grantID string) error {
	if err := s.st.Tenant(tenantID).OIDC().RevokeGrant(ctx, grantID); err != nil {
		return fmt.Errorf("revoke grant: %w", err)
	}
	return nil
}

// RevokeUserArtifacts signs a user out everywhere: every session, grant, code and token of the
// user goes (call it when a user is suspended or deleted; Logto's signOutUser).
func (s *Service) RevokeUserArtifacts(ctx context.Context, tenantID, userID string) error {
	if err := s.st.Tenant(tenantID).OIDC().RevokeAccount(ctx, userID); err != nil {
		return fmt.Errorf("revoke artifacts of user %s: %w", userID, err)
	}
	return nil
}

// ---------------------------------------------------------------------------------------------
// Codes and tokens

// NewTokens are the tokens one token request issues, filled in by the protocol except for their
// secrets (Hash). A nil member is not issued.
type NewTokens struct {
	AccessToken  *store.AccessToken  // an opaque access token
	RefreshToken *store.RefreshToken // a refresh token
}

// IssuedTokens are the secrets of the tokens issued ("" for one not issued).
type IssuedTokens struct {
	AccessToken  string
	RefreshToken string
}

// IssueAuthorizationCode stores c under a fresh code and returns the code.
func (s *Service) IssueAuthorizationCode(ctx context.Context, tenantID string, c store.AuthorizationCode) (string, error) {
	code, hash := newSecret()
	c.Hash = hash
	if err := s.st.Tenant(tenantID).OIDC().CreateAuthorizationCode(ctx, c); err != nil {
		return "", fmt.Errorf("issue authorization code: %w", err)
	}
	return code, nil
}

// FindAuthorizationCode returns the code's record, consumed or expired or not; an unknown code
// wraps store.ErrNotFound.
func (s *Service) FindAuthorizationCode(ctx context.Context, tenantID, code string) (store.AuthorizationCode, error) {
	c, err := s.st.Tenant(tenantID).OIDC().AuthorizationCodeByHash(ctx, HashSecret(code))
	if err != nil {
		return store.AuthorizationCode{}, fmt.Errorf("authorization code: %w", err)
	}
	return c, nil
}

// RedeemAuthorizationCode consumes the code with digest codeHash and issues tokens, all in one
// transaction: when another request consumed the code first nothing is issued and the answer is
// ErrConsumed.
func (s *Service) RedeemAuthorizationCode(ctx context.Context, tenantID, codeHash string, tokens NewTokens) (IssuedTokens, error) {
	var out IssuedTokens
	err := s.st.InTx(ctx, tenantID, func(t store.Tenant) error {
		won, err := t.OIDC().ConsumeAuthorizationCode(ctx, codeHash, s.nowMs())
		if err != nil {
			return err
		}
		if !won {
			return ErrConsumed
		}
		out, err = storeTokens(ctx, t.OIDC(), tokens)
		return err
	})
	if err != nil {
		return IssuedTokens{}, fmt.Errorf("redeem authorization code: %w", err)
	}
	return out, nil
}

// FindRefreshToken returns the token's record, consumed or expired or not; an unknown token
// wraps store.ErrNotFound.
func (s *Service) FindRefreshToken(ctx context.Context, tenantID, token string) (store.RefreshToken, error) {
	t, err := s.st.Tenant(tenantID).OIDC().RefreshTokenByHash(ctx, HashSecret(token))
	if err != nil {
		return store.RefreshToken{}, fmt.Errorf("refresh token: %w", err)
	}
	return t, nil
}

// FindRefreshTokenWithGrant returns a refresh token's record and its grant in one read; an
// unknown token wraps store.ErrNotFound.
func (s *Service) FindRefreshTokenWithGrant(ctx context.Context, tenantID, token string) (store.RefreshToken, store.Grant, error) {
	t, g, err := s.st.Tenant(tenantID).OIDC().RefreshTokenWithGrant(ctx, HashSecret(token))
	if err != nil {
		return store.RefreshToken{}, store.Grant{}, fmt.Errorf("refresh token: %w", err)
	}
	return t, g, nil
}

// RefreshUsable reports whether a refresh token may still be used at now: never consumed, or
// consumed within RefreshTokenReuseInterval.
func RefreshUsable(t store.RefreshToken, now time.Time) bool {
	return t.ConsumedAt == nil || *t.ConsumedAt > now.Add(-RefreshTokenReuseInterval).UnixMilli()
}

// ExchangeRefreshToken issues tokens for a refresh request on old, in one transaction. With
// rotate, old is consumed first (a rotation); when it was consumed longer than
// RefreshTokenReuseInterval ago nothing is issued and the answer is ErrConsumed.
func (s *Service) ExchangeRefreshToken(ctx context.Context, tenantID string, old store.RefreshToken, rotate bool, tokens NewTokens) (IssuedTokens, error) {
	var out IssuedTokens
	now := s.clk.Now()
	err := s.st.InTx(ctx, tenantID, func(t store.Tenant) error {
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
		out, err = storeTokens(ctx, t.OIDC(), tokens)
		return err
	})
	if err != nil {
		return IssuedTokens{}, fmt.Errorf("exchange refresh token: %w", err)
	}
	return out, nil
}

// storeTokens creates the requested tokens under fresh secrets.
func storeTokens(ctx context.Context, repo store.OIDC, tokens NewTokens) (IssuedTokens, error) {
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
// wraps store.ErrNotFound.
func (s *Service) FindAccessToken(ctx context.Context, tenantID, token string) (store.AccessToken, error) {
	t, err := s.st.Tenant(tenantID).OIDC().AccessTokenByHash(ctx, HashSecret(token))
	if err != nil {
		return store.AccessToken{}, fmt.Errorf("access token: %w", err)
	}
	return t, nil
}

// DeleteExpiredArtifacts removes every expired interaction, session, grant, code and token of
// every tenant and returns how many rows went. The composition root calls it on a timer; nothing
// depends on it for correctness (every lookup checks expiry), it only keeps the tables small.
func (s *Service) DeleteExpiredArtifacts(ctx context.Context) (int64, error) {
	tenants, err := s.st.Tenants(ctx)
	if err != nil {
		return 0, fmt.Errorf("list tenants: %w", err)
	}
	var total int64
	now := s.nowMs()
	for _, t := range tenants {
		n, err := s.st.Tenant(t.ID).OIDC().DeleteExpired(ctx, now)
		total += n
		if err != nil {
			return total, fmt.Errorf("delete expired artifacts of tenant %s: %w", t.ID, err)
		}
	}
	return total, nil
}
