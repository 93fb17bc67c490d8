package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/console/secretmask"
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
	conn                    connectors.View // as stored, secrets included (never rendered)
}

// loadConn reads the path's connector; it answers 404 or the fault itself otherwise.
func (c *Console) loadConn(w http.ResponseWriter, r *http.Request, d *page) (*connView, bool) {
	conn, err := c.o.Conns.GetConnector(r.Context(), model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.conn_not_found")
		return nil, false
	}
	exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
	if err != nil {
		c.internal(w, r, err)
		return nil, false
	}
	var cfg bytes.Buffer
	masked := secretmask.Mask(conn.Config, d.Msg.T(secretPlaceholder))
	if json.Indent(&cfg, masked, "", "  ") != nil {
		cfg.Reset()
		cfg.Write(masked)
	}
	v := &connView{Row: c.connRowOf(conn, d.Lang, exp.SocialSignInConnectorTargets), Config: cfg.String(), Name: conn.Name["en"],
		Logo: conn.Logo, Sync: conn.SyncProfile, Standard: conn.ConnectorID == "oauth2" || conn.ConnectorID == "oidc",
		Email: conn.Type == "Email", Social: conn.Type == "Social", conn: conn}
	d.View, d.Title = v, v.Row.Name
	return v, true
}

// secretPlaceholder is the text that stands for a stored secret in the connector's JSON.
const secretPlaceholder = "console.conn_secret_placeholder"

// connFieldRules place the connector use-case's refusals on the page's fields.
var connFieldRules = []fieldRule{{"config", []string{"config"}}, {"logo", []string{"logo"}}, {"buttonName", []string{"name"}},
	{"email", []string{"email", "connector."}}}

// postConnEdit saves the connector's config, display and profile sync through PATCH
// /api/connectors/:id's use-case, which checks the config as the factory does.
func (c *Console) postConnEdit(w http.ResponseWriter, r *http.Request) {
	writeOn(c, w, r, "console.conns_heading", "connector", c.loadConn, connFieldRules, func(d *page, v *connView) (string, error) {
		v.Config, v.Name, v.Logo = r.PostFormValue("config"), strings.TrimSpace(r.PostFormValue("buttonName")), strings.TrimSpace(r.PostFormValue("logo"))
		v.Sync = r.PostFormValue("syncProfile") == "on"
		config, err := secretmask.Unmask([]byte(v.Config), v.conn.Config, c.text.All(secretPlaceholder))
		if err != nil {
			return "", fieldRefusal(d, "config", d.Msg.T("console.conn_bad_config"))
		}
		p := connectors.Patch{Config: config, SyncProfile: &v.Sync}
		if v.Standard {
			meta := map[string]any{"target": v.conn.Target, "name": map[string]string{"en": v.Name}}
			if v.Logo != "" {
				meta["logo"] = v.Logo
			}
			p.Metadata, _ = json.Marshal(meta)
		}
		_, err = c.o.Conns.UpdateConnector(r.Context(), model.DefaultTenantID, v.conn.ID, p)
		return "/console/connectors/" + v.conn.ID + "?notice=saved", err
	})
}

// postConnTest sends a test email with the saved config (POST /api/connectors/:factoryId/test)
// and shows the mail server's own answer when it fails.
func (c *Console) postConnTest(w http.ResponseWriter, r *http.Request) {
	writeOn(c, w, r, "console.conns_heading", "connector", c.loadConn, connFieldRules[3:], func(d *page, v *connView) (string, error) {
		v.TestTo = strings.TrimSpace(r.PostFormValue("email"))
		if err := c.o.Conns.TestConnector(r.Context(), model.DefaultTenantID, v.conn.ConnectorID, v.TestTo, "", v.conn.Config); err != nil {
			return "", err
		}
		d.Notice = d.Msg.T("console.conn_test_sent", v.TestTo)
		return "", nil
	})
}

// postConnSignIn shows or hides the connector's button on the sign-in page: Logto has no
// switch on a connector itself, the sign-in experience's socialSignInConnectorTargets is it.
func (c *Console) postConnSignIn(w http.ResponseWriter, r *http.Request) {
	writeOn(c, w, r, "console.conns_heading", "connector", c.loadConn, nil, func(d *page, v *connView) (string, error) {
		exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
		if err != nil {
			return "", err
		}
		target := v.conn.Target
		targets := slices.DeleteFunc(slices.Clone(exp.SocialSignInConnectorTargets), func(t string) bool { return t == target })
		if r.PostFormValue("show") == "yes" {
			targets = append(targets, target)
		}
		patch, _ := json.Marshal(map[string]any{"socialSignInConnectorTargets": targets})
		_, err = c.o.SIE.UpdateSignInExperience(r.Context(), model.DefaultTenantID, patch)
		return "/console/connectors/" + v.conn.ID + "?notice=saved", err
	})
}

// postConnDelete deletes the connector once the box is ticked; accounts keep their identities
// but can no longer sign in with it.
func (c *Console) postConnDelete(w http.ResponseWriter, r *http.Request) {
	writeOn(c, w, r, "console.conns_heading", "connector", c.loadConn, nil, func(d *page, v *connView) (string, error) {
		if err := confirm(d, r, "confirm_delete"); err != nil {
			return "", err
		}
		return "/console/connectors?notice=deleted", c.o.Conns.DeleteConnector(r.Context(), model.DefaultTenantID, v.conn.ID)
	})
}
