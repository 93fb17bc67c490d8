package management

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	pathpkg "path"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// fuzzPathParam matches the {name} wildcards of a route pattern.
var fuzzPathParam = regexp.MustCompile(`\{[A-Za-z]+\}`)

// fuzzEntities are real rows the fuzzer's requests can name, created through the API itself.
type fuzzEntities struct {
	app, secret, resource, scope, role, user string
}

// FuzzManagementAPI drives every Management API route through the real handler (bearer auth,
// routing, the strict body decoder, query parsing, the service and SQLite) with a fuzzed JSON
// body, query string and path parameters: real ids of existing rows or fuzzed text. Properties:
//
//   - never a 5xx (a malformed request is the client's fault, whatever it holds);
//   - every error is Logto's body: a JSON object with a non-empty string code and message;
//   - every success is empty (204) or JSON, and answers a POST, PUT or PATCH whose body is
//     empty or a JSON object (Logto's body parser refuses anything else before any route);
//   - the only redirects are ServeMux's to the cleaned path (a fuzzed id of "" or "..");
//   - on PATCH /api/sign-in-exp the fuzzed id is also stored as customCss, which Logto keeps as
//     any text: text without NUL is accepted and read back unchanged.
//
// Rotating to an RSA key (4096 bits, seconds of CPU) is skipped; the bearer token is re-signed
// whenever a rotation changed the signing keys.
func FuzzManagementAPI(f *testing.F) {
	e := newUserEnv(f)
	var routes []route
	for _, rt := range e.api.routes {
		if rt.path != "/api/swagger.json" { // static and large; covered by its own tests
			routes = append(routes, rt)
		}
	}
	ids := createFuzzEntities(f, e)
	body := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	realistic := map[string][]byte{
		"POST /api/applications": body(map[string]any{"name": "fz app", "type": "Traditional", "description": "d",
			"oidcClientMetadata":   map[string]any{"redirectUris": []string{"https://app.example.com/cb"}, "postLogoutRedirectUris": []string{}},
			"customClientMetadata": map[string]any{"corsAllowedOrigins": []string{"https://app.example.com"}, "refreshTokenTtlInDays": 14}}),
		"PATCH /api/applications/{id}":                       body(map[string]any{"name": "renamed", "description": nil, "customData": map[string]any{"k": []int{1}}}),
		"POST /api/applications/{id}/secrets":                body(map[string]any{"name": "second", "expiresAt": 4102444800000}),
		"PATCH /api/applications/{id}/secrets/{name}":        body(map[string]any{"name": "third"}),
		"POST /api/applications/{id}/roles":                  body(map[string]any{"roleIds": []string{ids.role}}),
		"PUT /api/applications/{id}/roles":                   body(map[string]any{"roleIds": []string{}}),
		"POST /api/resources":                                body(map[string]any{"name": "api", "indicator": "https://api.fuzz.example", "accessTokenTtl": 3600}),
		"PATCH /api/resources/{id}":                          body(map[string]any{"name": "api 2", "accessTokenTtl": 60}),
		"PATCH /api/resources/{id}/is-default":               body(map[string]any{"isDefault": true}),
		"POST /api/resources/{resourceId}/scopes":            body(map[string]any{"name": "write:x", "description": "Write x"}),
		"PATCH /api/resources/{resourceId}/scopes/{scopeId}": body(map[string]any{"description": nil}),
		"POST /api/roles":                                    body(map[string]any{"name": "role 2", "description": "d", "type": "MachineToMachine", "scopeIds": []string{ids.scope}}),
		"PATCH /api/roles/{id}":                              body(map[string]any{"name": "role 3", "isDefault": false}),
		"POST /api/roles/{id}/scopes":                        body(map[string]any{"scopeIds": []string{ids.scope}}),
		"POST /api/roles/{id}/applications":                  body(map[string]any{"applicationIds": []string{ids.app}}),
		"POST /api/roles/{id}/users":                         body(map[string]any{"userIds": []string{ids.user}}),
		"POST /api/configs/oidc/{keyType}/rotate":            body(map[string]any{"signingKeyAlgorithm": "EC", "rotationGracePeriod": 0}),
		"POST /api/users": body(map[string]any{"username": "fuzz_user2", "password": "Secr3t-pass!", "primaryEmail": "b@example.com",
			"name": "B", "customData": map[string]any{"a": 1}, "profile": map[string]any{"givenName": "B"}}),
		"PATCH /api/users/{userId}":                body(map[string]any{"name": nil, "avatar": "https://img.example.com/a.png", "profile": map[string]any{"nickname": "n"}}),
		"PATCH /api/users/{userId}/password":       body(map[string]any{"password": "An0ther-pass!"}),
		"POST /api/users/{userId}/password/verify": body(map[string]any{"password": "Secr3t-pass!"}),
		"PATCH /api/users/{userId}/is-suspended":   body(map[string]any{"isSuspended": true}),
		"PATCH /api/users/{userId}/custom-data":    body(map[string]any{"customData": map[string]any{"k": []any{1, "x", nil}}}),
		"PATCH /api/users/{userId}/profile":        body(map[string]any{"profile": map[string]any{"familyName": "F", "address": map[string]any{"country": "NZ"}}}),
		"POST /api/users/{userId}/roles":           body(map[string]any{"roleIds": []string{ids.role}}),
		"PUT /api/users/{userId}/roles":            body(map[string]any{"roleIds": []string{ids.role}}),
		"PATCH /api/sign-in-exp": body(map[string]any{"color": map[string]any{"primaryColor": "#5D34F2", "isDarkModeEnabled": true},
			"languageInfo": map[string]any{"autoDetect": false, "fallbackLanguage": "zh-CN"}, "customCss": "body{}"}),
	}
	hostile := [][]byte{nil, []byte(`null`), []byte(`[]`), []byte(`"x"`), []byte(`{"name":1}`), []byte(`{"unknown":true}`),
		[]byte(`{"name":"\u0000"}`), []byte(`{"name":"a"} {}`), []byte(`{"a":`), []byte("\xff"), []byte(`{"roleIds":[null,1]}`)}
	queries := []string{"", "page=1&page_size=20", "page=0&page_size=-1", "search=%25a%25&mode.name=exact", "page=99999999999999999999",
		"includeScopes=true&types=Traditional,SPA&isThirdParty=false", "search.primaryEmail=%25&joint=or&isCaseSensitive=true"}
	for i, rt := range routes {
		key := rt.method + " " + rt.path
		if b, ok := realistic[key]; ok {
			f.Add(uint16(i), true, "", queries[0], b)
		}
		if key == "PATCH /api/sign-in-exp" { // id doubles as customCss text there
			f.Add(uint16(i), true, `.logo::after { content: "\u0000\\"; }`, "", []byte(`{}`))
			f.Add(uint16(i), true, "", "", []byte("{\"customCss\":\"a{}\"}\f")) // a form feed is not JSON white space
		}
		if i%2 == 0 {
			f.Add(uint16(i), true, "", queries[i%len(queries)], hostile[i%len(hostile)])
		} else {
			f.Add(uint16(i), false, []string{"%00", "../" + ids.user, "x"}[i%3], queries[i%len(queries)], hostile[i%len(hostile)])
		}
	}

	var signedBy *keys.Set
	var token string
	f.Fuzz(func(t *testing.T, routeIndex uint16, realIDs bool, id, query string, raw []byte) {
		rt := routes[int(routeIndex)%len(routes)]
		if strings.HasSuffix(rt.path, "/rotate") {
			var b rotateBody
			if decodeObject(raw, &b) == nil && b.SigningKeyAlgorithm != nil && *b.SigningKeyAlgorithm == "RSA" {
				// RSA key generation takes seconds: such an input is not sent, so the fuzzer moves
				// on (the RSA rotation itself is covered by the configs tests).
				return
			}
		}
		set, err := e.keys.Keys(e.ctx, model.DefaultTenantID)
		if err != nil {
			t.Fatal(err)
		}
		if set != signedBy {
			if token, err = set.Sign(map[string]any{"iss": testIssuer, "aud": model.ManagementAPIIndicator(model.DefaultTenantID), "scope": "all",
				"client_id": "m2m-client", "sub": "m2m-client", "iat": e.clk.Now().Unix(), "exp": e.clk.Now().Unix() + 3600}, keys.TypAccessToken); err != nil {
				t.Fatal(err)
			}
			signedBy = set
		}

		path := fuzzPathParam.ReplaceAllStringFunc(rt.path, func(param string) string {
			if !realIDs {
				return url.PathEscape(id)
			}
			switch param {
			case "{keyType}":
				if strings.Contains(id, "cookie") {
					return "cookie-keys"
				}
				return "private-keys"
			case "{name}":
				return url.PathEscape(ids.secret)
			case "{resourceId}":
				return ids.resource
			case "{scopeId}":
				return ids.scope
			case "{userId}":
				return ids.user
			case "{roleId}":
				return ids.role
			case "{applicationId}":
				return ids.app
			case "{id}":
				switch {
				case strings.HasPrefix(rt.path, "/api/applications/"):
					return ids.app
				case strings.HasPrefix(rt.path, "/api/resources/"):
					return ids.resource
				case strings.HasPrefix(rt.path, "/api/roles/"):
					return ids.role
				}
			}
			return url.PathEscape(id)
		})
		req := httptest.NewRequest(rt.method, "/", bytes.NewReader(raw))
		req.URL = &url.URL{Path: path, RawQuery: query}
		req.RequestURI = req.URL.RequestURI()
		req.Host = "localhost:3001"
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)

		desc := rt.method + " " + path + "?" + query
		defer func() {
			if !t.Failed() && rt.method == "PATCH" && rt.path == "/api/sign-in-exp" {
				checkCustomCSS(t, e, token, id)
			}
		}()
		if rec.Code >= 500 {
			t.Fatalf("%s with body %q: status %d %s", desc, raw, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var b map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
				t.Fatalf("%s: error body %q is not a JSON object", desc, rec.Body)
			}
			code, _ := b["code"].(string)
			message, _ := b["message"].(string)
			if code == "" || message == "" {
				t.Fatalf("%s: error body %s lacks Logto's code and message", desc, rec.Body)
			}
			return
		}
		if rec.Code >= 300 {
			// ServeMux sends a path with an empty or dot segment (a fuzzed id of "" or "..") to
			// its cleaned form; anything else would be a redirect of the API's own.
			loc := rec.Header().Get("Location")
			if clean := pathpkg.Clean(path); clean == path || !strings.HasPrefix(loc, clean) {
				t.Fatalf("%s: status %d to %q", desc, rec.Code, loc)
			}
			return
		}
		if body := bytes.Trim(raw, " \t\r\n"); (rt.method == "POST" || rt.method == "PUT" || rt.method == "PATCH") &&
			len(body) > 0 && (body[0] != '{' || !json.Valid(body)) {
			t.Fatalf("%s: status %d for the body %q, which is not a JSON object", desc, rec.Code, raw)
		}
		if rec.Body.Len() > 0 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s: status %d with a body that is not JSON: %q", desc, rec.Code, rec.Body)
		}
	})
}

// createFuzzEntities creates, through the API, one row of each kind the routes name.
func createFuzzEntities(f *testing.F, e *env) fuzzEntities {
	f.Helper()
	create := func(method, path, body string) map[string]any {
		r := e.do(method, path, body)
		if r.status >= 300 {
			f.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
		var out map[string]any
		_ = json.Unmarshal(r.body, &out)
		return out
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	var ids fuzzEntities
	ids.app = str(create("POST", "/api/applications", `{"name":"fuzz m2m","type":"MachineToMachine"}`), "id")
	ids.secret = str(create("POST", "/api/applications/"+ids.app+"/secrets", `{"name":"fuzz secret"}`), "name")
	ids.resource = str(create("POST", "/api/resources", `{"name":"fuzz api","indicator":"https://fuzz.example/api"}`), "id")
	ids.scope = str(create("POST", "/api/resources/"+ids.resource+"/scopes", `{"name":"read:fuzz"}`), "id")
	ids.role = str(create("POST", "/api/roles", `{"name":"fuzz role","description":"Fuzz role","type":"MachineToMachine"}`), "id")
	ids.user = str(create("POST", "/api/users", `{"username":"fuzz_user","password":"Secr3t-pass!","primaryEmail":"fuzz@example.com"}`), "id")
	for name, v := range map[string]string{"app": ids.app, "secret": ids.secret, "resource": ids.resource, "scope": ids.scope, "role": ids.role, "user": ids.user} {
		if v == "" {
			f.Fatalf("creating the fuzz %s returned no id", name)
		}
	}
	return ids
}

// checkCustomCSS stores css as the sign-in experience's customCss, which Logto keeps as any text:
// text without NUL (within the size limit) is accepted and read back unchanged.
func checkCustomCSS(t *testing.T, e *env, token, css string) {
	t.Helper()
	if !utf8.ValidString(css) || strings.IndexByte(css, 0) >= 0 || len(css) > 16<<10 {
		return
	}
	body, err := json.Marshal(map[string]string{"customCss": css})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("PATCH", "/api/sign-in-exp", bytes.NewReader(body))
	req.Host = "localhost:3001"
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	var got struct {
		CustomCSS *string `json:"customCss"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &got) != nil || got.CustomCSS == nil || *got.CustomCSS != css {
		t.Fatalf("PATCH /api/sign-in-exp %s: %d %s", body, rec.Code, rec.Body)
	}
}
