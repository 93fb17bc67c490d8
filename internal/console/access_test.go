package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
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

// Resources: a bad indicator is refused on its field; permissions are added (not with a space);
// deletion needs the box ticked; the Management API cannot be deleted.
func TestResources(t *testing.T) {
	h := newHarness(t)
	status, _, body := h.post("/console/api-resources", url.Values{"name": {"Chat"}, "indicator": {"not a uri"}, "ttl": {"600"}})
	if status != http.StatusBadRequest || fieldErrors(body)["indicator"] == "" {
		t.Fatalf("bad indicator: %d %v", status, fieldErrors(body))
	}
	id := h.addResource("Chat API", "https://api.chat.example.com")
	if _, _, body = h.post("/console/api-resources", url.Values{"name": {"Again"}, "indicator": {"https://api.chat.example.com"}}); fieldErrors(body)["indicator"] == "" {
		t.Fatalf("duplicate indicator: %v", fieldErrors(body))
	}
	path := "/console/api-resources/" + id
	if _, _, body = h.post(path+"/scopes", url.Values{"scope_name": {"read messages"}}); fieldErrors(body)["scope_name"] == "" {
		t.Fatalf("a permission with a space: %v", fieldErrors(body))
	}
	h.post(path+"/scopes", url.Values{"scope_name": {"read:messages"}, "scope_description": {"Read messages"}})
	if scopes, _, _ := h.svc.ResourceScopes(h.ctx, model.DefaultTenantID, id, "", model.Page{Limit: 10}); len(scopes) != 1 || scopes[0].Name != "read:messages" {
		t.Fatalf("scopes %+v", scopes)
	}
	h.post(path, url.Values{"name": {"Chat"}, "ttl": {"900"}})
	if res, _ := h.svc.GetResource(h.ctx, model.DefaultTenantID, id); res.Name != "Chat" || res.AccessTokenTTL != 900 {
		t.Fatalf("edit: %+v", res)
	}
	if status, _, _ := h.post(path+"/delete", url.Values{}); status != http.StatusBadRequest {
		t.Fatalf("unconfirmed delete: %d", status)
	}
	h.post(path+"/delete", url.Values{"confirm": {"yes"}})
	if status, _ := h.get(path); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
	list, _, _ := h.svc.ListResources(h.ctx, model.DefaultTenantID, model.Page{Limit: 10})
	var mgmt string
	for _, r := range list {
		if r.Indicator == managementIndicator {
			mgmt = r.ID
		}
	}
	if _, page := h.get("/console/api-resources/" + mgmt); strings.Contains(page, "/delete") {
		t.Fatal("the Management API offers deletion")
	}
	h.post("/console/api-resources/"+mgmt+"/delete", url.Values{"confirm": {"yes"}})
	if _, err := h.svc.GetResource(h.ctx, model.DefaultTenantID, mgmt); err != nil {
		t.Fatal("the Management API resource was deleted")
	}
}

// Roles: a duplicate name is refused on its field; permissions, users and machine-to-machine
// apps are added and removed.
func TestRoles(t *testing.T) {
	h := newHarness(t)
	resID := h.addResource("Chat API", "https://api.chat.example.com")
	h.post("/console/api-resources/"+resID+"/scopes", url.Values{"scope_name": {"read:messages"}})
	status, loc, body := h.post("/console/roles", url.Values{"name": {"reader"}, "description": {"Reads"}, "type": {"User"}})
	m := rolePath.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("create role: %d %s %v", status, loc, fieldErrors(body))
	}
	roleID, path := m[1], "/console/roles/"+m[1]
	if _, _, body = h.post("/console/roles", url.Values{"name": {"reader"}, "description": {"Again"}, "type": {"User"}}); fieldErrors(body)["name"] == "" {
		t.Fatalf("duplicate role name: %v", fieldErrors(body))
	}
	scopes, _, _ := h.svc.ResourceScopes(h.ctx, model.DefaultTenantID, resID, "", model.Page{Limit: 10})
	h.post(path+"/scopes", url.Values{"scope": {scopes[0].ID}})
	if _, page := h.get(path); !strings.Contains(page, "<code>read:messages</code>") {
		t.Fatal("permission not listed on the role")
	}
	ada := h.createUser("ada", "ada@example.com")
	if _, _, body = h.post(path+"/users", url.Values{"user": {"nobody"}}); fieldErrors(body)["user"] == "" {
		t.Fatal("an unknown user was accepted")
	}
	h.post(path+"/users", url.Values{"user": {"ada@example.com"}})
	if users, _, _ := h.svc.RoleUsers(h.ctx, model.DefaultTenantID, roleID, model.UserSearch{}, model.Page{Limit: 10}); len(users) != 1 || users[0].ID != ada.ID {
		t.Fatalf("role users %+v", users)
	}
	h.post(path+"/users/"+ada.ID+"/remove", url.Values{})
	if users, _, _ := h.svc.RoleUsers(h.ctx, model.DefaultTenantID, roleID, model.UserSearch{}, model.Page{Limit: 10}); len(users) != 0 {
		t.Fatal("user not removed")
	}
	_, loc, _ = h.post("/console/roles", url.Values{"name": {"service"}, "description": {"Services"}, "type": {"MachineToMachine"}})
	m2m := rolePath.FindStringSubmatch(loc)[1]
	app := h.createApp("Billing", model.AppMachineToMachine)
	h.post("/console/roles/"+m2m+"/applications", url.Values{"app": {app.ID}})
	if apps, _, _ := h.svc.RoleApplications(h.ctx, model.DefaultTenantID, m2m, "", model.Page{Limit: 10}); len(apps) != 1 {
		t.Fatalf("role apps %+v", apps)
	}
	h.post(path+"/delete", url.Values{"confirm": {"yes"}})
	if status, _ := h.get(path); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
}
