package faults

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestDatabaseUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("get user: %w", refused), true},
		{"bad conn", fmt.Errorf("query: %w", driver.ErrBadConn), true},
		{"admin shutdown", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), false},
		{"a bug", errors.New("nil map"), false},
		{"caller gave up", context.Canceled, false},
		{"nil", nil, false},
	} {
		if got := DatabaseUnavailable(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
