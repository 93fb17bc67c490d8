package sqlx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Scanner is *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Where collects the conditions and arguments of a list query.
type Where struct {
	conds []string
	Args  []any // the arguments of the conditions, in order
}

// Add adds a condition and its arguments.
func (w *Where) Add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.Args = append(w.Args, args...)
}

// Search adds a case-insensitive substring match of term on any of columns. The term's LIKE
// wildcards are escaped so "%" and "_" match themselves, and lower() is applied on both sides
// (SQLite's LIKE is case-insensitive only for ASCII, PostgreSQL's not at all).
func (w *Where) Search(term string, columns ...string) {
	if term == "" {
		return
	}
	pattern := "%" + escapeLike(term) + "%"
	ors := make([]string, len(columns))
	for i, col := range columns {
		ors[i] = "lower(" + col + `) LIKE lower(?) ESCAPE '\'`
		w.Args = append(w.Args, pattern)
	}
	w.conds = append(w.conds, "("+strings.Join(ors, " OR ")+")")
}

// In adds "column IN (…)" for values; callers handle an empty list themselves.
func (w *Where) In(column string, values []string) {
	w.conds = append(w.conds, column+" IN ("+Placeholders(len(values))+")")
	for _, v := range values {
		w.Args = append(w.Args, v)
	}
}

// String is the WHERE clause of the conditions, joined with AND.
func (w *Where) String() string { return " WHERE " + strings.Join(w.conds, " AND ") }

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Placeholders is n comma-separated ? placeholders.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// pageClause returns the LIMIT/OFFSET clause of p and its arguments. Limit <= 0 means all rows;
// SQLite needs LIMIT -1 to express that before an OFFSET.
func pageClause(p store.Page, postgres bool) (string, []any) {
	offset := max(p.Offset, 0)
	switch {
	case p.Limit > 0:
		return " LIMIT ? OFFSET ?", []any{p.Limit, offset}
	case offset == 0:
		return "", nil
	case postgres:
		return " OFFSET ?", []any{offset}
	default:
		return " LIMIT -1 OFFSET ?", []any{offset}
	}
}

// Prefixed qualifies every column of a comma-separated list with alias.
func Prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// ListQuery is one paged list: the rows of a page and the total count matching the conditions.
type ListQuery struct {
	Columns string // selected columns, qualified when From joins
	From    string // table (with alias) and joins
	Where   Where
	OrderBy string
	Page    store.Page
}

// Run counts the matching rows, then scans the page's rows one by one with scan.
func (q ListQuery) Run(ctx context.Context, c Conn, scan func(Scanner) error) (int, error) {
	cond := q.Where.String()
	var total int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM "+q.From+cond, q.Where.Args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	if total == 0 {
		return 0, nil
	}
	limit, limitArgs := pageClause(q.Page, c.Postgres)
	rows, err := c.Query(ctx, "SELECT "+q.Columns+" FROM "+q.From+cond+" ORDER BY "+q.OrderBy+limit,
		append(append([]any{}, q.Where.Args...), limitArgs...)...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return 0, err
		}
	}
	return total, rows.Err()
}

// ListRows runs q and reads each row with scan (given the tenant id): the page's items, never
// nil, and the total.
func ListRows[T any](ctx context.Context, c Conn, q ListQuery, tenantID string, scan func(string, Scanner) (T, error)) ([]T, int, error) {
	out := []T{}
	total, err := q.Run(ctx, c, func(sc Scanner) error {
		v, err := scan(tenantID, sc)
		out = append(out, v)
		return err
	})
	return out, total, err
}

// ScanAll runs a query and scans every row with scan.
func ScanAll(ctx context.Context, c Conn, scan func(Scanner) error, query string, args ...any) error {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Exists reports whether query (a SELECT 1 …) finds a row.
func Exists(ctx context.Context, c Conn, query string, args ...any) (bool, error) {
	var one int
	err := c.QueryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
