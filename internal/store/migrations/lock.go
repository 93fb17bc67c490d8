package migrations

import (
	"context"
	"database/sql"
	"fmt"
)

// advisoryLockID identifies Gatehouse's migration lock among PostgreSQL advisory locks
// (the bytes of "gatehous" as a big-endian int64); any fixed value unique to us would do.
const advisoryLockID int64 = 0x67617465686f7573

// advisoryLocker is a goose lock.SessionLocker that waits on a session-level advisory lock.
// goose's own PostgreSQL locker polls pg_try_advisory_lock every 5 s; blocking in
// pg_advisory_lock instead lets waiting nodes continue the moment the first one finishes.
// Session locks need no privileges beyond connecting, so an ordinary database user suffices.
type advisoryLocker struct{}

func (advisoryLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	// A configured statement_timeout must neither cut the wait for the lock nor a long migration;
	// SessionUnlock restores the connection's default.
	if _, err := conn.ExecContext(ctx, "SET statement_timeout = 0"); err != nil {
		return fmt.Errorf("migrations: lift statement_timeout: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", advisoryLockID); err != nil {
		return fmt.Errorf("migrations: take advisory lock: %w", err)
	}
	return nil
}

func (advisoryLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var released bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", advisoryLockID).Scan(&released); err != nil {
		return fmt.Errorf("migrations: release advisory lock: %w", err)
	}
	if !released {
		return fmt.Errorf("migrations: advisory lock %d was not held", advisoryLockID)
	}
	if _, err := conn.ExecContext(ctx, "RESET statement_timeout"); err != nil {
		return fmt.Errorf("migrations: restore statement_timeout: %w", err)
	}
	return nil
}
