package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Key kinds accepted by Generate, the names of Logto's `db config rotate --type`.
const (
	KindEC  = "ec"  // EC P-384, signs ES384 (Logto's default)
	KindRSA = "rsa" // RSA 4096-bit, signs RS256
)

// Logto generates RSA keys of this size (packages/cli/src/commands/database/utils.ts).
const rsaGenerateBits = 4096

// minRSABits is the smallest RSA modulus accepted on import (RFC 7518 §3.3 requires 2048).
const minRSABits = 2048

// Generate returns a fresh private key in Logto's stored shape: kind "ec" or "" (P-384, Logto's default)
// or "rsa" (4096-bit). The value is a PKCS#8 PEM, as Logto's CLI writes it.
func Generate(kind string, now time.Time) (model.PrivateKey, error) {
	var (
		priv any
		err  error
	)
	switch kind {
	case KindEC, "":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case KindRSA:
		priv, err = rsa.GenerateKey(rand.Reader, rsaGenerateBits)
	default:
		return model.PrivateKey{}, fmt.Errorf("keys: unknown key kind %q; use %q or %q", kind, KindEC, KindRSA)
	}
	if err != nil {
		return model.PrivateKey{}, fmt.Errorf("keys: generate %s key: %w", kind, err)
	}
	value, err := encodePKCS8(priv)
	if err != nil {
		return model.PrivateKey{}, err
	}
	return model.PrivateKey{ID: ids.New(), Value: value, CreatedAt: now.Unix()}, nil
}

// FromPEM imports a private key given as a PEM or as the base64 of a PEM (Logto's
// OIDC_PRIVATE_KEYS accepts both and, like Logto, treats a value without '-' as base64).
// PKCS#8, SEC1 ("EC PRIVATE KEY") and PKCS#1 ("RSA PRIVATE KEY") blocks are accepted; an
// "EC PARAMETERS" block as `openssl ecparam -genkey` writes is skipped. Supported keys: EC P-256,
// P-384, P-521, RSA of at least 2048 bits, Ed25519. The stored value is re-encoded as PKCS#8.
// Errors never contain key material.
func FromPEM(pemOrBase64 string, now time.Time) (model.PrivateKey, error) {
	priv, err := parsePrivateKey(pemOrBase64)
	if err != nil {
		return model.PrivateKey{}, err
	}
	value, err := encodePKCS8(priv)
	if err != nil {
		return model.PrivateKey{}, err
	}
	return model.PrivateKey{ID: ids.New(), Value: value, CreatedAt: now.Unix()}, nil
}

// GenerateCookieKey returns a new entry for oidc.cookieKeys: a 32-character random value, the
// shape of Logto's generateStandardSecret.
func GenerateCookieKey(now time.Time) model.CookieKey {
	return model.CookieKey{ID: ids.New(), Value: ids.NewString(32), CreatedAt: now.Unix()}
}

func encodePKCS8(priv any) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("keys: encode PKCS#8: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// parsePrivateKey decodes a PEM (or base64 of a PEM) into a supported private key.
func parsePrivateKey(input string) (crypto.Signer, error) {
	text, err := pemText(input)
	if err != nil {
		return nil, err
	}
	found, err := findPrivateKeyBlock([]byte(text))
	if err != nil {
		return nil, err
	}
	parsed, err := parsePrivateKeyBlock(found)
	if err != nil {
		// The x509 error names the structure, never the bytes.
		return nil, fmt.Errorf("keys: parse %s: %w", found.Type, err)
	}
	return checkSupported(parsed)
}

// pemText is input trimmed, decoded from base64 when it is not a PEM already.
func pemText(input string) (string, error) {
	text := strings.TrimSpace(input)
	if text == "" {
		return "", errors.New("keys: private key is empty")
	}
	if strings.Contains(text, "-") {
		return text, nil
	}
	decoded, err := decodeBase64Loose(text)
	if err != nil {
		return "", errors.New("keys: private key is neither a PEM nor the base64 of a PEM")
	}
	return string(decoded), nil
}

// findPrivateKeyBlock returns the one unencrypted private key block of a PEM, passing over EC
// parameters.
func findPrivateKeyBlock(rest []byte) (*pem.Block, error) {
	var found *pem.Block
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "EC PARAMETERS":
			continue // written by `openssl ecparam -genkey` before the key; carries nothing we need
		case "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY":
			if found != nil {
				return nil, errors.New("keys: the PEM holds more than one private key; give one key per entry")
			}
			found = block
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("keys: encrypted private keys are not supported; decrypt it first (openssl pkcs8 -nocrypt)")
		default:
			return nil, fmt.Errorf("keys: unexpected PEM block %q; want PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY", block.Type)
		}
	}
	if found == nil {
		return nil, errors.New("keys: no PEM private key found")
	}
	if _, encrypted := found.Headers["Proc-Type"]; encrypted {
		return nil, errors.New("keys: encrypted private keys are not supported; decrypt it first")
	}
	return found, nil
}

// parsePrivateKeyBlock parses a PKCS#8, SEC 1 (EC) or PKCS#1 (RSA) private key block.
func parsePrivateKeyBlock(b *pem.Block) (any, error) {
	switch b.Type {
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(b.Bytes)
	}
	return x509.ParsePKCS8PrivateKey(b.Bytes)
}

// checkSupported returns the key as a crypto.Signer when it is a type and size we sign with.
func checkSupported(parsed any) (crypto.Signer, error) {
	switch k := parsed.(type) {
	case *ecdsa.PrivateKey:
		if _, _, err := ecAlgorithm(k.Curve); err != nil {
			return nil, err
		}
		return k, nil
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("keys: RSA key has %d bits; at least %d are required", bits, minRSABits)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("keys: unsupported private key type %T; use EC (P-256, P-384, P-521), RSA or Ed25519", parsed)
	}
}

// ecAlgorithm maps a curve to its JWS algorithm (RFC 7518 §3.4), as Logto's getEcSigningAlg does.
func ecAlgorithm(c elliptic.Curve) (alg string, hash crypto.Hash, err error) {
	switch c {
	case elliptic.P256():
		return "ES256", crypto.SHA256, nil
	case elliptic.P384():
		return "ES384", crypto.SHA384, nil
	case elliptic.P521():
		return "ES512", crypto.SHA512, nil
	}
	return "", 0, fmt.Errorf("keys: unsupported EC curve %s; use P-256, P-384 or P-521", c.Params().Name)
}

// decodeBase64Loose decodes standard or URL-safe base64, padded or not, ignoring line breaks
// (`base64` wraps at 76 columns by default).
func decodeBase64Loose(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// publicJWK is a public key as published in the JWKS (RFC 7517 §4, RFC 7518 §6).
type publicJWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

// The members Logto hashes into a kid, in the order its getCalculateKidComponents writes them
// (core/utils/jwks.ts): JSON.stringify of {crv,kty,x,y}, {e,kty,n} or {crv,kty,x}. The same
// lexicographic member set as the RFC 7638 thumbprint, so the kid is that thumbprint.
type (
	ecKidMembers struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
	}
	rsaKidMembers struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}
	okpKidMembers struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
	}
)

var b64 = base64.RawURLEncoding

// publicJWKOf returns the public JWK of priv with Logto's kid and the JWS algorithm it signs with.
func publicJWKOf(priv crypto.Signer) (publicJWK, error) {
	var (
		jwk     publicJWK
		members any
	)
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		alg, _, err := ecAlgorithm(k.Curve)
		if err != nil {
			return publicJWK{}, err
		}
		raw, err := k.PublicKey.Bytes() // 0x04 || X || Y, each padded to the field size (RFC 7518 §6.2.1.2)
		if err != nil {
			return publicJWK{}, fmt.Errorf("keys: encode EC public key: %w", err)
		}
		size := (len(raw) - 1) / 2
		jwk = publicJWK{Kty: "EC", Alg: alg, Crv: k.Curve.Params().Name,
			X: b64.EncodeToString(raw[1 : 1+size]), Y: b64.EncodeToString(raw[1+size:])}
		members = ecKidMembers{Crv: jwk.Crv, Kty: jwk.Kty, X: jwk.X, Y: jwk.Y}
	case *rsa.PrivateKey:
		// RFC 7518 §6.3.1: n and e are unsigned big-endian without leading zeros.
		jwk = publicJWK{Kty: "RSA", Alg: "RS256",
			N: b64.EncodeToString(k.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(k.E)).Bytes())}
		members = rsaKidMembers{E: jwk.E, Kty: jwk.Kty, N: jwk.N}
	case ed25519.PrivateKey:
		pub := k.Public().(ed25519.PublicKey)
		jwk = publicJWK{Kty: "OKP", Alg: "EdDSA", Crv: "Ed25519", X: b64.EncodeToString(pub)}
		members = okpKidMembers{Crv: jwk.Crv, Kty: jwk.Kty, X: jwk.X}
	default:
		return publicJWK{}, fmt.Errorf("keys: unsupported private key type %T", priv)
	}
	canonical, err := json.Marshal(members)
	if err != nil {
		return publicJWK{}, fmt.Errorf("keys: encode kid members: %w", err)
	}
	sum := sha256.Sum256(canonical)
	jwk.Kid = b64.EncodeToString(sum[:])
	jwk.Use = "sig"
	return jwk, nil
}
