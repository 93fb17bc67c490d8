package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/webhooks"
)

// Hooks is what the console's webhook pages need.
type Hooks interface {
	ListHooks(ctx context.Context, tenantID string, p model.Page) ([]model.Hook, int, error)
	CreateHook(ctx context.Context, tenantID string, in webhooks.HookInput) (model.Hook, error)
	GetHook(ctx context.Context, tenantID, id string) (model.Hook, error)
	UpdateHook(ctx context.Context, tenantID, id string, p webhooks.HookPatch) (model.Hook, error)
	RotateHookSigningKey(ctx context.Context, tenantID, id string) (model.Hook, error)
	DeleteHook(ctx context.Context, tenantID, id string) error
	HookExecutionStats(ctx context.Context, tenantID, id string) (model.HookExecutionStats, error)
	TestHook(ctx context.Context, tenantID, id string, events []string, cfg model.HookConfig) error
	ListDeliveries(ctx context.Context, tenantID string, f model.DeliveryFilter, p model.Page) ([]model.Delivery, int, error)
	Redeliver(ctx context.Context, tenantID, hookID, id string) (model.Delivery, error)
}

// hookRow is one webhook in the list, with the key its receiver checks signatures with.
type hookRow struct {
	ID, Name, URL, Events, SigningKey string
	Enabled                           bool
}

// hooksView is the list and the create form's values.
type hooksView struct {
	Hooks      []hookRow
	HookEvents []string
	Name, URL  string
	Checked    map[string]bool
}

func (c *Console) mountHooks(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mountSection(mux, cop, "/console/webhooks", section{list: c.serveHooks, create: c.postHook,
		record: showRecord(c, "console.hooks_heading", "webhook", c.loadHook),
		writes: map[string]http.HandlerFunc{"": c.postHookEdit, "/rotate": c.postHookRotate, "/test": c.postHookTest,
			"/deliveries/{delivery}/redeliver": c.postRedeliver, "/delete": c.postHookDelete}})
}

func (c *Console) serveHooks(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.hooks_heading")
	if !ok {
		return
	}
	// LobeChat's guide subscribes User.Data.Updated: the new-hook form starts with it ticked.
	c.renderHooks(w, r, http.StatusOK, d, &hooksView{Checked: map[string]bool{"User.Data.Updated": true}})
}

func (c *Console) renderHooks(w http.ResponseWriter, r *http.Request, status int, d *page, v *hooksView) {
	hooks, _, err := c.o.Hooks.ListHooks(r.Context(), model.DefaultTenantID, model.Page{Limit: 100})
	if err != nil {
		c.internal(w, r, err)
		return
	}
	for _, h := range hooks {
		v.Hooks = append(v.Hooks, hookRow{ID: h.ID, Name: h.Name, URL: h.Config.URL, Events: strings.Join(h.Events, ", "),
			SigningKey: h.SigningKey, Enabled: h.Enabled})
	}
	v.HookEvents, d.View = c.o.HookEvents, v
	c.render(w, r, status, "webhooks", d)
}

// hookFieldRules place the webhook use-case's refusals on the form's fields.
var hookFieldRules = []fieldRule{{"events", []string{"event"}}, {"url", []string{"url", "URL"}}, {"name", []string{"name"}}}

// postHook creates a webhook through the Management API's use-case (its URL and event rules).
func (c *Console) postHook(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.hooks_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	v := &hooksView{Name: strings.TrimSpace(r.PostFormValue("name")), URL: strings.TrimSpace(r.PostFormValue("url")), Checked: map[string]bool{}}
	events := append([]string{}, r.PostForm["event"]...)
	for _, e := range events {
		v.Checked[e] = true
	}
	created, err := c.o.Hooks.CreateHook(r.Context(), model.DefaultTenantID, webhooks.HookInput{Name: v.Name, Events: events, Config: model.HookConfig{URL: v.URL}})
	if err != nil {
		if !refuse(d, err, hookFieldRules...) {
			c.internal(w, r, err)
			return
		}
		c.renderHooks(w, r, http.StatusBadRequest, d, v)
		return
	}
	http.Redirect(w, r, "/console/webhooks/"+created.ID+"?notice=saved", http.StatusSeeOther)
}
