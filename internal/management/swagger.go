package management

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/management/openapi"
	"github.com/gatehouse-id/gatehouse/internal/management/paging"
)

// pathParam finds the {name} wildcards of a ServeMux pattern, which OpenAPI spells the same way.
var pathParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// swagger answers an OpenAPI 3.0 document generated from the route table (the same table Mount
// registers), so it describes exactly the operations this server has.
func (a *API) swagger(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, a.openAPI(requestOrigin(r)))
}

func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// openAPI builds the document.
func (a *API) openAPI(origin string) map[string]any {
	paths := map[string]map[string]any{}
	tags := map[string]bool{}
	for _, rt := range a.routes {
		tags[rt.tag] = true
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = operationOf(rt)
	}
	return map[string]any{
		"openapi": "3.0.1",
		"info": map[string]any{"title": "Gatehouse Management API (Logto-compatible)", "version": "1.42.0",
			"description": "Management API of tenant `" + a.tenantID + "`. Authenticate with a bearer access token for resource `https://" + a.tenantID + ".logto.app/api` and scope `all`."},
		"servers":  []any{map[string]any{"url": origin}},
		"tags":     tagObjects(tags),
		"paths":    paths,
		"security": []any{map[string]any{"bearerAuth": []string{}}},
		"components": map[string]any{"securitySchemes": map[string]any{
			"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
	}
}

// operationOf describes one route as an OpenAPI operation.
func operationOf(rt route) map[string]any {
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.summary,
		"tags":        []string{rt.tag},
		"responses":   responsesOf(rt),
	}
	if rt.public {
		op["security"] = []any{}
	}
	if params := parametersOf(rt); len(params) > 0 {
		op["parameters"] = params
	}
	if rt.body != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": openapi.Schema(reflect.TypeOf(rt.body))}}}
	}
	return op
}

// parametersOf lists a route's path wildcards, its query parameters and, for a paged list, page
// and page_size.
func parametersOf(rt route) []any {
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"schema": map[string]any{"type": "string"}})
	}
	for _, q := range rt.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "required": false,
			"description": q.description, "schema": map[string]any{"type": "string"}})
	}
	if rt.paging != "" {
		params = append(params,
			map[string]any{"name": "page", "in": "query", "required": false, "description": "Page number (starts from 1).",
				"schema": map[string]any{"type": "integer", "minimum": 1}},
			map[string]any{"name": "page_size", "in": "query", "required": false, "description": "Entries per page (at most 100).",
				"schema": map[string]any{"type": "integer", "minimum": 1, "maximum": paging.MaxPageSize}})
	}
	return params
}

// tagObjects lists the tags by name, sorted.
func tagObjects(tags map[string]bool) []any {
	names := slices.Sorted(maps.Keys(tags))
	objs := make([]any, len(names))
	for i, t := range names {
		objs[i] = map[string]any{"name": t}
	}
	return objs
}

// operationID is a stable name such as "GetApplicationsId" from method and path.
func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.path, "/api"), "/") {
		seg = strings.Trim(seg, "{}")
		for _, part := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '.' }) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func responsesOf(rt route) map[string]any {
	ok := map[string]any{"description": http.StatusText(rt.status)}
	if rt.response != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": openapi.Schema(reflect.TypeOf(rt.response))}}
	}
	if rt.paging != "" {
		ok["headers"] = map[string]any{
			"Total-Number": map[string]any{"description": "Total number of entries.", "schema": map[string]any{"type": "string"}},
			"Link":         map[string]any{"description": "RFC 8288 links to the first, previous, next and last pages.", "schema": map[string]any{"type": "string"}},
		}
	}
	out := map[string]any{itoa(rt.status): ok}
	if !rt.public {
		out["401"] = map[string]any{"description": "Unauthorized"}
		out["403"] = map[string]any{"description": "Forbidden"}
	}
	if rt.body != nil || rt.paging != "" || len(rt.query) > 0 {
		out["400"] = map[string]any{"description": "Bad Request"}
	}
	if strings.Contains(rt.path, "{") {
		out["404"] = map[string]any{"description": "Not Found"}
	}
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
