package management

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/management/paging"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
)

// applicationCreateBody is POST /api/applications (Logto's applicationCreateGuard).
type applicationCreateBody struct {
	Name                 *string                     `json:"name"`
	Type                 *model.ApplicationType      `json:"type"`
	Description          nullable[string]            `json:"description"`
	OIDCClientMetadata   *model.OIDCClientMetadata   `json:"oidcClientMetadata"`
	CustomClientMetadata *model.CustomClientMetadata `json:"customClientMetadata"`
	CustomData           json.RawMessage             `json:"customData"`
	IsThirdParty         *bool                       `json:"isThirdParty"`
	ProtectedAppMetadata json.RawMessage             `json:"protectedAppMetadata"`
}

// applicationPatchBody is PATCH /api/applications/:id (Logto's applicationPatchGuard).
type applicationPatchBody struct {
	Name                         *string                               `json:"name"`
	Description                  nullable[string]                      `json:"description"`
	OIDCClientMetadata           *applications.OIDCClientMetadataPatch `json:"oidcClientMetadata"`
	CustomClientMetadata         *model.CustomClientMetadata           `json:"customClientMetadata"`
	CustomData                   json.RawMessage                       `json:"customData"`
	AppLevelAccessControlEnabled *bool                                 `json:"appLevelAccessControlEnabled"`
}

// applicationDetail is GET /api/applications/:id: the application and whether it holds
// Logto's deprecated internal admin role, which Gatehouse never creates.
type applicationDetail struct {
	model.Application
	IsAdmin bool `json:"isAdmin"`
}

type secretCreateBody struct {
	Name      *string `json:"name"`
	ExpiresAt *int64  `json:"expiresAt"`
}

type secretPatchBody struct {
	Name *string `json:"name"`
}

type roleIDsBody struct {
	RoleIDs []string `json:"roleIds"`
}

type roleIDsResult struct {
	RoleIDs      []string `json:"roleIds"`
	AddedRoleIDs []string `json:"addedRoleIds"`
}

func (a *API) applicationRoutes() []route {
	const tag = "Applications"
	return []route{
		{method: "GET", path: "/api/applications", tag: tag, summary: "Get applications", status: 200, paging: "optional",
			query: []queryParam{{"types", "Application types to include (repeatable)."}, {"isThirdParty", "`true` or `false`."},
				{"excludeRoleId", "Leave out applications holding this role."}, {"search", "Substring of id, name or description."}},
			response: []model.Application{}, handle: a.listApplications},
		{method: "POST", path: "/api/applications", tag: tag, summary: "Create an application", status: 200,
			body: applicationCreateBody{}, response: applications.CreatedApplication{}, handle: a.createApplication},
		{method: "GET", path: "/api/applications/{id}", tag: tag, summary: "Get application", status: 200,
			response: applicationDetail{}, handle: a.getApplication},
		{method: "PATCH", path: "/api/applications/{id}", tag: tag, summary: "Update application", status: 200,
			body: applicationPatchBody{}, response: model.Application{}, handle: a.updateApplication},
		{method: "DELETE", path: "/api/applications/{id}", tag: tag, summary: "Delete application", status: 204,
			handle: a.deleteApplication},
		{method: "GET", path: "/api/applications/{id}/secrets", tag: tag, summary: "Get application secrets", status: 200,
			response: []model.ApplicationSecret{}, handle: a.listSecrets},
		{method: "POST", path: "/api/applications/{id}/secrets", tag: tag, summary: "Add application secret", status: 201,
			body: secretCreateBody{}, response: model.ApplicationSecret{}, handle: a.addSecret},
		{method: "PATCH", path: "/api/applications/{id}/secrets/{name}", tag: tag, summary: "Update application secret", status: 200,
			body: secretPatchBody{}, response: model.ApplicationSecret{}, handle: a.renameSecret},
		{method: "DELETE", path: "/api/applications/{id}/secrets/{name}", tag: tag, summary: "Delete application secret", status: 204,
			handle: a.deleteSecret},
		{method: "GET", path: "/api/applications/{id}/roles", tag: tag, summary: "Get application API resource roles", status: 200,
			paging: "always", query: []queryParam{{"search", "Substring of id, name or description."}},
			response: []model.Role{}, handle: a.listApplicationRoles},
		{method: "POST", path: "/api/applications/{id}/roles", tag: tag, summary: "Assign API resource roles to application", status: 201,
			body: roleIDsBody{}, response: roleIDsResult{}, handle: a.assignApplicationRoles},
		{method: "PUT", path: "/api/applications/{id}/roles", tag: tag, summary: "Update API resource roles for application", status: 200,
			body: roleIDsBody{}, handle: a.replaceApplicationRoles},
		{method: "DELETE", path: "/api/applications/{id}/roles/{roleId}", tag: tag, summary: "Remove a API resource role from application", status: 204,
			handle: a.removeApplicationRole},
	}
}

func (a *API) listApplications(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, true)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := model.ApplicationFilter{ExcludeRoleID: q.Get("excludeRoleId"), Search: paging.Search(r)}
	for _, raw := range q["types"] {
		// Accept repeated `types` and, leniently, a comma-separated list.
		for _, t := range strings.Split(raw, ",") {
			at := model.ApplicationType(t)
			if !at.Valid() {
				return invalidInput("query", "Error in key path \"types\": %q is not an application type.", t)
			}
			f.Types = append(f.Types, at)
		}
	}
	switch v := q.Get("isThirdParty"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.IsThirdParty = &b
	default:
		return invalidInput("query", "Error in key path \"isThirdParty\": Expected 'true' or 'false'.")
	}
	apps, total, err := a.svc.ListApplications(r.Context(), a.tenantID, f, p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, nonNil(apps))
}

func (a *API) createApplication(w http.ResponseWriter, r *http.Request) error {
	var b applicationCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return errRequired("name")
	}
	if b.Type == nil {
		return errRequired("type")
	}
	in := applications.CreateApplicationInput{Name: *b.Name, Type: *b.Type, CustomData: b.CustomData,
		ProtectedAppMetadata: b.ProtectedAppMetadata}
	if d := b.Description.ptr(); d != nil {
		in.Description = *d
	}
	if m := b.OIDCClientMetadata; m != nil {
		in.RedirectURIs, in.PostLogoutRedirectURIs = m.RedirectURIs, m.PostLogoutRedirectURIs
		in.BackchannelLogoutURI, in.BackchannelLogoutSessionRequired, in.LogoURI =
			m.BackchannelLogoutURI, m.BackchannelLogoutSessionRequired, m.LogoURI
	}
	if b.CustomClientMetadata != nil {
		in.CustomClientMetadata = *b.CustomClientMetadata
	}
	if b.IsThirdParty != nil {
		in.IsThirdParty = *b.IsThirdParty
	}
	created, err := a.svc.CreateApplication(r.Context(), a.tenantID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, created)
}

func (a *API) getApplication(w http.ResponseWriter, r *http.Request) error {
	app, err := a.svc.GetApplication(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, applicationDetail{Application: app})
}

func (a *API) updateApplication(w http.ResponseWriter, r *http.Request) error {
	var b applicationPatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	app, err := a.svc.UpdateApplication(r.Context(), a.tenantID, r.PathValue("id"), applications.ApplicationPatch{
		Name: b.Name, Description: b.Description.patch(), OIDCClientMetadata: b.OIDCClientMetadata,
		CustomClientMetadata: b.CustomClientMetadata, CustomData: b.CustomData,
		AppLevelAccessControlEnabled: b.AppLevelAccessControlEnabled,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, app)
}

func (a *API) deleteApplication(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteApplication(r.Context(), a.tenantID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) listSecrets(w http.ResponseWriter, r *http.Request) error {
	secrets, err := a.svc.ListSecrets(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, secrets)
}

func (a *API) addSecret(w http.ResponseWriter, r *http.Request) error {
	var b secretCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return errRequired("name")
	}
	secret, err := a.svc.AddSecret(r.Context(), a.tenantID, r.PathValue("id"), *b.Name, b.ExpiresAt)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, secret)
}

func (a *API) renameSecret(w http.ResponseWriter, r *http.Request) error {
	var b secretPatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return errRequired("name")
	}
	secret, err := a.svc.RenameSecret(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("name"), *b.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, secret)
}

func (a *API) deleteSecret(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteSecret(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("name")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) listApplicationRoles(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	roles, total, err := a.svc.ApplicationRoles(r.Context(), a.tenantID, r.PathValue("id"), paging.Search(r), p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, roles)
}

// decodeRoleIDs reads {roleIds: [non-empty string, …]}.
func decodeRoleIDs(r *http.Request) ([]string, error) {
	var b roleIDsBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.RoleIDs == nil {
		return nil, errRequired("roleIds")
	}
	if err := nonEmptyIDs("roleIds", b.RoleIDs); err != nil {
		return nil, err
	}
	return b.RoleIDs, nil
}

func (a *API) assignApplicationRoles(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeRoleIDs(r)
	if err != nil {
		return err
	}
	added, err := a.svc.AssignApplicationRoles(r.Context(), a.tenantID, r.PathValue("id"), ids)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, roleIDsResult{RoleIDs: ids, AddedRoleIDs: added})
}

func (a *API) replaceApplicationRoles(w http.ResponseWriter, r *http.Request) error {
	ids, err := decodeRoleIDs(r)
	if err != nil {
		return err
	}
	if err := a.svc.ReplaceApplicationRoles(r.Context(), a.tenantID, r.PathValue("id"), ids); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (a *API) removeApplicationRole(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.RemoveApplicationRole(r.Context(), a.tenantID, r.PathValue("id"), r.PathValue("roleId")); err != nil {
		return err
	}
	return noContent(w)
}

// nonEmptyIDs refuses empty strings in an id list (Logto's string().min(1).array()).
func nonEmptyIDs(field string, ids []string) error {
	for i, id := range ids {
		if id == "" {
			return invalidInput("body", "Error in key path \"%s.%d\": String must contain at least 1 character(s).", field, i)
		}
	}
	return nil
}

// nonNil returns s, or an empty slice for nil, so lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
