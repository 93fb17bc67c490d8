package model

// Keys of per-tenant configuration rows (Logto table `logto_configs`).
const (
	ConfigPrivateKeys = "oidc.privateKeys"
	ConfigCookieKeys  = "oidc.cookieKeys"
	// ConfigSigningKeyRotationState records when a staged Next key becomes Current.
	ConfigSigningKeyRotationState = "signingKeyRotationState"
)

// Key statuses of staged signing-key rotation (Logto: exactly one Current, at most one Next and
// one Previous). Next is published in the JWKS before it signs; Previous stays published so
// tokens signed before a rotation still verify.
const (
	KeyCurrent  = "Current"
	KeyNext     = "Next"
	KeyPrevious = "Previous"
)

// PrivateKey is one entry of the oidc.privateKeys config row, in Logto's stored shape.
type PrivateKey struct {
	ID        string `json:"id"`
	Value     string `json:"value"`     // PKCS#8 PEM
	CreatedAt int64  `json:"createdAt"` // unix seconds, as Logto stores it
	Status    string `json:"status,omitempty"`
}

// CookieKey is one entry of the oidc.cookieKeys config row (newest first).
type CookieKey struct {
	ID        string `json:"id"`
	Value     string `json:"value"`
	CreatedAt int64  `json:"createdAt"` // unix seconds
}

// SigningKeyRotationState is the signingKeyRotationState config row.
type SigningKeyRotationState struct {
	SigningKeyRotationAt int64 `json:"signingKeyRotationAt"` // unix MILLISECONDS, as Logto stores it (Date.now() + grace*1000); 0 = nothing staged
}
