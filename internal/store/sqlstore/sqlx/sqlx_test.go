package sqlx

import (
	"fmt"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/store"
)

func TestRebind(t *testing.T) {
	pg, lite := Conn{Postgres: true}, Conn{}
	for in, want := range map[string]string{
		"SELECT 1":                                 "SELECT 1",
		"SELECT a FROM t WHERE x = ?":              "SELECT a FROM t WHERE x = $1",
		"INSERT INTO t (a, b, c) VALUES (?, ?, ?)": "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)",
	} {
		if got := pg.rebind(in); got != want {
			t.Errorf("postgres rebind(%q) = %q, want %q", in, got, want)
		}
		if got := lite.rebind(in); got != in {
			t.Errorf("sqlite rebind(%q) = %q, want it unchanged", in, got)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{
		"plain":   "plain",
		"100%":    `100\%`,
		"a_b":     `a\_b`,
		`back\sl`: `back\\sl`,
		`%_\`:     `\%\_\\`,
	} {
		if got := escapeLike(in); got != want {
			t.Errorf("escapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPageClause(t *testing.T) {
	for _, tc := range []struct {
		page     store.Page
		postgres bool
		clause   string
		args     []any
	}{
		{store.Page{}, false, "", nil},
		{store.Page{Limit: -3, Offset: -1}, true, "", nil},
		{store.Page{Limit: 10}, true, " LIMIT ? OFFSET ?", []any{10, 0}},
		{store.Page{Limit: 10, Offset: 20}, false, " LIMIT ? OFFSET ?", []any{10, 20}},
		{store.Page{Offset: 5}, true, " OFFSET ?", []any{5}},
		{store.Page{Offset: 5}, false, " LIMIT -1 OFFSET ?", []any{5}},
	} {
		clause, args := pageClause(tc.page, tc.postgres)
		if clause != tc.clause || fmt.Sprint(args) != fmt.Sprint(tc.args) {
			t.Errorf("pageClause(%+v, postgres=%v) = %q %v, want %q %v", tc.page, tc.postgres, clause, args, tc.clause, tc.args)
		}
	}
}

func TestSQLiteColumns(t *testing.T) {
	for in, want := range map[string]string{
		"constraint failed: UNIQUE constraint failed: roles.tenant_id, roles.name (2067)": "roles.tenant_id, roles.name",
		"UNIQUE constraint failed: tenants.id":                                            "tenants.id",
		"something else":                                                                  "something else",
	} {
		if got := sqliteColumns(in); got != want {
			t.Errorf("sqliteColumns(%q) = %q, want %q", in, got, want)
		}
	}
}
