package management

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// createApp creates an application and returns its decoded answer.
func (e *env) createApp(body string) map[string]any {
	e.t.Helper()
	r := e.do("POST", "/api/applications", body)
	e.want(r, http.StatusOK, "")
	var app map[string]any
	r.json(e.t, &app)
	return app
}

func (e *env) roleID(name string) string {
	e.t.Helper()
	role, err := e.st.Tenant(model.DefaultTenantID).Roles().GetByName(e.ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return role.ID
}

func TestApplicationsCreateAndValidate(t *testing.T) {
	e := newEnv(t)
	m2m := e.createApp(`{"name":"provisioner","type":"MachineToMachine","description":"scripts"}`)
	if secret, _ := m2m["secret"].(string); len(secret) != 32 {
		t.Errorf("M2M create answer secret = %v; want the 32-character default secret", m2m["secret"])
	}
	if m2m["isThirdParty"] != false || m2m["description"] != "scripts" {
		t.Errorf("create answer = %v", m2m)
	}
	spa := e.createApp(`{"name":"web","type":"SPA","oidcClientMetadata":{"redirectUris":["https://app.example.com/cb"],"postLogoutRedirectUris":[]}}`)
	if _, has := spa["secret"]; has {
		t.Errorf("SPA create answer has a secret: %v", spa)
	}

	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"missing name", `{"type":"SPA"}`, 400, "guard.invalid_input"},
		{"missing type", `{"name":"x"}`, 400, "guard.invalid_input"},
		{"unknown type", `{"name":"x","type":"Robot"}`, 400, "guard.invalid_input"},
		{"empty name", `{"name":"","type":"SPA"}`, 400, "guard.invalid_input"},
		{"name too long", `{"name":"` + strings.Repeat("n", 257) + `","type":"SPA"}`, 400, "guard.invalid_input"},
		{"SAML", `{"name":"x","type":"SAML"}`, 400, "application.saml.use_saml_app_api"},
		{"third-party M2M", `{"name":"x","type":"MachineToMachine","isThirdParty":true}`, 400, "application.invalid_third_party_application_type"},
		{"third-party token exchange", `{"name":"x","type":"SPA","isThirdParty":true,"customClientMetadata":{"allowTokenExchange":true}}`, 422, "application.third_party_application_cannot_enable_token_exchange"},
		{"device flow on SPA", `{"name":"x","type":"SPA","customClientMetadata":{"isDeviceFlow":true}}`, 422, "application.device_flow_native_only"},
		{"protected without metadata", `{"name":"x","type":"Protected"}`, 400, "application.protected_app_metadata_is_required"},
		{"relative redirect URI", `{"name":"x","type":"SPA","oidcClientMetadata":{"redirectUris":["/cb"],"postLogoutRedirectUris":[]}}`, 400, "guard.invalid_input"},
		{"redirect URI with fragment", `{"name":"x","type":"SPA","oidcClientMetadata":{"redirectUris":["https://a.example/cb#x"],"postLogoutRedirectUris":[]}}`, 400, "guard.invalid_input"},
		{"refresh TTL out of range", `{"name":"x","type":"Traditional","customClientMetadata":{"refreshTokenTtlInDays":181}}`, 400, "guard.invalid_input"},
		{"customData not an object", `{"name":"x","type":"SPA","customData":[1]}`, 400, "guard.invalid_input"},
		{"wrong type of name", `{"name":5,"type":"SPA"}`, 400, "guard.invalid_input"},
		{"unknown key", `{"name":"x","type":"SPA","colour":"red"}`, 400, "guard.invalid_input"},
		{"unknown nested key", `{"name":"x","type":"SPA","oidcClientMetadata":{"redirectUris":[],"postLogoutRedirectUris":[],"x":1}}`, 400, "guard.invalid_input"},
		{"invalid JSON", `{"name":`, 400, "guard.invalid_input"},
		{"not an object", `[1,2]`, 400, "guard.invalid_input"},
		{"NUL in a string", `{"name":"a\u0000b","type":"SPA"}`, 400, "guard.invalid_input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.want(e.do("POST", "/api/applications", tc.body), tc.status, tc.code)
		})
	}
	// The message names the offending key.
	r := e.do("POST", "/api/applications", `{"name":5,"type":"SPA"}`)
	if !strings.Contains(string(r.body), `\"name\"`) || !strings.Contains(string(r.body), "Expected string but received number") {
		t.Errorf("type error message = %s", r.body)
	}
	r = e.do("POST", "/api/applications", `{"name":"x","type":"SPA","oidcClientMetadata":{"redirectUris":["/cb"],"postLogoutRedirectUris":[]}}`)
	if !strings.Contains(string(r.body), "redirectUris[0]") {
		t.Errorf("redirect URI error does not name the field: %s", r.body)
	}
	big := `{"name":"` + strings.Repeat("a", maxBodyBytes) + `","type":"SPA"}`
	e.want(e.do("POST", "/api/applications", big), http.StatusRequestEntityTooLarge, "guard.invalid_input")
}

func TestApplicationsReadUpdateDelete(t *testing.T) {
	e := newEnv(t)
	m2m := e.createApp(`{"name":"alpha","type":"MachineToMachine"}`)
	spa := e.createApp(`{"name":"beta","type":"SPA","isThirdParty":true}`)
	id := spa["id"].(string)

	// Without page params the list is complete and has no pagination headers.
	r := e.do("GET", "/api/applications", "")
	e.want(r, 200, "")
	var all []map[string]any
	r.json(t, &all)
	if len(all) != 2 || r.header.Get("Total-Number") != "" {
		t.Errorf("list = %d items, Total-Number %q", len(all), r.header.Get("Total-Number"))
	}
	r = e.do("GET", "/api/applications?page=1&page_size=1", "")
	e.want(r, 200, "")
	if r.header.Get("Total-Number") != "2" || len(r.header.Values("Link")) == 0 {
		t.Errorf("paged list headers = %v", r.header)
	}
	for query, want := range map[string]int{
		"types=SPA": 1, "types=SPA&types=MachineToMachine": 2, "isThirdParty=true": 1, "isThirdParty=false": 1,
		"search=alph": 1, "search=%25bet%25": 1, "search=zzz": 0,
		"excludeRoleId=" + e.roleID(model.ManagementAPIAccessRoleName): 2,
	} {
		r := e.do("GET", "/api/applications?"+query, "")
		e.want(r, 200, "")
		var got []any
		r.json(t, &got)
		if len(got) != want {
			t.Errorf("GET /applications?%s = %d items; want %d", query, len(got), want)
		}
	}
	e.want(e.do("GET", "/api/applications?types=Robot", ""), 400, "guard.invalid_input")
	e.want(e.do("GET", "/api/applications?isThirdParty=maybe", ""), 400, "guard.invalid_input")

	r = e.do("GET", "/api/applications/"+id, "")
	e.want(r, 200, "")
	var got map[string]any
	r.json(t, &got)
	if got["isAdmin"] != false || got["name"] != "beta" {
		t.Errorf("GET application = %v", got)
	}
	r = e.do("GET", "/api/applications/missing", "")
	e.want(r, 404, "entity.not_exists_with_id")
	if !strings.Contains(string(r.body), "The applications with ID `missing` does not exist.") {
		t.Errorf("not-found message = %s", r.body)
	}

	// PATCH changes only what it names; oidcClientMetadata keys absent from the patch are kept.
	e.want(e.do("PATCH", "/api/applications/"+id, `{"oidcClientMetadata":{"redirectUris":["https://a.example/cb"],"postLogoutRedirectUris":["https://a.example/"]}}`), 200, "")
	r = e.do("PATCH", "/api/applications/"+id, `{"name":"gamma","description":"d","oidcClientMetadata":{"redirectUris":["https://b.example/cb"]}}`)
	e.want(r, 200, "")
	r.json(t, &got)
	md := got["oidcClientMetadata"].(map[string]any)
	if got["name"] != "gamma" || got["description"] != "d" || fmt.Sprint(md["redirectUris"]) != "[https://b.example/cb]" ||
		fmt.Sprint(md["postLogoutRedirectUris"]) != "[https://a.example/]" {
		t.Errorf("after PATCH = %v", got)
	}
	r = e.do("PATCH", "/api/applications/"+id, `{"description":null}`)
	r.json(t, &got)
	if got["description"] != nil {
		t.Errorf("description after null PATCH = %v", got["description"])
	}
	e.want(e.do("PATCH", "/api/applications/"+id, `{"type":"Native"}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/applications/"+id, `{"oidcClientMetadata":{"redirectUris":["nope"]}}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/applications/"+id, `{"customClientMetadata":{"allowTokenExchange":true}}`), 422, "application.third_party_application_cannot_enable_token_exchange")
	e.want(e.do("PATCH", "/api/applications/missing", `{"name":"x"}`), 404, "entity.not_exists_with_id")

	e.want(e.do("DELETE", "/api/applications/"+m2m["id"].(string), ""), 204, "")
	e.want(e.do("DELETE", "/api/applications/"+m2m["id"].(string), ""), 404, "entity.not_exists_with_id")
}

func TestApplicationSecrets(t *testing.T) {
	e := newEnv(t)
	app := e.createApp(`{"name":"svc","type":"MachineToMachine"}`)
	base := "/api/applications/" + app["id"].(string) + "/secrets"

	r := e.do("GET", base, "")
	e.want(r, 200, "")
	var secrets []map[string]any
	r.json(t, &secrets)
	if len(secrets) != 1 || secrets[0]["name"] != "Default secret" || secrets[0]["value"] != app["secret"] {
		t.Fatalf("secrets = %v", secrets)
	}

	future := e.clk.Now().Add(24 * 3600e9).UnixMilli()
	r = e.do("POST", base, fmt.Sprintf(`{"name":"rotation","expiresAt":%d}`, future))
	e.want(r, 201, "")
	var created map[string]any
	r.json(t, &created)
	if v, _ := created["value"].(string); len(v) != 32 || created["expiresAt"] != float64(future) {
		t.Errorf("created secret = %v", created)
	}
	e.want(e.do("POST", base, `{"name":"rotation"}`), 422, "application.secret_name_exists")
	e.want(e.do("POST", base, `{"name":""}`), 400, "guard.invalid_input")
	e.want(e.do("POST", base, `{}`), 400, "guard.invalid_input")
	e.want(e.do("POST", base, fmt.Sprintf(`{"name":"old","expiresAt":%d}`, e.clk.Now().UnixMilli()-1000)), 400, "request.invalid_input")
	e.want(e.do("POST", "/api/applications/missing/secrets", `{"name":"x"}`), 404, "entity.not_exists_with_id")
	spa := e.createApp(`{"name":"web","type":"SPA"}`)
	e.want(e.do("POST", "/api/applications/"+spa["id"].(string)+"/secrets", `{"name":"x"}`), 422, "entity.db_constraint_violated")

	r = e.do("PATCH", base+"/rotation", `{"name":"renamed"}`)
	e.want(r, 200, "")
	r.json(t, &created)
	if created["name"] != "renamed" {
		t.Errorf("renamed secret = %v", created)
	}
	e.want(e.do("PATCH", base+"/renamed", `{"name":"Default secret"}`), 422, "application.secret_name_exists")
	e.want(e.do("PATCH", base+"/nope", `{"name":"x"}`), 404, "entity.not_exists")
	e.want(e.do("PATCH", base+"/renamed", `{}`), 400, "guard.invalid_input")
	e.want(e.do("DELETE", base+"/renamed", ""), 204, "")
	e.want(e.do("DELETE", base+"/renamed", ""), 404, "entity.not_found")
	e.want(e.do("DELETE", base+"/Default%20secret", ""), 204, "")
	r = e.do("GET", base, "")
	if string(r.body) != "[]" {
		t.Errorf("secrets after deleting all = %s", r.body)
	}
}

func TestApplicationRoles(t *testing.T) {
	e := newEnv(t)
	app := e.createApp(`{"name":"svc","type":"MachineToMachine"}`)
	base := "/api/applications/" + app["id"].(string) + "/roles"
	access := e.roleID(model.ManagementAPIAccessRoleName)
	r := e.do("POST", "/api/roles", `{"name":"viewer","description":"users","type":"User"}`)
	e.want(r, 200, "")
	var userRole map[string]any
	r.json(t, &userRole)

	r = e.do("POST", base, `{"roleIds":["`+access+`"]}`)
	e.want(r, 201, "")
	var added map[string][]string
	r.json(t, &added)
	if fmt.Sprint(added["roleIds"]) != "["+access+"]" || fmt.Sprint(added["addedRoleIds"]) != "["+access+"]" {
		t.Errorf("POST roles = %v", added)
	}
	r = e.do("POST", base, `{"roleIds":["`+access+`"]}`)
	r.json(t, &added)
	if len(added["addedRoleIds"]) != 0 {
		t.Errorf("assigning a held role again added %v", added["addedRoleIds"])
	}
	e.want(e.do("POST", base, `{"roleIds":["`+userRole["id"].(string)+`"]}`), 422, "application.invalid_role_type")
	e.want(e.do("POST", base, `{"roleIds":["missing"]}`), 404, "entity.not_exists_with_id")
	e.want(e.do("POST", base, `{"roleIds":[""]}`), 400, "guard.invalid_input")
	e.want(e.do("POST", base, `{}`), 400, "guard.invalid_input")

	r = e.do("GET", base, "")
	e.want(r, 200, "")
	var roles []map[string]any
	r.json(t, &roles)
	if len(roles) != 1 || roles[0]["id"] != access || r.header.Get("Total-Number") != "1" {
		t.Errorf("GET roles = %v (Total-Number %q)", roles, r.header.Get("Total-Number"))
	}

	e.want(e.do("PUT", base, `{"roleIds":[]}`), 200, "")
	r = e.do("GET", base, "")
	if string(r.body) != "[]" {
		t.Errorf("roles after PUT [] = %s", r.body)
	}
	e.want(e.do("PUT", base, `{"roleIds":["`+access+`"]}`), 200, "")
	e.want(e.do("DELETE", base+"/"+access, ""), 204, "")
	e.want(e.do("DELETE", base+"/"+access, ""), 404, "entity.not_found")

	spa := e.createApp(`{"name":"web","type":"SPA"}`)
	spaBase := "/api/applications/" + spa["id"].(string) + "/roles"
	e.want(e.do("GET", spaBase, ""), 422, "application.invalid_type")
	e.want(e.do("POST", spaBase, `{"roleIds":["`+access+`"]}`), 422, "application.invalid_type")
	e.want(e.do("GET", "/api/applications/missing/roles", ""), 404, "entity.not_exists_with_id")
}
