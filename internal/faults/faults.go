package faults

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// RetryAfterSeconds is what a 503 for an unreachable database asks clients to wait: a
// PostgreSQL restart or failover usually takes seconds.
const RetryAfterSeconds = "5"

// DatabaseUnavailable reports whether err means the database could not be reached or dropped
// the connection (server down, restarting, failing over, network cut), as opposed to a bug or a
// refused query. Such a request may succeed if tried again once the database is back.
func DatabaseUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var connectErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01–57P03: the server is shutting down or starting.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	case errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded) && pgconn.Timeout(err):
		return true
	}
	// database/sql and pgx say "conn closed" / "connection reset" without a typed error when the
	// server goes away mid-query.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "failed to connect") || strings.Contains(msg, "connection refused")
}
