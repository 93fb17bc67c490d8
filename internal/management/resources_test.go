package management

import (
	"net/http"
	"testing"
)

func TestResourcesAndScopes(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/api/resources", `{"name":"Orders","indicator":"https://orders.example.com","accessTokenTtl":600}`)
	e.want(r, http.StatusCreated, "")
	var res map[string]any
	r.json(t, &res)
	id := res["id"].(string)
	if res["accessTokenTtl"] != float64(600) || res["isDefault"] != false || string(r.body[len(r.body)-12:]) != `"scopes":[]}` {
		t.Errorf("create answer = %s", r.body)
	}
	for name, tc := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"duplicate indicator":   {`{"name":"x","indicator":"https://orders.example.com"}`, 422, "resource.resource_identifier_in_use"},
		"relative indicator":    {`{"name":"x","indicator":"orders"}`, 400, "guard.invalid_input"},
		"indicator fragment":    {`{"name":"x","indicator":"https://a.example/#f"}`, 400, "guard.invalid_input"},
		"missing indicator":     {`{"name":"x"}`, 400, "guard.invalid_input"},
		"isDefault not allowed": {`{"name":"x","indicator":"https://b.example","isDefault":true}`, 400, "guard.invalid_input"},
		"negative ttl":          {`{"name":"x","indicator":"https://b.example","accessTokenTtl":-1}`, 400, "guard.invalid_input"},
	} {
		t.Run(name, func(t *testing.T) { e.want(e.do("POST", "/api/resources", tc.body), tc.status, tc.code) })
	}

	r = e.do("GET", "/api/resources/"+id, "")
	e.want(r, 200, "")
	e.want(e.do("GET", "/api/resources/missing", ""), 404, "entity.not_exists_with_id")
	r = e.do("PATCH", "/api/resources/"+id, `{"name":"Orders API","accessTokenTtl":900}`)
	e.want(r, 200, "")
	r.json(t, &res)
	if res["name"] != "Orders API" || res["accessTokenTtl"] != float64(900) || res["indicator"] != "https://orders.example.com" {
		t.Errorf("after PATCH = %v", res)
	}
	e.want(e.do("PATCH", "/api/resources/"+id, `{"indicator":"https://x.example"}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/resources/management-api", `{"name":"mine"}`), 400, "resource.cannot_modify_management_api")
	e.want(e.do("DELETE", "/api/resources/management-api", ""), 400, "resource.cannot_delete_management_api")

	r = e.do("PATCH", "/api/resources/"+id+"/is-default", `{"isDefault":true}`)
	e.want(r, 200, "")
	r.json(t, &res)
	if res["isDefault"] != true {
		t.Errorf("is-default answer = %v", res)
	}
	e.want(e.do("PATCH", "/api/resources/"+id+"/is-default", `{}`), 400, "guard.invalid_input")

	// Scopes.
	scopes := "/api/resources/" + id + "/scopes"
	r = e.do("POST", scopes, `{"name":"read:orders","description":"Read orders"}`)
	e.want(r, http.StatusCreated, "")
	var sc map[string]any
	r.json(t, &sc)
	scopeID := sc["id"].(string)
	if sc["resourceId"] != id || sc["description"] != "Read orders" {
		t.Errorf("scope = %v", sc)
	}
	e.want(e.do("POST", scopes, `{"name":"write:orders"}`), http.StatusCreated, "")
	e.want(e.do("POST", scopes, `{"name":"read:orders"}`), 422, "scope.name_exists")
	e.want(e.do("POST", scopes, `{"name":"read orders"}`), 400, "scope.name_with_space")
	e.want(e.do("POST", "/api/resources/missing/scopes", `{"name":"x"}`), 404, "entity.not_exists_with_id")
	e.want(e.do("POST", "/api/resources/management-api/scopes", `{"name":"x"}`), 400, "resource.cannot_modify_management_api")

	r = e.do("GET", scopes+"?page_size=1", "")
	e.want(r, 200, "")
	if r.header.Get("Total-Number") != "2" {
		t.Errorf("scope list Total-Number = %q", r.header.Get("Total-Number"))
	}
	r = e.do("GET", scopes+"?search=write", "")
	var list []map[string]any
	r.json(t, &list)
	if len(list) != 1 || list[0]["name"] != "write:orders" || r.header.Get("Total-Number") != "1" {
		t.Errorf("search = %v", list)
	}

	r = e.do("PATCH", scopes+"/"+scopeID, `{"description":null}`)
	e.want(r, 200, "")
	r.json(t, &sc)
	if sc["description"] != nil || sc["name"] != "read:orders" {
		t.Errorf("after PATCH = %v", sc)
	}
	e.want(e.do("PATCH", scopes+"/"+scopeID, `{"name":"write:orders"}`), 422, "scope.name_exists")
	e.want(e.do("PATCH", "/api/resources/management-api/scopes/"+scopeID, `{"name":"x"}`), 400, "resource.cannot_modify_management_api")

	// A scope addressed through another resource does not exist there.
	r = e.do("POST", "/api/resources", `{"name":"Other","indicator":"https://other.example.com"}`)
	var other map[string]any
	r.json(t, &other)
	e.want(e.do("DELETE", "/api/resources/"+other["id"].(string)+"/scopes/"+scopeID, ""), 404, "entity.not_exists_with_id")

	r = e.do("GET", "/api/resources?includeScopes=true", "")
	e.want(r, 200, "")
	var withScopes []struct {
		ID     string           `json:"id"`
		Scopes []map[string]any `json:"scopes"`
	}
	r.json(t, &withScopes)
	counts := map[string]int{}
	for _, w := range withScopes {
		counts[w.ID] = len(w.Scopes)
	}
	if counts[id] != 2 || counts["management-api"] != 1 || r.header.Get("Total-Number") != "" {
		t.Errorf("includeScopes counts = %v", counts)
	}

	e.want(e.do("DELETE", scopes+"/"+scopeID, ""), 204, "")
	e.want(e.do("DELETE", scopes+"/"+scopeID, ""), 404, "entity.not_exists_with_id")
	e.want(e.do("DELETE", "/api/resources/"+id, ""), 204, "")
	e.want(e.do("GET", "/api/resources/"+id, ""), 404, "entity.not_exists_with_id")
}
