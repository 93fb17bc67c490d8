package model

// ConsoleSession is a signed-in admin's session in the console, kept on the server.
type ConsoleSession struct {
	TenantID  string
	ID        string // hex SHA-256 of the session cookie's token
	UserID    string
	IDToken   string // the admin tenant's ID token, for end-session's id_token_hint
	CSRF      string // the console forms' token
	CreatedAt int64  // epoch ms
	ExpiresAt int64  // epoch ms
}
