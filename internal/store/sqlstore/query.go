package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/store"
)

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// where collects the conditions and arguments of a list query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// search adds a case-insensitive substring match of term on any of columns. The term's LIKE
// wildcards are escaped so "%" and "_" match themselves, and lower() is applied on both sides
// (SQLite's LIKE is case-insensitive only for ASCII, PostgreSQL's not at all).
func (w *where) search(term string, columns ...string) {
	if term == "" {
		return
	}
	pattern := "%" + escapeLike(term) + "%"
	ors := make([]string, len(columns))
	for i, col := range columns {
		ors[i] = "lower(" + col + `) LIKE lower(?) ESCAPE '\'`
		w.args = append(w.args, pattern)
	}
	w.conds = append(w.conds, "("+strings.Join(ors, " OR ")+")")
}

// in adds "column IN (…)" for values; callers handle an empty list themselves.
func (w *where) in(column string, values []string) {
	w.conds = append(w.conds, column+" IN ("+placeholders(len(values))+")")
	for _, v := range values {
		w.args = append(w.args, v)
	}
}

func (w *where) String() string { return " WHERE " + strings.Join(w.conds, " AND ") }

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func placeholders(n int) string {
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

// prefixed qualifies every column of a comma-separated list with alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// listQuery is one paged list: the rows of a page and the total count matching the conditions.
type listQuery struct {
	columns string // selected columns, qualified when from joins
	from    string // table (with alias) and joins
	where   where
	orderBy string
	page    store.Page
}

// run counts the matching rows, then scans the page's rows one by one with scan.
func (q listQuery) run(ctx context.Context, c conn, scan func(scanner) error) (int, error) {
	cond := q.where.String()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM "+q.from+cond, q.where.args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	if total == 0 {
		return 0, nil
	}
	limit, limitArgs := pageClause(q.page, c.postgres)
	rows, err := c.query(ctx, "SELECT "+q.columns+" FROM "+q.from+cond+" ORDER BY "+q.orderBy+limit,
		append(append([]any{}, q.where.args...), limitArgs...)...)
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

// scanAll runs a query and scans every row with scan.
func scanAll(ctx context.Context, c conn, scan func(scanner) error, query string, args ...any) error {
	rows, err := c.query(ctx, query, args...)
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

// exists reports whether query (a SELECT 1 …) finds a row.
func exists(ctx context.Context, c conn, query string, args ...any) (bool, error) {
	var one int
	err := c.queryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
