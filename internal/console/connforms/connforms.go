package connforms

import (
	"encoding/json"
	"strconv"

	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
)

// Field is one input of a generated form.
type Field struct {
	Name, Label, Type, Placeholder string
	Required                       bool
	Options                        []string // a select's choices
	// ID, Value and Error are filled per request.
	ID, Value, Error string
}

// Form is one factory's add form.
type Form struct {
	Factory, Title, Help string
	Fields               []Field
}

// Forms are the add forms, one per factory the console guides. Field names are Logto's
// config keys except target, buttonName, profileMap, port, secure, user, pass, subject and
// syncProfile, which Input places itself.
func Forms() []Form {
	clientFields := []Field{{Name: "clientId", Label: "console.app_client_id", Required: true},
		{Name: "clientSecret", Label: "console.app_client_secret", Type: "password", Required: true}}
	target := []Field{{Name: "target", Label: "console.conn_target", Required: true, Placeholder: "linuxdo"},
		{Name: "buttonName", Label: "console.conn_name", Required: true, Placeholder: "LINUX DO"}}
	sync := Field{Name: "syncProfile", Label: "console.conn_sync", Type: "checkbox"}
	oauth2 := append(append([]Field{}, target...),
		Field{Name: "authorizationEndpoint", Label: "console.conn_auth_ep", Type: "url", Required: true},
		Field{Name: "tokenEndpoint", Label: "console.conn_token_ep", Type: "url", Required: true},
		Field{Name: "userInfoEndpoint", Label: "console.conn_user_ep", Type: "url", Required: true})
	oauth2 = append(append(oauth2, clientFields...),
		Field{Name: "scope", Label: "console.conn_scope", Placeholder: "read"},
		Field{Name: "tokenEndpointResponseType", Label: "console.conn_response", Type: "select", Options: []string{"json", "query-string"}},
		Field{Name: "profileMap", Label: "console.conn_profile_map", Placeholder: `{"id":"id","name":"name","email":"email","avatar":"avatar_url"}`}, sync)
	oidc := append(append(append([]Field{}, target...),
		Field{Name: "issuer", Label: "console.conn_issuer", Type: "url", Required: true, Placeholder: "https://sso.example.com/oidc"}), clientFields...)
	oidc = append(oidc, Field{Name: "scope", Label: "console.conn_scope", Placeholder: "openid profile email"}, sync)
	social := append(append([]Field{}, clientFields...), sync)
	smtp := []Field{{Name: "host", Label: "console.smtp_host", Required: true, Placeholder: "smtp.example.com"},
		{Name: "port", Label: "console.smtp_port", Type: "number", Required: true, Placeholder: "587"},
		{Name: "secure", Label: "console.smtp_secure", Type: "checkbox"},
		{Name: "user", Label: "console.smtp_user"}, {Name: "pass", Label: "console.smtp_pass", Type: "password"},
		{Name: "fromEmail", Label: "console.smtp_from", Type: "email", Required: true, Placeholder: "auth@example.com"},
		{Name: "name", Label: "console.smtp_name", Placeholder: "Example sign-in"},
		{Name: "subject", Label: "console.smtp_subject", Placeholder: "Your verification code"}}
	return []Form{
		{"oauth2", "console.conn_oauth2", "console.conn_oauth2_text", oauth2},
		{"oidc", "console.conn_oidc", "console.conn_oidc_text", oidc},
		{"github-universal", "GitHub", "console.conn_github_text", social},
		{"google-universal", "Google", "console.conn_google_text", social},
		{"simple-mail-transfer-protocol", "console.conn_smtp", "console.conn_smtp_text", smtp},
	}
}

// ConfigKeys are the fields of a factory's form that are config members of the same name.
var ConfigKeys = map[string][]string{
	"oauth2":                        {"authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "clientId", "clientSecret", "scope", "tokenEndpointResponseType"},
	"oidc":                          {"issuer", "clientId", "clientSecret", "scope"},
	"github-universal":              {"clientId", "clientSecret", "scope"},
	"google-universal":              {"clientId", "clientSecret", "scope"},
	"simple-mail-transfer-protocol": {"host", "fromEmail", "name", "replyTo"},
}

// Input turns one of the page's add forms into the Management API's create input.
func Input(factory string, form func(string) string) (connectors.CreateInput, string) {
	cfg := map[string]any{}
	for _, k := range ConfigKeys[factory] {
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
