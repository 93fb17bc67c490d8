package console

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/console/pager"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// AuditLogs is what the console's audit-log pages need (GET /api/logs' use-cases).
type AuditLogs interface {
	ListLogs(ctx context.Context, tenantID string, q model.LogQuery) ([]model.Log, int, bool, error)
	GetLog(ctx context.Context, tenantID, id string) (model.Log, error)
}

// logsPerPage is the audit list's page size.
const logsPerPage = 50

// auditView is the filtered list.
type auditView struct {
	Key, Result, User, App string
	Rows                   []logRow
	Pager                  pager.Pager
	Capped                 bool
}

// logRow is one entry, with the payload members worth a column.
type logRow struct {
	ID, Key, Result, UserID, AppID, IP, Time string
}

// logDetail is one entry's page.
type logDetail struct {
	Row     logRow
	Payload string // indented JSON
}

func (c *Console) mountAudit(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mux.HandleFunc("GET /console/audit-logs", c.serveAudit)
	mux.HandleFunc("GET /console/audit-logs/{id}", c.serveAuditEntry)
	c.mountSettings(mux, cop)
}

// logRowOf reads the payload's usual members (Logto's log payload: result, userId,
// applicationId, ip).
func logRowOf(l model.Log) logRow {
	var p struct {
		Result        string `json:"result"`
		UserID        string `json:"userId"`
		ApplicationID string `json:"applicationId"`
		IP            string `json:"ip"`
	}
	_ = json.Unmarshal(l.Payload, &p)
	return logRow{ID: l.ID, Key: l.Key, Result: p.Result, UserID: p.UserID, AppID: p.ApplicationID, IP: p.IP, Time: timeText(l.CreatedAt)}
}

// serveAudit lists the default tenant's audit log, newest first, filtered by event key (exact,
// or a prefix ending in "."), result, user and application. The filters are a GET form, so a
// filtered list can be bookmarked.
func (c *Console) serveAudit(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.audit_heading")
	if !ok {
		return
	}
	q := r.URL.Query()
	clip := func(k string) string { return strings.TrimSpace(q.Get(k))[:min(len(strings.TrimSpace(q.Get(k))), 200)] }
	v := &auditView{Key: clip("key"), Result: canonicalResult(clip("result")), User: clip("user"), App: clip("app")}
	// The result is filtered by the query, so a page holds 50 matching entries, not the matches
	// among 50 entries; Logto writes it as "Success" or "Error".
	f := model.LogFilter{UserID: v.User, ApplicationID: v.App, Result: v.Result}
	switch {
	case strings.HasSuffix(v.Key, "."):
		f.KeyPrefixes = []string{v.Key}
	case v.Key != "":
		f.Key = v.Key
	}
	n, window := pager.Window(r, logsPerPage)
	logs, total, capped, err := c.o.Audit.ListLogs(r.Context(), model.DefaultTenantID, model.LogQuery{Filter: f, Capped: true, Page: window})
	if err != nil {
		c.internal(w, r, err)
		return
	}
	for _, l := range logs {
		v.Rows = append(v.Rows, logRowOf(l))
	}
	v.Pager, v.Capped, d.View = pager.New(r, n, total, logsPerPage), capped, v
	c.render(w, r, http.StatusOK, "audit", d)
}

// canonicalResult spells a result filter as Logto stores it, whatever its case.
func canonicalResult(s string) string {
	for _, r := range []string{"Success", "Error"} {
		if strings.EqualFold(s, r) {
			return r
		}
	}
	return s
}

// serveAuditEntry shows one entry with its whole payload.
func (c *Console) serveAuditEntry(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.audit_heading")
	if !ok {
		return
	}
	l, err := c.o.Audit.GetLog(r.Context(), model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.audit_not_found")
		return
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, l.Payload, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(l.Payload)
	}
	d.View, d.Title = logDetail{Row: logRowOf(l), Payload: pretty.String()}, l.Key
	c.render(w, r, http.StatusOK, "audit_entry", d)
}
