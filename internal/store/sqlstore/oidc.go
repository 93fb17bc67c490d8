package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// oidcArtifacts implements store.OIDC. Every write goes through writeUncached: protocol artifacts
// are never cached in process, so a burst of sign-ins must not flush the client and key caches.
type oidcArtifacts struct{ s *tenantScope }

// OIDC returns the tenant's protocol artifact repository.
func (s *tenantScope) OIDC() store.OIDC { return &oidcArtifacts{s} }

// Artifact columns and limits. Hashes are base64url SHA-256 digests (43 characters); the other
// limits keep hostile input from reaching the database as an oversized value.
const (
	maxArtifactHashLen = 64
	maxInteractionUID  = 64
	maxSIDLen          = 64
)

// ---------------------------------------------------------------------------------------------
// Interactions

const interactionColumns = `uid, client_id, params, session_id, prompt, account_id, result, experience,
	version, created_at, expires_at`

func (r *oidcArtifacts) CreateInteraction(ctx context.Context, in model.Interaction) error {
	if err := checkLen("interaction uid", in.UID, true, maxInteractionUID); err != nil {
		return err
	}
	if err := checkID("interaction client id", in.ClientID); err != nil {
		return err
	}
	params, err := json.Marshal(in.Params)
	if err != nil {
		return fmt.Errorf("sqlstore: encode interaction params: %w", err)
	}
	result, experience, err := encodeInteractionState(in)
	if err != nil {
		return err
	}
	err = r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO oidc_interactions (tenant_id, `+interactionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.s.tenantID, in.UID, in.ClientID, string(params), in.SessionID, in.Prompt, in.AccountID,
			result, experience, in.Version, in.CreatedAt, in.ExpiresAt)
		return err
	})
	if errors.Is(translate(err), store.ErrConflict) {
		return fmt.Errorf("sqlstore: create interaction: %w", &store.ConflictError{Constraint: store.UniqueInteractionUID})
	}
	return wrapErr("create interaction", err)
}

// encodeInteractionState encodes the experience-owned columns; nil stays SQL NULL.
func encodeInteractionState(in model.Interaction) (result, experience *string, err error) {
	if in.Result != nil {
		b, err := json.Marshal(in.Result)
		if err != nil {
			return nil, nil, fmt.Errorf("sqlstore: encode interaction result: %w", err)
		}
		s := string(b)
		result = &s
	}
	if !isNullJSON(in.Experience) {
		if !json.Valid(in.Experience) {
			return nil, nil, fmt.Errorf("sqlstore: interaction experience: %w", errInvalidJSON)
		}
		s := string(in.Experience)
		experience = &s
	}
	return result, experience, nil
}

func (r *oidcArtifacts) GetInteraction(ctx context.Context, uid string) (model.Interaction, error) {
	c, err := r.s.reader()
	if err != nil {
		return model.Interaction{}, err
	}
	in, err := r.scanInteraction(c.queryRow(ctx, "SELECT "+interactionColumns+" FROM oidc_interactions WHERE tenant_id = ? AND uid = ?",
		r.s.tenantID, uid))
	return in, wrapErr("get interaction", err)
}

// scanInteraction reads one interactionColumns row.
func (r *oidcArtifacts) scanInteraction(row *sql.Row) (model.Interaction, error) {
	var (
		in                 model.Interaction
		params             []byte
		result, experience []byte
	)
	if err := row.Scan(&in.UID, &in.ClientID, &params, &in.SessionID, &in.Prompt, &in.AccountID,
		&result, &experience, &in.Version, &in.CreatedAt, &in.ExpiresAt); err != nil {
		return model.Interaction{}, err
	}
	in.TenantID = r.s.tenantID
	if err := json.Unmarshal(params, &in.Params); err != nil {
		return model.Interaction{}, fmt.Errorf("sqlstore: decode interaction params: %w", err)
	}
	if result != nil {
		in.Result = &model.InteractionResult{}
		if err := json.Unmarshal(result, in.Result); err != nil {
			return model.Interaction{}, fmt.Errorf("sqlstore: decode interaction result: %w", err)
		}
	}
	if experience != nil {
		in.Experience = json.RawMessage(experience)
	}
	return in, nil
}

func (r *oidcArtifacts) UpdateInteraction(ctx context.Context, in model.Interaction, nowMs int64) (model.Interaction, error) {
	result, experience, err := encodeInteractionState(in)
	if err != nil {
		return model.Interaction{}, err
	}
	var stored model.Interaction
	err = r.s.writeSingle(ctx, func(c conn) error {
		var err error
		stored, err = r.scanInteraction(c.queryRow(ctx, `UPDATE oidc_interactions SET result = ?, experience = ?, version = version + 1
			WHERE tenant_id = ? AND uid = ? AND version = ? AND expires_at > ?
			RETURNING `+interactionColumns,
			result, experience, r.s.tenantID, in.UID, in.Version, nowMs))
		if errors.Is(err, sql.ErrNoRows) {
			return r.missedWrite(ctx, c, in.UID, nowMs)
		}
		return err
	})
	return stored, wrapErr("update interaction", err)
}

// missedWrite explains an optimistic update that matched no row: the interaction is gone or
// expired (ErrNotFound), or another request changed it first (a version conflict).
func (r *oidcArtifacts) missedWrite(ctx context.Context, c conn, uid string, nowMs int64) error {
	live, err := exists(ctx, c, "SELECT 1 FROM oidc_interactions WHERE tenant_id = ? AND uid = ? AND expires_at > ?", r.s.tenantID, uid, nowMs)
	if err != nil {
		return err
	}
	if !live {
		return store.ErrNotFound
	}
	return &store.ConflictError{Constraint: store.UniqueInteractionVersion}
}

func (r *oidcArtifacts) DeleteInteraction(ctx context.Context, uid string, version int64) error {
	err := r.s.writeSingle(ctx, func(c conn) error {
		res, err := c.exec(ctx, "DELETE FROM oidc_interactions WHERE tenant_id = ? AND uid = ? AND version = ?",
			r.s.tenantID, uid, version)
		if err != nil {
			return err
		}
		return r.versionOutcome(ctx, c, res, uid)
	})
	return wrapErr("delete interaction", err)
}

// versionOutcome explains an optimistic write that changed no row: the interaction is gone
// (ErrNotFound), or another request changed it first (a version conflict).
func (r *oidcArtifacts) versionOutcome(ctx context.Context, c conn, res sql.Result, uid string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n > 0 {
		return nil
	}
	found, err := exists(ctx, c, "SELECT 1 FROM oidc_interactions WHERE tenant_id = ? AND uid = ?", r.s.tenantID, uid)
	if err != nil {
		return err
	}
	if !found {
		return store.ErrNotFound
	}
	return &store.ConflictError{Constraint: store.UniqueInteractionVersion}
}

// ---------------------------------------------------------------------------------------------
// Sessions

const sessionColumns = "id, token_hash, account_id, auth_time, amr, created_at, expires_at"

func (r *oidcArtifacts) CreateSession(ctx context.Context, s store.Session) error {
	if err := checkSession(s); err != nil {
		return err
	}
	amr, err := encodeStrings(s.AMR)
	if err != nil {
		return err
	}
	err = r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "INSERT INTO oidc_sessions (tenant_id, "+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			r.s.tenantID, s.ID, s.TokenHash, s.AccountID, s.AuthTime, amr, s.CreatedAt, s.ExpiresAt)
		return err
	})
	return wrapErr("create session", err)
}

func checkSession(s store.Session) error {
	if err := checkID("session id", s.ID); err != nil {
		return err
	}
	if err := checkID("session account id", s.AccountID); err != nil {
		return err
	}
	return checkLen("session token hash", s.TokenHash, true, maxArtifactHashLen)
}

func (r *oidcArtifacts) SessionByToken(ctx context.Context, tokenHash string) (store.Session, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.Session{}, err
	}
	var (
		s   store.Session
		amr []byte
	)
	err = c.queryRow(ctx, "SELECT "+sessionColumns+" FROM oidc_sessions WHERE tenant_id = ? AND token_hash = ?",
		r.s.tenantID, tokenHash).Scan(&s.ID, &s.TokenHash, &s.AccountID, &s.AuthTime, &amr, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return store.Session{}, wrapErr("get session", err)
	}
	if s.AMR, err = decodeStrings("session amr", amr); err != nil {
		return store.Session{}, err
	}
	return s, nil
}

func (r *oidcArtifacts) UpdateSessionLogin(ctx context.Context, s store.Session) error {
	if err := checkSession(s); err != nil {
		return err
	}
	amr, err := encodeStrings(s.AMR)
	if err != nil {
		return err
	}
	err = r.s.writeSingle(ctx, func(c conn) error {
		res, err := c.exec(ctx, `UPDATE oidc_sessions SET token_hash = ?, account_id = ?, auth_time = ?, amr = ?,
			expires_at = ? WHERE tenant_id = ? AND id = ?`,
			s.TokenHash, s.AccountID, s.AuthTime, amr, s.ExpiresAt, r.s.tenantID, s.ID)
		if err != nil {
			return err
		}
		return expectRow(res)
	})
	return wrapErr("update session "+s.ID, err)
}

func (r *oidcArtifacts) DeleteSession(ctx context.Context, id string) error {
	err := r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "DELETE FROM oidc_sessions WHERE tenant_id = ? AND id = ?", r.s.tenantID, id)
		return err
	})
	return wrapErr("delete session "+id, err)
}

func (r *oidcArtifacts) PutSessionAuthorization(ctx context.Context, a store.SessionAuthorization) error {
	if err := checkLen("session authorization sid", a.SID, true, maxSIDLen); err != nil {
		return err
	}
	err := r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO oidc_session_authorizations
			(tenant_id, session_id, client_id, grant_id, sid, persists_logout) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, session_id, client_id) DO UPDATE SET
			grant_id = excluded.grant_id, sid = excluded.sid, persists_logout = excluded.persists_logout`,
			r.s.tenantID, a.SessionID, a.ClientID, a.GrantID, a.SID, a.PersistsLogout)
		return err
	})
	return wrapErr("put session authorization", err)
}

func (r *oidcArtifacts) SessionAuthorizations(ctx context.Context, sessionID string) ([]store.SessionAuthorization, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, err
	}
	var out []store.SessionAuthorization
	err = scanAll(ctx, c, func(sc scanner) error {
		a := store.SessionAuthorization{SessionID: sessionID}
		if err := sc.Scan(&a.ClientID, &a.GrantID, &a.SID, &a.PersistsLogout); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	}, `SELECT client_id, grant_id, sid, persists_logout FROM oidc_session_authorizations
		WHERE tenant_id = ? AND session_id = ? ORDER BY client_id`, r.s.tenantID, sessionID)
	if err != nil {
		return nil, wrapErr("list session authorizations", err)
	}
	return out, nil
}

func (r *oidcArtifacts) DeleteSessionAuthorization(ctx context.Context, sessionID, clientID string) error {
	err := r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "DELETE FROM oidc_session_authorizations WHERE tenant_id = ? AND session_id = ? AND client_id = ?",
			r.s.tenantID, sessionID, clientID)
		return err
	})
	return wrapErr("delete session authorization", err)
}

// ---------------------------------------------------------------------------------------------
// Grants

const grantColumns = "id, account_id, client_id, scope, resource_scopes, created_at, expires_at"

func (r *oidcArtifacts) CreateGrant(ctx context.Context, g store.Grant) error {
	if err := checkID("grant id", g.ID); err != nil {
		return err
	}
	if err := checkID("grant account id", g.AccountID); err != nil {
		return err
	}
	resourceScopes, err := encodeResourceScopes(g.ResourceScopes)
	if err != nil {
		return err
	}
	err = r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "INSERT INTO oidc_grants (tenant_id, "+grantColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			r.s.tenantID, g.ID, g.AccountID, g.ClientID, joinScopes(g.Scopes), resourceScopes, g.CreatedAt, g.ExpiresAt)
		return err
	})
	return wrapErr("create grant", err)
}

func (r *oidcArtifacts) GetGrant(ctx context.Context, id string) (store.Grant, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.Grant{}, err
	}
	var (
		g              store.Grant
		scope          string
		resourceScopes []byte
	)
	err = c.queryRow(ctx, "SELECT "+grantColumns+" FROM oidc_grants WHERE tenant_id = ? AND id = ?", r.s.tenantID, id).
		Scan(&g.ID, &g.AccountID, &g.ClientID, &scope, &resourceScopes, &g.CreatedAt, &g.ExpiresAt)
	if err != nil {
		return store.Grant{}, wrapErr("get grant", err)
	}
	g.Scopes = splitScopes(scope)
	if err := json.Unmarshal(resourceScopes, &g.ResourceScopes); err != nil {
		return store.Grant{}, fmt.Errorf("sqlstore: decode grant resource scopes: %w", err)
	}
	return g, nil
}

func (r *oidcArtifacts) UpdateGrantScopes(ctx context.Context, g store.Grant) error {
	resourceScopes, err := encodeResourceScopes(g.ResourceScopes)
	if err != nil {
		return err
	}
	err = r.s.writeSingle(ctx, func(c conn) error {
		res, err := c.exec(ctx, "UPDATE oidc_grants SET scope = ?, resource_scopes = ? WHERE tenant_id = ? AND id = ?",
			joinScopes(g.Scopes), resourceScopes, r.s.tenantID, g.ID)
		if err != nil {
			return err
		}
		return expectRow(res)
	})
	return wrapErr("update grant "+g.ID, err)
}

func (r *oidcArtifacts) RevokeGrant(ctx context.Context, id string) error {
	// The foreign keys cascade to codes, tokens and session authorizations.
	err := r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "DELETE FROM oidc_grants WHERE tenant_id = ? AND id = ?", r.s.tenantID, id)
		return err
	})
	return wrapErr("revoke grant "+id, err)
}

func (r *oidcArtifacts) RevokeAccount(ctx context.Context, accountID string) error {
	err := r.s.writeArtifact(ctx, func(c conn) error {
		if _, err := c.exec(ctx, "DELETE FROM oidc_grants WHERE tenant_id = ? AND account_id = ?", r.s.tenantID, accountID); err != nil {
			return err
		}
		_, err := c.exec(ctx, "DELETE FROM oidc_sessions WHERE tenant_id = ? AND account_id = ?", r.s.tenantID, accountID)
		return err
	})
	return wrapErr("revoke account "+accountID, err)
}

func encodeResourceScopes(m map[string][]string) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode resource scopes: %w", err)
	}
	return string(b), nil
}

// ---------------------------------------------------------------------------------------------
// Authorization codes

const codeColumns = `hash, grant_id, client_id, account_id, session_id, sid, redirect_uri, scope, resources,
	nonce, code_challenge, code_challenge_method, auth_time, created_at, expires_at, consumed_at`

func (r *oidcArtifacts) CreateAuthorizationCode(ctx context.Context, a store.AuthorizationCode) error {
	if err := checkLen("code hash", a.Hash, true, maxArtifactHashLen); err != nil {
		return err
	}
	resources, err := encodeStrings(a.Resources)
	if err != nil {
		return err
	}
	err = r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "INSERT INTO oidc_authorization_codes (tenant_id, "+codeColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.s.tenantID, a.Hash, a.GrantID, a.ClientID, a.AccountID, a.SessionID, a.SID, a.RedirectURI, a.Scope,
			resources, a.Nonce, a.CodeChallenge, a.CodeChallengeMethod, a.AuthTime, a.CreatedAt, a.ExpiresAt, a.ConsumedAt)
		return err
	})
	return wrapErr("create authorization code", err)
}

func (r *oidcArtifacts) AuthorizationCodeByHash(ctx context.Context, hash string) (store.AuthorizationCode, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.AuthorizationCode{}, err
	}
	var (
		a         store.AuthorizationCode
		resources []byte
		consumed  sql.NullInt64
	)
	err = c.queryRow(ctx, "SELECT "+codeColumns+" FROM oidc_authorization_codes WHERE tenant_id = ? AND hash = ?",
		r.s.tenantID, hash).Scan(&a.Hash, &a.GrantID, &a.ClientID, &a.AccountID, &a.SessionID, &a.SID, &a.RedirectURI,
		&a.Scope, &resources, &a.Nonce, &a.CodeChallenge, &a.CodeChallengeMethod, &a.AuthTime, &a.CreatedAt,
		&a.ExpiresAt, &consumed)
	if err != nil {
		return store.AuthorizationCode{}, wrapErr("get authorization code", err)
	}
	if a.Resources, err = decodeStrings("code resources", resources); err != nil {
		return store.AuthorizationCode{}, err
	}
	a.ConsumedAt = nullableInt(consumed)
	return a, nil
}

func (r *oidcArtifacts) ConsumeAuthorizationCode(ctx context.Context, hash string, nowMs int64) (bool, error) {
	var won bool
	err := r.s.writeSingle(ctx, func(c conn) error {
		res, err := c.exec(ctx, `UPDATE oidc_authorization_codes SET consumed_at = ?
			WHERE tenant_id = ? AND hash = ? AND consumed_at IS NULL`, nowMs, r.s.tenantID, hash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	return won, wrapErr("consume authorization code", err)
}

// ---------------------------------------------------------------------------------------------
// Access tokens

const accessTokenColumns = "hash, grant_id, client_id, account_id, scope, sid, created_at, expires_at"

func (r *oidcArtifacts) CreateAccessToken(ctx context.Context, t store.AccessToken) error {
	if err := checkLen("access token hash", t.Hash, true, maxArtifactHashLen); err != nil {
		return err
	}
	err := r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "INSERT INTO oidc_access_tokens (tenant_id, "+accessTokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			r.s.tenantID, t.Hash, t.GrantID, t.ClientID, t.AccountID, t.Scope, t.SID, t.CreatedAt, t.ExpiresAt)
		return err
	})
	return wrapErr("create access token", err)
}

func (r *oidcArtifacts) AccessTokenByHash(ctx context.Context, hash string) (store.AccessToken, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.AccessToken{}, err
	}
	var t store.AccessToken
	err = c.queryRow(ctx, "SELECT "+accessTokenColumns+" FROM oidc_access_tokens WHERE tenant_id = ? AND hash = ?",
		r.s.tenantID, hash).Scan(&t.Hash, &t.GrantID, &t.ClientID, &t.AccountID, &t.Scope, &t.SID, &t.CreatedAt, &t.ExpiresAt)
	if err != nil {
		return store.AccessToken{}, wrapErr("get access token", err)
	}
	return t, nil
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens

const refreshTokenColumns = `hash, grant_id, client_id, account_id, scope, resources, nonce, sid, auth_time,
	rotations, first_issued_at, created_at, expires_at, consumed_at`

func (r *oidcArtifacts) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	if err := checkLen("refresh token hash", t.Hash, true, maxArtifactHashLen); err != nil {
		return err
	}
	resources, err := encodeStrings(t.Resources)
	if err != nil {
		return err
	}
	err = r.s.writeSingle(ctx, func(c conn) error {
		_, err := c.exec(ctx, "INSERT INTO oidc_refresh_tokens (tenant_id, "+refreshTokenColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.s.tenantID, t.Hash, t.GrantID, t.ClientID, t.AccountID, t.Scope, resources, t.Nonce, t.SID, t.AuthTime,
			t.Rotations, t.FirstIssuedAt, t.CreatedAt, t.ExpiresAt, t.ConsumedAt)
		return err
	})
	return wrapErr("create refresh token", err)
}

func (r *oidcArtifacts) RefreshTokenByHash(ctx context.Context, hash string) (store.RefreshToken, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.RefreshToken{}, err
	}
	var (
		t         store.RefreshToken
		resources []byte
		consumed  sql.NullInt64
	)
	err = c.queryRow(ctx, "SELECT "+refreshTokenColumns+" FROM oidc_refresh_tokens WHERE tenant_id = ? AND hash = ?",
		r.s.tenantID, hash).Scan(&t.Hash, &t.GrantID, &t.ClientID, &t.AccountID, &t.Scope, &resources, &t.Nonce, &t.SID,
		&t.AuthTime, &t.Rotations, &t.FirstIssuedAt, &t.CreatedAt, &t.ExpiresAt, &consumed)
	if err != nil {
		return store.RefreshToken{}, wrapErr("get refresh token", err)
	}
	if t.Resources, err = decodeStrings("refresh token resources", resources); err != nil {
		return store.RefreshToken{}, err
	}
	t.ConsumedAt = nullableInt(consumed)
	return t, nil
}

func (r *oidcArtifacts) RefreshTokenWithGrant(ctx context.Context, hash string) (store.RefreshToken, store.Grant, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.RefreshToken{}, store.Grant{}, err
	}
	var (
		t              store.RefreshToken
		g              store.Grant
		resources      []byte
		consumed       sql.NullInt64
		scope          string
		resourceScopes []byte
	)
	// A refresh token cannot outlive its grant (the foreign key cascades), so the inner join
	// finds exactly the tokens RefreshTokenByHash finds.
	err = c.queryRow(ctx, `SELECT t.hash, t.grant_id, t.client_id, t.account_id, t.scope, t.resources, t.nonce, t.sid,
		t.auth_time, t.rotations, t.first_issued_at, t.created_at, t.expires_at, t.consumed_at,
		g.id, g.account_id, g.client_id, g.scope, g.resource_scopes, g.created_at, g.expires_at
		FROM oidc_refresh_tokens t JOIN oidc_grants g ON g.tenant_id = t.tenant_id AND g.id = t.grant_id
		WHERE t.tenant_id = ? AND t.hash = ?`, r.s.tenantID, hash).
		Scan(&t.Hash, &t.GrantID, &t.ClientID, &t.AccountID, &t.Scope, &resources, &t.Nonce, &t.SID,
			&t.AuthTime, &t.Rotations, &t.FirstIssuedAt, &t.CreatedAt, &t.ExpiresAt, &consumed,
			&g.ID, &g.AccountID, &g.ClientID, &scope, &resourceScopes, &g.CreatedAt, &g.ExpiresAt)
	if err != nil {
		return store.RefreshToken{}, store.Grant{}, wrapErr("get refresh token with grant", err)
	}
	if t.Resources, err = decodeStrings("refresh token resources", resources); err != nil {
		return store.RefreshToken{}, store.Grant{}, err
	}
	t.ConsumedAt = nullableInt(consumed)
	g.Scopes = splitScopes(scope)
	if err := json.Unmarshal(resourceScopes, &g.ResourceScopes); err != nil {
		return store.RefreshToken{}, store.Grant{}, fmt.Errorf("sqlstore: decode grant resource scopes: %w", err)
	}
	return t, g, nil
}

func (r *oidcArtifacts) ConsumeRefreshToken(ctx context.Context, hash string, nowMs, leewayStartMs int64) (bool, error) {
	var won bool
	err := r.s.writeSingle(ctx, func(c conn) error {
		// COALESCE keeps the first consumption time, so the leeway cannot be stretched by
		// replaying a rotated token again and again.
		res, err := c.exec(ctx, `UPDATE oidc_refresh_tokens SET consumed_at = COALESCE(consumed_at, ?)
			WHERE tenant_id = ? AND hash = ? AND (consumed_at IS NULL OR consumed_at > ?)`,
			nowMs, r.s.tenantID, hash, leewayStartMs)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	return won, wrapErr("consume refresh token", err)
}

// ---------------------------------------------------------------------------------------------
// Cleanup

// expiringTables are deleted from in this order: children before the grants and sessions they
// belong to, so the cascades find little left to do.
var expiringTables = []string{
	"oidc_interactions",
	"oidc_authorization_codes",
	"oidc_access_tokens",
	"oidc_refresh_tokens",
	"oidc_grants",
	"oidc_sessions",
}

func (r *oidcArtifacts) DeleteExpired(ctx context.Context, nowMs int64) (int64, error) {
	var total int64
	err := r.s.writeArtifact(ctx, func(c conn) error {
		total = 0
		for _, table := range expiringTables {
			res, err := c.exec(ctx, "DELETE FROM "+table+" WHERE tenant_id = ? AND expires_at <= ?", r.s.tenantID, nowMs)
			if err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("%s: rows affected: %w", table, err)
			}
			total += n
		}
		return nil
	})
	return total, wrapErr("delete expired protocol artifacts", err)
}

// ---------------------------------------------------------------------------------------------
// Column encodings

// encodeStrings writes a list as a JSON array, never null.
func encodeStrings(list []string) (string, error) {
	b, err := json.Marshal(nonNil(list))
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode list: %w", err)
	}
	return string(b), nil
}

func decodeStrings(field string, b []byte) ([]string, error) {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("sqlstore: decode %s: %w", field, err)
	}
	return list, nil
}

// joinScopes stores a scope list as OAuth writes it: space-separated (RFC 6749 §3.3).
func joinScopes(scopes []string) string { return strings.Join(scopes, " ") }

func splitScopes(scope string) []string { return strings.Fields(scope) }

func nullableInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}
