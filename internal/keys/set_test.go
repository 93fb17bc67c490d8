package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

type testClaims struct {
	Sub   string `json:"sub"`
	Aud   string `json:"aud"`
	Scope string `json:"scope"`
}

func importKey(t testing.TB, file string) model.PrivateKey {
	t.Helper()
	k, err := FromPEM(readTestKey(t, file), testNow)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSet(t testing.TB, keys []model.PrivateKey) *Set {
	t.Helper()
	s, err := NewSet(keys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// joseVerify checks token with go-jose, an independent JOSE implementation, against the
// published JWKS only: what a relying party does.
func joseVerify(t *testing.T, jwks []byte, token string) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatalf("JWKS does not parse as RFC 7517: %v", err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.RS256, jose.EdDSA})
	if err != nil {
		t.Fatalf("go-jose cannot parse the token: %v", err)
	}
	kid := jws.Signatures[0].Header.KeyID
	found := set.Key(kid)
	if len(found) != 1 {
		t.Fatalf("kid %s is published %d times in the JWKS", kid, len(found))
	}
	if found[0].Use != "sig" || found[0].Algorithm != jws.Signatures[0].Header.Algorithm {
		t.Errorf("JWK use=%q alg=%q; want sig and the token's alg", found[0].Use, found[0].Algorithm)
	}
	payload, err := jws.Verify(found[0])
	if err != nil {
		t.Fatalf("go-jose rejects our signature: %v", err)
	}
	return payload
}

func TestSignVerifyRoundTrip(t *testing.T) {
	tests := []struct{ file, alg string }{
		{"ec-p384.pem", "ES384"},
		{"ec-p256.pem", "ES256"},
		{"ec-p521.pem", "ES512"},
		{"rsa-2048.pem", "RS256"},
		{"ed25519.pem", "EdDSA"},
	}
	claims := testClaims{Sub: "user-1", Aud: "https://api.example.com", Scope: "read write"}
	for _, tt := range tests {
		for _, typ := range []string{TypAccessToken, TypIDToken, "custom+jwt"} {
			t.Run(tt.alg+"/"+typ, func(t *testing.T) {
				set := mustSet(t, withStatus(importKey(t, tt.file), model.KeyCurrent))
				token, err := set.Sign(claims, typ)
				if err != nil {
					t.Fatal(err)
				}
				var got testClaims
				h, err := set.Verify(token, &got)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if h != (Header{Alg: tt.alg, Kid: set.KeyID(), Typ: typ}) {
					t.Errorf("header = %+v, want alg %s, kid %s, typ %s", h, tt.alg, set.KeyID(), typ)
				}
				if got != claims {
					t.Errorf("claims = %+v, want %+v", got, claims)
				}
				var fromJose testClaims
				if err := json.Unmarshal(joseVerify(t, set.JWKSJSON(), token), &fromJose); err != nil || fromJose != claims {
					t.Errorf("go-jose payload = %+v (%v), want %+v", fromJose, err, claims)
				}
			})
		}
	}
}

// forge builds a compact JWS from a raw header and payload and a signature function.
func forge(header string, payload string, sign func(signingInput []byte) []byte) string {
	input := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	return input + "." + b64.EncodeToString(sign([]byte(input)))
}

func TestVerifyRejects(t *testing.T) {
	key := importKey(t, "ec-p384.pem")
	set := mustSet(t, withStatus(key, model.KeyCurrent))
	kid := set.KeyID()
	good, err := set.Sign(testClaims{Sub: "user-1"}, TypAccessToken)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")

	// A different key that claims our kid.
	otherSet := mustSet(t, withStatus(importKey(t, "ec-p256.pem"), model.KeyCurrent))
	foreignP384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	foreignRow, _ := FromPEM(pkcs8PEM(t, foreignP384), testNow)
	foreignSet := mustSet(t, withStatus(foreignRow, model.KeyCurrent))
	foreignToken, _ := foreignSet.Sign(testClaims{Sub: "admin"}, TypAccessToken)
	fp := strings.Split(foreignToken, ".")
	hdrWithOurKid := b64.EncodeToString([]byte(`{"alg":"ES384","kid":"` + kid + `","typ":"at+jwt"}`))
	foreignWithOurKid, _ := foreignSet.current.sign([]byte(hdrWithOurKid + "." + fp[1]))

	// HS256 keyed with public material (the algorithm-confusion attack, RFC 8725 §2.1).
	hmacWith := func(secret []byte) func([]byte) []byte {
		return func(in []byte) []byte { m := hmac.New(sha256.New, secret); m.Write(in); return m.Sum(nil) }
	}
	publicPEM := []byte(mustPublicPEM(t, key.Value))

	tampered := parts[0] + "." + b64.EncodeToString([]byte(`{"sub":"admin"}`)) + "." + parts[2]
	sig, _ := b64.DecodeString(parts[2])
	sig[len(sig)-1] ^= 1

	tests := []struct {
		name, token, want string
	}{
		{"empty", "", "not a compact JWS"},
		{"one segment", "abc", "not a compact JWS"},
		{"two segments", parts[0] + "." + parts[1], "not a compact JWS"},
		{"four segments", good + ".x", "extra segments"},
		{"alg none", forge(`{"alg":"none","kid":"`+kid+`"}`, `{"sub":"admin"}`, func([]byte) []byte { return nil }), `alg "none"`},
		{"alg none without kid", forge(`{"alg":"none"}`, `{"sub":"admin"}`, func([]byte) []byte { return nil }), "unknown kid"},
		{"HS256 keyed with the public PEM", forge(`{"alg":"HS256","kid":"`+kid+`"}`, `{"sub":"admin"}`, hmacWith(publicPEM)), `alg "HS256"`},
		{"HS256 keyed with the JWKS", forge(`{"alg":"HS256","kid":"`+kid+`"}`, `{"sub":"admin"}`, hmacWith(set.JWKSJSON())), `alg "HS256"`},
		{"RS256 on an EC key", forge(`{"alg":"RS256","kid":"`+kid+`"}`, `{"sub":"admin"}`, func([]byte) []byte { return make([]byte, 256) }), `alg "RS256"`},
		{"unknown kid", forge(`{"alg":"ES384","kid":"nope"}`, `{}`, func([]byte) []byte { return make([]byte, 96) }), "unknown kid"},
		{"token of a key not in the set", foreignToken, "unknown kid"},
		{"token of another key under our kid", hdrWithOurKid + "." + fp[1] + "." + b64.EncodeToString(foreignWithOurKid), "bad signature"},
		{"token of another set", mustSign(t, otherSet), "unknown kid"},
		{"tampered payload", tampered, "bad signature"},
		{"flipped signature bit", parts[0] + "." + parts[1] + "." + b64.EncodeToString(sig), "bad signature"},
		{"truncated signature", parts[0] + "." + parts[1] + "." + parts[2][:20], "bad signature"},
		{"signature with base64 padding", parts[0] + "." + parts[1] + "." + parts[2] + "==", "signature is not base64url"},
		{"signature in standard base64", parts[0] + "." + parts[1] + "." + "+/" + parts[2][2:], "signature is not base64url"},
		{"header not base64", "!!." + parts[1] + "." + parts[2], "header is not base64url"},
		{"header not JSON", b64.EncodeToString([]byte("[1,2]")) + "." + parts[1] + "." + parts[2], "header is not a JSON object"},
		{"critical extension", forge(`{"alg":"ES384","kid":"`+kid+`","crit":["exp"],"exp":1}`, `{}`, set.current.mustSign(t)), "critical"},
		{"oversized", strings.Repeat("a", maxTokenBytes+1), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var into map[string]any
			_, err := set.Verify(tt.token, &into)
			if err == nil {
				t.Fatal("Verify accepted the token")
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("error %v does not wrap ErrInvalidToken", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if into != nil {
				t.Errorf("payload decoded from a rejected token: %v", into)
			}
		})
	}
}

func mustSign(t testing.TB, s *Set) string {
	t.Helper()
	tok, err := s.Sign(testClaims{Sub: "x"}, TypAccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (k *signingKey) mustSign(t testing.TB) func([]byte) []byte {
	return func(in []byte) []byte {
		sig, err := k.sign(in)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
}

func TestVerifyAfterRotation(t *testing.T) {
	first, second, third := importKey(t, "ec-p384.pem"), importKey(t, "ec-p256.pem"), importKey(t, "ed25519.pem")
	keys := withStatus(first, model.KeyCurrent)
	oldSet := mustSet(t, keys)
	oldToken := mustSign(t, oldSet)

	keys = Rotate(keys, second, false)
	rotated := mustSet(t, keys)
	if rotated.KeyID() != kidOf(t, second.Value) {
		t.Fatalf("after rotation the set signs with %s, want the fresh key", rotated.KeyID())
	}
	if _, err := rotated.Verify(oldToken, nil); err != nil {
		t.Errorf("a token signed by the now Previous key no longer verifies: %v", err)
	}
	joseVerify(t, rotated.JWKSJSON(), oldToken) // still in the published JWKS

	keys = Rotate(keys, third, false)
	twice := mustSet(t, keys)
	if _, err := twice.Verify(oldToken, nil); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("a token of a key dropped two rotations ago verifies (err %v)", err)
	}
}

func TestStagedNextIsPublishedButDoesNotSign(t *testing.T) {
	current, next := importKey(t, "ec-p384.pem"), importKey(t, "ec-p256.pem")
	keys := Rotate(withStatus(current, model.KeyCurrent), next, true)
	staged := mustSet(t, keys)
	currentKid, nextKid := kidOf(t, current.Value), kidOf(t, next.Value)

	if staged.KeyID() != currentKid || staged.Algorithm() != "ES384" {
		t.Errorf("staged set signs with %s/%s, want the Current key %s/ES384", staged.KeyID(), staged.Algorithm(), currentKid)
	}
	if got := publishedKids(t, staged); !equalStrings(got, []string{currentKid, nextKid}) {
		t.Errorf("JWKS kids = %v, want Current then Next %v", got, []string{currentKid, nextKid})
	}
	beforeToken := mustSign(t, staged)

	promoted := mustSet(t, Promote(keys))
	if promoted.KeyID() != nextKid || promoted.Algorithm() != "ES256" {
		t.Errorf("promoted set signs with %s/%s, want %s/ES256", promoted.KeyID(), promoted.Algorithm(), nextKid)
	}
	if _, err := promoted.Verify(beforeToken, nil); err != nil {
		t.Errorf("token signed before promotion does not verify after: %v", err)
	}
	if _, err := staged.Verify(mustSign(t, promoted), nil); err != nil {
		t.Errorf("a node that has not promoted yet rejects the promoted key's token: %v", err)
	}
}

func publishedKids(t testing.TB, s *Set) []string {
	t.Helper()
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(s.JWKSJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range doc.Keys {
		if _, private := k["d"]; private {
			t.Errorf("JWKS publishes private member d")
		}
		kids = append(kids, k["kid"])
	}
	return kids
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func TestNewSetErrors(t *testing.T) {
	a, b := importKey(t, "ec-p384.pem"), importKey(t, "ec-p256.pem")
	broken := a
	broken.Value = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
	tests := []struct {
		name string
		keys []model.PrivateKey
		want string
	}{
		{"empty", nil, "no Current"},
		{"only Previous", withStatus(a, model.KeyPrevious), "no Current"},
		{"only Next", withStatus(a, model.KeyNext), "no Current"},
		{"two Current", withStatus(a, model.KeyCurrent, b, model.KeyCurrent), "malformed key statuses"},
		{"two Next", withStatus(a, model.KeyCurrent, b, model.KeyNext, a, model.KeyNext), "malformed key statuses"},
		{"unknown status", withStatus(a, model.KeyCurrent, b, "Retired"), `unknown status "Retired"`},
		{"unparsable key", withStatus(broken, model.KeyCurrent), "parse PRIVATE KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSet(tt.keys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSet error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestSignRejectsUnencodableClaims(t *testing.T) {
	set := mustSet(t, withStatus(importKey(t, "ec-p256.pem"), model.KeyCurrent))
	if _, err := set.Sign(map[string]any{"bad": make(chan int)}, TypIDToken); err == nil {
		t.Error("Sign accepted claims that cannot be JSON")
	}
}

func FuzzVerify(f *testing.F) {
	set := mustSet(f, withStatus(importKey(f, "ec-p256.pem"), model.KeyCurrent, importKey(f, "ed25519.pem"), model.KeyPrevious))
	previous := mustSet(f, withStatus(importKey(f, "ed25519.pem"), model.KeyCurrent))
	signed := map[string]bool{} // header.payload of every token we signed
	for _, s := range []*Set{set, previous} {
		for _, c := range []any{testClaims{Sub: "a"}, map[string]any{"exp": 1, "nested": map[string]any{"x": []int{1}}}, "str"} {
			tok, err := s.Sign(c, TypAccessToken)
			if err != nil {
				f.Fatal(err)
			}
			signed[tok[:strings.LastIndexByte(tok, '.')]] = true
			f.Add(tok)
		}
	}
	f.Add("")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add(forge(`{"alg":"none","kid":"`+set.KeyID()+`"}`, `{}`, func([]byte) []byte { return nil }))
	f.Fuzz(func(t *testing.T, token string) {
		var into any
		h, err := set.Verify(token, &into)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("error %v does not wrap ErrInvalidToken", err)
			}
			return
		}
		// The signature covers header.payload; ECDSA signatures are malleable, so the
		// signature part may differ, but the signed content must be one we produced.
		if !signed[token[:strings.LastIndexByte(token, '.')]] {
			t.Fatalf("verified content we never signed: %q (header %+v)", token, h)
		}
	})
}

func BenchmarkSignES384(b *testing.B) {
	set := mustSet(b, withStatus(importKey(b, "ec-p384.pem"), model.KeyCurrent))
	claims := benchClaims()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := set.Sign(claims, TypAccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyES384(b *testing.B) {
	set := mustSet(b, withStatus(importKey(b, "ec-p384.pem"), model.KeyCurrent))
	token, err := set.Sign(benchClaims(), TypAccessToken)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var into map[string]any
		if _, err := set.Verify(token, &into); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignES256(b *testing.B) {
	set := mustSet(b, withStatus(importKey(b, "ec-p256.pem"), model.KeyCurrent))
	claims := benchClaims()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := set.Sign(claims, TypAccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

// benchClaims is the shape of a client_credentials access token.
func benchClaims() map[string]any {
	return map[string]any{
		"jti": "abcdefghijklmnopqrstu", "sub": "m2m-app-id-123", "iat": 1760000000, "exp": 1760003600,
		"client_id": "m2m-app-id-123", "iss": "https://auth.example.com/oidc",
		"aud": "https://api.example.com", "scope": "read:items write:items",
	}
}
