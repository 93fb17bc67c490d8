package management

import (
	"strings"
	"testing"
)

// TestUserIdentities drives Logto's admin-user-social routes: PUT creates (201) then replaces
// (200) and answers the identities; an account linked to another user is 422; GET answers
// {identity}; DELETE answers the user and a second DELETE is 404.
func TestUserIdentities(t *testing.T) {
	e := newEnv(t)
	newUser := func(name string) string {
		var u struct{ ID string }
		r := e.do("POST", "/api/users", `{"username":"`+name+`"}`)
		e.want(r, 200, "")
		r.json(t, &u)
		return u.ID
	}
	alice, bob := newUser("alice"), newUser("bob")
	base := "/api/users/" + alice + "/identities/github"

	r := e.do("PUT", base, `{"userId":"1001","details":{"login":"alice-gh"}}`)
	e.want(r, 201, "")
	var ids map[string]struct {
		UserID  string         `json:"userId"`
		Details map[string]any `json:"details"`
	}
	r.json(t, &ids)
	if ids["github"].UserID != "1001" || ids["github"].Details["login"] != "alice-gh" {
		t.Fatalf("identities after PUT: %s", r.body)
	}
	e.want(e.do("PUT", base, `{"userId":"1002"}`), 200, "")
	e.want(e.do("PUT", "/api/users/"+bob+"/identities/github", `{"userId":"1002"}`), 422, "user.identity_already_in_use")
	e.want(e.do("PUT", base, `{"details":{}}`), 400, "")
	e.want(e.do("PUT", base, `{"userId":"1","details":[1]}`), 400, "")
	e.want(e.do("PUT", "/api/users/nobody/identities/github", `{"userId":"9"}`), 404, "")

	r = e.do("GET", base, "")
	e.want(r, 200, "")
	if !strings.Contains(string(r.body), `{"identity":{"userId":"1002"`) {
		t.Fatalf("GET identity: %s", r.body)
	}
	e.want(e.do("GET", "/api/users/"+alice+"/identities/google", ""), 404, "user.identity_not_exist")

	r = e.do("DELETE", base, "")
	e.want(r, 200, "")
	if !strings.Contains(string(r.body), `"identities":{}`) || !strings.Contains(string(r.body), `"id":"`+alice+`"`) {
		t.Fatalf("DELETE answered %s; want the user without the identity", r.body)
	}
	e.want(e.do("DELETE", base, ""), 404, "user.identity_not_exist")
	// Once unlinked, the account can go to another user.
	e.want(e.do("PUT", "/api/users/"+bob+"/identities/github", `{"userId":"1002"}`), 201, "")
}

func TestLinkIdentityNeedsASocialConnector(t *testing.T) {
	e := newEnv(t)
	var u struct{ ID string }
	r := e.do("POST", "/api/users", `{"username":"carol"}`)
	e.want(r, 200, "")
	r.json(t, &u)
	e.want(e.do("POST", "/api/users/"+u.ID+"/identities", `{"connectorId":"nope","connectorData":{"code":"x"}}`), 400, "session.invalid_connector_id")
	e.want(e.do("POST", "/api/users/"+u.ID+"/identities", `{"connectorData":{}}`), 400, "")
}
