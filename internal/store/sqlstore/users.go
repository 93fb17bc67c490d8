package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// users implements store.Users. Every write goes through writeUncached: no process caches users,
// so a burst of sign-ins or imports must not flush the tenant's client, role and key caches.
type users struct{ s *tenantScope }

// Users returns the tenant's user repository.
func (s *tenantScope) Users() store.Users { return &users{s} }

// Column limits of Logto's users table (varchar(n)).
const (
	maxUserIDLen            = 12
	maxUsernameLen          = 128
	maxEmailLen             = 128
	maxPhoneLen             = 128
	maxPasswordEncryptedLen = 256
	maxUserNameLen          = 128
	maxAvatarLen            = 2048
)

const userColumns = `id, username, primary_email, primary_phone, password_encrypted, password_encryption_method,
	name, avatar, profile, application_id, identities, custom_data, logto_config, is_suspended,
	is_password_expired, last_sign_in_at, password_updated_at, created_at, updated_at`

// userOrder is Logto's order of user lists: newest first.
const userOrder = "u.created_at DESC, u.seq DESC"

// userUniqueRules map the users tables' uniqueness constraints, as each dialect names them, to
// the store's rules (errors.go's uniqueRules hold the tables of 00001). A unique expression index
// is reported by SQLite as "index '<name>'".
var userUniqueRules = []uniqueRule{
	{"users__pkey", "users.tenant_id, users.id", store.UniqueUserID},
	{"users__username", "users.tenant_id, users.username", store.UniqueUsername},
	{"users__primary_email", "index 'users__primary_email'", store.UniqueUserEmail},
	{"users__primary_phone", "users.tenant_id, users.primary_phone", store.UniqueUserPhone},
	{"users_roles__user_id_role_id", "users_roles.tenant_id, users_roles.user_id, users_roles.role_id", store.UniqueUserRole},
}

// wrapUserErr is wrapErr with the users tables' constraint names translated.
func wrapUserErr(op string, err error) error {
	return nameConflict(op, wrapErr(op, err), userUniqueRules)
}

// validPasswordMethod reports whether method is one of Logto's users_password_encryption_method.
func validPasswordMethod(method string) bool {
	switch method {
	case model.PasswordArgon2i, model.PasswordArgon2id, model.PasswordArgon2d, model.PasswordSHA1,
		model.PasswordSHA256, model.PasswordMD5, model.PasswordBcrypt, model.PasswordLegacy:
		return true
	}
	return false
}

// checkOptional is checkLen for a nullable column, refusing NUL bytes and invalid UTF-8, which
// PostgreSQL would refuse with a driver error.
func checkOptional(field string, value *string, limit int) error {
	if value == nil {
		return nil
	}
	return checkText(field, *value, limit)
}

func checkText(field, value string, limit int) error {
	if !utf8.ValidString(value) || strings.ContainsRune(value, 0) {
		return fmt.Errorf("sqlstore: %s must be valid UTF-8 without NUL characters", field)
	}
	return sqlx.CheckLen(field, value, false, limit)
}

func checkUser(u model.User) error {
	if err := sqlx.CheckLen("user id", u.ID, true, maxUserIDLen); err != nil {
		return err
	}
	for _, c := range []struct {
		field string
		value *string
		limit int
	}{
		{"username", u.Username, maxUsernameLen},
		{"primary email", u.PrimaryEmail, maxEmailLen},
		{"primary phone", u.PrimaryPhone, maxPhoneLen},
		{"name", u.Name, maxUserNameLen},
		{"avatar", u.Avatar, maxAvatarLen},
		{"application id", u.ApplicationID, maxIDLen},
	} {
		if err := checkOptional(c.field, c.value, c.limit); err != nil {
			return err
		}
	}
	return checkPassword(u.PasswordEncrypted, u.PasswordEncryptionMethod)
}

// checkPassword requires the hash and its method together, the method one of Logto's.
func checkPassword(encrypted, method *string) error {
	if (encrypted == nil) != (method == nil) {
		return errors.New("sqlstore: a password hash and its encryption method go together")
	}
	if encrypted == nil {
		return nil
	}
	if !validPasswordMethod(*method) {
		return fmt.Errorf("sqlstore: password encryption method %q is not one of Logto's", *method)
	}
	return checkText("password hash", *encrypted, maxPasswordEncryptedLen)
}

// userRow holds a user's JSON columns encoded for the database.
type userRow struct {
	profile, identities, customData, logtoConfig string
}

func encodeUser(u model.User) (userRow, error) {
	var (
		r   userRow
		err error
	)
	profile, err := json.Marshal(u.Profile)
	if err != nil {
		return r, fmt.Errorf("encode profile: %w", err)
	}
	r.profile = string(profile)
	if r.identities, err = sqlx.EncodeObject("identities", u.Identities); err != nil {
		return r, err
	}
	if r.customData, err = sqlx.EncodeObject("customData", u.CustomData); err != nil {
		return r, err
	}
	r.logtoConfig, err = sqlx.EncodeObject("logtoConfig", u.LogtoConfig)
	return r, err
}

func scanUser(tenantID string, sc sqlx.Scanner) (model.User, error) {
	var (
		u                                            model.User
		username, email, phone, encrypted, method    sql.NullString
		name, avatar, appID                          sql.NullString
		profile, identities, customData, logtoConfig []byte
		lastSignIn, passwordUpdated                  sql.NullInt64
	)
	err := sc.Scan(&u.ID, &username, &email, &phone, &encrypted, &method, &name, &avatar, &profile, &appID,
		&identities, &customData, &logtoConfig, &u.IsSuspended, &u.IsPasswordExpired, &lastSignIn,
		&passwordUpdated, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return u, err
	}
	u.TenantID = tenantID
	u.Username, u.PrimaryEmail, u.PrimaryPhone = nullString(username), nullString(email), nullString(phone)
	u.PasswordEncrypted, u.PasswordEncryptionMethod = nullString(encrypted), nullString(method)
	u.Name, u.Avatar, u.ApplicationID = nullString(name), nullString(avatar), nullString(appID)
	u.LastSignInAt, u.PasswordUpdatedAt = nullInt(lastSignIn), nullInt(passwordUpdated)
	if err := json.Unmarshal(profile, &u.Profile); err != nil {
		return u, fmt.Errorf("decode profile of user %s: %w", u.ID, err)
	}
	u.Identities, u.CustomData, u.LogtoConfig = identities, customData, logtoConfig
	return u, nil
}

func nullString(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func nullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func (r users) Create(ctx context.Context, u model.User) error {
	if err := checkUser(u); err != nil {
		return err
	}
	row, err := encodeUser(u)
	if err != nil {
		return wrapErr("create user", err)
	}
	err = r.s.writeUncached(ctx, func(c sqlx.Conn) error {
		_, err := c.Exec(ctx, `INSERT INTO users (tenant_id, `+userColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.s.tenantID, u.ID, u.Username, u.PrimaryEmail, u.PrimaryPhone, u.PasswordEncrypted,
			u.PasswordEncryptionMethod, u.Name, u.Avatar, row.profile, u.ApplicationID, row.identities,
			row.customData, row.logtoConfig, u.IsSuspended, u.IsPasswordExpired, u.LastSignInAt,
			u.PasswordUpdatedAt, u.CreatedAt, u.UpdatedAt)
		return err
	})
	return wrapUserErr("create user "+u.ID, err)
}

func (r users) Get(ctx context.Context, id string) (model.User, error) {
	return r.getWhere(ctx, "get user "+id, "id = ?", id)
}

func (r users) GetByUsername(ctx context.Context, username string, caseSensitive bool) (model.User, error) {
	if caseSensitive {
		return r.getWhere(ctx, "get user by username", "username = ?", username)
	}
	// Usernames written while the policy was case-sensitive may differ only in case: the exact
	// one wins, then the oldest.
	return r.getWhere(ctx, "get user by username",
		"lower(username) = lower(?) ORDER BY CASE WHEN username = ? THEN 0 ELSE 1 END, seq LIMIT 1", username, username)
}

func (r users) GetByEmail(ctx context.Context, email string) (model.User, error) {
	return r.getWhere(ctx, "get user by email", "lower(primary_email) = lower(?)", email)
}

func (r users) GetByPhone(ctx context.Context, phone string) (model.User, error) {
	return r.getWhere(ctx, "get user by phone", "primary_phone = ?", phone)
}

func (r users) GetByIdentity(ctx context.Context, target, accountID string) (model.User, error) {
	// The target is a key of the identities object: PostgreSQL's -> takes it as a value, SQLite's
	// JSON path takes it quoted by json_quote, so no target can change the path.
	cond := `json_extract(identities, '$.' || json_quote(?) || '.userId') = ?`
	if r.s.db.postgres() {
		cond = `identities -> ? ->> 'userId' = ?`
	}
	return r.getWhere(ctx, "get user by identity", cond+" ORDER BY seq LIMIT 1", target, accountID)
}

// getWhere reads the tenant's one user matching cond. Values that could never be stored (NUL,
// invalid UTF-8) find nobody instead of reaching PostgreSQL, which would refuse them.
func (r users) getWhere(ctx context.Context, op, cond string, args ...any) (model.User, error) {
	for _, a := range args {
		if s, ok := a.(string); ok && (!utf8.ValidString(s) || strings.ContainsRune(s, 0)) {
			return model.User{}, wrapErr(op, store.ErrNotFound)
		}
	}
	c, err := r.s.reader()
	if err != nil {
		return model.User{}, err
	}
	u, err := scanUser(r.s.tenantID, c.QueryRow(ctx,
		"SELECT "+userColumns+" FROM users WHERE tenant_id = ? AND "+cond, append([]any{r.s.tenantID}, args...)...))
	if err != nil {
		return model.User{}, wrapErr(op, err)
	}
	return u, nil
}

// userColumn maps a searchable field to its column.
func userColumn(f store.UserSearchField) string {
	switch f {
	case store.UserFieldUsername:
		return "u.username"
	case store.UserFieldEmail:
		return "u.primary_email"
	case store.UserFieldPhone:
		return "u.primary_phone"
	case store.UserFieldName:
		return "u.name"
	}
	return "u.id"
}

// allUserFields returns the fields a match without a field searches, in Logto's order.
func allUserFields() []store.UserSearchField {
	return []store.UserSearchField{store.UserFieldID, store.UserFieldEmail, store.UserFieldPhone,
		store.UserFieldUsername, store.UserFieldName}
}

func (r users) List(ctx context.Context, f store.UserFilter, p store.Page) ([]model.User, int, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, 0, err
	}
	q := sqlx.ListQuery{Columns: sqlx.Prefixed("u", userColumns), From: "users u", OrderBy: userOrder, Page: p}
	q.Where.Add("u.tenant_id = ?", r.s.tenantID)
	if f.RoleID != "" {
		q.Where.Add(`EXISTS (SELECT 1 FROM users_roles ur
			WHERE ur.tenant_id = u.tenant_id AND ur.user_id = u.id AND ur.role_id = ?)`, f.RoleID)
	}
	if f.ExcludeRoleID != "" {
		q.Where.Add(`NOT EXISTS (SELECT 1 FROM users_roles ur
			WHERE ur.tenant_id = u.tenant_id AND ur.user_id = u.id AND ur.role_id = ?)`, f.ExcludeRoleID)
	}
	if err := addUserSearch(&q.Where, f.Search, c.Postgres); err != nil {
		return nil, 0, wrapErr("list users", err)
	}
	out, total, err := sqlx.ListRows(ctx, c, q, r.s.tenantID, scanUser)
	if err != nil {
		return nil, 0, wrapErr("list users", err)
	}
	return out, total, nil
}

// addUserSearch adds Logto's search conditions (core/utils/search.ts buildConditionsFromSearch):
// one parenthesised group per match, the field's (or every field's) comparisons joined with OR,
// the groups joined with OR or AND.
func addUserSearch(w *sqlx.Where, s store.UserSearch, postgres bool) error {
	if len(s.Matches) == 0 {
		return nil
	}
	groups := make([]string, 0, len(s.Matches))
	var args []any
	for _, m := range s.Matches {
		group, groupArgs, err := userMatchCondition(m, s.CaseSensitive, postgres)
		if err != nil {
			return err
		}
		groups = append(groups, group)
		args = append(args, groupArgs...)
	}
	joint := " OR "
	if s.All {
		joint = " AND "
	}
	w.Add("("+strings.Join(groups, joint)+")", args...)
	return nil
}

// userMatchCondition is one match's parenthesised group: its field's (or every field's)
// comparisons joined with OR, and their arguments.
func userMatchCondition(m store.UserMatch, caseSensitive, postgres bool) (string, []any, error) {
	fields, err := userMatchFields(m)
	if err != nil {
		return "", nil, err
	}
	ors := make([]string, 0, len(fields))
	var args []any
	for _, field := range fields {
		cond, condArgs, err := userFieldCondition(userColumn(field), m, caseSensitive, postgres)
		if err != nil {
			return "", nil, err
		}
		ors = append(ors, cond)
		args = append(args, condArgs...)
	}
	return "(" + strings.Join(ors, " OR ") + ")", args, nil
}

// userMatchFields checks m's field and values and returns the fields it searches: its field, or
// every searchable one.
func userMatchFields(m store.UserMatch) ([]store.UserSearchField, error) {
	fields := allUserFields()
	if m.Field != "" {
		if !m.Field.Valid() {
			return nil, fmt.Errorf("search field %q is not one of id, primaryEmail, primaryPhone, username, name", m.Field)
		}
		fields = []store.UserSearchField{m.Field}
	}
	if len(m.Values) == 0 {
		return nil, errors.New("a search match needs a value")
	}
	for _, v := range m.Values {
		if v == "" || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return nil, errors.New("search values must be non-empty UTF-8 without NUL characters")
		}
	}
	return fields, nil
}

// userFieldCondition is the comparison of column col with m's values under m's mode.
func userFieldCondition(col string, m store.UserMatch, caseSensitive, postgres bool) (string, []any, error) {
	switch m.Mode {
	case store.UserMatchLike, "":
		if len(m.Values) != 1 {
			return "", nil, errors.New("a like match takes exactly one value")
		}
		cond, arg := likeCondition(col, closeEscape(m.Values[0]), caseSensitive, postgres)
		return cond, []any{arg}, nil
	case store.UserMatchExact:
		args := make([]any, 0, len(m.Values))
		for _, v := range m.Values {
			args = append(args, v)
		}
		if caseSensitive {
			return col + " IN (" + sqlx.Placeholders(len(m.Values)) + ")", args, nil
		}
		return "lower(" + col + ") IN (" + strings.TrimSuffix(strings.Repeat("lower(?), ", len(m.Values)), ", ") + ")", args, nil
	}
	return "", nil, fmt.Errorf("search mode %q is not like or exact", m.Mode)
}

// likeCondition is the comparison of column col with the LIKE pattern, and its argument.
func likeCondition(col, pattern string, caseSensitive, postgres bool) (string, any) {
	switch {
	case !caseSensitive:
		return "lower(" + col + `) LIKE lower(?) ESCAPE '\'`, pattern
	case postgres:
		return col + ` LIKE ? ESCAPE '\'`, pattern
	}
	// SQLite's LIKE ignores ASCII case; GLOB is its case-sensitive matcher.
	return col + " GLOB ?", likeToGlob(pattern)
}

// closeEscape makes a trailing lone backslash literal: PostgreSQL refuses a LIKE pattern that
// ends with its escape character, and the search would otherwise answer 500.
func closeEscape(pattern string) string {
	n := 0
	for i := len(pattern) - 1; i >= 0 && pattern[i] == '\\'; i-- {
		n++
	}
	if n%2 == 1 {
		return pattern + `\`
	}
	return pattern
}

// likeToGlob rewrites a LIKE pattern (escape character backslash) as the equivalent SQLite GLOB
// pattern: % becomes *, _ becomes ?, and GLOB's own special characters are bracketed so they
// match themselves.
func likeToGlob(pattern string) string {
	var b strings.Builder
	escaped := false
	for _, r := range pattern {
		if escaped {
			escaped = false
			writeGlobLiteral(&b, r)
			continue
		}
		switch r {
		case '\\':
			escaped = true
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		default:
			writeGlobLiteral(&b, r)
		}
	}
	return b.String()
}

func writeGlobLiteral(b *strings.Builder, r rune) {
	switch r {
	case '*', '?', '[':
		b.WriteByte('[')
		b.WriteRune(r)
		b.WriteByte(']')
	default:
		b.WriteRune(r)
	}
}

func (r users) Update(ctx context.Context, u model.User) error {
	u.PasswordEncrypted, u.PasswordEncryptionMethod = nil, nil // not written here
	if err := checkUser(u); err != nil {
		return err
	}
	row, err := encodeUser(u)
	if err != nil {
		return wrapErr("update user", err)
	}
	err = r.s.writeUncached(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, `UPDATE users SET username = ?, primary_email = ?, primary_phone = ?, name = ?,
			avatar = ?, profile = ?, identities = ?, custom_data = ?, logto_config = ?, is_password_expired = ?,
			updated_at = ?
			WHERE tenant_id = ? AND id = ?`,
			u.Username, u.PrimaryEmail, u.PrimaryPhone, u.Name, u.Avatar, row.profile, row.identities,
			row.customData, row.logtoConfig, u.IsPasswordExpired, u.UpdatedAt, r.s.tenantID, u.ID)
		if err != nil {
			return err
		}
		return sqlx.ExpectRow(res)
	})
	return wrapUserErr("update user "+u.ID, err)
}

func (r users) UpdatePassword(ctx context.Context, id, encrypted, method string, at int64) error {
	if err := checkPassword(&encrypted, &method); err != nil {
		return err
	}
	return r.updateOne(ctx, "update password of user "+id,
		"password_encrypted = ?, password_encryption_method = ?, password_updated_at = ?, is_password_expired = ?, updated_at = ?",
		id, encrypted, method, at, false, at)
}

func (r users) RehashPassword(ctx context.Context, id, encrypted, method string, at int64) error {
	if err := checkPassword(&encrypted, &method); err != nil {
		return err
	}
	return r.updateOne(ctx, "rehash password of user "+id,
		"password_encrypted = ?, password_encryption_method = ?, updated_at = ?", id, encrypted, method, at)
}

func (r users) SetSuspended(ctx context.Context, id string, suspended bool, at int64) error {
	return r.updateOne(ctx, "suspend user "+id, "is_suspended = ?, updated_at = ?", id, suspended, at)
}

func (r users) RecordSignIn(ctx context.Context, id string, at int64) error {
	return r.updateOne(ctx, "record sign-in of user "+id, "last_sign_in_at = ?, updated_at = ?", id, at, at)
}

// updateOne runs "UPDATE users SET <set> WHERE <the user>"; ErrNotFound when id does not exist.
func (r users) updateOne(ctx context.Context, op, set, id string, args ...any) error {
	err := r.s.writeUncached(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, "UPDATE users SET "+set+" WHERE tenant_id = ? AND id = ?",
			append(args, r.s.tenantID, id)...)
		if err != nil {
			return err
		}
		return sqlx.ExpectRow(res)
	})
	return wrapUserErr(op, err)
}

func (r users) Delete(ctx context.Context, id string) error {
	// Role links go with the user (ON DELETE CASCADE).
	err := r.s.writeUncached(ctx, sqlx.ExecRow(ctx, "DELETE FROM users WHERE tenant_id = ? AND id = ?", r.s.tenantID, id))
	return wrapErr("delete user "+id, err)
}

// errNotUserRole refuses linking a MachineToMachine role to a user (Logto's
// users_roles__role_type check).
var errNotUserRole = errors.New("only roles of type User can be given to users")

func (r users) AddRoles(ctx context.Context, userID string, roleIDs []string) error {
	if len(roleIDs) == 0 {
		return nil
	}
	err := r.s.writeUncached(ctx, func(c sqlx.Conn) error {
		return r.insertRoles(ctx, c, userID, roleIDs)
	})
	return wrapUserErr("add roles to user "+userID, err)
}

func (r users) ReplaceRoles(ctx context.Context, userID string, roleIDs []string) error {
	err := r.s.writeUncached(ctx, func(c sqlx.Conn) error {
		found, err := sqlx.Exists(ctx, c, "SELECT 1 FROM users WHERE tenant_id = ? AND id = ?", r.s.tenantID, userID)
		if err != nil {
			return err
		}
		if !found {
			return store.ErrNotFound
		}
		if _, err := c.Exec(ctx, "DELETE FROM users_roles WHERE tenant_id = ? AND user_id = ?", r.s.tenantID, userID); err != nil {
			return err
		}
		return r.insertRoles(ctx, c, userID, roleIDs)
	})
	return wrapUserErr("replace roles of user "+userID, err)
}

// insertRoles links each role when it is a User role of the tenant; a role that is not (or does
// not exist) inserts nothing and is then told apart.
func (r users) insertRoles(ctx context.Context, c sqlx.Conn, userID string, roleIDs []string) error {
	for _, roleID := range roleIDs {
		res, err := c.Exec(ctx, `INSERT INTO users_roles (tenant_id, id, user_id, role_id)
			SELECT ?, ?, ?, r.id FROM roles r WHERE r.tenant_id = ? AND r.id = ? AND r.type = ?`,
			r.s.tenantID, ids.New(), userID, r.s.tenantID, roleID, model.RoleUser)
		if err != nil {
			return err
		}
		if err := sqlx.ExpectRow(res); err == nil {
			continue
		}
		found, err := sqlx.Exists(ctx, c, "SELECT 1 FROM roles WHERE tenant_id = ? AND id = ?", r.s.tenantID, roleID)
		if err != nil {
			return err
		}
		if found {
			return fmt.Errorf("role %s: %w", roleID, errNotUserRole)
		}
		return fmt.Errorf("role %s: %w", roleID, sqlx.ErrReferenceMissing)
	}
	return nil
}

func (r users) RemoveRole(ctx context.Context, userID, roleID string) error {
	err := r.s.writeUncached(ctx, sqlx.ExecRow(ctx, "DELETE FROM users_roles WHERE tenant_id = ? AND user_id = ? AND role_id = ?",
		r.s.tenantID, userID, roleID))
	return wrapErr("remove role "+roleID+" from user "+userID, err)
}

func (r users) RoleIDs(ctx context.Context, userID string) ([]string, error) {
	out, err := r.column(ctx, `SELECT r.id FROM users_roles ur
		JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
		WHERE ur.tenant_id = ? AND ur.user_id = ? ORDER BY r.seq`, r.s.tenantID, userID)
	return out, wrapErr("role ids of user "+userID, err)
}

func (r users) RoleNames(ctx context.Context, userID string) ([]string, error) {
	out, err := r.column(ctx, `SELECT r.name FROM users_roles ur
		JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
		WHERE ur.tenant_id = ? AND ur.user_id = ? ORDER BY r.name`, r.s.tenantID, userID)
	return out, wrapErr("role names of user "+userID, err)
}

// ScopeNames is on the token path: joins along primary and unique keys only.
func (r users) ScopeNames(ctx context.Context, userID, resourceID string) ([]string, error) {
	out, err := r.column(ctx, `SELECT DISTINCT s.name FROM users_roles ur
		JOIN roles_scopes rs ON rs.tenant_id = ur.tenant_id AND rs.role_id = ur.role_id
		JOIN scopes s ON s.tenant_id = rs.tenant_id AND s.id = rs.scope_id
		WHERE ur.tenant_id = ? AND ur.user_id = ? AND s.resource_id = ?
		ORDER BY s.name`, r.s.tenantID, userID, resourceID)
	return out, wrapErr("scope names of user "+userID, err)
}

// column runs a query selecting one text column.
func (r users) column(ctx context.Context, query string, args ...any) ([]string, error) {
	c, err := r.s.reader()
	if err != nil {
		return nil, err
	}
	out := []string{}
	err = sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		var v string
		err := sc.Scan(&v)
		out = append(out, v)
		return err
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
