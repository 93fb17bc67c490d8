package management

import (
	"encoding/json"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
)

// connectorCreateBody is POST /api/connectors (Logto's Connectors.createGuard pick).
type connectorCreateBody struct {
	ID                 *string         `json:"id"`
	ConnectorID        *string         `json:"connectorId"`
	Config             json.RawMessage `json:"config"`
	Metadata           json.RawMessage `json:"metadata"`
	SyncProfile        *bool           `json:"syncProfile"`
	EnableTokenStorage *bool           `json:"enableTokenStorage"`
}

type connectorPatchBody struct {
	Config             json.RawMessage `json:"config"`
	Metadata           json.RawMessage `json:"metadata"`
	SyncProfile        *bool           `json:"syncProfile"`
	EnableTokenStorage *bool           `json:"enableTokenStorage"`
}

type connectorTestBody struct {
	Email  *string         `json:"email"`
	Phone  *string         `json:"phone"`
	Config json.RawMessage `json:"config"`
	Locale *string         `json:"locale"`
}

func (a *API) connectorRoutes() []route {
	const tag = "Connectors"
	return []route{
		{method: "GET", path: "/api/connector-factories", tag: "Connector factories", summary: "Get connector factories", status: 200,
			response: []connectors.FactoryView{}, handle: a.listFactories},
		{method: "GET", path: "/api/connector-factories/{id}", tag: "Connector factories", summary: "Get connector factory", status: 200,
			response: connectors.FactoryView{}, handle: a.getFactory},
		{method: "GET", path: "/api/connectors", tag: tag, summary: "Get connectors", status: 200,
			query: []queryParam{{"target", "Only connectors of this target."}}, response: []connectors.View{}, handle: a.listConnectors},
		{method: "POST", path: "/api/connectors", tag: tag, summary: "Create connector", status: 200,
			body: connectorCreateBody{}, response: connectors.View{}, handle: a.createConnector},
		{method: "GET", path: "/api/connectors/{id}", tag: tag, summary: "Get connector", status: 200,
			response: connectors.View{}, handle: a.getConnector},
		{method: "PATCH", path: "/api/connectors/{id}", tag: tag, summary: "Update connector", status: 200,
			body: connectorPatchBody{}, response: connectors.View{}, handle: a.updateConnector},
		{method: "DELETE", path: "/api/connectors/{id}", tag: tag, summary: "Delete connector", status: 204,
			handle: a.deleteConnector},
		{method: "POST", path: "/api/connectors/{factoryId}/test", tag: tag, summary: "Test passwordless connector", status: 204,
			body: connectorTestBody{}, handle: a.testConnector},
	}
}

func (a *API) listFactories(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, a.svc.Factories())
}

func (a *API) getFactory(w http.ResponseWriter, r *http.Request) error {
	f, err := a.svc.FactoryByID(r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

func (a *API) listConnectors(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.svc.ListConnectors(r.Context(), a.tenantID, r.URL.Query().Get("target"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cs)
}

func (a *API) createConnector(w http.ResponseWriter, r *http.Request) error {
	var b connectorCreateBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.ConnectorID == nil {
		return errRequired("connectorId")
	}
	in := connectors.CreateInput{ConnectorID: *b.ConnectorID, Config: b.Config, Metadata: b.Metadata}
	if b.ID != nil {
		if *b.ID == "" || len(*b.ID) > 128 {
			return invalidInput("body", "Error in key path \"id\": must be 1 to 128 characters.")
		}
		in.ID = *b.ID
	}
	in.SyncProfile, in.EnableTokenStorage = b.SyncProfile != nil && *b.SyncProfile, b.EnableTokenStorage != nil && *b.EnableTokenStorage
	c, err := a.svc.CreateConnector(r.Context(), a.tenantID, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c) // Logto answers 200 (logto-observed.md)
}

func (a *API) getConnector(w http.ResponseWriter, r *http.Request) error {
	c, err := a.svc.GetConnector(r.Context(), a.tenantID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *API) updateConnector(w http.ResponseWriter, r *http.Request) error {
	var b connectorPatchBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	c, err := a.svc.UpdateConnector(r.Context(), a.tenantID, r.PathValue("id"), connectors.Patch{
		Config: b.Config, Metadata: b.Metadata, SyncProfile: b.SyncProfile, EnableTokenStorage: b.EnableTokenStorage})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *API) deleteConnector(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.DeleteConnector(r.Context(), a.tenantID, r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) testConnector(w http.ResponseWriter, r *http.Request) error {
	var b connectorTestBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if err := a.svc.TestConnector(r.Context(), a.tenantID, r.PathValue("factoryId"), model.StringOf(b.Email), model.StringOf(b.Phone), b.Config); err != nil {
		return err
	}
	return noContent(w)
}
