package management

import (
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/management/paging"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
)

type resourceCreateBody struct {
	Name           *string `json:"name"`
	Indicator      *string `json:"indicator"`
	AccessTokenTTL *int64  `json:"accessTokenTtl"`
}

type resourcePatchBody struct {
	Name           *string `json:"name"`
	AccessTokenTTL *int64  `json:"accessTokenTtl"`
}

type isDefaultBody struct {
	IsDefault *bool `json:"isDefault"`
}

type scopeCreateBody struct {
	Name        *string          `json:"name"`
	Description nullable[string] `json:"description"`
}

type scopePatchBody struct {
	Name        *string          `json:"name"`
	Description nullable[string] `json:"description"`
}

func (a *API) resourceRoutes() []route {
	const tag = "Resources"
	return []route{
		{method: "GET", path: "/api/resources", tag: tag, summary: "Get API resources", status: 200, paging: "optional",
			query:    []queryParam{{"includeScopes", "`true` to attach each resource's scopes."}},
			response: []access.ResourceWithScopes{}, handle: a.listResources},
		{method: "POST", path: "/api/resources", tag: tag, summary: "Create an API resource", status: 201,
			body: resourceCreateBody{}, response: access.ResourceWithScopes{}, handle: a.createResource},
		{method: "GET", path: "/api/resources/{id}", tag: tag, summary: "Get API resource", status: 200,
			response: model.Resource{}, handle: a.getResource},
		{method: "PATCH", path: "/api/resources/{id}", tag: tag, summary: "Update API resource", status: 200,
			body: resourcePatchBody{}, response: model.Resource{}, handle: a.updateResource},
		{method: "PATCH", path: "/api/resources/{id}/is-default", tag: tag, summary: "Set API resource as default", status: 200,
			body: isDefaultBody{}, response: model.Resource{}, handle: a.setDefaultResource},
		{method: "DELETE", path: "/api/resources/{id}", tag: tag, summary: "Delete API resource", status: 204,
			handle: a.deleteResource},
		{method: "GET", path: "/api/resources/{resourceId}/scopes", tag: tag, summary: "Get API resource scopes", status: 200,
			paging: "always", query: []queryParam{{"search", "Substring of name or description."}},
			response: []model.Scope{}, handle: a.listResourceScopes},
		{method: "POST", path: "/api/resources/{resourceId}/scopes", tag: tag, summary: "Create API resource scope", status: 201,
			body: scopeCreateBody{}, response: model.Scope{}, handle: a.createScope},
		{method: "PATCH", path: "/api/resources/{resourceId}/scopes/{scopeId}", tag: tag, summary: "Update API resource scope", status: 200,
			body: scopePatchBody{}, response: model.Scope{}, handle: a.updateScope},
		{method: "DELETE", path: "/api/resources/{resourceId}/scopes/{scopeId}", tag: tag, summary: "Delete API resource scope", status: 204,
			handle: a.deleteScope},
	}
}

// truthy is @silverhand/essentials' yes(): how Logto reads boolean query flags.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "y", "yes", "yep", "yeah":
		return true
	}
	return false
}

func (a *API) listResources(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, true)
	if err != nil {
		return err
	}
	list, total, err := a.svc.ListResources(r.Context(), a.tenantID, p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	if !truthy(r.URL.Query().Get("includeScopes")) {
		return writeJSON(w, http.StatusOK, list)
	}
	withScopes, err := a.svc.WithScopes(r.Context(), a.tenantID, list)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, withScopes)
}

func (a *API) createResource(w http.ResponseWriter, r *http.Request) error {
	var b resourceCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return errRequired("name")
	}
	if b.Indicator == nil {
		return errRequired("indicator")
	}
	res, err := a.svc.CreateResource(r.Context(), a.tenantID, access.ResourceInput{
		Name: *b.Name, Indicator: *b.Indicator, AccessTokenTTL: b.AccessTokenTTL})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, access.ResourceWithScopes{Resource: res, Scopes: []model.Scope{}})
}

func (a *API) getResource(w http.ResponseWriter, r *http.Request) error {
	res, err := a.svc.GetResource(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (a *API) updateResource(w http.ResponseWriter, r *http.Request) error {
	var b resourcePatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	res, err := a.svc.UpdateResource(r.Context(), a.tenantID, r.PathValue("id"),
		access.ResourcePatch{Name: b.Name, AccessTokenTTL: b.AccessTokenTTL})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (a *API) setDefaultResource(w http.ResponseWriter, r *http.Request) error {
	var b isDefaultBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.IsDefault == nil {
		return errRequired("isDefault")
	}
	res, err := a.svc.SetDefaultResource(r.Context(), a.tenantID, r.PathValue("id"), *b.IsDefault)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

func (a *API) deleteResource(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteResource(r.Context(), a.tenantID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) listResourceScopes(w http.ResponseWriter, r *http.Request) error {
	p, err := paging.Parse(r, false)
	if err != nil {
		return err
	}
	scopes, total, err := a.svc.ResourceScopes(r.Context(), a.tenantID, r.PathValue("resourceId"), paging.Search(r), p.Store())
	if err != nil {
		return err
	}
	paging.SetHeaders(w, r, p, total)
	return writeJSON(w, http.StatusOK, scopes)
}

func (a *API) createScope(w http.ResponseWriter, r *http.Request) error {
	var b scopeCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Name == nil {
		return errRequired("name")
	}
	sc, err := a.svc.CreateScope(r.Context(), a.tenantID, r.PathValue("resourceId"), *b.Name, b.Description.ptr())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sc)
}

func (a *API) updateScope(w http.ResponseWriter, r *http.Request) error {
	var b scopePatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	sc, err := a.svc.UpdateScope(r.Context(), a.tenantID, r.PathValue("resourceId"), r.PathValue("scopeId"),
		access.ScopePatch{Name: b.Name, Description: b.Description.patch()})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sc)
}

func (a *API) deleteScope(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteScope(r.Context(), a.tenantID, r.PathValue("resourceId"), r.PathValue("scopeId")); err != nil {
		return err
	}
	return noContent(w)
}
