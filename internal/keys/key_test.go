package keys

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

var testNow = time.Unix(1_760_000_000, 0)

func readTestKey(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The expected kids were computed by Node 20 with Logto's rule (core/utils/jwks.ts):
// crypto.createPublicKey(pem).export({format:'jwk'}), then
// sha256(JSON.stringify({crv,kty,x,y} | {e,kty,n} | {crv,kty,x})) as base64url.
func TestKidMatchesLogtoRule(t *testing.T) {
	tests := []struct {
		file, kid, alg string
	}{
		{"ec-p384.pem", "vbWecfvQvyjfbzaaiQ80gv8SvOu-Og3gxgW5YIkgToU", "ES384"},
		{"ec-p384-sec1.pem", "vbWecfvQvyjfbzaaiQ80gv8SvOu-Og3gxgW5YIkgToU", "ES384"},
		{"ec-p256.pem", "C1WMsS-XCcgJohgmfRhskaNKxft8oXgfHaMR2Oqh90I", "ES256"},
		{"ec-p521.pem", "-v4_V7euNokD1D9vyxQx3fX0zxrCpjyU2wGdY3RHbLg", "ES512"},
		{"rsa-2048.pem", "9udv8knakD2uH2vzf4VC6N_AeIGGloJb6ypyoyanRhw", "RS256"},
		{"rsa-2048-pkcs1.pem", "9udv8knakD2uH2vzf4VC6N_AeIGGloJb6ypyoyanRhw", "RS256"},
		{"ed25519.pem", "Stf3_1TTQ1wXergnylsL6HZzat5iWdDkVApA9yDN1_s", "EdDSA"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			k, err := FromPEM(readTestKey(t, tt.file), testNow)
			if err != nil {
				t.Fatal(err)
			}
			set, err := NewSet(withStatus(k, model.KeyCurrent))
			if err != nil {
				t.Fatal(err)
			}
			if set.KeyID() != tt.kid {
				t.Errorf("kid = %s, want %s", set.KeyID(), tt.kid)
			}
			if set.Algorithm() != tt.alg {
				t.Errorf("alg = %s, want %s", set.Algorithm(), tt.alg)
			}
		})
	}
}

func TestFromPEMAcceptedForms(t *testing.T) {
	p384 := readTestKey(t, "ec-p384.pem")
	withParams := "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + readTestKey(t, "ec-p384-sec1.pem")
	wrapped := base64.StdEncoding.EncodeToString([]byte(p384))
	var lines []string
	for len(wrapped) > 76 {
		lines, wrapped = append(lines, wrapped[:76]), wrapped[76:]
	}
	lines = append(lines, wrapped)

	tests := []struct {
		name, input string
	}{
		{"PKCS#8 PEM", p384},
		{"SEC1 PEM", readTestKey(t, "ec-p384-sec1.pem")},
		{"EC PARAMETERS then SEC1 (openssl ecparam -genkey)", withParams},
		{"base64 of PEM", base64.StdEncoding.EncodeToString([]byte(p384))},
		{"base64 of PEM without padding", base64.RawStdEncoding.EncodeToString([]byte(p384))},
		{"base64 of PEM wrapped at 76 columns", strings.Join(lines, "\n")},
		{"surrounding whitespace", "\n  " + p384 + "\n\n"},
	}
	want := kidOf(t, p384)
	idPattern := regexp.MustCompile(`^[0-9a-z]{21}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := FromPEM(tt.input, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(k.Value, "-----BEGIN PRIVATE KEY-----\n") {
				t.Errorf("stored value is not a PKCS#8 PEM: %.40q", k.Value)
			}
			if !idPattern.MatchString(k.ID) {
				t.Errorf("id %q is not a 21-char standard id", k.ID)
			}
			if k.CreatedAt != testNow.Unix() {
				t.Errorf("createdAt = %d, want %d", k.CreatedAt, testNow.Unix())
			}
			if got := kidOf(t, k.Value); got != want {
				t.Errorf("imported key has kid %s, want the source key's %s", got, want)
			}
		})
	}
}

func TestFromPEMRejects(t *testing.T) {
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	x25519, _ := ecdh.X25519().GenerateKey(rand.Reader)
	rsaPub := mustPublicPEM(t, readTestKey(t, "rsa-2048.pem"))
	secretBody := strings.Split(readTestKey(t, "ec-p384.pem"), "\n")[1] // a line of key material

	tests := []struct {
		name, input, wantErr string
	}{
		{"empty", "  ", "empty"},
		{"not base64", "not a key at all!", "neither a PEM nor the base64"},
		{"base64 but not PEM", base64.StdEncoding.EncodeToString([]byte("hello")), "no PEM private key"},
		{"PEM with no key", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", `unexpected PEM block "CERTIFICATE"`},
		{"public key", rsaPub, `unexpected PEM block "PUBLIC KEY"`},
		{"two keys", readTestKey(t, "ec-p384.pem") + readTestKey(t, "ec-p256.pem"), "more than one private key"},
		{"encrypted PKCS#8", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"},
		{"corrupt body", "-----BEGIN PRIVATE KEY-----\n" + secretBody[:20] + "\n-----END PRIVATE KEY-----\n", "parse PRIVATE KEY"},
		{"RSA 1024", readTestKey(t, "rsa-1024.pem"), "1024 bits; at least 2048"},
		{"P-224", pkcs8PEM(t, p224), "unsupported EC curve P-224"},
		{"X25519", pkcs8PEM(t, x25519), "unsupported private key type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromPEM(tt.input, testNow)
			if err == nil {
				t.Fatal("FromPEM accepted it")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secretBody[:20]) {
				t.Errorf("error leaks key material: %q", err)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		kind, wantAlg string
		wantBits      int
	}{
		{KindEC, "ES384", 384}, // Logto's default: secp384r1
		{"", "ES384", 384},
		{KindRSA, "RS256", 4096}, // Logto's RSA option: modulusLength 4096
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			k, err := Generate(tt.kind, testNow)
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode([]byte(k.Value))
			if block == nil || block.Type != "PRIVATE KEY" {
				t.Fatalf("value is not a PKCS#8 PEM")
			}
			parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			var bits int
			switch p := parsed.(type) {
			case *ecdsa.PrivateKey:
				bits = p.Curve.Params().BitSize
			case *rsa.PrivateKey:
				bits = p.N.BitLen()
			}
			if bits != tt.wantBits {
				t.Errorf("key size %d, want %d", bits, tt.wantBits)
			}
			if len(k.ID) != 21 || k.CreatedAt != testNow.Unix() || k.Status != "" {
				t.Errorf("row = {id %q, createdAt %d, status %q}; want 21-char id, createdAt %d, no status", k.ID, k.CreatedAt, k.Status, testNow.Unix())
			}
			set, err := NewSet(withStatus(k, model.KeyCurrent))
			if err != nil {
				t.Fatal(err)
			}
			if set.Algorithm() != tt.wantAlg {
				t.Errorf("alg %s, want %s", set.Algorithm(), tt.wantAlg)
			}
		})
	}
	if _, err := Generate("dsa", testNow); err == nil {
		t.Error("Generate accepted kind dsa")
	}
	a, _ := Generate(KindEC, testNow)
	b, _ := Generate(KindEC, testNow)
	if a.Value == b.Value || a.ID == b.ID {
		t.Error("two generated keys are equal")
	}
}

func TestGenerateCookieKey(t *testing.T) {
	a, b := GenerateCookieKey(testNow), GenerateCookieKey(testNow)
	if !regexp.MustCompile(`^[0-9A-Za-z]{32}$`).MatchString(a.Value) {
		t.Errorf("cookie key value %q is not 32 alphanumerics", a.Value)
	}
	if len(a.ID) != 21 || a.CreatedAt != testNow.Unix() {
		t.Errorf("cookie key row = %+v", a)
	}
	if a.Value == b.Value || a.ID == b.ID {
		t.Error("two cookie keys are equal")
	}
}

// --- helpers shared by the tests of this package ---

func kidOf(t testing.TB, pemText string) string {
	t.Helper()
	priv, err := parsePrivateKey(pemText)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := publicJWKOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	return jwk.Kid
}

func pkcs8PEM(t testing.TB, priv any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func mustPublicPEM(t testing.TB, privPEM string) string {
	t.Helper()
	priv, err := parsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// withStatus returns keys as a list, giving them statuses in order.
func withStatus(k model.PrivateKey, status string, more ...any) []model.PrivateKey {
	k.Status = status
	out := []model.PrivateKey{k}
	for i := 0; i+1 < len(more); i += 2 {
		m := more[i].(model.PrivateKey)
		m.Status = more[i+1].(string)
		out = append(out, m)
	}
	return out
}
