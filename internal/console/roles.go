package console

import (
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
)

// rolesView is the role list and the create form's values.
type rolesView struct {
	Roles                   []access.RoleSummary
	Name, Description, Type string
}

// roleView is one role's page: its permissions, and its users (User roles) or machine-to-machine
// applications (MachineToMachine roles), with what may be added.
type roleView struct {
	Role              model.Role
	Scopes            []access.ScopeWithResource
	Available         []scopeChoice // permissions of every resource the role lacks
	Users             []model.User
	Apps, AppChoices  []model.Application
	Name, Description string
	UserQuery         string
}

type scopeChoice struct{ ID, Label string }

func (c *Console) mountRoles(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mountSection(mux, cop, "/console/roles", section{list: c.serveRoles, create: c.postRole,
		record: showRecord(c, "console.roles_heading", "role", c.loadRole),
		writes: map[string]http.HandlerFunc{"": c.postRoleEdit, "/scopes": c.postRoleScopes,
			"/scopes/{scopeId}/remove": c.postRoleScopeRemove, "/users": c.postRoleUser, "/users/{userId}/remove": c.postRoleUserRemove,
			"/applications": c.postRoleApp, "/applications/{appId}/remove": c.postRoleAppRemove, "/delete": c.postRoleDelete}})
}

func (c *Console) serveRoles(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.roles_heading")
	if !ok {
		return
	}
	c.renderRoles(w, r, http.StatusOK, d, &rolesView{Type: string(model.RoleUser)})
}

func (c *Console) renderRoles(w http.ResponseWriter, r *http.Request, status int, d *page, v *rolesView) {
	list, _, err := c.o.Access.ListRoles(r.Context(), model.DefaultTenantID, model.RoleFilter{}, model.Page{Limit: 200})
	if err != nil {
		c.internal(w, r, err)
		return
	}
	v.Roles, d.View = list, v
	c.render(w, r, status, "roles", d)
}

// postRole creates a role (POST /api/roles).
func (c *Console) postRole(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.roles_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	v := &rolesView{Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")), Type: r.PostFormValue("type")}
	created, err := c.o.Access.CreateRole(r.Context(), model.DefaultTenantID, access.RoleInput{Name: v.Name, Description: v.Description, Type: model.RoleType(v.Type)})
	if err != nil {
		if !refuse(d, err, fieldRule{"description", []string{"description"}}, fieldRule{"type", []string{"type"}}, fieldRule{"name", []string{"name"}}) {
			c.internal(w, r, err)
			return
		}
		c.renderRoles(w, r, http.StatusBadRequest, d, v)
		return
	}
	http.Redirect(w, r, "/console/roles/"+created.ID+"?notice=saved", http.StatusSeeOther)
}

// loadRole reads the path's role with its permissions and members into d.View.
func (c *Console) loadRole(w http.ResponseWriter, r *http.Request, d *page) (*roleView, bool) {
	ctx, t := r.Context(), model.DefaultTenantID
	role, err := c.o.Access.GetRole(ctx, t, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.role_not_found")
		return nil, false
	}
	v := &roleView{Role: role, Name: role.Name, Description: role.Description}
	if v.Scopes, _, err = c.o.Access.RoleScopes(ctx, t, role.ID, "", model.Page{Limit: 500}); err == nil {
		v.Available, err = c.scopeChoices(r, role.Type, v.Scopes)
	}
	if err == nil && role.Type == model.RoleMachineToMachine {
		v.Apps, v.AppChoices, err = c.roleApps(r, role.ID)
	} else if err == nil {
		v.Users, _, err = c.o.Access.RoleUsers(ctx, t, role.ID, model.UserSearch{}, model.Page{Limit: 100})
	}
	if err != nil {
		c.internal(w, r, err)
		return nil, false
	}
	d.View, d.Title = v, role.Name
	return v, true
}

// scopeChoices lists every resource's permissions the role does not have yet; a User role is
// not offered the Management API's, which the use-case refuses to give users.
func (c *Console) scopeChoices(r *http.Request, typ model.RoleType, have []access.ScopeWithResource) ([]scopeChoice, error) {
	held := map[string]bool{}
	for _, s := range have {
		held[s.ID] = true
	}
	resources, _, err := c.o.Access.ListResources(r.Context(), model.DefaultTenantID, model.Page{Limit: 200})
	if err != nil {
		return nil, err
	}
	var out []scopeChoice
	for _, res := range resources {
		if typ == model.RoleUser && access.IsManagementAPI(res.Indicator) {
			continue
		}
		scopes, _, err := c.o.Access.ResourceScopes(r.Context(), model.DefaultTenantID, res.ID, "", model.Page{Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, s := range scopes {
			if !held[s.ID] {
				out = append(out, scopeChoice{ID: s.ID, Label: res.Name + " — " + s.Name})
			}
		}
	}
	return out, nil
}

// roleApps lists the role's applications and the machine-to-machine ones that could join.
func (c *Console) roleApps(r *http.Request, roleID string) ([]model.Application, []model.Application, error) {
	apps, _, err := c.o.Access.RoleApplications(r.Context(), model.DefaultTenantID, roleID, "", model.Page{Limit: 200})
	if err != nil {
		return nil, nil, err
	}
	all, _, err := c.o.Access.ListApplications(r.Context(), model.DefaultTenantID, model.ApplicationFilter{Types: []model.ApplicationType{model.AppMachineToMachine}}, model.Page{Limit: 200})
	if err != nil {
		return nil, nil, err
	}
	in := map[string]bool{}
	for _, a := range apps {
		in[a.ID] = true
	}
	var choices []model.Application
	for _, a := range all {
		if !in[a.ID] {
			choices = append(choices, a)
		}
	}
	return apps, choices, nil
}

// roleRules place the role use-cases' refusals on the role page's fields.
var roleRules = []fieldRule{{"scope", []string{"scope"}}, {"description", []string{"description"}}, {"user", []string{"user"}}, {"name", []string{"name"}}}

// roleWrite is a write of the role page (see writeOn and afterWrite).
func (c *Console) roleWrite(w http.ResponseWriter, r *http.Request, run func(d *page, v *roleView) (notice string, err error)) {
	writeOn(c, w, r, "console.roles_heading", "role", c.loadRole, roleRules, func(d *page, v *roleView) (string, error) {
		notice, err := run(d, v)
		return afterWrite(d, notice, "/console/roles", "/console/roles/"+v.Role.ID), err
	})
}

func (c *Console) postRoleEdit(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		v.Name, v.Description = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("description"))
		_, err := c.o.Access.UpdateRole(r.Context(), model.DefaultTenantID, v.Role.ID, access.RolePatch{Name: &v.Name, Description: &v.Description})
		return "saved", err
	})
}

func (c *Console) postRoleScopes(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		ids := r.PostForm["scope"]
		if len(ids) == 0 {
			d.Fields = map[string]string{"scope": d.Msg.T("console.role_pick_scope")}
			return "", refusal(d)
		}
		_, err := c.o.Access.AddRoleScopes(r.Context(), model.DefaultTenantID, v.Role.ID, ids)
		return "saved", err
	})
}

func (c *Console) postRoleScopeRemove(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		return "saved", c.o.Access.RemoveRoleScope(r.Context(), model.DefaultTenantID, v.Role.ID, r.PathValue("scopeId"))
	})
}

// postRoleUser adds a user found by username, email or id (an exact match).
func (c *Console) postRoleUser(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		v.UserQuery = strings.TrimSpace(r.PostFormValue("user"))
		id, found := c.findUser(r, v.UserQuery)
		if !found {
			d.Fields = map[string]string{"user": d.Msg.T("console.role_user_not_found")}
			return "", refusal(d)
		}
		return "saved", c.o.Access.AddRoleUsers(r.Context(), model.DefaultTenantID, v.Role.ID, []string{id})
	})
}

// findUser finds one user whose id, username or email is q exactly.
func (c *Console) findUser(r *http.Request, q string) (string, bool) {
	if q == "" {
		return "", false
	}
	if u, err := c.o.Users.GetUser(r.Context(), model.DefaultTenantID, q); err == nil {
		return u.ID, true
	}
	f := model.UserFilter{Search: model.UserSearch{Matches: []model.UserMatch{{Mode: model.UserMatchExact, Values: []string{q}}}}}
	list, _, err := c.o.Users.ListUsers(r.Context(), model.DefaultTenantID, f, model.Page{Limit: 2})
	if err != nil || len(list) != 1 {
		return "", false
	}
	return list[0].ID, true
}

func (c *Console) postRoleUserRemove(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		return "saved", c.o.Access.RemoveRoleUser(r.Context(), model.DefaultTenantID, v.Role.ID, r.PathValue("userId"))
	})
}

func (c *Console) postRoleApp(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		return "saved", c.o.Access.AddRoleApplications(r.Context(), model.DefaultTenantID, v.Role.ID, []string{r.PostFormValue("app")})
	})
}

func (c *Console) postRoleAppRemove(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		return "saved", c.o.Access.RemoveRoleApplication(r.Context(), model.DefaultTenantID, v.Role.ID, r.PathValue("appId"))
	})
}

// postRoleDelete deletes the role once the box is ticked: its users and apps lose its
// permissions in the next tokens they get.
func (c *Console) postRoleDelete(w http.ResponseWriter, r *http.Request) {
	c.roleWrite(w, r, func(d *page, v *roleView) (string, error) {
		if err := confirm(d, r, "confirm_delete"); err != nil {
			return "", err
		}
		return "deleted", c.o.Access.DeleteRole(r.Context(), model.DefaultTenantID, v.Role.ID)
	})
}
