package oautherr

import (
	"encoding/json"
	"net/http"
	"strings"
)

// RFC 6749 §5.2 and RFC 8707 §2 error codes used by the endpoints.
const (
	InvalidRequest       = "invalid_request"
	InvalidClient        = "invalid_client"
	InvalidGrant         = "invalid_grant"
	UnauthorizedClient   = "unauthorized_client"
	UnsupportedGrantType = "unsupported_grant_type"
	InvalidScope         = "invalid_scope"
	InvalidTarget        = "invalid_target"
	AccessDenied         = "access_denied"
	ServerError          = "server_error"
)

// Error is an OAuth 2.0 error answer: the RFC 6749 code, a description for developers and the
// HTTP status. Descriptions follow oidc-provider's wording, which Logto clients see.
type Error struct {
	Code        string
	Description string
	Status      int
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// New returns an *Error.
func New(status int, code, description string) *Error {
	return &Error{Code: code, Description: description, Status: status}
}

// BadRequest returns a 400 invalid_request with description.
func BadRequest(description string) *Error {
	return New(http.StatusBadRequest, InvalidRequest, description)
}

// ClientAuthFailed is oidc-provider's InvalidClientAuth: 401 invalid_client with one fixed
// description whatever went wrong (wrong secret, wrong method), so the answer tells an attacker
// nothing about which part was wrong.
func ClientAuthFailed() *Error {
	return New(http.StatusUnauthorized, InvalidClient, "client authentication failed")
}

// Internal is the answer to a fault inside the server: 500 server_error without internals,
// oidc-provider's wording.
func Internal() *Error {
	return New(http.StatusInternalServerError, ServerError, "oops! something went wrong")
}

// messages are Logto's English texts for `message` (packages/phrases errors/oidc.ts); codes not
// listed use Logto's fallback "An OIDC error occurred: oidc.<error>.".
var messages = map[string]string{
	InvalidRequest:              "Request is invalid.",
	InvalidGrant:                "Grant request is invalid.",
	AccessDenied:                "Access denied.",
	InvalidTarget:               "Invalid resource indicator.",
	UnsupportedGrantType:        "Unsupported `grant_type` requested.",
	ServerError:                 "An unknown OIDC error occurred. Please try again later.",
	"invalid_token":             "Invalid token provided.",
	"invalid_redirect_uri":      "`redirect_uri` did not match any of the client's registered `redirect_uris`.",
	"unsupported_response_type": "Unsupported `response_type` requested.",
	"unsupported_response_mode": "Unsupported `response_mode` requested.",
}

// errorURIs are the supplementary error_uri values Logto adds.
var errorURIs = map[string]string{InvalidGrant: "https://openid.sh/debug/invalid_grant"}

// body is the wire form, in Logto's field order.
type body struct {
	Code             string `json:"code,omitempty"`
	Message          string `json:"message,omitempty"`
	ErrorURI         string `json:"error_uri,omitempty"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// Message returns Logto's `message` text for an error code.
func Message(code string) string {
	if m, ok := messages[code]; ok {
		return m
	}
	return "An OIDC error occurred: oidc." + code + "."
}

// Body returns e's JSON body. raw selects the plain RFC 6749 body (Logto's `?parse_error=false`,
// for callers such as Google that treat `code` as a reserved key).
func Body(e *Error, raw bool) []byte {
	b := body{Error: e.Code, ErrorDescription: e.Description}
	if !raw {
		b.Code = "oidc." + e.Code
		b.Message = Message(e.Code)
		b.ErrorURI = errorURIs[e.Code]
	}
	out, err := json.Marshal(b)
	if err != nil { // strings always marshal; keep a valid body regardless
		return []byte(`{"error":"server_error"}`)
	}
	return out
}

// Write writes e as the response. The RFC-only body is chosen by the query parameter
// parse_error=false, as in Logto.
func Write(w http.ResponseWriter, r *http.Request, e *Error) {
	raw := strings.Contains(r.URL.RawQuery, "parse_error=") && r.URL.Query().Get("parse_error") == "false"
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status)
	_, _ = w.Write(Body(e, raw))
}
