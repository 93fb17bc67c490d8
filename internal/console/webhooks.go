package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/webhooks"
)

// Hooks is what the console's webhook page needs.
type Hooks interface {
	ListHooks(ctx context.Context, tenantID string, p model.Page) ([]model.Hook, int, error)
	CreateHook(ctx context.Context, tenantID string, in webhooks.HookInput) (model.Hook, error)
}

// hookRow is one webhook in the list, with the key its receiver checks signatures with.
type hookRow struct{ Name, URL, Events, SigningKey string }

func (c *Console) serveHooks(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.hooks_heading")
	if !ok {
		return
	}
	c.renderHooks(w, r, http.StatusOK, d)
}

func (c *Console) renderHooks(w http.ResponseWriter, r *http.Request, status int, d *page) {
	hooks, _, err := c.o.Hooks.ListHooks(r.Context(), model.DefaultTenantID, model.Page{Limit: 100})
	if err != nil {
		c.internal(w, r, err)
		return
	}
	for _, h := range hooks {
		d.Hooks = append(d.Hooks, hookRow{Name: h.Name, URL: h.Config.URL, Events: strings.Join(h.Events, ", "), SigningKey: h.SigningKey})
	}
	d.HookEvents = c.o.HookEvents
	c.render(w, r, status, "webhooks", d)
}

// postHook creates a webhook through the Management API's use-case (its URL and event rules).
func (c *Console) postHook(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.hooks_heading")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if r.ParseForm() != nil || !sameToken(d.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	events := r.PostForm["event"]
	if events == nil {
		events = []string{}
	}
	in := webhooks.HookInput{Name: strings.TrimSpace(r.PostFormValue("name")), Events: events,
		Config: model.HookConfig{URL: strings.TrimSpace(r.PostFormValue("url"))}}
	if _, err := c.o.Hooks.CreateHook(r.Context(), model.DefaultTenantID, in); err != nil {
		if d.Error = apiMessage(err); d.Error == "" {
			c.internal(w, r, err)
			return
		}
		c.renderHooks(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/webhooks", http.StatusSeeOther)
}
