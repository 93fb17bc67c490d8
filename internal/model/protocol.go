package model

// Session is a browser's single sign-on session, found by the _session cookie. Times are epoch
// milliseconds except AuthTime.
type Session struct {
	ID string // public identifier, referenced by interactions, codes and authorizations
	// TokenHash is the SHA-256 digest of the cookie secret; the secret itself is never stored.
	TokenHash string
	AccountID string
	AuthTime  int64    // unix seconds of the sign-in (OIDC auth_time)
	AMR       []string // authentication methods of the sign-in, e.g. ["pwd"]
	CreatedAt int64
	ExpiresAt int64
}

// SessionAuthorization is a client's authorization within a session: the grant it holds and
// the session id (`sid`) its ID tokens carry.
type SessionAuthorization struct {
	SessionID string
	ClientID  string
	GrantID   string
	SID       string
	// PersistsLogout is set when the grant includes offline_access: ending the session then
	// leaves the grant's refresh tokens usable, as in Logto.
	PersistsLogout bool
}

// Grant is what one account allowed one client: OIDC scopes (openid, profile, offline_access…)
// and, per API resource indicator, resource scopes. Times are epoch milliseconds.
type Grant struct {
	ID             string
	AccountID      string
	ClientID       string
	Scopes         []string
	ResourceScopes map[string][]string
	CreatedAt      int64
	ExpiresAt      int64
}

// AuthorizationCode is a one-time code (RFC 6749 §4.1.2) with what the token request needs to
// check and to issue. Times are epoch milliseconds except AuthTime.
type AuthorizationCode struct {
	Hash                string // SHA-256 digest of the code
	GrantID             string
	ClientID            string
	AccountID           string
	SessionID           string
	SID                 string
	RedirectURI         string
	Scope               string   // space-separated granted scopes
	Resources           []string // RFC 8707 resource indicators of the authorization request
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	AuthTime            int64 // unix seconds
	CreatedAt           int64
	ExpiresAt           int64
	ConsumedAt          *int64 // set once the code was exchanged
}

// AccessToken is an opaque access token: valid at the userinfo endpoint (and introspection), never
// at an API resource, which receives JWT access tokens instead. Times are epoch milliseconds.
type AccessToken struct {
	Hash      string
	GrantID   string
	ClientID  string
	AccountID string
	Scope     string
	SID       string
	CreatedAt int64
	ExpiresAt int64
}

// RefreshToken is a refresh token and the authorization it carries forward. Times are epoch
// milliseconds except AuthTime.
type RefreshToken struct {
	Hash      string
	GrantID   string
	ClientID  string
	AccountID string
	Scope     string
	Resources []string
	Nonce     string
	SID       string
	AuthTime  int64 // unix seconds
	// Rotations counts the tokens before this one in its chain; FirstIssuedAt is when the chain's
	// first token was issued (rotation stops a year after it, as in oidc-provider).
	Rotations     int
	FirstIssuedAt int64
	CreatedAt     int64
	ExpiresAt     int64
	ConsumedAt    *int64 // set when the token was rotated
}
