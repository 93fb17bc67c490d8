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
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
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

// Each artifact has one column list constant, and one scan function that reads a row of those
// columns, which every query of the artifact uses; the INSERT of each artifact is built once
// from its column list.

// execSingle runs one statement as its own write (writeSingle) and wraps its error as op.
func (r *oidcArtifacts) execSingle(ctx context.Context, op, query string, args ...any) error {
	return wrapErr(op, r.s.writeSingle(ctx, sqlx.ExecStmt(ctx, query, args...)))
}

// updateOne is execSingle for a statement that must change a row: ErrNotFound when it changes
// none.
func (r *oidcArtifacts) updateOne(ctx context.Context, op, query string, args ...any) error {
	return wrapErr(op, r.s.writeSingle(ctx, sqlx.ExecRow(ctx, query, args...)))
}

// consume runs the UPDATE that marks a one-time artifact used and reports whether it changed
// the row, that is whether this caller won.
func (r *oidcArtifacts) consume(ctx context.Context, op, query string, args ...any) (bool, error) {
	var won bool
	err := r.s.writeSingle(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	return won, wrapErr(op, err)
}

// insertStatement is the INSERT of a tenant's row of columns (a column list constant) into table.
func insertStatement(table, columns string) string {
	return "INSERT INTO " + table + " (tenant_id, " + columns + ") VALUES (" + sqlx.Placeholders(1+columnCount(columns)) + ")"
}

func columnCount(columns string) int { return strings.Count(columns, ",") + 1 }

// ---------------------------------------------------------------------------------------------
// Interactions

const interactionColumns = `uid, client_id, params, session_id, prompt, account_id, result, experience,
	version, created_at, expires_at`

var insertInteraction = insertStatement("oidc_interactions", interactionColumns)

func (r *oidcArtifacts) CreateInteraction(ctx context.Context, in model.Interaction) error {
	if err := sqlx.CheckLen("interaction uid", in.UID, true, maxInteractionUID); err != nil {
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
	err = r.s.writeSingle(ctx, func(c sqlx.Conn) error {
		_, err := c.Exec(ctx, insertInteraction,
			r.s.tenantID, in.UID, in.ClientID, string(params), in.SessionID, in.Prompt, in.AccountID,
			result, experience, in.Version, in.CreatedAt, in.ExpiresAt)
		return err
	})
	if errors.Is(sqlx.Translate(err), store.ErrConflict) {
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
	if !sqlx.IsNullJSON(in.Experience) {
		if !json.Valid(in.Experience) {
			return nil, nil, fmt.Errorf("sqlstore: interaction experience: %w", sqlx.ErrInvalidJSON)
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
	in, err := r.scanInteraction(c.QueryRow(ctx, "SELECT "+interactionColumns+" FROM oidc_interactions WHERE tenant_id = ? AND uid = ?",
		r.s.tenantID, uid))
	return in, wrapErr("get interaction", err)
}

// scanInteraction reads one interactionColumns row.
func (r *oidcArtifacts) scanInteraction(row sqlx.Scanner) (model.Interaction, error) {
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
	err = r.s.writeSingle(ctx, func(c sqlx.Conn) error {
		var err error
		stored, err = r.scanInteraction(c.QueryRow(ctx, `UPDATE oidc_interactions SET result = ?, experience = ?, version = version + 1
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
func (r *oidcArtifacts) missedWrite(ctx context.Context, c sqlx.Conn, uid string, nowMs int64) error {
	live, err := sqlx.Exists(ctx, c, "SELECT 1 FROM oidc_interactions WHERE tenant_id = ? AND uid = ? AND expires_at > ?", r.s.tenantID, uid, nowMs)
	if err != nil {
		return err
	}
	if !live {
		return store.ErrNotFound
	}
	return &store.ConflictError{Constraint: store.UniqueInteractionVersion}
}

func (r *oidcArtifacts) DeleteInteraction(ctx context.Context, uid string, version int64) error {
	err := r.s.writeSingle(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, "DELETE FROM oidc_interactions WHERE tenant_id = ? AND uid = ? AND version = ?",
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
func (r *oidcArtifacts) versionOutcome(ctx context.Context, c sqlx.Conn, res sql.Result, uid string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n > 0 {
		return nil
	}
	found, err := sqlx.Exists(ctx, c, "SELECT 1 FROM oidc_interactions WHERE tenant_id = ? AND uid = ?", r.s.tenantID, uid)
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

var insertSession = insertStatement("oidc_sessions", sessionColumns)

// scanSession reads one sessionColumns row.
func scanSession(sc sqlx.Scanner) (store.Session, error) {
	var (
		s   store.Session
		amr []byte
		err error
	)
	if err := sc.Scan(&s.ID, &s.TokenHash, &s.AccountID, &s.AuthTime, &amr, &s.CreatedAt, &s.ExpiresAt); err != nil {
		return store.Session{}, err
	}
	if s.AMR, err = decodeStrings("session amr", amr); err != nil {
		return store.Session{}, err
	}
	return s, nil
}

func (r *oidcArtifacts) CreateSession(ctx context.Context, s store.Session) error {
	if err := checkSession(s); err != nil {
		return err
	}
	amr, err := encodeStrings(s.AMR)
	if err != nil {
		return err
	}
	return r.execSingle(ctx, "create session", insertSession,
		r.s.tenantID, s.ID, s.TokenHash, s.AccountID, s.AuthTime, amr, s.CreatedAt, s.ExpiresAt)
}

func checkSession(s store.Session) error {
	if err := checkID("session id", s.ID); err != nil {
		return err
	}
	if err := checkID("session account id", s.AccountID); err != nil {
		return err
	}
	return sqlx.CheckLen("session token hash", s.TokenHash, true, maxArtifactHashLen)
}

func (r *oidcArtifacts) SessionByToken(ctx context.Context, tokenHash string) (store.Session, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.Session{}, err
	}
	s, err := scanSession(c.QueryRow(ctx, "SELECT "+sessionColumns+" FROM oidc_sessions WHERE tenant_id = ? AND token_hash = ?",
		r.s.tenantID, tokenHash))
	return s, wrapErr("get session", err)
}

func (r *oidcArtifacts) UpdateSessionLogin(ctx context.Context, s store.Session) error {
	if err := checkSession(s); err != nil {
		return err
	}
	amr, err := encodeStrings(s.AMR)
	if err != nil {
		return err
	}
	return r.updateOne(ctx, "update session "+s.ID, `UPDATE oidc_sessions SET token_hash = ?, account_id = ?, auth_time = ?, amr = ?,
			expires_at = ? WHERE tenant_id = ? AND id = ?`,
		s.TokenHash, s.AccountID, s.AuthTime, amr, s.ExpiresAt, r.s.tenantID, s.ID)
}

func (r *oidcArtifacts) DeleteSession(ctx context.Context, id string) error {
	return r.execSingle(ctx, "delete session "+id, "DELETE FROM oidc_sessions WHERE tenant_id = ? AND id = ?", r.s.tenantID, id)
}

const sessionAuthorizationColumns = "session_id, client_id, grant_id, sid, persists_logout"

var insertSessionAuthorization = insertStatement("oidc_session_authorizations", sessionAuthorizationColumns)

// scanSessionAuthorization reads one sessionAuthorizationColumns row.
func scanSessionAuthorization(sc sqlx.Scanner) (store.SessionAuthorization, error) {
	var a store.SessionAuthorization
	err := sc.Scan(&a.SessionID, &a.ClientID, &a.GrantID, &a.SID, &a.PersistsLogout)
	return a, err
}

func (r *oidcArtifacts) PutSessionAuthorization(ctx context.Context, a store.SessionAuthorization) error {
	if err := sqlx.CheckLen("session authorization sid", a.SID, true, maxSIDLen); err != nil {
		return err
	}
	return r.execSingle(ctx, "put session authorization", insertSessionAuthorization+`
			ON CONFLICT (tenant_id, session_id, client_id) DO UPDATE SET
			grant_id = excluded.grant_id, sid = excluded.sid, persists_logout = excluded.persists_logout`,
		r.s.tenantID, a.SessionID, a.ClientID, a.GrantID, a.SID, a.PersistsLogout)
}

func (r *oidcArtifacts) SessionAuthorizations(ctx context.Context, sessionID string) ([]store.SessionAuthorization, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, err
	}
	var out []store.SessionAuthorization
	err = sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		a, err := scanSessionAuthorization(sc)
		if err != nil {
			return err
		}
		out = append(out, a)
		return nil
	}, "SELECT "+sessionAuthorizationColumns+` FROM oidc_session_authorizations
		WHERE tenant_id = ? AND session_id = ? ORDER BY client_id`, r.s.tenantID, sessionID)
	if err != nil {
		return nil, wrapErr("list session authorizations", err)
	}
	return out, nil
}

func (r *oidcArtifacts) DeleteSessionAuthorization(ctx context.Context, sessionID, clientID string) error {
	return r.execSingle(ctx, "delete session authorization", "DELETE FROM oidc_session_authorizations WHERE tenant_id = ? AND session_id = ? AND client_id = ?",
		r.s.tenantID, sessionID, clientID)
}

// ---------------------------------------------------------------------------------------------
// Grants

const grantColumns = "id, account_id, client_id, scope, resource_scopes, created_at, expires_at"

var insertGrant = insertStatement("oidc_grants", grantColumns)

// grantRow receives a grantColumns row, for scanGrant and for joins.
type grantRow struct {
	g              store.Grant
	scope          string
	resourceScopes []byte
}

func (r *grantRow) dest() []any {
	return []any{&r.g.ID, &r.g.AccountID, &r.g.ClientID, &r.scope, &r.resourceScopes, &r.g.CreatedAt, &r.g.ExpiresAt}
}

func (r *grantRow) decode() (store.Grant, error) {
	r.g.Scopes = splitScopes(r.scope)
	if err := json.Unmarshal(r.resourceScopes, &r.g.ResourceScopes); err != nil {
		return store.Grant{}, fmt.Errorf("sqlstore: decode grant resource scopes: %w", err)
	}
	return r.g, nil
}

// scanGrant reads one grantColumns row.
func scanGrant(sc sqlx.Scanner) (store.Grant, error) {
	var row grantRow
	if err := sc.Scan(row.dest()...); err != nil {
		return store.Grant{}, err
	}
	return row.decode()
}

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
	return r.execSingle(ctx, "create grant", insertGrant,
		r.s.tenantID, g.ID, g.AccountID, g.ClientID, joinScopes(g.Scopes), resourceScopes, g.CreatedAt, g.ExpiresAt)
}

func (r *oidcArtifacts) GetGrant(ctx context.Context, id string) (store.Grant, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.Grant{}, err
	}
	g, err := scanGrant(c.QueryRow(ctx, "SELECT "+grantColumns+" FROM oidc_grants WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	return g, wrapErr("get grant", err)
}

func (r *oidcArtifacts) UpdateGrantScopes(ctx context.Context, g store.Grant) error {
	resourceScopes, err := encodeResourceScopes(g.ResourceScopes)
	if err != nil {
		return err
	}
	return r.updateOne(ctx, "update grant "+g.ID, "UPDATE oidc_grants SET scope = ?, resource_scopes = ? WHERE tenant_id = ? AND id = ?",
		joinScopes(g.Scopes), resourceScopes, r.s.tenantID, g.ID)
}

func (r *oidcArtifacts) RevokeGrant(ctx context.Context, id string) error {
	// The foreign keys cascade to codes, tokens and session authorizations.
	return r.execSingle(ctx, "revoke grant "+id, "DELETE FROM oidc_grants WHERE tenant_id = ? AND id = ?", r.s.tenantID, id)
}

func (r *oidcArtifacts) RevokeAccount(ctx context.Context, accountID string) error {
	err := r.s.writeArtifact(ctx, func(c sqlx.Conn) error {
		if _, err := c.Exec(ctx, "DELETE FROM oidc_grants WHERE tenant_id = ? AND account_id = ?", r.s.tenantID, accountID); err != nil {
			return err
		}
		_, err := c.Exec(ctx, "DELETE FROM oidc_sessions WHERE tenant_id = ? AND account_id = ?", r.s.tenantID, accountID)
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

var insertCode = insertStatement("oidc_authorization_codes", codeColumns)

// scanCode reads one codeColumns row.
func scanCode(sc sqlx.Scanner) (store.AuthorizationCode, error) {
	var (
		a         store.AuthorizationCode
		resources []byte
		consumed  sql.NullInt64
		err       error
	)
	if err := sc.Scan(&a.Hash, &a.GrantID, &a.ClientID, &a.AccountID, &a.SessionID, &a.SID, &a.RedirectURI,
		&a.Scope, &resources, &a.Nonce, &a.CodeChallenge, &a.CodeChallengeMethod, &a.AuthTime, &a.CreatedAt,
		&a.ExpiresAt, &consumed); err != nil {
		return store.AuthorizationCode{}, err
	}
	if a.Resources, err = decodeStrings("code resources", resources); err != nil {
		return store.AuthorizationCode{}, err
	}
	a.ConsumedAt = nullableInt(consumed)
	return a, nil
}

func (r *oidcArtifacts) CreateAuthorizationCode(ctx context.Context, a store.AuthorizationCode) error {
	if err := sqlx.CheckLen("code hash", a.Hash, true, maxArtifactHashLen); err != nil {
		return err
	}
	resources, err := encodeStrings(a.Resources)
	if err != nil {
		return err
	}
	return r.execSingle(ctx, "create authorization code", insertCode,
		r.s.tenantID, a.Hash, a.GrantID, a.ClientID, a.AccountID, a.SessionID, a.SID, a.RedirectURI, a.Scope,
		resources, a.Nonce, a.CodeChallenge, a.CodeChallengeMethod, a.AuthTime, a.CreatedAt, a.ExpiresAt, a.ConsumedAt)
}

func (r *oidcArtifacts) AuthorizationCodeByHash(ctx context.Context, hash string) (store.AuthorizationCode, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.AuthorizationCode{}, err
	}
	a, err := scanCode(c.QueryRow(ctx, "SELECT "+codeColumns+" FROM oidc_authorization_codes WHERE tenant_id = ? AND hash = ?",
		r.s.tenantID, hash))
	return a, wrapErr("get authorization code", err)
}

func (r *oidcArtifacts) ConsumeAuthorizationCode(ctx context.Context, hash string, nowMs int64) (bool, error) {
	return r.consume(ctx, "consume authorization code", `UPDATE oidc_authorization_codes SET consumed_at = ?
			WHERE tenant_id = ? AND hash = ? AND consumed_at IS NULL`, nowMs, r.s.tenantID, hash)
}

// ---------------------------------------------------------------------------------------------
// Access tokens

const accessTokenColumns = "hash, grant_id, client_id, account_id, scope, sid, created_at, expires_at"

var insertAccessToken = insertStatement("oidc_access_tokens", accessTokenColumns)

// scanAccessToken reads one accessTokenColumns row.
func scanAccessToken(sc sqlx.Scanner) (store.AccessToken, error) {
	var t store.AccessToken
	if err := sc.Scan(&t.Hash, &t.GrantID, &t.ClientID, &t.AccountID, &t.Scope, &t.SID, &t.CreatedAt, &t.ExpiresAt); err != nil {
		return store.AccessToken{}, err
	}
	return t, nil
}

func (r *oidcArtifacts) CreateAccessToken(ctx context.Context, t store.AccessToken) error {
	if err := sqlx.CheckLen("access token hash", t.Hash, true, maxArtifactHashLen); err != nil {
		return err
	}
	return r.execSingle(ctx, "create access token", insertAccessToken,
		r.s.tenantID, t.Hash, t.GrantID, t.ClientID, t.AccountID, t.Scope, t.SID, t.CreatedAt, t.ExpiresAt)
}

func (r *oidcArtifacts) AccessTokenByHash(ctx context.Context, hash string) (store.AccessToken, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.AccessToken{}, err
	}
	t, err := scanAccessToken(c.QueryRow(ctx, "SELECT "+accessTokenColumns+" FROM oidc_access_tokens WHERE tenant_id = ? AND hash = ?",
		r.s.tenantID, hash))
	return t, wrapErr("get access token", err)
}

// ---------------------------------------------------------------------------------------------
// Refresh tokens

const refreshTokenColumns = `hash, grant_id, client_id, account_id, scope, resources, nonce, sid, auth_time,
	rotations, first_issued_at, created_at, expires_at, consumed_at`

var insertRefreshToken = insertStatement("oidc_refresh_tokens", refreshTokenColumns)

// refreshTokenRow receives a refreshTokenColumns row, for scanRefreshToken and for joins.
type refreshTokenRow struct {
	t         store.RefreshToken
	resources []byte
	consumed  sql.NullInt64
}

func (r *refreshTokenRow) dest() []any {
	return []any{&r.t.Hash, &r.t.GrantID, &r.t.ClientID, &r.t.AccountID, &r.t.Scope, &r.resources, &r.t.Nonce, &r.t.SID,
		&r.t.AuthTime, &r.t.Rotations, &r.t.FirstIssuedAt, &r.t.CreatedAt, &r.t.ExpiresAt, &r.consumed}
}

func (r *refreshTokenRow) decode() (store.RefreshToken, error) {
	var err error
	if r.t.Resources, err = decodeStrings("refresh token resources", r.resources); err != nil {
		return store.RefreshToken{}, err
	}
	r.t.ConsumedAt = nullableInt(r.consumed)
	return r.t, nil
}

// scanRefreshToken reads one refreshTokenColumns row.
func scanRefreshToken(sc sqlx.Scanner) (store.RefreshToken, error) {
	var row refreshTokenRow
	if err := sc.Scan(row.dest()...); err != nil {
		return store.RefreshToken{}, err
	}
	return row.decode()
}

// scanRefreshTokenWithGrant reads one row of refreshTokenWithGrantColumns.
func scanRefreshTokenWithGrant(sc sqlx.Scanner) (store.RefreshToken, store.Grant, error) {
	var (
		token refreshTokenRow
		grant grantRow
	)
	if err := sc.Scan(append(token.dest(), grant.dest()...)...); err != nil {
		return store.RefreshToken{}, store.Grant{}, err
	}
	t, err := token.decode()
	if err != nil {
		return store.RefreshToken{}, store.Grant{}, err
	}
	g, err := grant.decode()
	if err != nil {
		return store.RefreshToken{}, store.Grant{}, err
	}
	return t, g, nil
}

// refreshTokenWithGrantColumns are the columns of a refresh token (t) joined with its grant (g).
var refreshTokenWithGrantColumns = sqlx.Prefixed("t", refreshTokenColumns) + ", " + sqlx.Prefixed("g", grantColumns)

func (r *oidcArtifacts) CreateRefreshToken(ctx context.Context, t store.RefreshToken) error {
	if err := sqlx.CheckLen("refresh token hash", t.Hash, true, maxArtifactHashLen); err != nil {
		return err
	}
	resources, err := encodeStrings(t.Resources)
	if err != nil {
		return err
	}
	return r.execSingle(ctx, "create refresh token", insertRefreshToken,
		r.s.tenantID, t.Hash, t.GrantID, t.ClientID, t.AccountID, t.Scope, resources, t.Nonce, t.SID, t.AuthTime,
		t.Rotations, t.FirstIssuedAt, t.CreatedAt, t.ExpiresAt, t.ConsumedAt)
}

func (r *oidcArtifacts) RefreshTokenByHash(ctx context.Context, hash string) (store.RefreshToken, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.RefreshToken{}, err
	}
	t, err := scanRefreshToken(c.QueryRow(ctx, "SELECT "+refreshTokenColumns+" FROM oidc_refresh_tokens WHERE tenant_id = ? AND hash = ?",
		r.s.tenantID, hash))
	return t, wrapErr("get refresh token", err)
}

func (r *oidcArtifacts) RefreshTokenWithGrant(ctx context.Context, hash string) (store.RefreshToken, store.Grant, error) {
	c, err := r.s.reader()
	if err != nil {
		return store.RefreshToken{}, store.Grant{}, err
	}
	// A refresh token cannot outlive its grant (the foreign key cascades), so the inner join
	// finds exactly the tokens RefreshTokenByHash finds.
	t, g, err := scanRefreshTokenWithGrant(c.QueryRow(ctx, "SELECT "+refreshTokenWithGrantColumns+`
		FROM oidc_refresh_tokens t JOIN oidc_grants g ON g.tenant_id = t.tenant_id AND g.id = t.grant_id
		WHERE t.tenant_id = ? AND t.hash = ?`, r.s.tenantID, hash))
	return t, g, wrapErr("get refresh token with grant", err)
}

func (r *oidcArtifacts) ConsumeRefreshToken(ctx context.Context, hash string, nowMs, leewayStartMs int64) (bool, error) {
	// COALESCE keeps the first consumption time, so the leeway cannot be stretched by
	// replaying a rotated token again and again.
	return r.consume(ctx, "consume refresh token", `UPDATE oidc_refresh_tokens SET consumed_at = COALESCE(consumed_at, ?)
			WHERE tenant_id = ? AND hash = ? AND (consumed_at IS NULL OR consumed_at > ?)`,
		nowMs, r.s.tenantID, hash, leewayStartMs)
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
	err := r.s.writeArtifact(ctx, func(c sqlx.Conn) error {
		total = 0
		for _, table := range expiringTables {
			res, err := c.Exec(ctx, "DELETE FROM "+table+" WHERE tenant_id = ? AND expires_at <= ?", r.s.tenantID, nowMs)
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
