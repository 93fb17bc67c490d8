package keys

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// base64Run finds the stretches of an input that could be key material in an error message.
var base64Run = regexp.MustCompile(`[A-Za-z0-9+/]{16,}`)

// pemTypes are the block types parsePrivateKey reads, indexed by FuzzPrivateKeyImport's kind.
var pemTypes = []string{"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "EC PARAMETERS", "ENCRYPTED PRIVATE KEY", "PUBLIC KEY"}

// FuzzPrivateKeyImport fuzzes the parser of OIDC_PRIVATE_KEYS / OIDC_PRIVATE_KEY_PATHS entries
// (FromPEM: PEM or base64 of a PEM; PKCS#8, SEC1, PKCS#1). Gatehouse parses no JWKS or public
// JWK from outside, so this is the only key parser fed from beyond the process. It is fed twice
// per input: the text as given, and raw DER wrapped in a PEM block of a chosen type (so the
// fuzzer mutates the ASN.1 directly rather than its base64). Properties:
//
//   - an error starts with "keys: " and quotes no run of the input's base64 (no key material);
//   - an accepted key is stored as exactly one PKCS#8 PEM block, and importing that again gives
//     the same value (the import is idempotent);
//   - a PEM (trimmed of surrounding white space) and the base64 of it import alike;
//   - an accepted key makes a Set whose JWKS parses with go-jose (an independent RFC 7517
//     implementation), whose kid is the key's RFC 7638 thumbprint, and whose signature both Verify
//     and go-jose accept.
func FuzzPrivateKeyImport(f *testing.F) {
	var valid []string
	for _, name := range []string{"ec-p256.pem", "ec-p384.pem", "ec-p384-sec1.pem", "ec-p521.pem", "ed25519.pem", "rsa-2048.pem", "rsa-2048-pkcs1.pem", "rsa-1024.pem"} {
		valid = append(valid, readTestKey(f, name))
	}
	p384 := valid[1]
	for i, v := range valid {
		block, _ := pem.Decode([]byte(v))
		kind := uint8(0)
		for j, t := range pemTypes {
			if t == block.Type {
				kind = uint8(j)
			}
		}
		f.Add(v, block.Bytes, kind)
		if i == 1 {
			f.Add(base64.StdEncoding.EncodeToString([]byte(v)), block.Bytes[:len(block.Bytes)/2], kind)
			f.Add(base64.RawURLEncoding.EncodeToString([]byte(v)), []byte{0x30, 0x03, 0x02, 0x01, 0x00}, uint8(1))
		}
	}
	for _, s := range []string{
		"", "   ", "-", "not a key at all!", "====", "_-_-",
		"-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + valid[2],
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
		"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
		"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
		p384 + valid[0],
		"\n  " + p384 + "\n\n",
		strings.ReplaceAll(p384, "\n", "\r\n"),
	} {
		f.Add(s, []byte(nil), uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, der []byte, kind uint8) {
		checkImport(t, text)
		wrapped := pem.EncodeToMemory(&pem.Block{Type: pemTypes[int(kind)%len(pemTypes)], Bytes: der})
		checkImport(t, string(wrapped))
	})
}

func checkImport(t *testing.T, input string) {
	t.Helper()
	k, err := FromPEM(input, testNow)
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "keys: ") {
			t.Fatalf("FromPEM(%q) error %q lacks the keys: prefix", input, msg)
		}
		for _, run := range base64Run.FindAllString(plainOrDecoded(input), -1) {
			if strings.Contains(msg, run) && !inPEMBoundary(input, run) {
				t.Fatalf("FromPEM error %q quotes input material %q", msg, run)
			}
		}
		if pemText, ok := asPEM(input); ok {
			if _, err := FromPEM(base64.StdEncoding.EncodeToString([]byte(pemText)), testNow); err == nil {
				t.Fatalf("the base64 of %q imports but the PEM itself does not (%v)", input, msg)
			}
		}
		return
	}

	block, rest := pem.Decode([]byte(k.Value))
	if block == nil || block.Type != "PRIVATE KEY" || len(block.Headers) != 0 || len(rest) != 0 ||
		!strings.HasPrefix(k.Value, "-----BEGIN PRIVATE KEY-----\n") {
		t.Fatalf("FromPEM(%q) stored %q, not one PKCS#8 PEM block", input, k.Value)
	}
	again, err := FromPEM(k.Value, testNow)
	if err != nil || again.Value != k.Value {
		t.Fatalf("re-importing the stored key of %q: %v; value changed: %v", input, err, again.Value != k.Value)
	}
	if pemText, ok := asPEM(input); ok {
		b64, err := FromPEM(base64.StdEncoding.EncodeToString([]byte(pemText)), testNow)
		if err != nil || b64.Value != k.Value {
			t.Fatalf("the base64 of %q does not import as the PEM does: %v", input, err)
		}
	}

	k.Status = model.KeyCurrent
	set, err := NewSet([]model.PrivateKey{k})
	if err != nil {
		t.Fatalf("FromPEM accepted %q but NewSet refuses it: %v", input, err)
	}
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(set.JWKSJSON(), &jwks); err != nil || len(jwks.Keys) != 1 {
		t.Fatalf("JWKS %s does not parse as one RFC 7517 key: %v", set.JWKSJSON(), err)
	}
	jwk := jwks.Keys[0]
	if !jwk.IsPublic() || !jwk.Valid() || jwk.KeyID != set.KeyID() || jwk.Algorithm != set.Algorithm() || jwk.Use != "sig" {
		t.Fatalf("published JWK %+v: public %v valid %v; want kid %s alg %s use sig", jwk, jwk.IsPublic(), jwk.Valid(), set.KeyID(), set.Algorithm())
	}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil || base64.RawURLEncoding.EncodeToString(thumb) != set.KeyID() {
		t.Fatalf("kid %s is not the RFC 7638 thumbprint of the key (%v)", set.KeyID(), err)
	}
	token, err := set.Sign(testClaims{Sub: "fuzz"}, TypIDToken)
	if err != nil {
		t.Fatalf("Sign with the imported key: %v", err)
	}
	var got testClaims
	if _, err := set.Verify(token, &got); err != nil || got.Sub != "fuzz" {
		t.Fatalf("Verify of our own token: %v (%+v)", err, got)
	}
	var fromJose testClaims
	if err := json.Unmarshal(joseVerify(t, set.JWKSJSON(), token), &fromJose); err != nil || fromJose.Sub != "fuzz" {
		t.Fatalf("go-jose payload %+v: %v", fromJose, err)
	}
}

// asPEM returns the input as the PEM text whose base64 an operator would paste: trimmed, since
// FromPEM trims a plain PEM but not the text a base64 value decodes to. ok is false for input
// FromPEM would itself treat as base64 (no '-').
func asPEM(input string) (string, bool) {
	text := strings.TrimSpace(input)
	return text, strings.Contains(text, "-")
}

// plainOrDecoded is the text parsePrivateKey reads: the input, or its base64 decoding.
func plainOrDecoded(input string) string {
	text := strings.TrimSpace(input)
	if !strings.Contains(text, "-") {
		if decoded, err := decodeBase64Loose(text); err == nil {
			return text + "\n" + string(decoded)
		}
	}
	return text
}

// inPEMBoundary reports whether run occurs in a BEGIN or END line (or PEM header) of the input,
// which an error may name: block types and headers are not key material.
func inPEMBoundary(input, run string) bool {
	for _, line := range strings.Split(plainOrDecoded(input), "\n") {
		if strings.Contains(line, run) && (strings.Contains(line, "-----") || strings.Contains(line, ":")) {
			return true
		}
	}
	return false
}
