package model

import "encoding/json"

// Interaction is an authorization request waiting for the user: created by the protocol at
// /oidc/auth, worked on by the sign-in experience (hosted pages or the Experience API), finished
// by the protocol at /oidc/auth/:uid. It is stored, not held in memory, so any node can continue
// it. This is the one narrow contract between the oidc and experience packages.
type Interaction struct {
	TenantID  string     `json:"tenantId"`
	UID       string     `json:"uid"`
	ClientID  string     `json:"clientId"`
	Params    AuthParams `json:"params"`
	SessionID string     `json:"sessionId,omitempty"` // the browser's SSO session, when it had one
	// Prompt is what the protocol asks of the experience: "login" (sign the user in) or
	// "consent" (the user is known; ask a third-party app's consent).
	Prompt string `json:"prompt"`
	// AccountID is the already signed-in user when Prompt is "consent".
	AccountID string `json:"accountId,omitempty"`
	// Result is set by the experience once the user has signed in (and consented).
	Result *InteractionResult `json:"result,omitempty"`
	// Experience is the experience engine's own state (interaction event, verification records,
	// profile being registered); opaque to the protocol.
	Experience json.RawMessage `json:"experience,omitempty"`
	// Version increases with every update, for optimistic concurrency between requests.
	Version   int64 `json:"version"`
	CreatedAt int64 `json:"createdAt"` // epoch ms
	ExpiresAt int64 `json:"expiresAt"` // epoch ms (Logto: 3600 s after creation)
}

// AuthParams is a validated authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636,
// RFC 8707, and Logto's extra parameters).
type AuthParams struct {
	ResponseType        string   `json:"response_type"`
	ResponseMode        string   `json:"response_mode,omitempty"` // query | form_post
	RedirectURI         string   `json:"redirect_uri"`
	Scope               string   `json:"scope"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	CodeChallenge       string   `json:"code_challenge,omitempty"`
	CodeChallengeMethod string   `json:"code_challenge_method,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	MaxAge              *int64   `json:"max_age,omitempty"`
	LoginHint           string   `json:"login_hint,omitempty"`
	UILocales           string   `json:"ui_locales,omitempty"`
	FirstScreen         string   `json:"first_screen,omitempty"`   // sign_in | register | …
	DirectSignIn        string   `json:"direct_sign_in,omitempty"` // social:<target> | sso:<id>
	Resource            []string `json:"resource,omitempty"`
	InteractionMode     string   `json:"interaction_mode,omitempty"` // legacy signIn | signUp
}

// InteractionResult is what the experience records when the user has signed in.
type InteractionResult struct {
	AccountID string   `json:"accountId"`     // user id
	AuthTime  int64    `json:"authTime"`      // unix seconds of the authentication
	AMR       []string `json:"amr,omitempty"` // e.g. ["pwd"]
	Event     string   `json:"event"`         // SignIn | Register
	// Consent: the scopes and resource scopes the user granted a third-party app (first-party apps
	// are consented automatically). Nil until consent was given.
	Consent *InteractionConsent `json:"consent,omitempty"`
}

// InteractionConsent is a user's grant to an application.
type InteractionConsent struct {
	Scopes         []string            `json:"scopes"`
	ResourceScopes map[string][]string `json:"resourceScopes,omitempty"` // indicator -> scope names
}
