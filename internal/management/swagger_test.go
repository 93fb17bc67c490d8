package management

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSwaggerMatchesRoutes walks /api/swagger.json: every documented operation is served by its
// own registered pattern (not the 404 catch-all) and answers without a 500, and every registered
// route is documented.
func TestSwaggerMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.doAuth("GET", "/api/swagger.json", "", "")
	e.want(r, http.StatusOK, "")
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Servers []struct{ URL string }               `json:"servers"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	r.json(t, &doc)
	if doc.OpenAPI != "3.0.1" || len(doc.Servers) != 1 || doc.Servers[0].URL != "http://localhost:3001" {
		t.Errorf("document header = %s %+v", doc.OpenAPI, doc.Servers)
	}

	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			method = strings.ToUpper(method)
			documented[method+" "+path] = true
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses", method, path)
			}
			concrete := pathParam.ReplaceAllString(path, "x")
			req := httptest.NewRequest(method, concrete, strings.NewReader("{}"))
			req.Host = "localhost:3001"
			if _, pattern := e.mux.Handler(req); pattern != method+" "+path {
				t.Errorf("%s %s is served by pattern %q", method, concrete, pattern)
				continue
			}
			resp := e.do(method, concrete, "{}")
			if resp.status >= 500 {
				t.Errorf("%s %s answered %d %s", method, concrete, resp.status, resp.body)
			}
		}
	}
	for _, rt := range e.api.routes {
		if !documented[rt.method+" "+rt.path] {
			t.Errorf("route %s %s is missing from swagger.json", rt.method, rt.path)
		}
	}
	if len(documented) != len(e.api.routes) {
		t.Errorf("document has %d operations; %d routes are registered", len(documented), len(e.api.routes))
	}
}
