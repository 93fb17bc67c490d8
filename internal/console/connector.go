package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
)

// connView is one connector's page.
type connView struct {
	Row    connRow
	Config string // the config as indented JSON, edited as a whole
	Name   string // the button's English name (standard connectors only)
	Logo   string
	Sync   bool
	// Standard connectors (generic OAuth 2.0, OIDC) take a target, name and logo of the admin's;
	// built-in ones (GitHub, Google, SMTP) carry their own (Logto's rule).
	Standard, Email, Social bool
	TestTo                  string
}

// loadConn reads the path's connector; it answers 404 or the fault itself otherwise.
func (c *Console) loadConn(w http.ResponseWriter, r *http.Request, d *page) (*connView, connectors.View, bool) {
	conn, err := c.o.Conns.GetConnector(r.Context(), model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.conn_not_found")
		return nil, conn, false
	}
	exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
	if err != nil {
		c.internal(w, r, err)
		return nil, conn, false
	}
	var cfg bytes.Buffer
	masked := maskSecrets(conn.Config)
	if json.Indent(&cfg, masked, "", "  ") != nil {
		cfg.Reset()
		cfg.Write(masked)
	}
	v := &connView{Row: c.connRowOf(conn, d.Lang, exp.SocialSignInConnectorTargets), Config: cfg.String(), Name: conn.Name["en"],
		Logo: conn.Logo, Sync: conn.SyncProfile, Standard: conn.ConnectorID == "oauth2" || conn.ConnectorID == "oidc",
		Email: conn.Type == "Email", Social: conn.Type == "Social"}
	d.View, d.Title = v, v.Row.Name
	return v, conn, true
}

func (c *Console) serveConn(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok {
		return
	}
	if _, _, ok := c.loadConn(w, r, d); ok {
		c.render(w, r, http.StatusOK, "connector", d)
	}
}

// postConnEdit saves the connector's config, display and profile sync through PATCH
// /api/connectors/:id's use-case, which checks the config as the factory does.
func (c *Console) postConnEdit(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	v, conn, ok := c.loadConn(w, r, d)
	if !ok {
		return
	}
	v.Config, v.Name, v.Logo = r.PostFormValue("config"), strings.TrimSpace(r.PostFormValue("buttonName")), strings.TrimSpace(r.PostFormValue("logo"))
	v.Sync = r.PostFormValue("syncProfile") == "on"
	config, err := unmaskSecrets([]byte(v.Config), conn.Config)
	if err != nil {
		d.Fields, d.Error = map[string]string{"config": d.Msg.T("console.conn_bad_config")}, d.Msg.T("console.form_has_errors")
		c.render(w, r, http.StatusBadRequest, "connector", d)
		return
	}
	p := connectors.Patch{Config: config, SyncProfile: &v.Sync}
	if v.Standard {
		meta := map[string]any{"target": conn.Target, "name": map[string]string{"en": v.Name}}
		if v.Logo != "" {
			meta["logo"] = v.Logo
		}
		p.Metadata, _ = json.Marshal(meta)
	}
	if _, err = c.o.Conns.UpdateConnector(r.Context(), model.DefaultTenantID, conn.ID, p); err != nil {
		if !refuse(d, err, fieldRule{"config", []string{"config"}}, fieldRule{"logo", []string{"logo"}}, fieldRule{"buttonName", []string{"name"}}) {
			c.internal(w, r, err)
			return
		}
		c.render(w, r, http.StatusBadRequest, "connector", d)
		return
	}
	http.Redirect(w, r, "/console/connectors/"+conn.ID+"?notice=saved", http.StatusSeeOther)
}

// postConnTest sends a test email with the saved config (POST /api/connectors/:factoryId/test)
// and shows the mail server's own answer when it fails.
func (c *Console) postConnTest(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	v, conn, ok := c.loadConn(w, r, d)
	if !ok {
		return
	}
	v.TestTo = strings.TrimSpace(r.PostFormValue("email"))
	if err := c.o.Conns.TestConnector(r.Context(), model.DefaultTenantID, conn.ConnectorID, v.TestTo, "", conn.Config); err != nil {
		if !refuse(d, err, fieldRule{"email", []string{"email", "connector."}}) {
			c.internal(w, r, err)
			return
		}
		c.render(w, r, http.StatusBadRequest, "connector", d)
		return
	}
	d.Notice = d.Msg.T("console.conn_test_sent", v.TestTo)
	c.render(w, r, http.StatusOK, "connector", d)
}

// postConnSignIn shows or hides the connector's button on the sign-in page: Logto has no
// switch on a connector itself, the sign-in experience's socialSignInConnectorTargets is it.
func (c *Console) postConnSignIn(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	_, conn, ok := c.loadConn(w, r, d)
	if !ok {
		return
	}
	exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	targets := slices.DeleteFunc(slices.Clone(exp.SocialSignInConnectorTargets), func(t string) bool { return t == conn.Target })
	if r.PostFormValue("show") == "yes" {
		targets = append(targets, conn.Target)
	}
	patch, _ := json.Marshal(map[string]any{"socialSignInConnectorTargets": targets})
	if _, err := c.o.SIE.UpdateSignInExperience(r.Context(), model.DefaultTenantID, patch); err != nil {
		if !refuse(d, err) {
			c.internal(w, r, err)
			return
		}
		c.render(w, r, http.StatusBadRequest, "connector", d)
		return
	}
	http.Redirect(w, r, "/console/connectors/"+conn.ID+"?notice=saved", http.StatusSeeOther)
}

// postConnDelete deletes the connector once the box is ticked; accounts keep their identities
// but can no longer sign in with it.
func (c *Console) postConnDelete(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	_, conn, ok := c.loadConn(w, r, d)
	if !ok {
		return
	}
	if !confirmed(r) {
		d.Fields, d.Error = map[string]string{"confirm_delete": d.Msg.T("console.confirm_needed")}, d.Msg.T("console.form_has_errors")
		c.render(w, r, http.StatusBadRequest, "connector", d)
		return
	}
	if err := c.o.Conns.DeleteConnector(r.Context(), model.DefaultTenantID, conn.ID); err != nil {
		if !refuse(d, err) {
			c.internal(w, r, err)
			return
		}
		c.render(w, r, http.StatusBadRequest, "connector", d)
		return
	}
	http.Redirect(w, r, "/console/connectors?notice=deleted", http.StatusSeeOther)
}
