package management

import (
	"fmt"
	"net/http"
	"testing"
)

func TestRoles(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/api/resources", `{"name":"Orders","indicator":"https://orders.example.com"}`)
	var res map[string]any
	r.json(t, &res)
	r = e.do("POST", "/api/resources/"+res["id"].(string)+"/scopes", `{"name":"read"}`)
	var read map[string]any
	r.json(t, &read)
	readID := read["id"].(string)

	r = e.do("POST", "/api/roles", `{"name":"reader","description":"Reads orders","type":"MachineToMachine","scopeIds":["`+readID+`"]}`)
	e.want(r, http.StatusOK, "")
	var role map[string]any
	r.json(t, &role)
	roleID := role["id"].(string)
	if role["type"] != "MachineToMachine" || role["isDefault"] != false {
		t.Errorf("created role = %v", role)
	}
	r = e.do("POST", "/api/roles", `{"name":"plain","description":"d"}`)
	e.want(r, http.StatusOK, "")
	var plain map[string]any
	r.json(t, &plain)
	if plain["type"] != "User" {
		t.Errorf("default role type = %v; want User", plain["type"])
	}

	for name, tc := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"name in use":              {`{"name":"reader","description":"x"}`, 422, "role.name_in_use"},
		"missing description":      {`{"name":"x"}`, 400, "guard.invalid_input"},
		"bad type":                 {`{"name":"x","description":"x","type":"Robot"}`, 400, "guard.invalid_input"},
		"unknown scope":            {`{"name":"x","description":"x","scopeIds":["missing"]}`, 404, "entity.not_exists_with_id"},
		"management scope to user": {`{"name":"x","description":"x","scopeIds":["management-api-all"]}`, 400, "role.management_api_scopes_not_assignable_to_user_role"},
		"internal name":            {`{"name":"#internal:admin","description":"x"}`, 403, "role.internal_role_violation"},
	} {
		t.Run(name, func(t *testing.T) { e.want(e.do("POST", "/api/roles", tc.body), tc.status, tc.code) })
	}

	// GET /roles always paginates (default 20) and reports the applications holding each role.
	r = e.do("GET", "/api/roles", "")
	e.want(r, 200, "")
	if r.header.Get("Total-Number") != "3" {
		t.Errorf("Total-Number = %q; want 3 (access role, reader, plain)", r.header.Get("Total-Number"))
	}
	r = e.do("GET", "/api/roles?type=MachineToMachine&search=read", "")
	var listed []map[string]any
	r.json(t, &listed)
	if len(listed) != 1 || listed[0]["id"] != roleID || listed[0]["applicationsCount"] != float64(0) ||
		fmt.Sprint(listed[0]["featuredApplications"]) != "[]" || listed[0]["usersCount"] != float64(0) {
		t.Errorf("filtered roles = %v", listed)
	}
	e.want(e.do("GET", "/api/roles?type=Robot", ""), 400, "guard.invalid_input")

	r = e.do("PATCH", "/api/roles/"+roleID, `{"description":"Reads all orders"}`)
	e.want(r, 200, "")
	r.json(t, &role)
	if role["description"] != "Reads all orders" || role["name"] != "reader" {
		t.Errorf("after PATCH = %v", role)
	}
	e.want(e.do("PATCH", "/api/roles/"+roleID, `{"name":"plain"}`), 422, "role.name_in_use")
	e.want(e.do("PATCH", "/api/roles/"+roleID, `{"type":"User"}`), 400, "guard.invalid_input")
	e.want(e.do("GET", "/api/roles/missing", ""), 404, "entity.not_exists_with_id")

	// Role scopes: optional pagination, each scope with its resource.
	r = e.do("GET", "/api/roles/"+roleID+"/scopes", "")
	e.want(r, 200, "")
	var rs []map[string]any
	r.json(t, &rs)
	if len(rs) != 1 || rs[0]["id"] != readID || rs[0]["resource"].(map[string]any)["indicator"] != "https://orders.example.com" ||
		r.header.Get("Total-Number") != "" {
		t.Errorf("role scopes = %v", rs)
	}
	r = e.do("POST", "/api/resources/"+res["id"].(string)+"/scopes", `{"name":"write"}`)
	var write map[string]any
	r.json(t, &write)
	r = e.do("POST", "/api/roles/"+roleID+"/scopes", `{"scopeIds":["`+write["id"].(string)+`"]}`)
	e.want(r, http.StatusCreated, "")
	r.json(t, &rs)
	if len(rs) != 2 {
		t.Errorf("POST scopes answer = %v; want the role's 2 scopes", rs)
	}
	e.want(e.do("POST", "/api/roles/"+roleID+"/scopes", `{"scopeIds":["`+readID+`"]}`), 422, "role.scope_exists")
	e.want(e.do("POST", "/api/roles/"+roleID+"/scopes", `{"scopeIds":[]}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/roles/"+roleID+"/scopes", `{"scopeIds":["missing"]}`), 404, "entity.not_exists_with_id")
	r = e.do("GET", "/api/roles/"+roleID+"/scopes?page=2&page_size=1", "")
	r.json(t, &rs)
	if len(rs) != 1 || r.header.Get("Total-Number") != "2" {
		t.Errorf("paged role scopes = %v, %q", rs, r.header.Get("Total-Number"))
	}
	e.want(e.do("DELETE", "/api/roles/"+roleID+"/scopes/"+readID, ""), 204, "")
	e.want(e.do("DELETE", "/api/roles/"+roleID+"/scopes/"+readID, ""), 404, "entity.not_found")

	// Role applications.
	app := e.createApp(`{"name":"svc","type":"MachineToMachine"}`)
	appID := app["id"].(string)
	e.want(e.do("POST", "/api/roles/"+roleID+"/applications", `{"applicationIds":["`+appID+`"]}`), http.StatusCreated, "")
	e.want(e.do("POST", "/api/roles/"+roleID+"/applications", `{"applicationIds":["`+appID+`"]}`), 422, "role.application_exists")
	e.want(e.do("POST", "/api/roles/"+roleID+"/applications", `{"applicationIds":["missing"]}`), 404, "entity.not_exists_with_id")
	e.want(e.do("POST", "/api/roles/"+roleID+"/applications", `{"applicationIds":[]}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/roles/"+plain["id"].(string)+"/applications", `{"applicationIds":["`+appID+`"]}`), 422, "application.invalid_role_type")
	r = e.do("GET", "/api/roles/"+roleID+"/applications", "")
	e.want(r, 200, "")
	var apps []map[string]any
	r.json(t, &apps)
	if len(apps) != 1 || apps[0]["id"] != appID || r.header.Get("Total-Number") != "1" {
		t.Errorf("role applications = %v", apps)
	}
	if _, has := apps[0]["secret"]; has {
		t.Error("role applications list leaks a secret")
	}
	r = e.do("GET", "/api/roles/"+roleID+"/applications?search=nomatch", "")
	if string(r.body) != "[]" || r.header.Get("Total-Number") != "0" {
		t.Errorf("search without match = %s", r.body)
	}
	r = e.do("GET", "/api/roles?search=reader", "")
	r.json(t, &listed)
	if listed[0]["applicationsCount"] != float64(1) || listed[0]["featuredApplications"].([]any)[0].(map[string]any)["id"] != appID {
		t.Errorf("role summary = %v", listed[0])
	}
	r = e.do("GET", "/api/roles?excludeApplicationId="+appID, "")
	if r.header.Get("Total-Number") != "2" {
		t.Errorf("excludeApplicationId Total-Number = %q; want 2", r.header.Get("Total-Number"))
	}
	e.want(e.do("DELETE", "/api/roles/"+roleID+"/applications/"+appID, ""), 204, "")
	e.want(e.do("DELETE", "/api/roles/"+roleID+"/applications/"+appID, ""), 404, "entity.not_found")

	e.want(e.do("DELETE", "/api/roles/"+roleID, ""), 204, "")
	e.want(e.do("DELETE", "/api/roles/"+roleID, ""), 404, "entity.not_exists_with_id")
}
