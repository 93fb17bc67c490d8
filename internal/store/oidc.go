package store

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// OIDC persists protocol artifacts: interactions, single sign-on sessions, grants, authorization
// codes, opaque access tokens and refresh tokens. None of them is cached in process, so writing
// them never bumps the tenant's generation.
//
// Codes, tokens and session cookies are bearer secrets: only their SHA-256 digests (Hash fields)
// are stored, so a copy of the database hands nobody a usable credential. Every artifact expires
// (ExpiresAt, epoch milliseconds); lookups return expired rows as they are, so the protocol can
// answer "expired" precisely, and DeleteExpired removes them for good.
//
// A Grant is one user's consent to one client. Codes, access tokens, refresh tokens and session
// authorizations belong to a grant and are deleted with it, so RevokeGrant withdraws everything a
// grant ever issued in one statement (RFC 9700 §4.5.3.1 code replay, §4.14.2 refresh reuse).
type OIDC interface {
	// CreateInteraction stores a new interaction (ConflictError UniqueInteractionUID when the uid
	// is taken).
	CreateInteraction(ctx context.Context, in model.Interaction) error
	// GetInteraction returns the interaction uid, expired or not (ErrNotFound when absent).
	GetInteraction(ctx context.Context, uid string) (model.Interaction, error)
	// UpdateInteraction stores in.Result and in.Experience when the stored version is in.Version
	// and the interaction has not expired at nowMs, increments the version, and returns the stored
	// interaction as it now is (one round trip); the other fields belong to the protocol and never
	// change. A different stored version gives ErrConflict (ConflictError
	// UniqueInteractionVersion); no row, or an expired one, gives ErrNotFound.
	UpdateInteraction(ctx context.Context, in model.Interaction, nowMs int64) (model.Interaction, error)
	// DeleteInteraction removes the interaction uid when its stored version is version: the one
	// request that finishes an interaction wins, a concurrent one gets ErrConflict (or
	// ErrNotFound when it is already gone).
	DeleteInteraction(ctx context.Context, uid string, version int64) error

	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// SessionByToken returns the session whose cookie secret hashes to tokenHash (ErrNotFound).
	SessionByToken(ctx context.Context, tokenHash string) (Session, error)
	// UpdateSessionLogin records a new sign-in on session s.ID: token hash (the cookie secret is
	// replaced on every sign-in), account, auth time, AMR and expiry.
	UpdateSessionLogin(ctx context.Context, s Session) error
	// DeleteSession removes a session with its client authorizations (not their grants).
	DeleteSession(ctx context.Context, id string) error
	// PutSessionAuthorization records (or replaces) a client's authorization within a session.
	PutSessionAuthorization(ctx context.Context, a SessionAuthorization) error
	// SessionAuthorizations lists a session's client authorizations.
	SessionAuthorizations(ctx context.Context, sessionID string) ([]SessionAuthorization, error)
	// DeleteSessionAuthorization removes one client's authorization from a session.
	DeleteSessionAuthorization(ctx context.Context, sessionID, clientID string) error

	// CreateGrant stores a new grant.
	CreateGrant(ctx context.Context, g Grant) error
	// GetGrant returns a grant, expired or not (ErrNotFound).
	GetGrant(ctx context.Context, id string) (Grant, error)
	// UpdateGrantScopes replaces the scopes and resource scopes of grant g.ID.
	UpdateGrantScopes(ctx context.Context, g Grant) error
	// RevokeGrant deletes a grant and everything issued under it: codes, access tokens, refresh
	// tokens and session authorizations. Revoking an absent grant is not an error.
	RevokeGrant(ctx context.Context, id string) error
	// RevokeAccount deletes every grant and session of an account (a suspended or deleted user).
	RevokeAccount(ctx context.Context, accountID string) error

	// CreateAuthorizationCode stores a new code.
	CreateAuthorizationCode(ctx context.Context, c AuthorizationCode) error
	// AuthorizationCodeByHash returns a code, consumed or expired or not (ErrNotFound).
	AuthorizationCodeByHash(ctx context.Context, hash string) (AuthorizationCode, error)
	// ConsumeAuthorizationCode marks the code consumed at nowMs, atomically: it reports false when
	// the code was already consumed (or is gone), so two concurrent exchanges cannot both win.
	ConsumeAuthorizationCode(ctx context.Context, hash string, nowMs int64) (bool, error)

	// CreateAccessToken stores a new opaque access token.
	CreateAccessToken(ctx context.Context, t AccessToken) error
	// AccessTokenByHash returns an opaque access token, expired or not (ErrNotFound).
	AccessTokenByHash(ctx context.Context, hash string) (AccessToken, error)

	// CreateRefreshToken stores a new refresh token.
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// RefreshTokenByHash returns a refresh token, consumed or expired or not (ErrNotFound).
	RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error)
	// RefreshTokenWithGrant returns a refresh token and its grant in one read, for the refresh
	// grant's hot path (ErrNotFound when the token is unknown).
	RefreshTokenWithGrant(ctx context.Context, hash string) (RefreshToken, Grant, error)
	// ConsumeRefreshToken marks a refresh token consumed at nowMs (a rotation), atomically. A token
	// consumed after leewayStartMs may be consumed again (its first consumption time is kept), so
	// concurrent refreshes by one client do not lock each other out; it reports false when the
	// token was consumed before leewayStartMs, which is reuse of a rotated token, or is gone.
	ConsumeRefreshToken(ctx context.Context, hash string, nowMs, leewayStartMs int64) (bool, error)

	// DeleteExpired removes every interaction, session, grant, code and token that expired before
	// nowMs, and returns how many rows went.
	DeleteExpired(ctx context.Context, nowMs int64) (int64, error)
}

// The protocol artifacts are model types; the store persists them as they are.
type (
	Session              = model.Session
	SessionAuthorization = model.SessionAuthorization
	Grant                = model.Grant
	AuthorizationCode    = model.AuthorizationCode
	AccessToken          = model.AccessToken
	RefreshToken         = model.RefreshToken
)

// Uniqueness rules of the protocol artifacts a ConflictError can name.
const (
	UniqueInteractionUID     = "oidc_interactions.uid"
	UniqueInteractionVersion = "oidc_interactions.version" // an optimistic update lost a race
)
