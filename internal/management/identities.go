package management

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// identityBody is Logto's identityGuard: the provider's account id and what it said.
type identityBody struct {
	UserID  *string         `json:"userId"`
	Details json.RawMessage `json:"details"`
}

// linkIdentityBody is POST /api/users/:id/identities: a connector and its callback parameters.
type linkIdentityBody struct {
	ConnectorID   *string        `json:"connectorId"`
	ConnectorData map[string]any `json:"connectorData"`
}

// identityResponse is GET /api/users/:id/identities/:target.
type identityResponse struct {
	Identity json.RawMessage `json:"identity"`
}

// identityRoutes are Logto's admin-user-social routes.
func (a *API) identityRoutes() []route {
	const tag = "Users"
	return []route{
		{method: "GET", path: "/api/users/{userId}/identities/{target}", tag: tag, summary: "Get a user's social identity", status: 200,
			response: identityResponse{}, handle: a.getUserIdentity},
		{method: "PUT", path: "/api/users/{userId}/identities/{target}", tag: tag, summary: "Update social identity of user", status: 200,
			body: identityBody{}, response: json.RawMessage{}, handle: a.putUserIdentity},
		{method: "POST", path: "/api/users/{userId}/identities", tag: tag, summary: "Link social identity to user", status: 200,
			body: linkIdentityBody{}, response: json.RawMessage{}, handle: a.linkUserIdentity},
		{method: "DELETE", path: "/api/users/{userId}/identities/{target}", tag: tag, summary: "Delete social identity from user", status: 200,
			response: userResponse{}, handle: a.deleteUserIdentity},
	}
}

func (a *API) getUserIdentity(w http.ResponseWriter, r *http.Request) error {
	raw, err := a.svc.UserIdentity(r.Context(), a.tenantID, r.PathValue("userId"), r.PathValue("target"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, identityResponse{Identity: raw})
}

// putUserIdentity answers 201 when the target is new to the user, else 200, with the user's
// identities (Logto's response).
func (a *API) putUserIdentity(w http.ResponseWriter, r *http.Request) error {
	var b identityBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.UserID == nil {
		return errRequired("userId")
	}
	u, created, err := a.svc.PutUserIdentity(r.Context(), a.tenantID, r.PathValue("userId"), r.PathValue("target"), *b.UserID, b.Details)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, model.ObjectOrEmpty(u.Identities))
}

// linkUserIdentity redeems connectorData (the provider's callback parameters) with the
// connector and links the account it names. As in Logto this suits connectors that keep nothing
// between the authorization request and the callback: the state is taken from connectorData,
// and no PKCE verifier or nonce can be checked.
func (a *API) linkUserIdentity(w http.ResponseWriter, r *http.Request) error {
	var b linkIdentityBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.ConnectorID == nil {
		return errRequired("connectorId")
	}
	if b.ConnectorData == nil {
		return errRequired("connectorData")
	}
	params := url.Values{}
	for k, v := range b.ConnectorData {
		if s, ok := v.(string); ok {
			params.Set(k, s)
		}
	}
	sc, err := a.svc.SocialConnector(r.Context(), a.tenantID, *b.ConnectorID)
	if err != nil {
		return socialError(err)
	}
	info, err := sc.Social.UserInfo(r.Context(), connector.Session{State: params.Get("state"), RedirectURI: params.Get("redirectUri")}, params)
	if err != nil {
		return socialError(err)
	}
	details, err := json.Marshal(info)
	if err != nil {
		return err
	}
	u, _, err := a.svc.PutUserIdentity(r.Context(), a.tenantID, r.PathValue("userId"), sc.Target, info.ID, details)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, model.ObjectOrEmpty(u.Identities))
}

// socialError is a connector's failure as Logto's 400 connector.<code>.
func socialError(err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return apperr.New(http.StatusBadRequest, "connector."+ce.Code, "%s", ce.Message)
	}
	return err
}

func (a *API) deleteUserIdentity(w http.ResponseWriter, r *http.Request) error {
	u, err := a.svc.UnlinkSocialIdentity(r.Context(), a.tenantID, r.PathValue("userId"), r.PathValue("target"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUserResponse(u))
}
