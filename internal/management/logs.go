package management

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/management/paging"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// auditKeyPrefixes are the keys GET /api/logs shows: Logto's audit prefixes (routes/log.ts),
// plus the Management API's data events, which Gatehouse audits and Logto does not. Webhook
// delivery entries (TriggerHook.*) are shown by the hook's recent-logs instead.
var auditKeyPrefixes = []string{"ExchangeTokenBy", "RevokeToken", "RevokeGrants", "Interaction", "JwtCustomizer",
	"Saml", "Action", "Unknown", "User.", "Role.", "Scope."}

func logQueryParams(withUser bool) []queryParam {
	q := []queryParam{{"logKey", "Exact log key."}, {"start_time", "Epoch ms, inclusive."}, {"end_time", "Epoch ms, inclusive."},
		{"enableCap", "Count at most 10,000 entries (Total-Number-Is-Capped: true beyond)."}}
	if withUser {
		q = append(q, queryParam{"userId", "Entries about this user."})
	}
	return append(q, queryParam{"applicationId", "Entries of this application."})
}

func (a *API) logRoutes() []route {
	const tag = "Audit logs"
	return []route{
		{method: "GET", path: "/api/logs", tag: tag, summary: "Get logs", status: 200, paging: "always",
			query: logQueryParams(true), response: []model.Log{}, handle: a.listLogs},
		{method: "GET", path: "/api/logs/{id}", tag: tag, summary: "Get log", status: 200,
			response: model.Log{}, handle: a.getLog},
		{method: "GET", path: "/api/users/{userId}/logs", tag: tag, summary: "Get a user's logs", status: 200, paging: "always",
			query: logQueryParams(false), response: []model.Log{}, handle: a.listUserLogs},
	}
}

// parseTimestamp reads an epoch-ms query parameter as Logto's parseTimestampParam: any finite
// number, else 400 guard.invalid_input naming it.
func parseTimestamp(r *http.Request, name string) (*int64, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return nil, invalidInput("query", "Error in key path %q: Expected a number of milliseconds.", name)
	}
	v := int64(math.Floor(f))
	return &v, nil
}

// parseLogQuery reads the filters and paging shared by the log routes.
func parseLogQuery(r *http.Request, withUser bool) (model.LogQuery, paging.Request, error) {
	p, err := paging.Parse(r, false)
	if err != nil {
		return model.LogQuery{}, p, err
	}
	q := r.URL.Query()
	f := model.LogFilter{Key: q.Get("logKey"), ApplicationID: q.Get("applicationId")}
	if withUser {
		f.UserID = q.Get("userId")
	}
	if f.Start, err = parseTimestamp(r, "start_time"); err != nil {
		return model.LogQuery{}, p, err
	}
	if f.End, err = parseTimestamp(r, "end_time"); err != nil {
		return model.LogQuery{}, p, err
	}
	if f.Start != nil && f.End != nil && *f.Start > *f.End {
		return model.LogQuery{}, p, apperr.New(http.StatusBadRequest, "log.invalid_time_window",
			"`end_time` must be after `start_time`.")
	}
	return model.LogQuery{Filter: f, Capped: yes(q.Get("enableCap")), Page: p.Store()}, p, nil
}

// writeLogs answers a page of entries with koa-pagination's headers: a capped total adds
// Total-Number-Is-Capped and leaves out the last and next links, which it cannot know.
func writeLogs(w http.ResponseWriter, r *http.Request, p paging.Request, logs []model.Log, total int, capped bool) error {
	paging.SetHeaders(w, r, p, total)
	if capped {
		w.Header().Set("Total-Number-Is-Capped", "true")
		links := w.Header().Values("Link")
		w.Header().Del("Link")
		for _, l := range links {
			if !hasRel(l, "last") && !hasRel(l, "next") {
				w.Header().Add("Link", l)
			}
		}
	}
	return writeJSON(w, http.StatusOK, logs)
}

func hasRel(link, rel string) bool {
	suffix := `rel="` + rel + `"`
	return len(link) >= len(suffix) && link[len(link)-len(suffix):] == suffix
}

func (a *API) listLogs(w http.ResponseWriter, r *http.Request) error {
	q, p, err := parseLogQuery(r, true)
	if err != nil {
		return err
	}
	q.Filter.KeyPrefixes = auditKeyPrefixes
	logs, total, capped, err := a.svc.ListLogs(r.Context(), a.tenantID, q)
	if err != nil {
		return err
	}
	return writeLogs(w, r, p, logs, total, capped)
}

func (a *API) getLog(w http.ResponseWriter, r *http.Request) error {
	l, err := a.svc.GetLog(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, l)
}

// listUserLogs is GET /api/users/:userId/logs (Logto's console reads /logs?userId=…; older
// Logto served this route): 404 for an unknown user, then the user's entries.
func (a *API) listUserLogs(w http.ResponseWriter, r *http.Request) error {
	userID := r.PathValue("userId")
	if _, err := a.svc.GetUser(r.Context(), a.tenantID, userID); err != nil {
		return err
	}
	q, p, err := parseLogQuery(r, false)
	if err != nil {
		return err
	}
	q.Filter.UserID = userID
	q.Filter.KeyPrefixes = auditKeyPrefixes
	logs, total, capped, err := a.svc.ListLogs(r.Context(), a.tenantID, q)
	if err != nil {
		return err
	}
	return writeLogs(w, r, p, logs, total, capped)
}
