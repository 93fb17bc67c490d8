package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/console/connforms"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
)

// Connectors is what the console's connector pages need.
type Connectors interface {
	ListConnectors(ctx context.Context, tenantID, target string) ([]connectors.View, error)
	CreateConnector(ctx context.Context, tenantID string, in connectors.CreateInput) (connectors.View, error)
	GetConnector(ctx context.Context, tenantID, id string) (connectors.View, error)
	UpdateConnector(ctx context.Context, tenantID, id string, p connectors.Patch) (connectors.View, error)
	DeleteConnector(ctx context.Context, tenantID, id string) error
	TestConnector(ctx context.Context, tenantID, factoryID, email, phone string, config []byte) error
}

// connRow is one connector in the list, with the callback URL to register at the provider.
type connRow struct {
	ID, Name, Type, Target, Callback, Factory string
	// OnSignIn: the sign-in page shows its button (its target is in the sign-in experience).
	OnSignIn bool
}

// connsView is the connector list and the add forms' values, kept on a refusal.
type connsView struct {
	Conns   []connRow
	Form    map[string]string
	Factory string // the form the values belong to
	Forms   []connforms.Form
}

func (c *Console) mountConnectors(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mountSection(mux, cop, "/console/connectors", section{list: c.serveConns, create: c.postConn,
		record: showRecord(c, "console.conns_heading", "connector", c.loadConn),
		writes: map[string]http.HandlerFunc{"": c.postConnEdit, "/test": c.postConnTest, "/sign-in": c.postConnSignIn, "/delete": c.postConnDelete}})
}

func (c *Console) serveConns(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok {
		return
	}
	c.renderConns(w, r, http.StatusOK, d, &connsView{Form: map[string]string{}})
}

// connRowOf is a connector as the pages list it.
func (c *Console) connRowOf(v connectors.View, lang string, onSignIn []string) connRow {
	name := v.Name["en"]
	if n := v.Name[lang]; n != "" {
		name = n
	}
	row := connRow{ID: v.ID, Name: name, Type: string(v.Type), Target: v.Target, Factory: v.ConnectorID,
		Callback: strings.TrimSuffix(c.o.UserIssuer, "/oidc") + "/callback/" + v.ID}
	for _, t := range onSignIn {
		row.OnSignIn = row.OnSignIn || t == v.Target
	}
	return row
}

func (c *Console) renderConns(w http.ResponseWriter, r *http.Request, status int, d *page, v *connsView) {
	list, err := c.o.Conns.ListConnectors(r.Context(), model.DefaultTenantID, "")
	if err != nil {
		c.internal(w, r, err)
		return
	}
	exp, err := c.o.SIE.GetSignInExperience(r.Context(), model.DefaultTenantID)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	for _, conn := range list {
		v.Conns = append(v.Conns, c.connRowOf(conn, d.Lang, exp.SocialSignInConnectorTargets))
	}
	v.Forms = fillForms(d, v)
	d.View = v
	c.render(w, r, status, "connectors", d)
}

// fillForms gives each add form its ids, and the submitted one its values and errors.
func fillForms(d *page, v *connsView) []connforms.Form {
	forms := connforms.Forms()
	for i := range forms {
		f := &forms[i]
		f.Fields = slices.Clone(f.Fields) // forms share field slices
		for j := range f.Fields {
			fld := &f.Fields[j]
			fld.ID = strings.ReplaceAll(f.Factory, "-", "_") + "_" + fld.Name
			if f.Factory == v.Factory {
				fld.Value, fld.Error = v.Form[fld.Name], d.Fields[fld.Name]
			}
		}
	}
	return forms
}

// connectorFieldRules place a refusal on the field it names (config errors name the config
// member: "config.clientSecret: is required").
func connectorFieldRules(factory string) []fieldRule {
	rules := []fieldRule{{"target", []string{"target"}}, {"profileMap", []string{"profileMap"}}, {"port", []string{"config.port"}},
		{"user", []string{"config.auth"}}}
	for _, k := range connforms.ConfigKeys[factory] {
		rules = append(rules, fieldRule{k, []string{"config." + k + ":", "`" + k + "`"}})
	}
	return rules
}

// postConn adds a connector through the Management API's use-case (its rules and messages).
func (c *Console) postConn(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	factory := r.PostFormValue("factory")
	form := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	v := &connsView{Factory: factory, Form: map[string]string{}}
	for k := range r.PostForm {
		if k != "clientSecret" && k != "pass" && k != "csrf" { // secrets are typed again
			v.Form[k] = form(k)
		}
	}
	in, bad := connforms.Input(factory, form)
	if bad != "" {
		d.Fields, d.Error = map[string]string{bad: d.Msg.T("console.conn_bad_" + bad)}, d.Msg.T("console.form_has_errors")
		c.renderConns(w, r, http.StatusBadRequest, d, v)
		return
	}
	created, err := c.o.Conns.CreateConnector(r.Context(), model.DefaultTenantID, in)
	if err != nil {
		if !refuse(d, err, connectorFieldRules(factory)...) {
			c.internal(w, r, err)
			return
		}
		c.renderConns(w, r, http.StatusBadRequest, d, v)
		return
	}
	http.Redirect(w, r, "/console/connectors/"+created.ID+"?notice=saved", http.StatusSeeOther)
}
