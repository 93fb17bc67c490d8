package console

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
)

// Access is what the console's API-resource and role pages need (the Management API's
// resource, scope and role use-cases, and the role members').
type Access interface {
	CreateResource(ctx context.Context, tenantID string, in access.ResourceInput) (model.Resource, error)
	GetResource(ctx context.Context, tenantID, id string) (model.Resource, error)
	ListResources(ctx context.Context, tenantID string, p model.Page) ([]model.Resource, int, error)
	UpdateResource(ctx context.Context, tenantID, id string, p access.ResourcePatch) (model.Resource, error)
	SetDefaultResource(ctx context.Context, tenantID, id string, isDefault bool) (model.Resource, error)
	DeleteResource(ctx context.Context, tenantID, id string) error
	ResourceScopes(ctx context.Context, tenantID, resourceID, search string, p model.Page) ([]model.Scope, int, error)
	CreateScope(ctx context.Context, tenantID, resourceID, name string, description *string) (model.Scope, error)
	DeleteScope(ctx context.Context, tenantID, resourceID, scopeID string) error
	ListRoles(ctx context.Context, tenantID string, f model.RoleFilter, p model.Page) ([]access.RoleSummary, int, error)
	CreateRole(ctx context.Context, tenantID string, in access.RoleInput) (model.Role, error)
	GetRole(ctx context.Context, tenantID, id string) (model.Role, error)
	UpdateRole(ctx context.Context, tenantID, id string, p access.RolePatch) (model.Role, error)
	DeleteRole(ctx context.Context, tenantID, id string) error
	RoleScopes(ctx context.Context, tenantID, roleID, search string, p model.Page) ([]access.ScopeWithResource, int, error)
	AddRoleScopes(ctx context.Context, tenantID, roleID string, scopeIDs []string) ([]model.Scope, error)
	RemoveRoleScope(ctx context.Context, tenantID, roleID, scopeID string) error
	RoleApplications(ctx context.Context, tenantID, roleID, search string, p model.Page) ([]model.Application, int, error)
	AddRoleApplications(ctx context.Context, tenantID, roleID string, appIDs []string) error
	RemoveRoleApplication(ctx context.Context, tenantID, roleID, appID string) error
	RoleUsers(ctx context.Context, tenantID, roleID string, search model.UserSearch, p model.Page) ([]model.User, int, error)
	AddRoleUsers(ctx context.Context, tenantID, roleID string, userIDs []string) error
	RemoveRoleUser(ctx context.Context, tenantID, roleID, userID string) error
	ListApplications(ctx context.Context, tenantID string, f model.ApplicationFilter, p model.Page) ([]model.Application, int, error)
}

// resourcesView is the resource list and the create form's values.
type resourcesView struct {
	Resources            []resourceRow
	Name, Indicator, TTL string
}

// resourceRow is one resource of the list; ReadOnly marks the Management API, which the
// use-cases let no one change, so the list says so before anyone tries.
type resourceRow struct {
	model.Resource
	ReadOnly bool
}

// resourceView is one resource's page.
type resourceView struct {
	Resource  model.Resource
	ReadOnly  bool
	Scopes    []model.Scope
	Name, TTL string
	// ScopeName and ScopeDescription are the add-permission form's values, kept when refused.
	ScopeName, ScopeDescription string
}

func (c *Console) mountAccess(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mountSection(mux, cop, "/console/api-resources", section{list: c.serveResources, create: c.postResource,
		record: showRecord(c, "console.resources_heading", "resource", c.loadResource),
		writes: map[string]http.HandlerFunc{"": c.postResourceEdit, "/default": c.postResourceDefault,
			"/scopes": c.postScope, "/scopes/{scopeId}/delete": c.postScopeDelete, "/delete": c.postResourceDelete}})
	c.mountRoles(mux, cop)
}

func (c *Console) serveResources(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.resources_heading")
	if !ok {
		return
	}
	c.renderResources(w, r, http.StatusOK, d, &resourcesView{TTL: "3600"})
}

func (c *Console) renderResources(w http.ResponseWriter, r *http.Request, status int, d *page, v *resourcesView) {
	list, _, err := c.o.Access.ListResources(r.Context(), model.DefaultTenantID, model.Page{Limit: 200})
	if err != nil {
		c.internal(w, r, fmt.Errorf("console: list API resources: %w", err))
		return
	}
	v.Resources = make([]resourceRow, 0, len(list))
	for _, res := range list {
		v.Resources = append(v.Resources, resourceRow{Resource: res, ReadOnly: access.IsManagementAPI(res.Indicator)})
	}
	d.View = v
	c.render(w, r, status, "resources", d)
}

// resourceFieldRules place the resource and scope use-cases' refusals on the forms' fields.
var resourceFieldRules = []fieldRule{
	{"indicator", []string{"indicator", "identifier"}}, {"ttl", []string{"accessTokenTtl", "ttl"}},
	{"name", []string{"name"}},
}

// parseTTL reads a token lifetime in seconds; "" keeps Logto's default.
func parseTTL(s string) (*int64, bool) {
	if s = strings.TrimSpace(s); s == "" {
		return nil, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return &n, err == nil
}

// postResource creates an API resource (POST /api/resources).
func (c *Console) postResource(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.resources_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	v := &resourcesView{Name: strings.TrimSpace(r.PostFormValue("name")), Indicator: strings.TrimSpace(r.PostFormValue("indicator")), TTL: r.PostFormValue("ttl")}
	ttl, ok := parseTTL(v.TTL)
	var err error = refusal(d)
	var created model.Resource
	if ok {
		created, err = c.o.Access.CreateResource(r.Context(), model.DefaultTenantID, access.ResourceInput{Name: v.Name, Indicator: v.Indicator, AccessTokenTTL: ttl})
	} else {
		d.Fields = map[string]string{"ttl": d.Msg.T("console.app_whole_number")}
	}
	if err != nil {
		if !refuse(d, err, resourceFieldRules...) {
			c.internal(w, r, fmt.Errorf("console: create API resource %q: %w", v.Indicator, err))
			return
		}
		c.renderResources(w, r, http.StatusBadRequest, d, v)
		return
	}
	http.Redirect(w, r, "/console/api-resources/"+created.ID+"?notice=saved", http.StatusSeeOther)
}

// loadResource reads the path's resource and its permissions into d.View. An id no resource
// has gets the friendly 404 page; a fault reading it is answered as one (see missing).
func (c *Console) loadResource(w http.ResponseWriter, r *http.Request, d *page) (*resourceView, bool) {
	res, err := c.o.Access.GetResource(r.Context(), model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.resource_not_found")
		return nil, false
	}
	scopes, _, err := c.o.Access.ResourceScopes(r.Context(), model.DefaultTenantID, res.ID, "", model.Page{Limit: 500})
	if err != nil {
		c.internal(w, r, fmt.Errorf("console: list permissions of API resource %s: %w", res.ID, err))
		return nil, false
	}
	v := &resourceView{Resource: res, ReadOnly: access.IsManagementAPI(res.Indicator), Scopes: scopes, Name: res.Name,
		TTL: strconv.FormatInt(res.AccessTokenTTL, 10)}
	d.View, d.Title = v, res.Name
	return v, true
}

// resourceWrite is a write of the resource page (see writeOn and afterWrite).
func (c *Console) resourceWrite(w http.ResponseWriter, r *http.Request, rules []fieldRule, run func(d *page, v *resourceView) (notice string, err error)) {
	writeOn(c, w, r, "console.resources_heading", "resource", c.loadResource, rules, func(d *page, v *resourceView) (string, error) {
		notice, err := run(d, v)
		return afterWrite(d, notice, "/console/api-resources", "/console/api-resources/"+v.Resource.ID), err
	})
}

func (c *Console) postResourceEdit(w http.ResponseWriter, r *http.Request) {
	c.resourceWrite(w, r, resourceFieldRules, func(d *page, v *resourceView) (string, error) {
		v.Name, v.TTL = strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("ttl")
		ttl, ok := parseTTL(v.TTL)
		if !ok || ttl == nil {
			d.Fields = map[string]string{"ttl": d.Msg.T("console.app_whole_number")}
			return "", refusal(d)
		}
		_, err := c.o.Access.UpdateResource(r.Context(), model.DefaultTenantID, v.Resource.ID, access.ResourcePatch{Name: &v.Name, AccessTokenTTL: ttl})
		return "saved", err
	})
}

// postResourceDefault makes the resource the default one (tokens asked for without a resource
// are issued for it) or stops that.
func (c *Console) postResourceDefault(w http.ResponseWriter, r *http.Request) {
	c.resourceWrite(w, r, resourceFieldRules, func(d *page, v *resourceView) (string, error) {
		_, err := c.o.Access.SetDefaultResource(r.Context(), model.DefaultTenantID, v.Resource.ID, r.PostFormValue("default") == "yes")
		return "saved", err
	})
}

// scopeFieldRules place the permission use-case's refusals on the add-permission form: a bad
// description next to it, anything else about the permission (a space in the name, a name in
// use) next to its name; the Management API's own refusal stays at the top.
var scopeFieldRules = []fieldRule{
	{"scope_description", []string{"description"}}, {"scope_name", []string{"scope", "name"}},
}

// postScope adds a permission (POST /api/resources/:id/scopes); what was typed is kept when it
// is refused.
func (c *Console) postScope(w http.ResponseWriter, r *http.Request) {
	c.resourceWrite(w, r, scopeFieldRules, func(d *page, v *resourceView) (string, error) {
		v.ScopeName, v.ScopeDescription = strings.TrimSpace(r.PostFormValue("scope_name")), strings.TrimSpace(r.PostFormValue("scope_description"))
		var desc *string
		if v.ScopeDescription != "" {
			desc = &v.ScopeDescription
		}
		_, err := c.o.Access.CreateScope(r.Context(), model.DefaultTenantID, v.Resource.ID, v.ScopeName, desc)
		return "saved", err
	})
}

func (c *Console) postScopeDelete(w http.ResponseWriter, r *http.Request) {
	c.resourceWrite(w, r, resourceFieldRules, func(d *page, v *resourceView) (string, error) {
		return "saved", c.o.Access.DeleteScope(r.Context(), model.DefaultTenantID, v.Resource.ID, r.PathValue("scopeId"))
	})
}

// postResourceDelete deletes the resource and its permissions once the box is ticked.
func (c *Console) postResourceDelete(w http.ResponseWriter, r *http.Request) {
	c.resourceWrite(w, r, resourceFieldRules, func(d *page, v *resourceView) (string, error) {
		if err := confirm(d, r, "confirm_delete"); err != nil {
			return "", err
		}
		return "deleted", c.o.Access.DeleteResource(r.Context(), model.DefaultTenantID, v.Resource.ID)
	})
}
