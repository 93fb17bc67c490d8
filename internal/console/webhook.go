package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/webhooks"
)

// hookView is one webhook's page.
type hookView struct {
	Hook       model.Hook
	HookEvents []string
	Checked    map[string]bool
	Stats      model.HookExecutionStats
	Deliveries []deliveryRow
	Status     string // the deliveries' filter: "", pending, delivered or dead
	Total      int
}

type deliveryRow struct {
	ID, Event, Status, Created, Updated, Result string
	Attempts                                    int
	Redeliverable                               bool
}

// loadHook reads the path's webhook, its last day's stats and its newest 20 deliveries (of the
// ?status= filter); it answers 404 or the fault itself otherwise.
func (c *Console) loadHook(w http.ResponseWriter, r *http.Request, d *page) (*hookView, bool) {
	ctx := r.Context()
	h, err := c.o.Hooks.GetHook(ctx, model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.hook_not_found")
		return nil, false
	}
	v := &hookView{Hook: h, HookEvents: c.o.HookEvents, Checked: map[string]bool{}}
	for _, e := range h.Events {
		v.Checked[e] = true
	}
	if v.Stats, err = c.o.Hooks.HookExecutionStats(ctx, model.DefaultTenantID, h.ID); err != nil {
		c.internal(w, r, err)
		return nil, false
	}
	switch s := r.URL.Query().Get("status"); s {
	case string(model.DeliveryPending), string(model.DeliveryDelivered), string(model.DeliveryDead):
		v.Status = s
	}
	list, total, err := c.o.Hooks.ListDeliveries(ctx, model.DefaultTenantID, model.DeliveryFilter{HookID: h.ID, Status: model.DeliveryStatus(v.Status)}, model.Page{Limit: 20})
	if err != nil {
		c.internal(w, r, err)
		return nil, false
	}
	v.Total = total
	for _, dl := range list {
		row := deliveryRow{ID: dl.ID, Event: dl.Event, Status: string(dl.Status), Attempts: dl.Attempts, Created: timeText(dl.CreatedAt),
			Updated: timeText(dl.UpdatedAt), Redeliverable: dl.Status != model.DeliveryPending}
		if dl.LastStatus != nil {
			row.Result = "HTTP " + strconv.Itoa(*dl.LastStatus)
		}
		if dl.LastError != nil {
			row.Result = strings.TrimSpace(row.Result + " " + *dl.LastError)
		}
		v.Deliveries = append(v.Deliveries, row)
	}
	d.View, d.Title = v, h.Name
	return v, true
}

// hookWrite is a write of the webhook page (see writeOn and afterWrite).
func (c *Console) hookWrite(w http.ResponseWriter, r *http.Request, run func(d *page, v *hookView) (notice string, err error)) {
	writeOn(c, w, r, "console.hooks_heading", "webhook", c.loadHook, hookFieldRules, func(d *page, v *hookView) (string, error) {
		notice, err := run(d, v)
		return afterWrite(d, notice, "/console/webhooks", "/console/webhooks/"+v.Hook.ID), err
	})
}

// postHookEdit saves the name, endpoint, events and the enabled switch (PATCH /api/hooks/:id).
func (c *Console) postHookEdit(w http.ResponseWriter, r *http.Request) {
	c.hookWrite(w, r, func(d *page, v *hookView) (string, error) {
		name, url := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("url"))
		enabled := r.PostFormValue("enabled") == "on"
		events := append([]string{}, r.PostForm["event"]...)
		v.Hook.Name, v.Hook.Config.URL, v.Hook.Enabled, v.Checked = name, url, enabled, map[string]bool{}
		for _, e := range events {
			v.Checked[e] = true
		}
		cfg := v.Hook.Config
		_, err := c.o.Hooks.UpdateHook(r.Context(), model.DefaultTenantID, v.Hook.ID, webhooks.HookPatch{Name: &name, Events: events, Config: &cfg, Enabled: &enabled})
		return "saved", err
	})
}

// postHookRotate replaces the signing key once the box is ticked: the receiver must be given
// the new key, or it will refuse every request from now on.
func (c *Console) postHookRotate(w http.ResponseWriter, r *http.Request) {
	c.hookWrite(w, r, func(d *page, v *hookView) (string, error) {
		if err := confirm(d, r, "confirm_rotate"); err != nil {
			return "", err
		}
		_, err := c.o.Hooks.RotateHookSigningKey(r.Context(), model.DefaultTenantID, v.Hook.ID)
		return "saved", err
	})
}

// postHookTest sends Logto's test payload for the hook's events to its endpoint now and shows
// the endpoint's answer (not queued, not retried).
func (c *Console) postHookTest(w http.ResponseWriter, r *http.Request) {
	c.hookWrite(w, r, func(d *page, v *hookView) (string, error) {
		if err := c.o.Hooks.TestHook(r.Context(), model.DefaultTenantID, v.Hook.ID, v.Hook.Events, v.Hook.Config); err != nil {
			return "", err
		}
		return d.Msg.T("console.hook_test_ok", v.Hook.Config.URL), nil
	})
}

// postRedeliver queues a delivered or dead delivery again, with its original body.
func (c *Console) postRedeliver(w http.ResponseWriter, r *http.Request) {
	c.hookWrite(w, r, func(d *page, v *hookView) (string, error) {
		_, err := c.o.Hooks.Redeliver(r.Context(), model.DefaultTenantID, v.Hook.ID, r.PathValue("delivery"))
		return d.Msg.T("console.hook_requeued"), err
	})
}

// postHookDelete deletes the hook and its queued deliveries once the box is ticked.
func (c *Console) postHookDelete(w http.ResponseWriter, r *http.Request) {
	c.hookWrite(w, r, func(d *page, v *hookView) (string, error) {
		if err := confirm(d, r, "confirm_delete"); err != nil {
			return "", err
		}
		return "deleted", c.o.Hooks.DeleteHook(r.Context(), model.DefaultTenantID, v.Hook.ID)
	})
}
