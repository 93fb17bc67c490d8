package eventrows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore/sqlx"
)

// Logs is store.Logs over a Scope.
type Logs struct{ s Scope }

// NewLogs returns the audit log of s's tenant.
func NewLogs(s Scope) Logs { return Logs{s: s} }

const logColumns = "tenant_id, id, key, payload, created_at"

// indexed is what Append copies out of a payload into columns, so filters use indexes on both
// dialects (Logto indexes payload->>'userId' etc., which SQLite cannot do the same way).
type indexed struct {
	UserID        any `json:"userId"`
	ApplicationID any `json:"applicationId"`
	HookID        any `json:"hookId"`
	Result        any `json:"result"`
}

// column is a payload member as stored in its column: strings only, others ignored.
func column(v any) *string {
	s, ok := v.(string)
	if !ok || s == "" {
		return nil
	}
	s = clip(s, maxKeyLen)
	return &s
}

func (r Logs) Append(ctx context.Context, logs []model.Log) error {
	if len(logs) == 0 {
		return nil
	}
	rows := make([]indexed, len(logs))
	for i, l := range logs {
		if err := sqlx.CheckLen("log id", l.ID, true, maxIDLen); err != nil {
			return err
		}
		if err := sqlx.CheckLen("log key", l.Key, true, maxKeyLen); err != nil {
			return err
		}
		if err := json.Unmarshal(l.Payload, &rows[i]); err != nil {
			return fmt.Errorf("sqlstore: log %s payload must be a JSON object: %w", l.ID, err)
		}
	}
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		// One statement per chunk of rows: a token request records an entry, and at thousands
		// of tokens a second preparing one INSERT per entry cost a quarter of the server's CPU.
		for start := 0; start < len(logs); start += logsPerInsert {
			end := min(start+logsPerInsert, len(logs))
			args := make([]any, 0, (end-start)*logColumnCount)
			for i := start; i < end; i++ {
				l, x := logs[i], rows[i]
				args = append(args, r.s.TenantID(), l.ID, l.Key, string(l.Payload),
					column(x.UserID), column(x.ApplicationID), column(x.HookID), column(x.Result), l.CreatedAt)
			}
			if _, err := c.Exec(ctx, insertLogs(end-start), args...); err != nil {
				return err
			}
		}
		return nil
	})
	return sqlx.WrapErr("append logs", err)
}

const (
	logColumnCount = 9
	// logsPerInsert keeps a statement's parameters under 999, the oldest SQLite limit.
	logsPerInsert = 100
)

// insertLogs is an INSERT of n log rows.
func insertLogs(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO logs (tenant_id, id, key, payload, user_id, application_id, hook_id, result, created_at) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

func scanLog(sc sqlx.Scanner) (model.Log, error) {
	var l model.Log
	var payload string
	err := sc.Scan(&l.TenantID, &l.ID, &l.Key, &payload, &l.CreatedAt)
	l.Payload = json.RawMessage(payload)
	return l, err
}

func (r Logs) Get(ctx context.Context, id string) (model.Log, error) {
	c, err := r.s.Reader()
	if err != nil {
		return model.Log{}, err
	}
	l, err := scanLog(c.QueryRow(ctx, "SELECT "+logColumns+" FROM logs WHERE tenant_id = ? AND id = ?", r.s.TenantID(), id))
	return l, sqlx.WrapErr("get log "+id, err)
}

// where is f as conditions (Logto's buildLogConditionSql): key prefixes OR'ed, the payload
// members, the exact key, and the inclusive time window.
func (r Logs) where(f store.LogFilter) sqlx.Where {
	var w sqlx.Where
	w.Add("tenant_id = ?", r.s.TenantID())
	if len(f.KeyPrefixes) > 0 {
		ors := make([]string, len(f.KeyPrefixes))
		args := make([]any, len(f.KeyPrefixes))
		for i, p := range f.KeyPrefixes {
			ors[i] = `key LIKE ? ESCAPE '\'`
			args[i] = escapeLike(p) + "%"
		}
		w.Add("("+strings.Join(ors, " OR ")+")", args...)
	}
	for _, c := range []struct{ col, v string }{{"user_id", f.UserID}, {"application_id", f.ApplicationID}, {"hook_id", f.HookID}, {"result", f.Result}, {"key", f.Key}} {
		if c.v != "" {
			w.Add(c.col+" = ?", c.v)
		}
	}
	if f.Start != nil {
		w.Add("created_at >= ?", *f.Start)
	}
	if f.End != nil {
		w.Add("created_at <= ?", *f.End)
	}
	return w
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (r Logs) List(ctx context.Context, f store.LogFilter, p store.Page) ([]model.Log, error) {
	c, err := r.s.Reader()
	if err != nil {
		return nil, err
	}
	w := r.where(f)
	query := "SELECT " + logColumns + " FROM logs" + w.String() + " ORDER BY created_at DESC, id DESC"
	args := w.Args
	if p.Limit > 0 {
		query += " LIMIT ? OFFSET ?"
		args = append(args, p.Limit, max(p.Offset, 0))
	}
	out := []model.Log{}
	err = sqlx.ScanAll(ctx, c, func(sc sqlx.Scanner) error {
		l, err := scanLog(sc)
		out = append(out, l)
		return err
	}, query, args...)
	return out, sqlx.WrapErr("list logs", err)
}

// Count counts matching entries; with capAt it counts over a sub-select of at most capAt+1 rows,
// so a huge table is never scanned whole (Logto's LOGS_COUNT_CAP).
func (r Logs) Count(ctx context.Context, f store.LogFilter, capAt int) (int, bool, error) {
	c, err := r.s.Reader()
	if err != nil {
		return 0, false, err
	}
	w := r.where(f)
	query, args := "SELECT COUNT(*) FROM logs"+w.String(), w.Args
	if capAt > 0 {
		query = "SELECT COUNT(*) FROM (SELECT 1 FROM logs" + w.String() + " LIMIT ?) capped"
		args = append(args, capAt+1)
	}
	var n int
	if err := c.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, false, sqlx.WrapErr("count logs", err)
	}
	return n, capAt > 0 && n > capAt, nil
}

func (r Logs) HookStats(ctx context.Context, hookID string, since int64) (model.HookExecutionStats, error) {
	c, err := r.s.Reader()
	if err != nil {
		return model.HookExecutionStats{}, err
	}
	var st model.HookExecutionStats
	err = c.QueryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN result = 'Success' THEN 1 END) FROM logs
		WHERE tenant_id = ? AND hook_id = ? AND created_at > ?`, r.s.TenantID(), hookID, since).Scan(&st.RequestCount, &st.SuccessCount)
	return st, sqlx.WrapErr("hook stats "+hookID, err)
}

func (r Logs) DeleteBefore(ctx context.Context, cutoff int64) (int64, error) {
	var n int64
	err := r.s.Write(ctx, func(c sqlx.Conn) error {
		res, err := c.Exec(ctx, "DELETE FROM logs WHERE tenant_id = ? AND created_at < ?", r.s.TenantID(), cutoff)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, sqlx.WrapErr("delete old logs", err)
}
