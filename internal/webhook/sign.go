package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// SignatureHeader carries the body's signature (Logto's libraries/hook/utils.ts).
const SignatureHeader = "logto-signature-sha-256"

// Sign is the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the signing key's
// UTF-8 bytes (Logto's utils/sign.ts). Receivers such as LobeChat recompute it over the raw body
// with createHmac('sha256', key).update(body).digest('hex').
func Sign(signingKey string, body []byte) string {
	m := hmac.New(sha256.New, []byte(signingKey))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
