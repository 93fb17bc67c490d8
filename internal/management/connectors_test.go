package management

import (
	"strings"
	"testing"
)

const linuxDoConfig = `{"authorizationEndpoint":"https://connect.linux.do/oauth2/authorize","tokenEndpoint":"https://connect.linux.do/oauth2/token",
	"userInfoEndpoint":"https://connect.linux.do/api/user","clientId":"ld-client","clientSecret":"ld-secret-value",
	"tokenEndpointResponseType":"json","profileMap":{"id":"id","name":"name","avatar":"avatar_url","email":"email"}}`

func TestConnectorFactories(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/connector-factories", "")
	e.want(r, 200, "")
	var fs []struct {
		ID, Type, Target string
		IsStandard       bool
		FormItems        []struct{ Key string }
	}
	r.json(t, &fs)
	if len(fs) != 5 || fs[4].ID != "simple-mail-transfer-protocol" || fs[4].Type != "Email" || fs[3].ID != "google-universal" || fs[0].ID != "oauth2" || fs[0].Type != "Social" || !fs[0].IsStandard || len(fs[0].FormItems) == 0 ||
		fs[1].ID != "oidc" || !fs[1].IsStandard || fs[2].ID != "github-universal" || fs[2].Target != "github" || fs[2].IsStandard {
		t.Fatalf("factories = %s", r.body)
	}
	e.want(e.do("GET", "/api/connector-factories/oauth2", ""), 200, "")
	e.want(e.do("GET", "/api/connector-factories/nope", ""), 404, "entity.not_found")
}

func TestConnectorLifecycle(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"unknown factory", `{"connectorId":"nope","config":{}}`, 422, "connector.not_found_with_connector_id"},
		{"standard without target", `{"connectorId":"oauth2","config":` + linuxDoConfig + `}`, 400, "connector.should_specify_target"},
		{"bad config names the field", `{"connectorId":"oauth2","metadata":{"target":"linuxdo"},"config":{"clientId":"x"}}`, 400, "connector.invalid_config_guard"},
		{"token storage", `{"connectorId":"oauth2","metadata":{"target":"linuxdo"},"enableTokenStorage":true,"config":` + linuxDoConfig + `}`, 422, "request.feature_not_supported"},
		{"no factory id", `{"config":{}}`, 400, "guard.invalid_input"},
	} {
		t.Run(tc.name, func(t *testing.T) { e.want(e.do("POST", "/api/connectors", tc.body), tc.status, tc.code) })
	}
	r := e.do("POST", "/api/connectors", `{"connectorId":"oauth2","config":{"clientId":"x"},"metadata":{"target":"linuxdo"}}`)
	if !strings.Contains(string(r.body), "authorizationEndpoint") || strings.Contains(string(r.body), "x\"") {
		t.Errorf("config error = %s; want the field named", r.body)
	}

	r = e.do("POST", "/api/connectors", `{"connectorId":"oauth2","metadata":{"target":"linuxdo","name":{"en":"LINUX DO"}},"syncProfile":true,"config":`+linuxDoConfig+`}`)
	e.want(r, 200, "")
	var c struct {
		ID, ConnectorID, Type, Target string
		Name                          map[string]string
		SyncProfile                   bool
		Config                        map[string]any
	}
	r.json(t, &c)
	if len(c.ID) != 12 || c.ConnectorID != "oauth2" || c.Type != "Social" || c.Target != "linuxdo" || c.Name["en"] != "LINUX DO" ||
		!c.SyncProfile || c.Config["clientSecret"] != "ld-secret-value" {
		t.Fatalf("created = %s", r.body)
	}
	e.want(e.do("POST", "/api/connectors", `{"connectorId":"oauth2","metadata":{"target":"linuxdo"},"config":`+linuxDoConfig+`}`),
		422, "connector.multiple_target_with_same_platform")
	e.want(e.do("POST", "/api/connectors", `{"id":"`+c.ID+`","connectorId":"oauth2","metadata":{"target":"other"},"config":`+linuxDoConfig+`}`),
		422, "entity.unique_integrity_violation")
	second := e.do("POST", "/api/connectors", `{"id":"forum","connectorId":"oauth2","metadata":{"target":"forum"},"config":`+linuxDoConfig+`}`)
	e.want(second, 200, "")

	var list []struct{ ID string }
	e.do("GET", "/api/connectors?target=linuxdo", "").json(t, &list)
	if len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("target filter = %+v", list)
	}
	e.want(e.do("PATCH", "/api/connectors/"+c.ID, `{"metadata":{"target":"github"}}`), 400, "connector.can_not_modify_target")
	e.want(e.do("PATCH", "/api/connectors/"+c.ID, `{"config":{"clientId":""}}`), 400, "connector.invalid_config_guard")
	r = e.do("PATCH", "/api/connectors/"+c.ID, `{"syncProfile":false,"metadata":{"target":"linuxdo","name":{"en":"Linux Do"}}}`)
	e.want(r, 200, "")
	r.json(t, &c)
	if c.SyncProfile || c.Name["en"] != "Linux Do" || c.Config["clientSecret"] != "ld-secret-value" {
		t.Errorf("patched = %s", r.body)
	}
	e.want(e.do("GET", "/api/connectors/missing", ""), 404, "entity.not_found")

	// The sign-in page shows linuxdo; deleting its only connector takes the button away.
	e.want(e.do("PATCH", "/api/sign-in-exp", `{"socialSignInConnectorTargets":["linuxdo","forum"]}`), 200, "")
	e.want(e.do("DELETE", "/api/connectors/"+c.ID, ""), 204, "")
	var sie struct{ SocialSignInConnectorTargets []string }
	e.do("GET", "/api/sign-in-exp", "").json(t, &sie)
	if strings.Join(sie.SocialSignInConnectorTargets, ",") != "forum" {
		t.Errorf("targets after delete = %v; want only forum", sie.SocialSignInConnectorTargets)
	}
	e.want(e.do("DELETE", "/api/connectors/"+c.ID, ""), 404, "entity.not_exists_with_id")
	e.want(e.do("POST", "/api/connectors/oauth2/test", `{"email":"a@example.com","config":{}}`), 400, "connector.not_found")

	// GitHub is not standard: its metadata is fixed and there is one.
	gh := `{"connectorId":"github-universal","config":{"clientId":"Iv1.x","clientSecret":"s"}}`
	e.want(e.do("POST", "/api/connectors", `{"connectorId":"github-universal","metadata":{"target":"gh"},"config":{"clientId":"Iv1.x","clientSecret":"s"}}`),
		400, "connector.cannot_overwrite_metadata_for_non_standard_connector")
	e.want(e.do("POST", "/api/connectors", gh), 200, "")
	e.want(e.do("POST", "/api/connectors", gh), 422, "connector.multiple_instances_not_supported")
	e.want(e.do("POST", "/api/connectors/oauth2/test", `{"config":{}}`), 400, "guard.invalid_input")
}

// smtpConfig is an SMTP connector config sending to port on the loopback.
func smtpConfig(port string) string {
	tpl := func(u string) string {
		return `{"usageType":"` + u + `","contentType":"text/plain","subject":"Code","content":"{{code}}"}`
	}
	return `{"host":"127.0.0.1","port":` + port + `,"auth":{},"fromEmail":"noreply@example.com","templates":[` +
		tpl("SignIn") + `,` + tpl("Register") + `,` + tpl("ForgotPassword") + `,` + tpl("Generic") + `]}`
}

// TestEmailConnector: one email connector per tenant (a second replaces the first, as in
// Logto), config checked with the bad field named, and the test send reporting the mail
// server's failure.
func TestEmailConnector(t *testing.T) {
	e := newEnv(t)
	e.want(e.do("POST", "/api/connectors", `{"connectorId":"simple-mail-transfer-protocol","config":`+smtpConfig("2525")+`}`), 200, "")
	e.want(e.do("POST", "/api/connectors", `{"connectorId":"simple-mail-transfer-protocol","config":`+smtpConfig("2526")+`}`), 200, "")
	r := e.do("GET", "/api/connectors?target=smtp", "")
	e.want(r, 200, "")
	var list []struct{ Config struct{ Port int } }
	r.json(t, &list)
	if len(list) != 1 || list[0].Config.Port != 2526 {
		t.Fatalf("email connectors after two creates: %s", r.body)
	}
	r = e.do("POST", "/api/connectors", `{"connectorId":"simple-mail-transfer-protocol","config":{"host":"h","port":25,"auth":{},"fromEmail":"x"}}`)
	e.want(r, 400, "connector.invalid_config_guard")
	if !strings.Contains(string(r.body), "fromEmail") {
		t.Fatalf("the refusal does not name the field: %s", r.body)
	}
	// Nothing listens on port 1 of the loopback: the test send reports the refused connection.
	r = e.do("POST", "/api/connectors/simple-mail-transfer-protocol/test", `{"email":"a@example.com","config":`+smtpConfig("1")+`}`)
	e.want(r, 400, "connector.general")
	if !strings.Contains(string(r.body), "127.0.0.1:1") {
		t.Fatalf("the test send does not say which server failed: %s", r.body)
	}
}
