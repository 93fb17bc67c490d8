package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
)

// AppSettings is what the application page's forms need beyond reading.
type AppSettings interface {
	UpdateApplication(ctx context.Context, tenantID, id string, p applications.ApplicationPatch) (model.Application, error)
	DeleteApplication(ctx context.Context, tenantID, id string) error
	AddSecret(ctx context.Context, tenantID, appID, name string, expiresAtMs *int64) (model.ApplicationSecret, error)
	DeleteSecret(ctx context.Context, tenantID, appID, name string) error
}

// appView is one application's page.
type appView struct {
	App     model.Application
	Issuer  string
	Secret  string // the newest live secret, for the ready-to-paste settings
	Secrets []secretRow
	Form    appSettingsForm
	// HasSecret: confidential clients (Traditional, M2M) authenticate with a secret.
	HasSecret bool
}

type secretRow struct {
	Name, Value, Created, Expires string
	Expired                       bool
}

// appSettingsForm is the settings form's text, kept as typed on a refusal.
type appSettingsForm struct {
	Name, Description, Redirects, PostLogout, CORS, Backchannel string
	IDTokenTTL, RefreshDays                                     string
	AlwaysRefresh, RotateRefresh, RequirePKCE                   bool
}

func (c *Console) mountApps(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mountSection(mux, cop, "/console/applications", section{list: c.serveApps, create: c.postApp,
		record: showRecord(c, "console.apps_heading", "application", c.loadApp),
		writes: map[string]http.HandlerFunc{"/settings": c.postAppSettings, "/secrets": c.postAppSecret,
			"/secrets/delete": c.postAppSecretDelete, "/delete": c.postAppDelete}})
}

// settingsFormOf fills the form from the stored application, with Logto's defaults where a
// key is absent (ID token 3600 s, refresh token 14 days, rotation on).
func settingsFormOf(app model.Application) appSettingsForm {
	m, cm := app.OIDCClientMetadata, app.CustomClientMetadata
	f := appSettingsForm{Name: app.Name, Description: model.StringOf(app.Description),
		Redirects: strings.Join(m.RedirectURIs, "\n"), PostLogout: strings.Join(m.PostLogoutRedirectURIs, "\n"),
		CORS: strings.Join(cm.CORSAllowedOrigins, "\n"), Backchannel: model.StringOf(m.BackchannelLogoutURI),
		IDTokenTTL: "3600", RefreshDays: "14", RotateRefresh: true}
	if cm.IDTokenTTL != nil {
		f.IDTokenTTL = strconv.FormatInt(*cm.IDTokenTTL, 10)
	}
	if cm.RefreshTokenTTLInDays != nil {
		f.RefreshDays = strconv.FormatInt(*cm.RefreshTokenTTLInDays, 10)
	}
	f.AlwaysRefresh = cm.AlwaysIssueRefreshToken != nil && *cm.AlwaysIssueRefreshToken
	f.RotateRefresh = cm.RotateRefreshToken == nil || *cm.RotateRefreshToken
	f.RequirePKCE = cm.RequirePKCE != nil && *cm.RequirePKCE
	return f
}

// loadApp reads the application of the path's id into d.View; it answers 404 or the fault
// itself and returns false then.
func (c *Console) loadApp(w http.ResponseWriter, r *http.Request, d *page) (*appView, bool) {
	app, err := c.o.Apps.GetApplication(r.Context(), model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.app_not_found")
		return nil, false
	}
	secrets, err := c.o.Apps.ListSecrets(r.Context(), model.DefaultTenantID, app.ID)
	if err != nil {
		c.internal(w, r, err)
		return nil, false
	}
	v := &appView{App: app, Issuer: c.o.UserIssuer, Form: settingsFormOf(app),
		HasSecret: app.Type == model.AppTraditional || app.Type == model.AppMachineToMachine}
	now := time.Now().UnixMilli()
	for _, s := range secrets {
		row := secretRow{Name: s.Name, Value: s.Value, Created: timeText(s.CreatedAt)}
		if s.ExpiresAt != nil {
			row.Expires, row.Expired = timeText(*s.ExpiresAt), *s.ExpiresAt <= now
		}
		if v.Secret == "" && !row.Expired {
			v.Secret = s.Value
		}
		v.Secrets = append(v.Secrets, row)
	}
	d.View, d.Title = v, app.Name
	return v, true
}

// timeText shows an epoch-milliseconds time in UTC, to the minute.
func timeText(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04 UTC") }

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// appFieldRules place the application use-case's refusals on the settings form's fields.
var appFieldRules = []fieldRule{
	{"post_logout", []string{"postLogoutRedirectUris", "post_logout"}},
	{"redirects", []string{"redirectUris", "redirect_uri", "redirect URI"}},
	{"cors", []string{"corsAllowedOrigins", "origin"}},
	{"backchannel", []string{"backchannelLogoutUri"}},
	{"id_token_ttl", []string{"idTokenTtl"}},
	{"refresh_days", []string{"refreshTokenTtlInDays"}},
	{"name", []string{"name"}},
}

// postAppSettings saves the settings form through PATCH /api/applications/:id's use-case.
func (c *Console) postAppSettings(w http.ResponseWriter, r *http.Request) {
	writeOn(c, w, r, "console.apps_heading", "application", c.loadApp, appFieldRules, func(d *page, v *appView) (string, error) {
		f := appSettingsForm{Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")),
			Redirects: r.PostFormValue("redirects"), PostLogout: r.PostFormValue("post_logout"), CORS: r.PostFormValue("cors"),
			Backchannel: strings.TrimSpace(r.PostFormValue("backchannel")), IDTokenTTL: strings.TrimSpace(r.PostFormValue("id_token_ttl")),
			RefreshDays: strings.TrimSpace(r.PostFormValue("refresh_days")), AlwaysRefresh: r.PostFormValue("always_refresh") == "on",
			RotateRefresh: r.PostFormValue("rotate_refresh") == "on", RequirePKCE: r.PostFormValue("require_pkce") == "on"}
		v.Form = f
		patch, field := settingsPatch(v.App, f)
		if field != "" {
			return "", fieldRefusal(d, field, d.Msg.T("console.app_whole_number"))
		}
		_, err := c.o.AppSettings.UpdateApplication(r.Context(), model.DefaultTenantID, v.App.ID, patch)
		return "/console/applications/" + v.App.ID + "?notice=saved", err
	})
}

// settingsPatch turns the form into a patch; field names a number field that is not a whole
// number. The custom client metadata is replaced whole (Logto's PATCH semantics), so keys the
// form does not show are carried over from the stored application.
func settingsPatch(app model.Application, f appSettingsForm) (applications.ApplicationPatch, string) {
	ttl, err := strconv.ParseInt(f.IDTokenTTL, 10, 64)
	if err != nil {
		return applications.ApplicationPatch{}, "id_token_ttl"
	}
	days, err := strconv.ParseInt(f.RefreshDays, 10, 64)
	if err != nil {
		return applications.ApplicationPatch{}, "refresh_days"
	}
	redirects, postLogout := lines(f.Redirects), lines(f.PostLogout)
	meta := applications.OIDCClientMetadataPatch{RedirectURIs: &redirects, PostLogoutRedirectURIs: &postLogout}
	if f.Backchannel != "" || app.OIDCClientMetadata.BackchannelLogoutURI != nil {
		meta.BackchannelLogoutURI = &f.Backchannel
	}
	cm := app.CustomClientMetadata
	cm.CORSAllowedOrigins, cm.IDTokenTTL, cm.RefreshTokenTTLInDays = lines(f.CORS), &ttl, &days
	cm.AlwaysIssueRefreshToken, cm.RotateRefreshToken, cm.RequirePKCE = &f.AlwaysRefresh, &f.RotateRefresh, &f.RequirePKCE
	var desc *string
	if f.Description != "" {
		desc = &f.Description
	}
	return applications.ApplicationPatch{Name: &f.Name, Description: &desc, OIDCClientMetadata: &meta, CustomClientMetadata: &cm}, ""
}

// postAppSecret adds a named client secret, optionally expiring after some days: the way to
// rotate without downtime is to add the new one, move the app to it, then delete the old one.
func (c *Console) postAppSecret(w http.ResponseWriter, r *http.Request) {
	rules := []fieldRule{{"secret_name", []string{"name", "secret"}}}
	writeOn(c, w, r, "console.apps_heading", "application", c.loadApp, rules, func(d *page, v *appView) (string, error) {
		var expires *int64
		if days := strings.TrimSpace(r.PostFormValue("expires_days")); days != "" {
			n, err := strconv.Atoi(days)
			if err != nil || n < 1 || n > 3650 {
				return "", fieldRefusal(d, "expires_days", d.Msg.T("console.secret_days_range"))
			}
			at := time.Now().Add(time.Duration(n) * 24 * time.Hour).UnixMilli()
			expires = &at
		}
		name := strings.TrimSpace(r.PostFormValue("secret_name"))
		_, err := c.o.AppSettings.AddSecret(r.Context(), model.DefaultTenantID, v.App.ID, name, expires)
		return "/console/applications/" + v.App.ID + "?notice=saved#secrets", err
	})
}

// postAppSecretDelete deletes a secret once the box is ticked; clients using it stop working.
func (c *Console) postAppSecretDelete(w http.ResponseWriter, r *http.Request) {
	writeOn(c, w, r, "console.apps_heading", "application", c.loadApp, nil, func(d *page, v *appView) (string, error) {
		if err := confirm(d, r, ""); err != nil {
			return "", err
		}
		err := c.o.AppSettings.DeleteSecret(r.Context(), model.DefaultTenantID, v.App.ID, r.PostFormValue("secret_name"))
		return "/console/applications/" + v.App.ID + "?notice=deleted#secrets", err
	})
}

// postAppDelete deletes the application (its tokens stop working) once the box is ticked.
func (c *Console) postAppDelete(w http.ResponseWriter, r *http.Request) {
	writeOn(c, w, r, "console.apps_heading", "application", c.loadApp, nil, func(d *page, v *appView) (string, error) {
		if err := confirm(d, r, "confirm_delete"); err != nil {
			return "", err
		}
		return "/console/applications?notice=deleted", c.o.AppSettings.DeleteApplication(r.Context(), model.DefaultTenantID, v.App.ID)
	})
}
