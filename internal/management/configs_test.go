package management

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConfigKeys(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/configs/oidc/private-keys", "")
	e.want(r, 200, "")
	var keysList []map[string]any
	r.json(t, &keysList)
	if len(keysList) != 1 || keysList[0]["status"] != "Current" || keysList[0]["signingKeyAlgorithm"] != "EC" {
		t.Fatalf("private keys = %v", keysList)
	}
	for k := range keysList[0] {
		if k != "id" && k != "createdAt" && k != "status" && k != "signingKeyAlgorithm" {
			t.Errorf("private key listing has %q", k)
		}
	}
	current := keysList[0]["id"].(string)
	r = e.do("GET", "/api/configs/oidc/cookie-keys", "")
	e.want(r, 200, "")
	var cookies []map[string]any
	r.json(t, &cookies)
	if len(cookies) != 1 || len(cookies[0]) != 2 {
		t.Errorf("cookie keys = %v; want only id and createdAt", cookies)
	}
	if strings.Contains(string(r.body), "value") {
		t.Error("cookie key listing carries key material")
	}
	e.want(e.do("GET", "/api/configs/oidc/session-keys", ""), 400, "guard.invalid_input")

	e.want(e.do("DELETE", "/api/configs/oidc/private-keys/"+current, ""), 422, "oidc.key_required")
	r = e.do("POST", "/api/configs/oidc/private-keys/rotate", `{"signingKeyAlgorithm":"EC"}`)
	e.want(r, 200, "")
	r.json(t, &keysList)
	if len(keysList) != 2 || keysList[0]["status"] != "Current" || keysList[1]["id"] != current || keysList[1]["status"] != "Previous" {
		t.Fatalf("after rotate = %v", keysList)
	}
	if strings.Contains(string(r.body), "PRIVATE KEY") {
		t.Error("rotate answer carries key material")
	}
	e.want(e.do("DELETE", "/api/configs/oidc/private-keys/"+keysList[0]["id"].(string), ""), 422, "oidc.only_previous_key_can_be_deleted")
	e.want(e.do("DELETE", "/api/configs/oidc/private-keys/missing", ""), 404, "oidc.key_not_found")
	e.token = e.mint("default", nil) // the key that signed the old token is about to go
	e.want(e.do("DELETE", "/api/configs/oidc/private-keys/"+current, ""), 204, "")

	e.want(e.do("POST", "/api/configs/oidc/private-keys/rotate", `{"signingKeyAlgorithm":"HS256"}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/configs/oidc/private-keys/rotate", `{"rotationGracePeriod":-5}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/configs/oidc/cookie-keys/rotate", `{"rotationGracePeriod":60}`), 422, "oidc.invalid_request")

	// A grace period stages the new key as Next with the time it takes over.
	r = e.do("POST", "/api/configs/oidc/private-keys/rotate", `{"rotationGracePeriod":3600}`)
	e.want(r, 200, "")
	var staged []map[string]json.RawMessage
	r.json(t, &staged)
	if string(staged[0]["status"]) != `"Next"` || staged[0]["effectiveAt"] == nil {
		t.Errorf("staged rotation = %s", r.body)
	}

	r = e.do("POST", "/api/configs/oidc/cookie-keys/rotate", ``)
	e.want(r, 200, "")
	r.json(t, &cookies)
	if len(cookies) != 2 {
		t.Errorf("cookie keys after rotate = %v", cookies)
	}
	e.want(e.do("DELETE", "/api/configs/oidc/cookie-keys/"+cookies[1]["id"].(string), ""), 204, "")
	e.want(e.do("DELETE", "/api/configs/oidc/cookie-keys/"+cookies[0]["id"].(string), ""), 422, "oidc.key_required")
}
