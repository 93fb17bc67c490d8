package management

import (
	"encoding/json"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/management/paging"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/webhooks"
)

// hookCreateBody is POST /api/hooks (Logto's Hooks.createGuard without id and signingKey).
type hookCreateBody struct {
	Name    *string           `json:"name"`
	Event   *string           `json:"event"`
	Events  []string          `json:"events"`
	Config  *model.HookConfig `json:"config"`
	Enabled *bool             `json:"enabled"`
}

// hookPatchBody is PATCH /api/hooks/:id; every member optional, event nullable.
type hookPatchBody struct {
	Name    *string           `json:"name"`
	Event   nullable[string]  `json:"event"`
	Events  []string          `json:"events"`
	Config  *model.HookConfig `json:"config"`
	Enabled *bool             `json:"enabled"`
}

type hookTestBody struct {
	Events []string          `json:"events"`
	Config *model.HookConfig `json:"config"`
}

// hookResponse is a hook, with executionStats when asked for (Logto's hookResponseGuard).
type hookResponse struct {
	model.Hook
	ExecutionStats *model.HookExecutionStats `json:"executionStats,omitempty"`
}

// deliveryResponse is an outbox row with the body it sends (GET …/deliveries/:deliveryId).
type deliveryResponse struct {
	model.Delivery
	Body json.RawMessage `json:"body"`
}

func (a *API) hookRoutes() []route {
	const tag = "Hooks"
	stats := []queryParam{{"includeExecutionStats", "Add executionStats (attempts and successes in the last 24 hours)."}}
	return []route{
		{method: "GET", path: "/api/hooks", tag: tag, summary: "Get hooks", status: 200, paging: "optional",
			query: stats, response: []hookResponse{}, handle: a.listHooks},
		{method: "POST", path: "/api/hooks", tag: tag, summary: "Create a hook", status: 201,
			body: hookCreateBody{}, response: model.Hook{}, handle: a.createHook},
		{method: "GET", path: "/api/hooks/{id}", tag: tag, summary: "Get hook", status: 200,
			query: stats, response: hookResponse{}, handle: a.getHook},
		{method: "PATCH", path: "/api/hooks/{id}", tag: tag, summary: "Update hook", status: 200,
			body: hookPatchBody{}, response: model.Hook{}, handle: a.updateHook},
		{method: "DELETE", path: "/api/hooks/{id}", tag: tag, summary: "Delete hook", status: 204,
			handle: a.deleteHook},
		{method: "PATCH", path: "/api/hooks/{id}/signing-key", tag: tag, summary: "Update signing key", status: 200,
			response: model.Hook{}, handle: a.rotateHookKey},
		{method: "POST", path: "/api/hooks/{id}/test", tag: tag, summary: "Test hook", status: 204,
			body: hookTestBody{}, handle: a.testHook},
		{method: "GET", path: "/api/hooks/{id}/recent-logs", tag: tag, summary: "Get recent logs of a hook", status: 200,
			paging: "always", query: logQueryParams(false), response: []model.Log{}, handle: a.hookLogs},
		{method: "GET", path: "/api/hooks/{id}/deliveries", tag: tag, status: 200, paging: "always",
			summary:  "Get deliveries of a hook (Gatehouse: the durable outbox)",
			query:    []queryParam{{"status", "pending, delivered or dead."}},
			response: []model.Delivery{}, handle: a.listDeliveries},
		{method: "GET", path: "/api/hooks/{id}/deliveries/{deliveryId}", tag: tag, status: 200,
			summary: "Get a delivery with its body (Gatehouse)", response: deliveryResponse{}, handle: a.getDelivery},
		{method: "POST", path: "/api/hooks/{id}/deliveries/{deliveryId}/redeliver", tag: tag, status: 200,
			summary: "Send a delivered or dead delivery again (Gatehouse)", response: model.Delivery{}, handle: a.redeliver},
	}
}

func (a *API) withStats(r *http.Request, h model.Hook) (hookResponse, error) {
	out := hookResponse{Hook: h}
	if !yes(r.URL.Query().Get("includeExecutionStats")) {
		return out, nil
	}
	st, err := a.svc.HookExecutionStats(r.Context(), a.tenantID, h.ID)
	if err != nil {
		return out, err
	}
	out.ExecutionStats = &st
	return out, nil
}

func (a *API) listHooks(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, true)
	if err != nil {
		return err
	}
	hooks, total, err := a.svc.ListHooks(r.Context(), a.tenantID, p.Store())
	if err != nil {
		return err
	}
	out := make([]hookResponse, len(hooks))
	for i, h := range hooks {
		if out[i], err = a.withStats(r, h); err != nil {
			return err
		}
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) createHook(w http.ResponseWriter, r *http.Request) error {
	var b hookCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Config == nil {
		return errRequired("config")
	}
	in := webhooks.HookInput{Event: b.Event, Events: b.Events, Config: *b.Config, Enabled: b.Enabled}
	if b.Name != nil {
		in.Name = *b.Name
	}
	h, err := a.svc.CreateHook(r.Context(), a.tenantID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, h)
}

func (a *API) getHook(w http.ResponseWriter, r *http.Request) error {
	h, err := a.svc.GetHook(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := a.withStats(r, h)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) updateHook(w http.ResponseWriter, r *http.Request) error {
	var b hookPatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	p := webhooks.HookPatch{Name: b.Name, SetEvent: b.Event.Set, Events: b.Events, Config: b.Config, Enabled: b.Enabled}
	if b.Event.Set {
		p.Event = b.Event.ptr()
	}
	h, err := a.svc.UpdateHook(r.Context(), a.tenantID, r.PathValue("id"), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h)
}

func (a *API) deleteHook(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteHook(r.Context(), a.tenantID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) rotateHookKey(w http.ResponseWriter, r *http.Request) error {
	h, err := a.svc.RotateHookSigningKey(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h)
}

func (a *API) testHook(w http.ResponseWriter, r *http.Request) error {
	var b hookTestBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Events == nil {
		return errRequired("events")
	}
	if b.Config == nil {
		return errRequired("config")
	}
	if err := a.svc.TestHook(r.Context(), a.tenantID, r.PathValue("id"), b.Events, *b.Config); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) hookLogs(w http.ResponseWriter, r *http.Request) error {
	q, p, err := parseLogQuery(r, false)
	if err != nil {
		return err
	}
	logs, total, capped, err := a.svc.HookLogs(r.Context(), a.tenantID, r.PathValue("id"), q)
	if err != nil {
		return err
	}
	return writeLogs(w, r, p, logs, total, capped)
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	f := model.DeliveryFilter{HookID: r.PathValue("id"), Status: model.DeliveryStatus(r.URL.Query().Get("status"))}
	ds, total, err := a.svc.ListDeliveries(r.Context(), a.tenantID, f, p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, ds)
}

func (a *API) getDelivery(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.GetDelivery(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("deliveryId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, deliveryResponse{Delivery: d, Body: d.Body})
}

func (a *API) redeliver(w http.ResponseWriter, r *http.Request) error {
	d, err := a.svc.Redeliver(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("deliveryId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}
