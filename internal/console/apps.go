package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/console/pager"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
)

// Applications is what the console's application pages need.
type Applications interface {
	ListApplications(ctx context.Context, tenantID string, f model.ApplicationFilter, p model.Page) ([]model.Application, int, error)
	CreateApplication(ctx context.Context, tenantID string, in applications.CreateApplicationInput) (applications.CreatedApplication, error)
	GetApplication(ctx context.Context, tenantID, id string) (model.Application, error)
	ListSecrets(ctx context.Context, tenantID, appID string) ([]model.ApplicationSecret, error)
}

// appsPerPage is the application list's page size.
const appsPerPage = 50

// appForm is the create form's values, kept on a refusal.
type appForm struct {
	Name, Type, Redirect string
	ThirdParty           bool
}

func (c *Console) serveApps(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.apps_heading")
	if !ok {
		return
	}
	d.Form = appForm{Type: string(model.AppTraditional)}
	c.renderApps(w, r, http.StatusOK, d)
}

func (c *Console) renderApps(w http.ResponseWriter, r *http.Request, status int, d *page) {
	n, window := pager.Window(r, appsPerPage)
	apps, total, err := c.o.Apps.ListApplications(r.Context(), model.DefaultTenantID, model.ApplicationFilter{}, window)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d.Apps, d.View = apps, pager.New(r, n, total, appsPerPage)
	c.render(w, r, status, "applications", d)
}

// postApp creates an application of the default tenant through the same use-case as the
// Management API (its validation, audit entry and webhooks).
func (c *Console) postApp(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.apps_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	d.Form = appForm{Name: strings.TrimSpace(r.PostFormValue("name")), Type: r.PostFormValue("type"), Redirect: strings.TrimSpace(r.PostFormValue("redirect_uri")),
		ThirdParty: r.PostFormValue("third_party") == "on"}
	in := applications.CreateApplicationInput{Name: d.Form.Name, Type: model.ApplicationType(d.Form.Type), IsThirdParty: d.Form.ThirdParty}
	if d.Form.Redirect != "" {
		in.RedirectURIs = []string{d.Form.Redirect}
	}
	created, err := c.o.Apps.CreateApplication(r.Context(), model.DefaultTenantID, in)
	if err != nil {
		if !refuse(d, err, fieldRule{"redirect_uri", []string{"redirectUris", "redirect"}}, fieldRule{"third_party", []string{"third_party"}},
			fieldRule{"type", []string{"type"}}, fieldRule{"name", []string{"name"}}) {
			c.internal(w, r, err)
			return
		}
		c.renderApps(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/applications/"+created.ID, http.StatusSeeOther)
}
