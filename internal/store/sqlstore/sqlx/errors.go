package sqlx

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/gatehouse-id/gatehouse/internal/store"
)

// SQLite extended result codes (sqlite3.h) for the constraint failures mapped below.
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// ErrReferenceMissing explains a foreign-key failure: the row written points at a row (an
// application, resource, scope or role of the tenant) that does not exist.
var ErrReferenceMissing = fmt.Errorf("referenced row does not exist: %w", store.ErrNotFound)

// WrapErr gives err the operation's context and translates what the database said into the
// store's errors (see Translate).
func WrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, Translate(err))
}

// Translate turns what the database said into the store's errors: missing rows into
// store.ErrNotFound, uniqueness violations into a *store.ConflictError naming the constraint as
// the dialect names it in its error, foreign-key violations into store.ErrNotFound. PostgreSQL
// reports the constraint's name (see migrations/postgres); SQLite reports the columns,
// "<table.column, …>", or "index '<name>'" for a unique expression index.
func Translate(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return &store.ConflictError{Constraint: pgErr.ConstraintName}
		case "23503": // foreign_key_violation
			return ErrReferenceMissing
		}
		return err
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return &store.ConflictError{Constraint: sqliteColumns(liteErr.Error())}
		case sqliteConstraintForeignKey:
			return ErrReferenceMissing
		}
	}
	return err
}

// sqliteColumns extracts "t.a, t.b" from "constraint failed: UNIQUE constraint failed: t.a, t.b (2067)".
func sqliteColumns(msg string) string {
	_, cols, ok := strings.Cut(msg, "UNIQUE constraint failed: ")
	if !ok {
		return msg
	}
	if i := strings.Index(cols, " ("); i >= 0 {
		cols = cols[:i]
	}
	return cols
}
