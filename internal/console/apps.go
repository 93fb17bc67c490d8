package console

import (
	"context"
	"net/http"
	"strings"

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

// appForm is the create form's values, kept on a refusal.
type appForm struct{ Name, Type, Redirect string }

func (c *Console) serveApps(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.apps_heading")
	if !ok {
		return
	}
	d.Form = appForm{Type: string(model.AppTraditional)}
	c.renderApps(w, r, http.StatusOK, d)
}

func (c *Console) renderApps(w http.ResponseWriter, r *http.Request, status int, d *page) {
	apps, _, err := c.o.Apps.ListApplications(r.Context(), model.DefaultTenantID, model.ApplicationFilter{}, model.Page{Limit: 100})
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d.Apps = apps
	c.render(w, r, status, "applications", d)
}

// postApp creates an application of the default tenant through the same use-case as the
// Management API (its validation, audit entry and webhooks).
func (c *Console) postApp(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.apps_heading")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if r.ParseForm() != nil || !sameToken(d.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	d.Form = appForm{Name: strings.TrimSpace(r.PostFormValue("name")), Type: r.PostFormValue("type"), Redirect: strings.TrimSpace(r.PostFormValue("redirect_uri"))}
	in := applications.CreateApplicationInput{Name: d.Form.Name, Type: model.ApplicationType(d.Form.Type)}
	if d.Form.Redirect != "" {
		in.RedirectURIs = []string{d.Form.Redirect}
	}
	created, err := c.o.Apps.CreateApplication(r.Context(), model.DefaultTenantID, in)
	if err != nil {
		text, known := errorText(d.Msg, err)
		if !known {
			c.internal(w, r, err)
			return
		}
		d.Error = text
		c.renderApps(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/applications/"+created.ID, http.StatusSeeOther)
}

// serveApp shows one application with what its client needs: the issuer, the client id and
// secret, and ready-to-paste settings for the apps the seed guides connect.
func (c *Console) serveApp(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.apps_heading")
	if !ok {
		return
	}
	app, err := c.o.Apps.GetApplication(r.Context(), model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, http.StatusNotFound, "console.app_not_found")
		return
	}
	secrets, err := c.o.Apps.ListSecrets(r.Context(), model.DefaultTenantID, app.ID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	if len(secrets) > 0 {
		d.Secret = secrets[0].Value
	}
	d.App, d.Issuer, d.Title = app, c.o.UserIssuer, app.Name
	c.render(w, r, http.StatusOK, "application", d)
}
