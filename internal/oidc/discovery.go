package oidc

import (
	"encoding/json"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
)

// Discovery is the provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) in Logto's
// field names. It advertises only what Gatehouse serves, so a client never follows a link to a
// 404 or picks a method that is refused: compared with Logto's document (logto-core.md §1.2) it
// lacks the device authorization and PAR endpoints, back-channel logout, response types other
// than code, the organization, session and trusted-device scopes and their claims, and the JWT
// client authentication methods, none of which Gatehouse implements yet.
type Discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	EndSessionEndpoint    string `json:"end_session_endpoint"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint"`

	// AuthorizationResponseISSParameterSupported: every authorization response carries iss
	// (RFC 9207 §3), which Auth.js checks when advertised.
	AuthorizationResponseISSParameterSupported bool `json:"authorization_response_iss_parameter_supported"`

	ClaimTypesSupported               []string `json:"claim_types_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	// ClaimsParameterSupported and RequestURIParameterSupported are false, as in Logto; they are
	// stated because OIDC Discovery defaults request_uri_parameter_supported to true.
	ClaimsParameterSupported     bool `json:"claims_parameter_supported"`
	RequestURIParameterSupported bool `json:"request_uri_parameter_supported"`
}

// discovery builds the document for the tenant's signing algorithm.
func (p *Provider) discovery(alg string) Discovery {
	iss := p.opts.Issuer
	return Discovery{
		Issuer:                iss,
		AuthorizationEndpoint: iss + "/auth",
		TokenEndpoint:         iss + "/token",
		UserinfoEndpoint:      iss + "/me",
		JWKSURI:               iss + "/jwks",
		EndSessionEndpoint:    iss + "/session/end",
		IntrospectionEndpoint: iss + "/token/introspection",
		RevocationEndpoint:    iss + "/token/revocation",

		AuthorizationResponseISSParameterSupported: true,
		ClaimTypesSupported:                        []string{"normal"},
		ClaimsSupported:                            claims.SupportedClaims,
		CodeChallengeMethodsSupported:              []string{"S256"},
		GrantTypesSupported:                        p.token.SupportedGrantTypes(),
		ResponseModesSupported:                     []string{ModeFormPost, ModeFragment, ModeQuery},
		ResponseTypesSupported:                     []string{"code"},
		ScopesSupported:                            claims.Supported,
		SubjectTypesSupported:                      []string{"public"},
		// Logto registers confidential clients as client_secret_basic, and oidc-provider also
		// accepts client_secret_post from them; SPA and Native apps are public (none).
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "none"},
		IDTokenSigningAlgValuesSupported:  []string{alg},
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
