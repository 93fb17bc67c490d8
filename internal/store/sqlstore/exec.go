package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/migrations"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

func (d *DB) postgres() bool { return d.dialect == migrations.DialectPostgres }

// readConn is for reads outside a transaction.
func (d *DB) readConn() sqlx.Conn {
	return sqlx.Conn{Postgres: d.postgres(), Runner: d.read, Stmts: d.readStmts}
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
	err := sqlx.WithTx(ctx, d.write, func(tx *sql.Tx) error {
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

func (s *tenantScope) reader() (sqlx.Conn, error) {
	if s.tx == nil {
		return s.db.readConn(), nil
	}
	if s.tx.done {
		return sqlx.Conn{}, errTxDone
	}
	return sqlx.Conn{Postgres: s.db.postgres(), Runner: s.tx.tx}, nil
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
func (s *tenantScope) write(ctx context.Context, fn func(c sqlx.Conn) error) error {
	return s.writeWith(ctx, true, true, fn)
}

// writeUncached is write for data no process caches (users, protocol artifacts such as codes and
// refresh tokens, sign-in attempts): the same all-or-nothing semantics, but the tenant's
// generation is left alone, so a burst of sign-ins does not flush every node's client, role and
// key caches.
func (s *tenantScope) writeUncached(ctx context.Context, fn func(c sqlx.Conn) error) error {
	return s.writeWith(ctx, false, true, fn)
}

// writeArtifact is writeUncached for protocol artifacts (interactions, sessions, grants, codes,
// tokens) on the token hot path. Inside InTx it takes no savepoint: two round trips fewer per
// write (a refresh makes three writes). The protocol's transactions end at the first failed
// write, so a failure still rolls back everything; a caller that wants to go on after a failed
// write must use a repository whose writes take savepoints.
func (s *tenantScope) writeArtifact(ctx context.Context, fn func(c sqlx.Conn) error) error {
	return s.writeWith(ctx, false, false, fn)
}

// writeSingle is writeArtifact for a closure that runs exactly one statement. Outside InTx the
// statement runs in autocommit mode, atomic by itself, saving the BEGIN and COMMIT round trips
// (a password sign-in makes about a dozen such writes); inside InTx it is writeArtifact.
func (s *tenantScope) writeSingle(ctx context.Context, fn func(c sqlx.Conn) error) error {
	if s.tx == nil {
		return fn(sqlx.Conn{Postgres: s.db.postgres(), Runner: s.db.write})
	}
	return s.writeWith(ctx, false, false, fn)
}

func (s *tenantScope) writeWith(ctx context.Context, bump, savepoint bool, fn func(c sqlx.Conn) error) error {
	if s.tx == nil {
		return sqlx.WithTx(ctx, s.db.write, func(tx *sql.Tx) error {
			c := sqlx.Conn{Postgres: s.db.postgres(), Runner: tx}
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
	c := sqlx.Conn{Postgres: s.db.postgres(), Runner: s.tx.tx}
	if bump && !s.tx.bumped {
		if err := bumpGeneration(ctx, c, s.tenantID); err != nil {
			return err
		}
		s.tx.bumped = true
	}
	if !savepoint {
		return fn(c)
	}
	if _, err := c.Exec(ctx, "SAVEPOINT gh_write"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(c); err != nil {
		if _, rbErr := c.Exec(ctx, "ROLLBACK TO SAVEPOINT gh_write"); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rbErr))
		}
		if _, relErr := c.Exec(ctx, "RELEASE SAVEPOINT gh_write"); relErr != nil {
			return errors.Join(err, fmt.Errorf("release savepoint: %w", relErr))
		}
		return err
	}
	if _, err := c.Exec(ctx, "RELEASE SAVEPOINT gh_write"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

func bumpGeneration(ctx context.Context, c sqlx.Conn, tenantID string) error {
	res, err := c.Exec(ctx, "UPDATE tenant_generations SET generation = generation + 1 WHERE tenant_id = ?", tenantID)
	if err != nil {
		return fmt.Errorf("bump generation: %w", err)
	}
	if err := sqlx.ExpectRow(res); err != nil {
		return fmt.Errorf("tenant %s: %w", tenantID, err)
	}
	return nil
}
