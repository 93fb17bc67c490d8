package management

import (
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// signInExperienceRoutes are Logto's GET/PATCH /api/sign-in-exp
// (core/routes/sign-in-experience/index.ts) and the anonymous GET /api/.well-known/sign-in-exp
// the sign-in pages read (core/routes/well-known/index.ts).
func (a *API) signInExperienceRoutes() []route {
	const tag = "Sign-in experience"
	return []route{
		{method: "GET", path: "/api/sign-in-exp", tag: tag, summary: "Get default sign-in experience settings",
			status: 200, response: model.SignInExperience{}, handle: a.getSignInExperience},
		{method: "PATCH", path: "/api/sign-in-exp", tag: tag, summary: "Update default sign-in experience settings",
			status: 200, query: []queryParam{{"removeUnusedDemoSocialConnector", "Accepted for Logto compatibility; Gatehouse has no demo connectors."}},
			body: model.SignInExperience{}, response: model.SignInExperience{}, handle: a.patchSignInExperience},
		{method: "GET", path: "/api/.well-known/sign-in-exp", public: true, tag: "Well-known", summary: "Get full sign-in experience",
			status: 200, query: []queryParam{{"organizationId", "Accepted for Logto compatibility; no per-organization branding yet."},
				{"appId", "Accepted for Logto compatibility; no per-application branding yet."}},
			response: wellKnownSignInExperience{}, handle: a.getWellKnownSignInExperience},
	}
}

func (a *API) getSignInExperience(w http.ResponseWriter, r *http.Request) error {
	sie, err := a.svc.GetSignInExperience(r.Context(), a.tenantID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sie)
}

// patchSignInExperience hands the raw body to the service, which needs to know which top-level
// keys were sent (each replaces its member) and checks them the way Logto's guard does.
func (a *API) patchSignInExperience(w http.ResponseWriter, r *http.Request) error {
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	sie, err := a.svc.UpdateSignInExperience(r.Context(), a.tenantID, raw)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sie)
}

// wellKnownSignInExperience is Logto's FullSignInExperience: the settings plus what the sign-in
// page needs to render them. Gatehouse has no social, SSO, email or SMS connectors, custom
// profile fields, captcha or Google One Tap yet, so those members are empty (as on a Logto
// tenant without them) and the optional ones absent.
type wellKnownSignInExperience struct {
	model.SignInExperience
	SocialConnectors          []any          `json:"socialConnectors"`
	SSOConnectors             []any          `json:"ssoConnectors"`
	ForgotPassword            forgotPassword `json:"forgotPassword"`
	IsDevelopmentTenant       bool           `json:"isDevelopmentTenant"`
	CustomProfileFields       []any          `json:"customProfileFields"`
	CustomProfileFieldCatalog []any          `json:"customProfileFieldCatalog"`
}

// forgotPassword says which reset channels have a connector (getForgotPasswordAvailability).
type forgotPassword struct {
	Phone bool `json:"phone"`
	Email bool `json:"email"`
}

func (a *API) getWellKnownSignInExperience(w http.ResponseWriter, r *http.Request) error {
	sie, err := a.svc.GetSignInExperience(r.Context(), a.tenantID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wellKnownSignInExperience{
		SignInExperience:          sie,
		SocialConnectors:          []any{},
		SSOConnectors:             []any{},
		CustomProfileFields:       []any{},
		CustomProfileFieldCatalog: []any{},
	})
}
