package sqlx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Runner is what *sql.DB and *sql.Tx have in common.
type Runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Conn runs SQL written with ? placeholders on a pool or a transaction, rebinding the
// placeholders for PostgreSQL and, on the SQLite read pool, reusing prepared statements.
type Conn struct {
	Postgres bool
	Runner   Runner
	Stmts    *StmtCache // nil: run statements unprepared
}

// Exec runs a statement that returns no rows.
func (c Conn) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.Runner.ExecContext(ctx, c.rebind(query), args...)
}

// Query runs a query that returns rows.
func (c Conn) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = c.rebind(query)
	if st := c.Stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.Runner.QueryContext(ctx, query, args...)
}

// QueryRow runs a query that returns at most one row.
func (c Conn) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = c.rebind(query)
	if st := c.Stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.Runner.QueryRowContext(ctx, query, args...)
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, …. The store's queries never hold a
// literal ? (search terms travel as arguments), so a plain scan is enough.
func (c Conn) rebind(query string) string {
	if !c.Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// StmtCache keeps prepared statements of the SQLite read pool. modernc's SQLite parses and plans
// every unprepared statement, which costs more than running a simple indexed lookup, so the
// protocol's hot reads (client, secrets, resource, scope names) are prepared once per connection.
// The cache holds at most maxCachedStmts statements; queries built with a variable number of
// placeholders beyond that simply run unprepared.
type StmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const maxCachedStmts = 256

// NewStmtCache returns an empty cache of statements prepared on db.
func NewStmtCache(db *sql.DB) *StmtCache {
	return &StmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, or nil when it cannot be cached (the caller
// then runs the query unprepared, which reports any error in it).
func (c *StmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	// Prepared statements outlive the request; the context only bounds preparing it.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.stmts[query] = st
	return st
}

// Close closes every cached statement and empties the cache.
func (c *StmtCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
}

// WithTx runs fn in a transaction on db: commit when fn returns nil, roll back when it returns an
// error or panics (the panic goes on after the rollback).
func WithTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			err = errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		committed = true // a failed Commit has already ended the transaction
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// ExecStmt is the closure of a write that runs one statement.
func ExecStmt(ctx context.Context, query string, args ...any) func(c Conn) error {
	return func(c Conn) error {
		_, err := c.Exec(ctx, query, args...)
		return err
	}
}

// ExecRow is the closure of a write that runs one statement which must change a row (see
// ExpectRow).
func ExecRow(ctx context.Context, query string, args ...any) func(c Conn) error {
	return func(c Conn) error {
		res, err := c.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		return ExpectRow(res)
	}
}

// ExpectRow turns "no row changed" into store.ErrNotFound.
func ExpectRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
