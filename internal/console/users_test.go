package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

func (h *harness) createUser(username, email string) model.User {
	h.t.Helper()
	u, err := h.svc.CreateUser(h.ctx, model.DefaultTenantID, users.CreateUserInput{Username: &username, PrimaryEmail: &email})
	if err != nil {
		h.t.Fatalf("create user: %v", err)
	}
	return u
}

// Creating a user from the list lands on its page; refusals name the field.
func TestUserCreateFieldErrors(t *testing.T) {
	h := newHarness(t)
	h.createUser("ada", "ada@example.com")
	status, _, body := h.post("/console/users", url.Values{"username": {"grace"}, "email": {"ADA@example.com"}})
	if status != http.StatusBadRequest || fieldErrors(body)["email"] == "" {
		t.Fatalf("email in use: %d %v", status, fieldErrors(body))
	}
	if _, _, body = h.post("/console/users", url.Values{"username": {"grace"}, "password": {"abc"}}); fieldErrors(body)["password"] == "" {
		t.Fatalf("weak password: %v", fieldErrors(body))
	}
	status, loc, _ := h.post("/console/users", url.Values{"username": {"grace"}, "password": {"Analytical-1843"}})
	if status != http.StatusSeeOther || !regexp.MustCompile(`^/console/users/[a-z0-9]+\?notice=saved$`).MatchString(loc) {
		t.Fatalf("create: %d %s", status, loc)
	}
}

// The profile form saves, clears emptied fields, and keeps identifiers unique.
func TestUserProfileEdit(t *testing.T) {
	h := newHarness(t)
	h.createUser("ada", "ada@example.com")
	grace := h.createUser("grace", "grace@example.com")
	path := "/console/users/" + grace.ID
	status, _, _ := h.post(path+"/profile", url.Values{"username": {"grace"}, "name": {"Grace Hopper"}, "email": {""}, "avatar": {"https://example.com/g.png"}})
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	if _, page := h.get(path + "?notice=saved"); !strings.Contains(page, "Grace Hopper") {
		t.Fatal("the page does not show the new name")
	}
	got, _ := h.svc.GetUser(h.ctx, model.DefaultTenantID, grace.ID)
	if model.StringOf(got.Name) != "Grace Hopper" || got.PrimaryEmail != nil || model.StringOf(got.Avatar) != "https://example.com/g.png" {
		t.Fatalf("saved %+v", got)
	}
	status, _, body := h.post(path+"/profile", url.Values{"username": {"grace"}, "email": {"ada@example.com"}})
	if status != http.StatusBadRequest || fieldErrors(body)["email"] == "" {
		t.Fatalf("another user's email: %d %v", status, fieldErrors(body))
	}
	if got, _ = h.svc.GetUser(h.ctx, model.DefaultTenantID, grace.ID); got.PrimaryEmail != nil || model.StringOf(got.Name) != "Grace Hopper" {
		t.Fatalf("a refused form changed the user: %+v", got)
	}
}

// Custom data replaces the stored object (the second save drops "seats"); anything but a JSON
// object is refused on the field and stores nothing.
func TestUserCustomData(t *testing.T) {
	h := newHarness(t)
	u := h.createUser("ada", "ada@example.com")
	path := "/console/users/" + u.ID + "/custom-data"
	if _, _, body := h.post(path, url.Values{"custom_data": {"[1,2]"}}); fieldErrors(body)["custom_data"] == "" {
		t.Fatal("a JSON array was accepted")
	}
	if status, _, body := h.post(path, url.Values{"custom_data": {"{plan: pro}"}}); status != http.StatusBadRequest || fieldErrors(body)["custom_data"] == "" {
		t.Fatalf("invalid JSON: %d %v", status, fieldErrors(body))
	}
	h.post(path, url.Values{"custom_data": {`{"plan":"pro","seats":3}`}})
	h.post(path, url.Values{"custom_data": {`{"plan":"pro"}`}})
	got, _ := h.svc.GetUser(h.ctx, model.DefaultTenantID, u.ID)
	var data map[string]any
	_ = json.Unmarshal(got.CustomData, &data)
	if data["plan"] != "pro" || len(data) != 1 {
		t.Fatalf("custom data %s", got.CustomData)
	}
}

// A new password must pass the policy; a good one signs in.
func TestUserPasswordReset(t *testing.T) {
	h := newHarness(t)
	u := h.createUser("ada", "ada@example.com")
	path := "/console/users/" + u.ID + "/password"
	if status, _, body := h.post(path, url.Values{"password": {"abc"}}); status != http.StatusBadRequest || fieldErrors(body)["password"] == "" {
		t.Fatalf("weak password: %d %v", status, fieldErrors(body))
	}
	if status, _, _ := h.post(path, url.Values{"password": {"Analytical-1843"}}); status != http.StatusSeeOther {
		t.Fatalf("good password: %d", status)
	}
	if err := h.svc.CheckUserPassword(h.ctx, model.DefaultTenantID, u.ID, "Analytical-1843"); err != nil {
		t.Fatalf("the new password does not verify: %v", err)
	}
}

// Suspend and restore; assign and remove a role; unlink and delete need the box ticked.
func TestUserSuspendRolesDelete(t *testing.T) {
	h := newHarness(t)
	u := h.createUser("ada", "ada@example.com")
	path := "/console/users/" + u.ID
	h.post(path+"/suspension", url.Values{"suspend": {"yes"}})
	if got, _ := h.svc.GetUser(h.ctx, model.DefaultTenantID, u.ID); !got.IsSuspended {
		t.Fatal("not suspended")
	}
	if _, page := h.get(path); !strings.Contains(page, `name="suspend" value="no"`) {
		t.Fatal("the page does not offer to restore a suspended user")
	}
	h.post(path+"/suspension", url.Values{"suspend": {"no"}})
	if got, _ := h.svc.GetUser(h.ctx, model.DefaultTenantID, u.ID); got.IsSuspended {
		t.Fatal("not restored")
	}
	role, err := h.svc.CreateRole(h.ctx, model.DefaultTenantID, access.RoleInput{Name: "editor", Description: "Edits things"})
	if err != nil {
		t.Fatal(err)
	}
	h.post(path+"/roles", url.Values{"role": {role.ID}})
	if roles, _, _ := h.svc.UserRoles(h.ctx, model.DefaultTenantID, u.ID, "", model.Page{Limit: 10}); len(roles) != 1 || roles[0].ID != role.ID {
		t.Fatalf("roles after assign: %+v", roles)
	}
	h.post(path+"/roles/"+role.ID+"/remove", url.Values{})
	if roles, _, _ := h.svc.UserRoles(h.ctx, model.DefaultTenantID, u.ID, "", model.Page{Limit: 10}); len(roles) != 0 {
		t.Fatalf("roles after remove: %+v", roles)
	}
	if status, _, body := h.post(path+"/delete", url.Values{}); status != http.StatusBadRequest || fieldErrors(body)["confirm_delete"] == "" {
		t.Fatalf("unconfirmed delete: %d", status)
	}
	if status, loc, _ := h.post(path+"/delete", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther || loc != "/console/users?notice=deleted" {
		t.Fatalf("delete: %d %s", status, loc)
	}
	if status, _ := h.get(path); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
}

// A linked social identity is listed and unlinked once confirmed.
func TestUserUnlinkIdentity(t *testing.T) {
	h := newHarness(t)
	u := h.createUser("ada", "ada@example.com")
	if _, _, err := h.svc.PutUserIdentity(h.ctx, model.DefaultTenantID, u.ID, "github", "gh-1815", json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	path := "/console/users/" + u.ID
	if _, page := h.get(path); !strings.Contains(page, "gh-1815") {
		t.Fatal("identity not listed")
	}
	if status, _, _ := h.post(path+"/identities/github/unlink", url.Values{}); status != http.StatusBadRequest {
		t.Fatalf("unconfirmed unlink: %d", status)
	}
	h.post(path+"/identities/github/unlink", url.Values{"confirm": {"yes"}})
	if _, page := h.get(path); strings.Contains(page, "gh-1815") {
		t.Fatal("identity still listed after unlinking")
	}
}

// The list links each user to their page; an unknown id is a friendly 404, not a fault.
func TestUserListLinksAndUnknownUser(t *testing.T) {
	h := newHarness(t)
	u := h.createUser("ada", "ada@example.com")
	if _, page := h.get("/console/users?q=ada"); !strings.Contains(page, `href="/console/users/`+u.ID+`"`) {
		t.Fatal("the list does not link to the user's page")
	}
	if status, page := h.get("/console/users/no-such-user"); status != http.StatusNotFound || !strings.Contains(page, "There is no such user.") {
		t.Fatalf("unknown user: %d", status)
	}
	if status, _, _ := h.post("/console/users/no-such-user/profile", url.Values{"name": {"x"}}); status != http.StatusNotFound {
		t.Fatalf("write to an unknown user: %d", status)
	}
}

// Every user-page write checks the CSRF token before doing anything.
func TestUserWritesNeedCSRF(t *testing.T) {
	h := newHarness(t)
	u := h.createUser("ada", "ada@example.com")
	path := "/console/users/" + u.ID
	for _, action := range []string{"/profile", "/suspension", "/delete"} {
		form := url.Values{"csrf": {"forged"}, "name": {"Mallory"}, "suspend": {"yes"}, "confirm": {"yes"}}
		if status, _, _ := h.post(path+action, form); status != http.StatusForbidden {
			t.Fatalf("%s with a wrong token: %d", action, status)
		}
	}
	got, err := h.svc.GetUser(h.ctx, model.DefaultTenantID, u.ID)
	if err != nil || got.Name != nil || got.IsSuspended {
		t.Fatalf("a forged form changed the user: %+v %v", got, err)
	}
}
