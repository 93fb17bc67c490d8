package oautherr

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/faults"
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
	// TemporarilyUnavailable is RFC 6749 §4.1.2.1's code for a server that cannot handle the
	// request now (here: its database is unreachable).
	TemporarilyUnavailable = "temporarily_unavailable"

	// Authorization endpoint (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6, RFC 9101).
	InvalidRedirectURI       = "invalid_redirect_uri"
	UnsupportedResponseType  = "unsupported_response_type"
	UnsupportedResponseMode  = "unsupported_response_mode"
	LoginRequired            = "login_required"
	ConsentRequired          = "consent_required"
	InteractionRequired      = "interaction_required"
	RequestNotSupported      = "request_not_supported"
	RequestURINotSupported   = "request_uri_not_supported"
	RegistrationNotSupported = "registration_not_supported"
	InvalidToken             = "invalid_token"          // RFC 6750 §3.1
	InsufficientScope        = "insufficient_scope"     // RFC 6750 §3.1
	UnsupportedTokenType     = "unsupported_token_type" // RFC 7009 §2.2.1
)

// Error is an OAuth 2.0 error answer: the RFC 6749 code, a description for developers and the
// HTTP status. Descriptions follow oidc-provider's wording, which Logto clients see.
type Error struct {
	Code        string
	Description string
	Status      int
	// Scope names the missing scopes of invalid_scope and insufficient_scope answers (RFC 6750
	// §3), as oidc-provider adds it to the body.
	Scope string
	// Detail says what exactly failed, for the server's log only: oidc-provider answers every
	// invalid_grant with the same description ("grant request is invalid") so that a client
	// probing codes or tokens learns nothing from the answer, and so does Gatehouse.
	Detail string
}

func (e *Error) Error() string {
	s := e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// New returns an *Error.
func New(status int, code, description string) *Error {
	return &Error{Code: code, Description: description, Status: status}
}

// BadRequest returns a 400 invalid_request with description.
func BadRequest(description string) *Error {
	return New(http.StatusBadRequest, InvalidRequest, description)
}

// WithDetail returns a copy of e carrying detail for the log.
func (e *Error) WithDetail(detail string) *Error { c := *e; c.Detail = detail; return &c }

// InvalidGrantError is oidc-provider's InvalidGrant: 400 invalid_grant with one fixed description
// whatever was wrong with the code or token (not found, expired, another client's, replayed …);
// detail says which, for the log.
func InvalidGrantError(detail string) *Error {
	return &Error{Code: InvalidGrant, Description: "grant request is invalid", Status: http.StatusBadRequest, Detail: detail}
}

// MissingParams is oidc-provider's answer to absent required parameters:
// "missing required parameter 'code'", "missing required parameters 'code' and 'redirect_uri'".
func MissingParams(names ...string) *Error {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "'" + n + "'"
	}
	noun, list := "parameter", quoted[0]
	if len(quoted) > 1 {
		noun = "parameters"
		list = strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
	}
	return BadRequest("missing required " + noun + " " + list)
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

// Fault answers a fault inside the server: 503 temporarily_unavailable when the database
// cannot be reached (the client may retry), otherwise Internal's 500.
func Fault(err error) *Error {
	if faults.DatabaseUnavailable(err) {
		return New(http.StatusServiceUnavailable, TemporarilyUnavailable, "the server's database is unavailable; try again shortly")
	}
	return Internal()
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
	InvalidScope:                "Invalid scope: {{error_description}}.",
	InsufficientScope:           "Token missing scope `{{scope}}`.",
	"invalid_token":             "Invalid token provided.",
	"aborted":                   "The end-user aborted interaction.",
	"invalid_client_metadata":   "Invalid client metadata provided.",
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
	Scope            string `json:"scope,omitempty"`
}

// sessionNotFoundMessage is Logto's session.not_found text.
const sessionNotFoundMessage = "Session not found. Please go back and sign in again."

// isSessionNotFound is Logto's test for an error about a lost sign-in session
// (koa-oidc-error-handler.ts): such errors carry code session.not_found instead of oidc.<error>,
// so the experience can offer to start again.
func isSessionNotFound(description string) bool {
	return (strings.Contains(description, "session") && strings.Contains(description, "not found")) ||
		strings.Contains(description, "authorization request has expired")
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
	b := body{Error: e.Code, ErrorDescription: e.Description, Scope: e.Scope}
	if !raw {
		b.Code = "oidc." + e.Code
		b.Message = strings.NewReplacer("{{error_description}}", e.Description, "{{scope}}", e.Scope).Replace(Message(e.Code))
		if isSessionNotFound(e.Description) {
			b.Code, b.Message = "session.not_found", sessionNotFoundMessage
		}
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
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", faults.RetryAfterSeconds)
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(Body(e, raw))
}
