package dbcopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/store/migrations"
)

// Table is how many rows one table had copied.
type Table struct {
	Name string
	Rows int64
}

// ErrNotEmpty refuses to copy over a database that already holds users or applications of its
// own (Overwrite allows it).
var ErrNotEmpty = errors.New("the destination already has users or applications")

// Options tune a copy.
type Options struct {
	// Overwrite replaces a destination that already holds data; without it such a destination is
	// refused, so a mistyped URL cannot wipe a live database.
	Overwrite bool
}

// Copy replaces every table of dst with src's rows, in one transaction on dst: a failure leaves
// dst as it was. Both databases must be at the same migration version (open both with
// migrations applied). Sealed secrets are copied as they are, so dst must be used with the same
// master key. Values are converted to dst's column types (SQLite's 0/1 to booleans, JSON text to
// jsonb, and back); PostgreSQL's identity sequences are moved past the copied rows.
func Copy(ctx context.Context, src *sql.DB, srcDialect string, dst *sql.DB, dstDialect string, o Options) ([]Table, error) {
	tables, err := migrations.Tables(dstDialect)
	if err != nil {
		return nil, err
	}
	if !o.Overwrite {
		if err := checkEmpty(ctx, dst); err != nil {
			return nil, err
		}
	}
	tx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin on the destination: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for i := len(tables) - 1; i >= 0; i-- { // children first
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+tables[i]); err != nil {
			return nil, fmt.Errorf("empty %s: %w", tables[i], err)
		}
	}
	out := make([]Table, 0, len(tables))
	for _, t := range tables {
		cols, err := columns(ctx, tx, dstDialect, t)
		if err != nil {
			return nil, err
		}
		n, err := copyTable(ctx, src, tx, dstDialect, t, cols)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t, err)
		}
		if dstDialect == migrations.DialectPostgres && hasColumn(cols, "seq") && n > 0 {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'seq'), (SELECT max(seq) FROM %s))`, t, t)); err != nil {
				return nil, fmt.Errorf("move the %s sequence: %w", t, err)
			}
		}
		out = append(out, Table{Name: t, Rows: n})
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit on the destination: %w", err)
	}
	return out, nil
}

// checkEmpty refuses a destination with users or applications beyond what a fresh start seeds
// (Gatehouse seeds no user, and only the admin console's client).
func checkEmpty(ctx context.Context, dst *sql.DB) error {
	var users, apps int64
	if err := dst.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&users); err != nil {
		return fmt.Errorf("count the destination's users: %w", err)
	}
	if err := dst.QueryRowContext(ctx, "SELECT count(*) FROM applications WHERE id <> 'admin-console'").Scan(&apps); err != nil {
		return fmt.Errorf("count the destination's applications: %w", err)
	}
	if users > 0 || apps > 0 {
		return fmt.Errorf("%w (%d users, %d applications)", ErrNotEmpty, users, apps)
	}
	return nil
}

// column is one destination column and its type, lower-cased ("boolean", "jsonb", "integer"…).
type column struct{ name, typ string }

func hasColumn(cols []column, name string) bool {
	for _, c := range cols {
		if c.name == name {
			return true
		}
	}
	return false
}

// columns reads the destination table's columns.
func columns(ctx context.Context, tx *sql.Tx, dialect, table string) ([]column, error) {
	q := `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	args := []any{table}
	if dialect == migrations.DialectSQLite {
		q, args = `SELECT name, type FROM pragma_table_info(?)`, []any{table}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		c.typ = strings.ToLower(c.typ)
		out = append(out, c)
	}
	if len(out) == 0 && rows.Err() == nil {
		return nil, fmt.Errorf("the destination has no table %s (is it migrated?)", table)
	}
	return out, rows.Err()
}

// copyTable streams src's rows of table into tx, converting each value to its column's type.
func copyTable(ctx context.Context, src *sql.DB, tx *sql.Tx, dstDialect, table string, cols []column) (int64, error) {
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
		marks[i] = "?"
		if dstDialect == migrations.DialectPostgres {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
	}
	list := strings.Join(names, ", ")
	rows, err := src.QueryContext(ctx, "SELECT "+list+" FROM "+table)
	if err != nil {
		return 0, fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	insert := "INSERT INTO " + table + " (" + list + ") "
	if dstDialect == migrations.DialectPostgres && hasColumn(cols, "seq") {
		insert += "OVERRIDING SYSTEM VALUE " // keep creation order (seq) as it was
	}
	stmt, err := tx.PrepareContext(ctx, insert+"VALUES ("+strings.Join(marks, ", ")+")")
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		args := make([]any, len(cols))
		for i, c := range cols {
			args[i] = convert(vals[i], c.typ)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
	}
	return n, rows.Err()
}

// convert turns a value read from one dialect into what the other's column type takes.
func convert(v any, typ string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		if typ == "bytea" || typ == "blob" {
			return x
		}
		return string(x) // SQLite's STRICT TEXT refuses a BLOB; jsonb and text take a string
	case int64:
		if typ == "boolean" {
			return x != 0
		}
	case bool:
		if typ == "integer" || typ == "bigint" {
			if x {
				return int64(1)
			}
			return int64(0)
		}
	}
	return v
}
