package oidc

import (
	"encoding/json"
	"net/http"
)

// Discovery is the provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) in Logto's
// field names. It advertises only what Gatehouse serves today, so a client never follows a
// link to a 404 or picks a method that is refused: each later issue adds its own fields
// (authorization_endpoint, userinfo_endpoint, end_session_endpoint, response types and modes,
// code_challenge_methods_supported, scopes and claims come with the authorization code flow;
// introspection, revocation, device authorization and PAR endpoints with theirs), until the
// document equals Logto's (logto-core.md §1.2). Fields tagged omitempty are those later issues
// fill in.
type Discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint,omitempty"`
	JWKSURI               string `json:"jwks_uri"`
	EndSessionEndpoint    string `json:"end_session_endpoint,omitempty"`

	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	// ResponseTypesSupported is required by RFC 8414 and OIDC Discovery; with no authorization
	// endpoint yet, no response type is served, so it is empty (Logto's M2M clients likewise
	// register response_types []).
	ResponseTypesSupported []string `json:"response_types_supported"`
	SubjectTypesSupported  []string `json:"subject_types_supported"`
	// ClaimsParameterSupported and RequestURIParameterSupported are false, as in Logto; they are
	// stated because OIDC Discovery defaults request_uri_parameter_supported to true.
	ClaimsParameterSupported     bool `json:"claims_parameter_supported"`
	RequestURIParameterSupported bool `json:"request_uri_parameter_supported"`
}

// discovery builds the document for the tenant's signing algorithm.
func (p *Provider) discovery(alg string) Discovery {
	iss := p.opts.Issuer
	return Discovery{
		Issuer:              iss,
		TokenEndpoint:       iss + "/token",
		JWKSURI:             iss + "/jwks",
		GrantTypesSupported: p.token.SupportedGrantTypes(),
		// Logto registers every confidential client as client_secret_basic, and oidc-provider
		// also accepts client_secret_post from them; public clients (none) come with the
		// authorization code flow.
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		IDTokenSigningAlgValuesSupported:  []string{alg},
		ResponseTypesSupported:            []string{},
		SubjectTypesSupported:             []string{"public"},
	}
}

func (p *Provider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	set, err := p.keySet(r.Context())
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	body, err := json.Marshal(p.discovery(set.Algorithm()))
	if err != nil {
		p.internalError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}
