package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// DefaultSessionTTL is how long a browser stays signed in (Logto's Session TTL, 14 days).
const DefaultSessionTTL = 14 * 24 * time.Hour

// SessionLogin is a completed sign-in: who, when (unix seconds) and how.
type SessionLogin struct {
	AccountID string
	AuthTime  int64
	AMR       []string
}

// FindSession returns the live session whose cookie secret is secret; an unknown or expired one
// wraps store.ErrNotFound.
func (s *Service) FindSession(ctx context.Context, tenantID, secret string) (store.Session, error) {
	if secret == "" {
		return store.Session{}, fmt.Errorf("no session cookie: %w", store.ErrNotFound)
	}
	sess, err := s.st.Tenant(tenantID).OIDC().SessionByToken(ctx, HashSecret(secret))
	if err != nil {
		return store.Session{}, fmt.Errorf("session: %w", err)
	}
	if sess.ExpiresAt <= s.nowMs() {
		return store.Session{}, fmt.Errorf("session expired: %w", store.ErrNotFound)
	}
	return sess, nil
}

// SignIn records login in the browser's session and returns the session and its new cookie
// secret. The secret changes on every sign-in, so a session id planted in a browser before the
// user signed in is worthless afterwards (session fixation). A session of the same account keeps
// its client authorizations; a session of another account is ended first, as signing in as
// someone else signs the previous user out. current is nil when the browser had no session.
func (s *Service) SignIn(ctx context.Context, tenantID string, current *store.Session, login SessionLogin, ttl time.Duration) (store.Session, string, error) {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	now := s.clk.Now()
	secret, hash := newSecret()
	amr := login.AMR
	if amr == nil {
		amr = []string{}
	}
	repo := s.st.Tenant(tenantID).OIDC()
	if current != nil && current.AccountID == login.AccountID {
		sess := *current
		sess.TokenHash, sess.AuthTime, sess.AMR = hash, login.AuthTime, amr
		sess.ExpiresAt = now.Add(ttl).UnixMilli()
		err := repo.UpdateSessionLogin(ctx, sess)
		if err == nil {
			return sess, secret, nil
		}
		if !errors.Is(err, store.ErrNotFound) { // ended meanwhile: start a new one below
			return store.Session{}, "", fmt.Errorf("renew session: %w", err)
		}
	} else if current != nil {
		if err := s.EndSession(ctx, tenantID, current.ID); err != nil {
			return store.Session{}, "", err
		}
	}
	sess := store.Session{
		ID: ids.New(), TokenHash: hash, AccountID: login.AccountID, AuthTime: login.AuthTime, AMR: amr,
		CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(ttl).UnixMilli(),
	}
	if err := repo.CreateSession(ctx, sess); err != nil {
		return store.Session{}, "", fmt.Errorf("start session: %w", err)
	}
	return sess, secret, nil
}

// SessionAuthorizations lists the clients a session authorized.
func (s *Service) SessionAuthorizations(ctx context.Context, tenantID, sessionID string) ([]store.SessionAuthorization, error) {
	list, err := s.st.Tenant(tenantID).OIDC().SessionAuthorizations(ctx, sessionID)
	if err != nil {
		return nil, fmt.Errorf("session authorizations: %w", err)
	}
	return list, nil
}

// EndSession signs a browser out (RP-initiated logout): the grants the session authorized are
// revoked, except those that persist logout because the user granted offline_access (their
// refresh tokens keep working, as in Logto), and the session is deleted.
func (s *Service) EndSession(ctx context.Context, tenantID, sessionID string) error {
	err := s.st.InTx(ctx, tenantID, func(t store.Tenant) error {
		repo := t.OIDC()
		auths, err := repo.SessionAuthorizations(ctx, sessionID)
		if err != nil {
			return err
		}
		for _, a := range auths {
			if a.PersistsLogout {
				continue
			}
			if err := repo.RevokeGrant(ctx, a.GrantID); err != nil {
				return err
			}
		}
		return repo.DeleteSession(ctx, sessionID)
	})
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// EndClientSession signs one client out of a session (logout without ending the whole session):
// its grant is revoked unless it persists logout, and its authorization removed.
func (s *Service) EndClientSession(ctx context.Context, tenantID, sessionID, clientID string) error {
	err := s.st.InTx(ctx, tenantID, func(t store.Tenant) error {
		repo := t.OIDC()
		auths, err := repo.SessionAuthorizations(ctx, sessionID)
		if err != nil {
			return err
		}
		for _, a := range auths {
			if a.ClientID != clientID {
				continue
			}
			if !a.PersistsLogout {
				if err := repo.RevokeGrant(ctx, a.GrantID); err != nil {
					return err
				}
			}
			return repo.DeleteSessionAuthorization(ctx, sessionID, clientID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("end client session: %w", err)
	}
	return nil
}
