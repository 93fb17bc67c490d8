package management

import (
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/management/paging"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
)

type roleCreateBody struct {
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	Type        *model.RoleType `json:"type"`
	IsDefault   *bool           `json:"isDefault"`
	ScopeIDs    []string        `json:"scopeIds"`
}

type rolePatchBody struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	IsDefault   *bool   `json:"isDefault"`
}

type scopeIDsBody struct {
	ScopeIDs []string `json:"scopeIds"`
}

type applicationIDsBody struct {
	ApplicationIDs []string `json:"applicationIds"`
}

func (a *API) roleRoutes() []route {
	const tag = "Roles"
	return []route{
		{method: "GET", path: "/api/roles", tag: tag, summary: "Get roles", status: 200, paging: "always",
			query: []queryParam{{"search", "Substring of id, name or description."}, {"type", "User or MachineToMachine."},
				{"excludeApplicationId", "Leave out roles this application holds."}, {"excludeUserId", "Leave out roles this user holds."}},
			response: []access.RoleSummary{}, handle: a.listRoles},
		{method: "POST", path: "/api/roles", tag: tag, summary: "Create a role", status: 200,
			body: roleCreateBody{}, response: model.Role{}, handle: a.createRole},
		{method: "GET", path: "/api/roles/{id}", tag: tag, summary: "Get role", status: 200,
			response: model.Role{}, handle: a.getRole},
		{method: "PATCH", path: "/api/roles/{id}", tag: tag, summary: "Update role", status: 200,
			body: rolePatchBody{}, response: model.Role{}, handle: a.updateRole},
		{method: "DELETE", path: "/api/roles/{id}", tag: tag, summary: "Delete role", status: 204,
			handle: a.deleteRole},
		{method: "GET", path: "/api/roles/{id}/scopes", tag: tag, summary: "Get role scopes", status: 200, paging: "optional",
			query:    []queryParam{{"search", "Substring of name or description."}},
			response: []access.ScopeWithResource{}, handle: a.listRoleScopes},
		{method: "POST", path: "/api/roles/{id}/scopes", tag: tag, summary: "Link scopes to role", status: 201,
			body: scopeIDsBody{}, response: []model.Scope{}, handle: a.addRoleScopes},
		{method: "DELETE", path: "/api/roles/{id}/scopes/{scopeId}", tag: tag, summary: "Unlink scope from role", status: 204,
			handle: a.removeRoleScope},
		{method: "GET", path: "/api/roles/{id}/applications", tag: tag, summary: "Get role applications", status: 200, paging: "always",
			query:    []queryParam{{"search", "Substring of id, name or description."}},
			response: []model.Application{}, handle: a.listRoleApplications},
		{method: "POST", path: "/api/roles/{id}/applications", tag: tag, summary: "Assign role to applications", status: 201,
			body: applicationIDsBody{}, handle: a.addRoleApplications},
		{method: "DELETE", path: "/api/roles/{id}/applications/{applicationId}", tag: tag, summary: "Remove role from application", status: 204,
			handle: a.removeRoleApplication},
	}
}

func (a *API) listRoles(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := model.RoleFilter{Search: paging.Search(r), ExcludeApplicationID: q.Get("excludeApplicationId"),
		ExcludeUserID: q.Get("excludeUserId")}
	if t := q.Get("type"); t != "" {
		f.Type = model.RoleType(t)
		if !f.Type.Valid() {
			return invalidInput("query", "Error in key path \"type\": Expected 'User' | 'MachineToMachine'.")
		}
	}
	roles, total, err := a.svc.ListRoles(r.Context(), a.tenantID, f, p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, roles)
}

func (a *API) createRole(w http.ResponseWriter, r *http.Request) error {
	var b roleCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return errRequired("name")
	}
	if b.Description == nil {
		return errRequired("description")
	}
	in := access.RoleInput{Name: *b.Name, Description: *b.Description, ScopeIDs: b.ScopeIDs}
	if b.Type != nil {
		in.Type = *b.Type
		if !in.Type.Valid() {
			return invalidInput("body", "Error in key path \"type\": Expected 'User' | 'MachineToMachine'.")
		}
	}
	if b.IsDefault != nil {
		in.IsDefault = *b.IsDefault
	}
	if err := nonEmptyIDs("scopeIds", b.ScopeIDs); err != nil {
		return err
	}
	role, err := a.svc.CreateRole(r.Context(), a.tenantID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, role)
}

func (a *API) getRole(w http.ResponseWriter, r *http.Request) error {
	role, err := a.svc.GetRole(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, role)
}

func (a *API) updateRole(w http.ResponseWriter, r *http.Request) error {
	var b rolePatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	role, err := a.svc.UpdateRole(r.Context(), a.tenantID, r.PathValue("id"),
		access.RolePatch{Name: b.Name, Description: b.Description, IsDefault: b.IsDefault})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, role)
}

func (a *API) deleteRole(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteRole(r.Context(), a.tenantID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) listRoleScopes(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, true)
	if err != nil {
		return err
	}
	scopes, total, err := a.svc.RoleScopes(r.Context(), a.tenantID, r.PathValue("id"), paging.Search(r), p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, scopes)
}

func (a *API) addRoleScopes(w http.ResponseWriter, r *http.Request) error {
	var b scopeIDsBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if len(b.ScopeIDs) == 0 {
		return errEmptyArray("scopeIds")
	}
	if err := nonEmptyIDs("scopeIds", b.ScopeIDs); err != nil {
		return err
	}
	scopes, err := a.svc.AddRoleScopes(r.Context(), a.tenantID, r.PathValue("id"), b.ScopeIDs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, scopes)
}

func (a *API) removeRoleScope(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RemoveRoleScope(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("scopeId")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) listRoleApplications(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	apps, total, err := a.svc.RoleApplications(r.Context(), a.tenantID, r.PathValue("id"), paging.Search(r), p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, apps)
}

func (a *API) addRoleApplications(w http.ResponseWriter, r *http.Request) error {
	var b applicationIDsBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if len(b.ApplicationIDs) == 0 {
		return errEmptyArray("applicationIds")
	}
	if err := nonEmptyIDs("applicationIds", b.ApplicationIDs); err != nil {
		return err
	}
	if err := a.svc.AddRoleApplications(r.Context(), a.tenantID, r.PathValue("id"), b.ApplicationIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (a *API) removeRoleApplication(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RemoveRoleApplication(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("applicationId")); err != nil {
		return err
	}
	return noContent(w)
}
