package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/console/text"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
)

var resourcePath = regexp.MustCompile(`^/console/api-resources/([A-Za-z0-9]+)\?notice=saved$`)
var rolePath = regexp.MustCompile(`^/console/roles/([A-Za-z0-9]+)\?notice=saved$`)

func (h *harness) addResource(name, indicator string) string {
	h.t.Helper()
	status, loc, body := h.post("/console/api-resources", url.Values{"name": {name}, "indicator": {indicator}, "ttl": {"600"}})
	m := resourcePath.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		h.t.Fatalf("create resource: %d %q %v", status, loc, fieldErrors(body))
	}
	return m[1]
}

func (h *harness) addRole(name string, typ model.RoleType) string {
	h.t.Helper()
	status, loc, body := h.post("/console/roles", url.Values{"name": {name}, "description": {name + " role"}, "type": {string(typ)}})
	m := rolePath.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		h.t.Fatalf("create role: %d %q %v", status, loc, fieldErrors(body))
	}
	return m[1]
}

func (h *harness) resources() []model.Resource {
	h.t.Helper()
	list, _, err := h.svc.ListResources(h.ctx, model.DefaultTenantID, model.Page{Limit: 100})
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

func (h *harness) resourceScopes(id string) []model.Scope {
	h.t.Helper()
	scopes, _, err := h.svc.ResourceScopes(h.ctx, model.DefaultTenantID, id, "", model.Page{Limit: 100})
	if err != nil {
		h.t.Fatal(err)
	}
	return scopes
}

// A bad indicator, a duplicate indicator and a TTL that is not a number are refused on their
// fields, and nothing is created.
func TestResourceCreateRefusals(t *testing.T) {
	h := newHarness(t)
	before := len(h.resources())
	status, _, body := h.post("/console/api-resources", url.Values{"name": {"Chat"}, "indicator": {"not a uri"}, "ttl": {"600"}})
	if status != http.StatusBadRequest || fieldErrors(body)["indicator"] == "" || !strings.Contains(body, `value="not a uri"`) {
		t.Fatalf("bad indicator: %d %v", status, fieldErrors(body))
	}
	if status, _, body = h.post("/console/api-resources", url.Values{"name": {"Chat"}, "indicator": {"https://api.chat.example.com"}, "ttl": {"soon"}}); status != http.StatusBadRequest || fieldErrors(body)["ttl"] == "" {
		t.Fatalf("bad TTL: %d %v", status, fieldErrors(body))
	}
	if after := len(h.resources()); after != before {
		t.Fatalf("refused forms created resources: %d → %d", before, after)
	}
	id := h.addResource("Chat API", "https://api.chat.example.com")
	if status, _, body = h.post("/console/api-resources", url.Values{"name": {"Again"}, "indicator": {"https://api.chat.example.com"}}); status != http.StatusBadRequest || fieldErrors(body)["indicator"] == "" {
		t.Fatalf("duplicate indicator: %d %v", status, fieldErrors(body))
	}
	if _, page := h.get("/console/api-resources"); !strings.Contains(page, `href="/console/api-resources/`+id+`"`) || !strings.Contains(page, "https://api.chat.example.com") {
		t.Fatal("the new resource is not listed")
	}
}

// The resource page: permissions are added (not with a space, not twice) and removed; the name
// and TTL change; the resource becomes default and stops; deletion needs the box ticked.
func TestResources(t *testing.T) {
	h := newHarness(t)
	id := h.addResource("Chat API", "https://api.chat.example.com")
	path := "/console/api-resources/" + id
	status, _, body := h.post(path+"/scopes", url.Values{"scope_name": {"read messages"}, "scope_description": {"Read"}})
	if status != http.StatusBadRequest || fieldErrors(body)["scope_name"] == "" || !strings.Contains(body, `value="read messages"`) {
		t.Fatalf("a permission with a space: %d %v", status, fieldErrors(body))
	}
	if len(h.resourceScopes(id)) != 0 {
		t.Fatal("the permission with a space was created")
	}
	if status, loc, _ := h.post(path+"/scopes", url.Values{"scope_name": {"read:messages"}, "scope_description": {"Read messages"}}); status != http.StatusSeeOther || loc != path+"?notice=saved" {
		t.Fatalf("add permission: %d %q", status, loc)
	}
	scopes := h.resourceScopes(id)
	if len(scopes) != 1 || scopes[0].Name != "read:messages" {
		t.Fatalf("scopes %+v", scopes)
	}
	if _, _, body = h.post(path+"/scopes", url.Values{"scope_name": {"read:messages"}}); fieldErrors(body)["scope_name"] == "" {
		t.Fatalf("a permission twice: %v", fieldErrors(body))
	}
	if _, page := h.get(path); !strings.Contains(page, "<code>read:messages</code>") || !strings.Contains(page, "/scopes/"+scopes[0].ID+"/delete") {
		t.Fatal("the permission is not listed with its delete button")
	}
	h.post(path+"/scopes/"+scopes[0].ID+"/delete", url.Values{})
	if len(h.resourceScopes(id)) != 0 {
		t.Fatal("permission not deleted")
	}
	h.post(path, url.Values{"name": {"Chat"}, "ttl": {"900"}})
	if res, _ := h.svc.GetResource(h.ctx, model.DefaultTenantID, id); res.Name != "Chat" || res.AccessTokenTTL != 900 {
		t.Fatalf("edit: %+v", res)
	}
	h.post(path+"/default", url.Values{"default": {"yes"}})
	if res, _ := h.svc.GetResource(h.ctx, model.DefaultTenantID, id); !res.IsDefault {
		t.Fatal("not made default")
	}
	h.post(path+"/default", url.Values{"default": {"no"}})
	if res, _ := h.svc.GetResource(h.ctx, model.DefaultTenantID, id); res.IsDefault {
		t.Fatal("still default")
	}
	if status, _, body := h.post(path+"/delete", url.Values{}); status != http.StatusBadRequest || fieldErrors(body)["confirm_delete"] == "" {
		t.Fatalf("unconfirmed delete: %d %v", status, fieldErrors(body))
	}
	if _, err := h.svc.GetResource(h.ctx, model.DefaultTenantID, id); err != nil {
		t.Fatal("deleted without confirmation")
	}
	if status, loc, _ := h.post(path+"/delete", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther || loc != "/console/api-resources?notice=deleted" {
		t.Fatalf("delete: %d %q", status, loc)
	}
	if status, _ := h.get(path); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
}

// The Management API resource is shown read-only; a forged delete, edit or new permission is
// refused by the use-case, the refusal is shown, and nothing changes.
func TestResourceManagementAPIReadOnly(t *testing.T) {
	h := newHarness(t)
	var mgmt model.Resource
	for _, r := range h.resources() {
		if access.IsManagementAPI(r.Indicator) {
			mgmt = r
		}
	}
	if mgmt.ID == "" {
		t.Fatal("no Management API resource seeded")
	}
	path := "/console/api-resources/" + mgmt.ID
	_, page := h.get(path)
	if strings.Contains(page, path+"/delete") || strings.Contains(page, `name="scope_name"`) || !strings.Contains(page, h.console.text[text.English]["console.resource_management_note"][:20]) {
		t.Fatal("the Management API page offers changes")
	}
	status, _, body := h.post(path+"/delete", url.Values{"confirm": {"yes"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("delete: %d, no refusal shown", status)
	}
	if _, err := h.svc.GetResource(h.ctx, model.DefaultTenantID, mgmt.ID); err != nil {
		t.Fatal("the Management API resource was deleted")
	}
	scopes := len(h.resourceScopes(mgmt.ID))
	if status, _, body = h.post(path+"/scopes", url.Values{"scope_name": {"extra:thing"}}); status != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("add permission: %d", status)
	}
	if status, _, _ = h.post(path, url.Values{"name": {"Mine now"}, "ttl": {"60"}}); status != http.StatusBadRequest {
		t.Fatalf("edit: %d", status)
	}
	if res, _ := h.svc.GetResource(h.ctx, model.DefaultTenantID, mgmt.ID); res.Name != mgmt.Name || len(h.resourceScopes(mgmt.ID)) != scopes {
		t.Fatalf("the Management API changed: %+v", res)
	}
}

// Roles: created (a duplicate name refused on its field); edited; permissions from a resource
// added (at least one must be ticked) and removed; users added by email and removed; deleted
// behind the confirmation.
func TestRoles(t *testing.T) {
	h := newHarness(t)
	resID := h.addResource("Chat API", "https://api.chat.example.com")
	h.post("/console/api-resources/"+resID+"/scopes", url.Values{"scope_name": {"read:messages"}})
	roleID := h.addRole("reader", model.RoleUser)
	path := "/console/roles/" + roleID
	status, _, body := h.post("/console/roles", url.Values{"name": {"reader"}, "description": {"Again"}, "type": {"User"}})
	if status != http.StatusBadRequest || fieldErrors(body)["name"] == "" {
		t.Fatalf("duplicate role name: %d %v", status, fieldErrors(body))
	}
	if _, page := h.get("/console/roles"); !strings.Contains(page, `href="`+path+`"`) {
		t.Fatal("role not listed")
	}
	h.post(path, url.Values{"name": {"readers"}, "description": {"Read the chat"}})
	if role, _ := h.svc.GetRole(h.ctx, model.DefaultTenantID, roleID); role.Name != "readers" || role.Description != "Read the chat" {
		t.Fatalf("edit: %+v", role)
	}
	if _, _, body = h.post(path+"/scopes", url.Values{}); fieldErrors(body)["scope"] == "" {
		t.Fatal("no permission ticked was accepted")
	}
	scope := h.resourceScopes(resID)[0]
	if _, page := h.get(path); !strings.Contains(page, `value="`+scope.ID+`"`) {
		t.Fatal("the resource's permission is not offered")
	}
	h.post(path+"/scopes", url.Values{"scope": {scope.ID}})
	if _, page := h.get(path); !strings.Contains(page, "<code>read:messages</code>") || strings.Contains(page, `value="`+scope.ID+`"`) {
		t.Fatal("permission not listed on the role, or still offered")
	}
	h.post(path+"/scopes/"+scope.ID+"/remove", url.Values{})
	if held, _, _ := h.svc.RoleScopes(h.ctx, model.DefaultTenantID, roleID, "", model.Page{Limit: 10}); len(held) != 0 {
		t.Fatalf("permission not removed: %+v", held)
	}
	ada := h.createUser("ada", "ada@example.com")
	if _, _, body = h.post(path+"/users", url.Values{"user": {"nobody"}}); fieldErrors(body)["user"] == "" {
		t.Fatal("an unknown user was accepted")
	}
	h.post(path+"/users", url.Values{"user": {"ada@example.com"}})
	if users, _, _ := h.svc.RoleUsers(h.ctx, model.DefaultTenantID, roleID, model.UserSearch{}, model.Page{Limit: 10}); len(users) != 1 || users[0].ID != ada.ID {
		t.Fatalf("role users %+v", users)
	}
	if _, page := h.get(path); !strings.Contains(page, path+"/users/"+ada.ID+"/remove") {
		t.Fatal("the user is not listed")
	}
	h.post(path+"/users/"+ada.ID+"/remove", url.Values{})
	if users, _, _ := h.svc.RoleUsers(h.ctx, model.DefaultTenantID, roleID, model.UserSearch{}, model.Page{Limit: 10}); len(users) != 0 {
		t.Fatal("user not removed")
	}
	if status, _, _ := h.post(path+"/delete", url.Values{}); status != http.StatusBadRequest {
		t.Fatalf("unconfirmed delete: %d", status)
	}
	if status, loc, _ := h.post(path+"/delete", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther || loc != "/console/roles?notice=deleted" {
		t.Fatalf("delete: %d %q", status, loc)
	}
	if status, _ := h.get(path); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
}

// A machine-to-machine role offers only machine-to-machine apps; one is added and removed.
func TestRoleMachineToMachineApps(t *testing.T) {
	h := newHarness(t)
	roleID := h.addRole("service", model.RoleMachineToMachine)
	path := "/console/roles/" + roleID
	app := h.createApp("Billing", model.AppMachineToMachine)
	web := h.createApp("Website", model.AppTraditional)
	_, page := h.get(path)
	if !strings.Contains(page, `<option value="`+app.ID+`"`) || strings.Contains(page, web.ID) || strings.Contains(page, `name="user"`) {
		t.Fatal("the M2M role's page offers the wrong apps, or users")
	}
	h.post(path+"/applications", url.Values{"app": {app.ID}})
	apps, _, _ := h.svc.RoleApplications(h.ctx, model.DefaultTenantID, roleID, "", model.Page{Limit: 10})
	if len(apps) != 1 || apps[0].ID != app.ID {
		t.Fatalf("role apps %+v", apps)
	}
	if _, page = h.get(path); !strings.Contains(page, path+"/applications/"+app.ID+"/remove") {
		t.Fatal("the app is not listed")
	}
	h.post(path+"/applications/"+app.ID+"/remove", url.Values{})
	if apps, _, _ = h.svc.RoleApplications(h.ctx, model.DefaultTenantID, roleID, "", model.Page{Limit: 10}); len(apps) != 0 {
		t.Fatalf("app not removed: %+v", apps)
	}
}

// An id no resource or role has gets the friendly 404 page, for reads and writes.
func TestResourceRoleNotFound(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/console/api-resources/nope", "/console/roles/nope"} {
		if status, page := h.get(path); status != http.StatusNotFound || !strings.Contains(page, "/console") {
			t.Errorf("GET %s: %d", path, status)
		}
		if status, _, _ := h.post(path+"/delete", url.Values{"confirm": {"yes"}}); status != http.StatusNotFound {
			t.Errorf("POST %s/delete: %d", path, status)
		}
	}
}

// A form without the session's CSRF token is refused with 403 and changes nothing.
func TestResourceRoleWrongCSRF(t *testing.T) {
	h := newHarness(t)
	id := h.addResource("Chat API", "https://api.chat.example.com")
	roleID := h.addRole("reader", model.RoleUser)
	before := len(h.resources())
	for path, form := range map[string]url.Values{
		"/console/api-resources":                   {"name": {"X"}, "indicator": {"https://x.example.com"}},
		"/console/api-resources/" + id + "/delete": {"confirm": {"yes"}},
		"/console/roles":                           {"name": {"writer"}, "description": {"W"}, "type": {"User"}},
		"/console/roles/" + roleID + "/delete":     {"confirm": {"yes"}},
	} {
		form.Set("csrf", "wrong")
		if status, _, _ := h.post(path, form); status != http.StatusForbidden {
			t.Errorf("POST %s with a wrong token: %d", path, status)
		}
	}
	if len(h.resources()) != before {
		t.Fatal("a forged form changed the resources")
	}
	if _, err := h.svc.GetRole(h.ctx, model.DefaultTenantID, roleID); err != nil {
		t.Fatal("a forged form deleted the role")
	}
	if roles, _, _ := h.svc.ListRoles(h.ctx, model.DefaultTenantID, model.RoleFilter{}, model.Page{Limit: 100}); strings.Contains(roleNames(roles), "writer") {
		t.Fatal("a forged form created a role")
	}
}

func roleNames(roles []access.RoleSummary) string {
	var b strings.Builder
	for _, r := range roles {
		b.WriteString(r.Name + " ")
	}
	return b.String()
}

// A User role is not offered the Management API's permissions (the use-case refuses them to
// user roles); a forged request's refusal shows by the permissions, not the user field.
func TestRoleUserNoManagementScopes(t *testing.T) {
	h := newHarness(t)
	roleID := h.addRole("reader", model.RoleUser)
	m2m := h.addRole("service", model.RoleMachineToMachine)
	var mgmt string
	for _, r := range h.resources() {
		if access.IsManagementAPI(r.Indicator) {
			mgmt = r.ID
		}
	}
	scope := h.resourceScopes(mgmt)[0]
	if _, page := h.get("/console/roles/" + roleID); strings.Contains(page, `value="`+scope.ID+`"`) {
		t.Fatal("a User role is offered a Management API permission")
	}
	if _, page := h.get("/console/roles/" + m2m); !strings.Contains(page, `value="`+scope.ID+`"`) {
		t.Fatal("a machine-to-machine role is not offered the Management API's permissions")
	}
	status, _, body := h.post("/console/roles/"+roleID+"/scopes", url.Values{"scope": {scope.ID}})
	if f := fieldErrors(body); status != http.StatusBadRequest || f["scope"] == "" || f["user"] != "" {
		t.Fatalf("forged Management API permission: %d %v", status, f)
	}
}
