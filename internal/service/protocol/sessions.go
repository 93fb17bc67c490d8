package protocol

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
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
// wraps model.ErrNotFound.
func (s *Protocol) FindSession(ctx context.Context, tenantID, secret string) (model.Session, error) {
	if secret == "" {
		return model.Session{}, fmt.Errorf("no session cookie: %w", model.ErrNotFound)
	}
	sess, err := s.core.Store().Tenant(tenantID).OIDC().SessionByToken(ctx, HashSecret(secret))
	if err != nil {
		return model.Session{}, fmt.Errorf("session: %w", err)
	}
	if sess.ExpiresAt <= s.core.NowMs() {
		return model.Session{}, fmt.Errorf("session expired: %w", model.ErrNotFound)
	}
	return sess, nil
}

// SignIn records login in the browser's session and returns the session and its new cookie
// secret. The secret changes on every sign-in, so a session id planted in a browser before the
// user signed in is worthless afterwards (session fixation). A session of the same account keeps
// its client authorizations; a session of another account is ended first, as signing in as
// someone else signs the previous user out. current is nil when the browser had no session.
func (s *Protocol) SignIn(ctx context.Context, tenantID string, current *model.Session, login SessionLogin, ttl time.Duration) (model.Session, string, error) {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	now := s.core.Clock().Now()
	secret, hash := newSecret()
	amr := login.AMR
	if amr == nil {
		amr = []string{}
	}
	repo := s.core.Store().Tenant(tenantID).OIDC()
	if current != nil && current.AccountID == login.AccountID {
		sess := *current
		sess.TokenHash, sess.AuthTime, sess.AMR = hash, login.AuthTime, amr
		sess.ExpiresAt = now.Add(ttl).UnixMilli()
		err := repo.UpdateSessionLogin(ctx, sess)
		if err == nil {
			return sess, secret, nil
		}
		if !errors.Is(err, model.ErrNotFound) { // ended meanwhile: start a new one below
			return model.Session{}, "", fmt.Errorf("renew session: %w", err)
		}
	} else if current != nil {
		if err := s.EndSession(ctx, tenantID, current.ID); err != nil {
			return model.Session{}, "", err
		}
	}
	sess := model.Session{
		ID: ids.New(), TokenHash: hash, AccountID: login.AccountID, AuthTime: login.AuthTime, AMR: amr,
		CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(ttl).UnixMilli(),
	}
	if err := repo.CreateSession(ctx, sess); err != nil {
		return model.Session{}, "", fmt.Errorf("start session: %w", err)
	}
	return sess, secret, nil
}

// SessionAuthorizations lists the clients a session authorized.
func (s *Protocol) SessionAuthorizations(ctx context.Context, tenantID, sessionID string) ([]model.SessionAuthorization, error) {
	list, err := s.core.Store().Tenant(tenantID).OIDC().SessionAuthorizations(ctx, sessionID)
	if err != nil {
		return nil, fmt.Errorf("session authorizations: %w", err)
	}
	return list, nil
}

// EndSession signs a browser out (RP-initiated logout): the grants the session authorized are
// revoked, except those that persist logout because the user granted offline_access (their
// refresh tokens keep working, as in Logto), and the session is deleted.
func (s *Protocol) EndSession(ctx context.Context, tenantID, sessionID string) error {
	return s.withSessionAuthorizations(ctx, tenantID, sessionID, "end session",
		func(repo store.OIDC, auths []store.SessionAuthorization) error {
			for _, a := range auths {
				if err := revokeUnlessPersisted(ctx, repo, a); err != nil {
					return err
				}
			}
			return repo.DeleteSession(ctx, sessionID)
		})
}

// EndClientSession signs one client out of a session (logout without ending the whole session):
// its grant is revoked unless it persists logout, and its authorization removed.
func (s *Protocol) EndClientSession(ctx context.Context, tenantID, sessionID, clientID string) error {
	return s.withSessionAuthorizations(ctx, tenantID, sessionID, "end client session",
		func(repo store.OIDC, auths []store.SessionAuthorization) error {
			for _, a := range auths {
				if a.ClientID != clientID {
					continue
				}
				if err := revokeUnlessPersisted(ctx, repo, a); err != nil {
					return err
				}
				return repo.DeleteSessionAuthorization(ctx, sessionID, clientID)
			}
			return nil
		})
}

// withSessionAuthorizations runs fn in one transaction with the session's client
// authorizations; op names the operation in its error.
func (s *Protocol) withSessionAuthorizations(ctx context.Context, tenantID, sessionID, op string,
	fn func(repo store.OIDC, auths []store.SessionAuthorization) error) error {
	err := s.core.Store().InTx(ctx, tenantID, func(t store.Tenant) error {
		repo := t.OIDC()
		auths, err := repo.SessionAuthorizations(ctx, sessionID)
		if err != nil {
			return err
		}
		return fn(repo, auths)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// revokeUnlessPersisted revokes the grant a client holds through a, unless it persists logout
// (the user granted offline_access: its refresh tokens keep working, as in Logto).
func revokeUnlessPersisted(ctx context.Context, repo store.OIDC, a store.SessionAuthorization) error {
	if a.PersistsLogout {
		return nil
	}
	return repo.RevokeGrant(ctx, a.GrantID)
}
