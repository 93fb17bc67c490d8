package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/migrations"
)

// runner is what *sql.DB and *sql.Tx have in common.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs SQL written with ? placeholders on a pool or a transaction, rebinding the
// placeholders for PostgreSQL and, on the SQLite read pool, reusing prepared statements.
type conn struct {
	postgres bool
	r        runner
	stmts    *stmtCache // nil: run statements unprepared
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.r.ExecContext(ctx, c.rebind(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = c.rebind(query)
	if st := c.stmts.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.r.QueryContext(ctx, query, args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = c.rebind(query)
	if st := c.stmts.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.r.QueryRowContext(ctx, query, args...)
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, …. Queries in this package never hold a
// literal ? (search terms travel as arguments), so a plain scan is enough.
func (c conn) rebind(query string) string {
	if !c.postgres || !strings.Contains(query, "?") {
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

// stmtCache keeps prepared statements of the SQLite read pool. modernc's SQLite parses and plans
// every unprepared statement, which costs more than running a simple indexed lookup, so the
// protocol's hot reads (client, secrets, resource, scope names) are prepared once per connection.
// The cache holds at most maxCachedStmts statements; queries built with a variable number of
// placeholders beyond that simply run unprepared.
type stmtCache struct {
	db    *sql.DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const maxCachedStmts = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, or nil when it cannot be cached (the caller
// then runs the query unprepared, which reports any error in it).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
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

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
}

func (d *DB) postgres() bool { return d.dialect == migrations.DialectPostgres }

// readConn is for reads outside a transaction.
func (d *DB) readConn() conn {
	return conn{postgres: d.postgres(), r: d.read, stmts: d.readStmts}
}

// inWriteTx runs fn in a transaction on the writing pool: commit when fn returns nil, roll back
// when it returns an error or panics (the panic goes on after the rollback).
func (d *DB) inWriteTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := d.write.BeginTx(ctx, nil)
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

// InTx runs fn on tenantID's repositories bound to one transaction.
//
// On SQLite the transaction holds the only writing connection until fn returns, so fn must do
// all its writes through the Tenant it is given: a write through Store.Tenant inside fn would
// wait for that connection forever (or until ctx ends).
//
// fn's own error comes back as it is (after the rollback), so callers can match it.
func (d *DB) InTx(ctx context.Context, tenantID string, fn func(store.Tenant) error) error {
	var fnErr error
	err := d.inWriteTx(ctx, func(tx *sql.Tx) error {
		state := &txState{tx: tx}
		defer func() { state.done = true }()
		fnErr = fn(&tenantScope{db: d, tenantID: tenantID, tx: state})
		return fnErr
	})
	switch {
	case err == nil:
		return nil
	case fnErr != nil && err == fnErr:
		return fnErr
	default: // begin, commit or rollback failed
		return fmt.Errorf("sqlstore: transaction in tenant %s: %w", tenantID, err)
	}
}

// txState is the transaction shared by all repositories of one InTx call.
type txState struct {
	tx     *sql.Tx
	bumped bool // the tenant's generation has been bumped in this transaction
	done   bool // fn has returned; the Tenant must not be used any more
}

// errTxDone answers use of an InTx Tenant after fn returned.
var errTxDone = errors.New("sqlstore: transaction already ended (a Tenant from InTx was used after fn returned)")

// tenantScope is one tenant's repositories, outside a transaction (tx nil) or inside one.
type tenantScope struct {
	db       *DB
	tenantID string
	tx       *txState
}

func (s *tenantScope) reader() (conn, error) {
	if s.tx == nil {
		return s.db.readConn(), nil
	}
	if s.tx.done {
		return conn{}, errTxDone
	}
	return conn{postgres: s.db.postgres(), r: s.tx.tx}, nil
}

// write runs fn as one all-or-nothing write that also bumps the tenant's generation, so caches
// on every node see the change (store.Freshness). Outside InTx it is its own transaction.
// Inside InTx the generation is bumped once per transaction, and fn runs under a savepoint: a
// failed write (say a uniqueness conflict) then leaves nothing half-done and leaves the
// transaction usable on both dialects, where PostgreSQL would otherwise refuse every later
// statement of an aborted transaction.
//
// The bump runs before fn's statements, so concurrent writers of a tenant queue on the
// generation row before taking any other row lock, and cannot deadlock on each other.
func (s *tenantScope) write(ctx context.Context, fn func(c conn) error) error {
	return s.writeWith(ctx, true, true, fn)
}

// writeUncached is write for data no process caches (users, protocol artifacts such as codes and
// refresh tokens, sign-in attempts): the same all-or-nothing semantics, but the tenant's
// generation is left alone, so a burst of sign-ins does not flush every node's client, role and
// key caches.
func (s *tenantScope) writeUncached(ctx context.Context, fn func(c conn) error) error {
	return s.writeWith(ctx, false, true, fn)
}

// writeArtifact is writeUncached for protocol artifacts (interactions, sessions, grants, codes,
// tokens) on the token hot path. Inside InTx it takes no savepoint: two round trips fewer per
// write (a refresh makes three writes). The protocol's transactions end at the first failed
// write, so a failure still rolls back everything; a caller that wants to go on after a failed
// write must use a repository whose writes take savepoints.
func (s *tenantScope) writeArtifact(ctx context.Context, fn func(c conn) error) error {
	return s.writeWith(ctx, false, false, fn)
}

// writeSingle is writeArtifact for a closure that runs exactly one statement. Outside InTx the
// statement runs in autocommit mode, atomic by itself, saving the BEGIN and COMMIT round trips
// (a password sign-in makes about a dozen such writes); inside InTx it is writeArtifact.
func (s *tenantScope) writeSingle(ctx context.Context, fn func(c conn) error) error {
	if s.tx == nil {
		return fn(conn{postgres: s.db.postgres(), r: s.db.write})
	}
	return s.writeWith(ctx, false, false, fn)
}

func (s *tenantScope) writeWith(ctx context.Context, bump, savepoint bool, fn func(c conn) error) error {
	if s.tx == nil {
		return s.db.inWriteTx(ctx, func(tx *sql.Tx) error {
			c := conn{postgres: s.db.postgres(), r: tx}
			if bump {
				if err := bumpGeneration(ctx, c, s.tenantID); err != nil {
					return err
				}
			}
			return fn(c)
		})
	}
	if s.tx.done {
		return errTxDone
	}
	c := conn{postgres: s.db.postgres(), r: s.tx.tx}
	if bump && !s.tx.bumped {
		if err := bumpGeneration(ctx, c, s.tenantID); err != nil {
			return err
		}
		s.tx.bumped = true
	}
	if !savepoint {
		return fn(c)
	}
	if _, err := c.exec(ctx, "SAVEPOINT gh_write"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(c); err != nil {
		if _, rbErr := c.exec(ctx, "ROLLBACK TO SAVEPOINT gh_write"); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rbErr))
		}
		if _, relErr := c.exec(ctx, "RELEASE SAVEPOINT gh_write"); relErr != nil {
			return errors.Join(err, fmt.Errorf("release savepoint: %w", relErr))
		}
		return err
	}
	if _, err := c.exec(ctx, "RELEASE SAVEPOINT gh_write"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

func bumpGeneration(ctx context.Context, c conn, tenantID string) error {
	res, err := c.exec(ctx, "UPDATE tenant_generations SET generation = generation + 1 WHERE tenant_id = ?", tenantID)
	if err != nil {
		return fmt.Errorf("bump generation: %w", err)
	}
	if err := expectRow(res); err != nil {
		return fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	return nil
}

// expectRow turns "no row changed" into store.ErrNotFound.
func expectRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
