package console

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
	Forms   []addForm
}

func (c *Console) mountConnectors(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mux.HandleFunc("GET /console/connectors", c.serveConns)
	mux.Handle("POST /console/connectors", cop.Handler(http.HandlerFunc(c.postConn)))
	mux.HandleFunc("GET /console/connectors/{id}", c.serveConn)
	mux.Handle("POST /console/connectors/{id}", cop.Handler(http.HandlerFunc(c.postConnEdit)))
	mux.Handle("POST /console/connectors/{id}/test", cop.Handler(http.HandlerFunc(c.postConnTest)))
	mux.Handle("POST /console/connectors/{id}/sign-in", cop.Handler(http.HandlerFunc(c.postConnSignIn)))
	mux.Handle("POST /console/connectors/{id}/delete", cop.Handler(http.HandlerFunc(c.postConnDelete)))
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

// formField is one input of a generated form.
type formField struct {
	Name, Label, Type, Placeholder string
	Required                       bool
	Options                        []string // a select's choices
	// ID, Value and Error are filled per request.
	ID, Value, Error string
}

// addForm is one factory's add form.
type addForm struct {
	Factory, Title, Help string
	Fields               []formField
}

// addForms are the add forms, one per factory the console guides. Field names are Logto's
// config keys except target, buttonName, profileMap, port, secure, user, pass, subject and
// syncProfile, which connectorInput places itself.
func addForms() []addForm {
	clientFields := []formField{{Name: "clientId", Label: "console.app_client_id", Required: true},
		{Name: "clientSecret", Label: "console.app_client_secret", Type: "password", Required: true}}
	target := []formField{{Name: "target", Label: "console.conn_target", Required: true, Placeholder: "linuxdo"},
		{Name: "buttonName", Label: "console.conn_name", Required: true, Placeholder: "LINUX DO"}}
	sync := formField{Name: "syncProfile", Label: "console.conn_sync", Type: "checkbox"}
	oauth2 := append(append([]formField{}, target...),
		formField{Name: "authorizationEndpoint", Label: "console.conn_auth_ep", Type: "url", Required: true},
		formField{Name: "tokenEndpoint", Label: "console.conn_token_ep", Type: "url", Required: true},
		formField{Name: "userInfoEndpoint", Label: "console.conn_user_ep", Type: "url", Required: true})
	oauth2 = append(append(oauth2, clientFields...),
		formField{Name: "scope", Label: "console.conn_scope", Placeholder: "read"},
		formField{Name: "tokenEndpointResponseType", Label: "console.conn_response", Type: "select", Options: []string{"json", "query-string"}},
		formField{Name: "profileMap", Label: "console.conn_profile_map", Placeholder: `{"id":"id","name":"name","email":"email","avatar":"avatar_url"}`}, sync)
	oidc := append(append(append([]formField{}, target...),
		formField{Name: "issuer", Label: "console.conn_issuer", Type: "url", Required: true, Placeholder: "https://sso.example.com/oidc"}), clientFields...)
	oidc = append(oidc, formField{Name: "scope", Label: "console.conn_scope", Placeholder: "openid profile email"}, sync)
	social := append(append([]formField{}, clientFields...), sync)
	smtp := []formField{{Name: "host", Label: "console.smtp_host", Required: true, Placeholder: "smtp.example.com"},
		{Name: "port", Label: "console.smtp_port", Type: "number", Required: true, Placeholder: "587"},
		{Name: "secure", Label: "console.smtp_secure", Type: "checkbox"},
		{Name: "user", Label: "console.smtp_user"}, {Name: "pass", Label: "console.smtp_pass", Type: "password"},
		{Name: "fromEmail", Label: "console.smtp_from", Type: "email", Required: true, Placeholder: "auth@example.com"},
		{Name: "name", Label: "console.smtp_name", Placeholder: "Example sign-in"},
		{Name: "subject", Label: "console.smtp_subject", Placeholder: "Your verification code"}}
	return []addForm{
		{"oauth2", "console.conn_oauth2", "console.conn_oauth2_text", oauth2},
		{"oidc", "console.conn_oidc", "console.conn_oidc_text", oidc},
		{"github-universal", "GitHub", "console.conn_github_text", social},
		{"google-universal", "Google", "console.conn_google_text", social},
		{"simple-mail-transfer-protocol", "console.conn_smtp", "console.conn_smtp_text", smtp},
	}
}

// configKeys are the fields of a factory's form that are config members of the same name.
var configKeys = map[string][]string{
	"oauth2":                        {"authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "clientId", "clientSecret", "scope", "tokenEndpointResponseType"},
	"oidc":                          {"issuer", "clientId", "clientSecret", "scope"},
	"github-universal":              {"clientId", "clientSecret", "scope"},
	"google-universal":              {"clientId", "clientSecret", "scope"},
	"simple-mail-transfer-protocol": {"host", "fromEmail", "name", "replyTo"},
}

// fillForms gives each add form its ids, and the submitted one its values and errors.
func fillForms(d *page, v *connsView) []addForm {
	forms := addForms()
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

// connectorInput turns one of the page's add forms into the Management API's create input.
func connectorInput(factory string, form func(string) string) (connectors.CreateInput, string) {
	cfg := map[string]any{}
	for _, k := range configKeys[factory] {
		if v := form(k); v != "" {
			cfg[k] = v
		}
	}
	in := connectors.CreateInput{ConnectorID: factory, SyncProfile: form("syncProfile") == "on"}
	switch factory {
	case "oauth2":
		if pm := form("profileMap"); pm != "" {
			if !json.Valid([]byte(pm)) {
				return in, "profileMap"
			}
			cfg["profileMap"] = json.RawMessage(pm)
		}
	case "oidc":
		if cfg["scope"] == nil {
			cfg["scope"] = "openid profile email"
		}
		cfg["idTokenVerificationConfig"] = map[string]any{}
	case "simple-mail-transfer-protocol":
		port, err := strconv.Atoi(form("port"))
		if err != nil {
			return in, "port"
		}
		cfg["port"], cfg["secure"] = port, form("secure") == "on"
		cfg["auth"] = map[string]string{"user": form("user"), "pass": form("pass")}
		cfg["templates"] = defaultEmailTemplates(form("subject"))
	}
	if factory == "oauth2" || factory == "oidc" {
		in.Metadata, _ = json.Marshal(map[string]any{"target": form("target"), "name": map[string]string{"en": form("buttonName")}})
	}
	in.Config, _ = json.Marshal(cfg)
	return in, ""
}

// defaultEmailTemplates are the four usage types an email connector must carry, in plain text;
// the admin can reword them on the connector's page.
func defaultEmailTemplates(subject string) []map[string]string {
	if subject == "" {
		subject = "Your verification code"
	}
	out := []map[string]string{}
	for _, usage := range []string{"Register", "SignIn", "ForgotPassword", "Generic"} {
		out = append(out, map[string]string{"usageType": usage, "contentType": "text/plain", "subject": subject,
			"content": "Your verification code is {{code}}. It expires in 10 minutes."})
	}
	return out
}

// connectorFieldRules place a refusal on the field it names (config errors name the config
// member: "config.clientSecret: is required").
func connectorFieldRules(factory string) []fieldRule {
	rules := []fieldRule{{"target", []string{"target"}}, {"profileMap", []string{"profileMap"}}, {"port", []string{"config.port"}},
		{"user", []string{"config.auth"}}}
	for _, k := range configKeys[factory] {
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
	in, bad := connectorInput(factory, form)
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
