package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// ErrInvalidToken is wrapped by every error Verify returns, so callers can answer "invalid token"
// without caring which check failed.
var ErrInvalidToken = errors.New("keys: invalid token")

// maxTokenBytes bounds the input Verify decodes. Our tokens are well under 8 KiB even with
// custom claims; the bound keeps hostile input from costing more than a few base64 decodes.
const maxTokenBytes = 64 << 10

// Header is the protected header of a compact JWS (RFC 7515 §4.1).
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
	Typ string `json:"typ,omitempty"`
}

// signingKey is one parsed key of a Set.
type signingKey struct {
	id, status string
	jwk        publicJWK // carries kid and alg
	hash       crypto.Hash
	ec         *ecdsa.PrivateKey
	ecSize     int // bytes of each of R and S (RFC 7518 §3.4)
	rsa        *rsa.PrivateKey
	ed         ed25519.PrivateKey
}

// Set is the parsed signing keys of one tenant. It is immutable after NewSet, so one Set is
// shared by every request; the private keys are parsed and the JWKS encoded only once.
type Set struct {
	current *signingKey
	byKid   map[string]*signingKey
	jwks    []byte
	// headers holds the base64url protected header of the Current key for the typ values every
	// token uses, so Sign does not re-marshal it.
	headers map[string][]byte
}

// Typ values of the tokens Gatehouse signs.
const (
	TypAccessToken = "at+jwt" // RFC 9068 §2.1
	TypIDToken     = "JWT"
)

// NewSet parses keys (after Normalize) into a Set. It fails when there is not exactly one
// Current key, when there is more than one Next or Previous key (Logto rejects such rows too),
// or when a key does not parse.
func NewSet(keys []model.PrivateKey) (*Set, error) {
	s := &Set{byKid: make(map[string]*signingKey, len(keys))}
	seen := map[string]int{}
	var published []*signingKey
	for _, k := range Normalize(keys) {
		seen[k.Status]++
		switch k.Status {
		case model.KeyCurrent, model.KeyNext, model.KeyPrevious:
		default:
			return nil, fmt.Errorf("keys: key %s has unknown status %q", k.ID, k.Status)
		}
		sk, err := parseSigningKey(k)
		if err != nil {
			return nil, err
		}
		if k.Status == model.KeyCurrent {
			s.current = sk
		}
		published = append(published, sk)
	}
	switch {
	case seen[model.KeyCurrent] == 0:
		return nil, errors.New("keys: no Current signing key; rotate or seed the tenant's keys")
	case seen[model.KeyCurrent] > 1, seen[model.KeyNext] > 1, seen[model.KeyPrevious] > 1:
		return nil, errors.New("keys: malformed key statuses; expected exactly one Current and at most one Next and one Previous")
	}

	// JWKS order follows oidc-provider's key order in Logto: Current, Next, Previous.
	var jwks struct {
		Keys []publicJWK `json:"keys"`
	}
	for _, status := range []string{model.KeyCurrent, model.KeyNext, model.KeyPrevious} {
		for _, sk := range published {
			if sk.status != status {
				continue
			}
			if _, dup := s.byKid[sk.jwk.Kid]; dup {
				continue // the same key under two statuses: publish and verify it once
			}
			s.byKid[sk.jwk.Kid] = sk
			jwks.Keys = append(jwks.Keys, sk.jwk)
		}
	}
	var err error
	if s.jwks, err = json.Marshal(jwks); err != nil {
		return nil, fmt.Errorf("keys: encode JWKS: %w", err)
	}
	s.headers = map[string][]byte{}
	for _, typ := range []string{TypAccessToken, TypIDToken, ""} {
		if s.headers[typ], err = s.encodeHeader(typ); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseSigningKey(k model.PrivateKey) (*signingKey, error) {
	priv, err := parsePrivateKey(k.Value)
	if err != nil {
		return nil, fmt.Errorf("keys: key %s (%s): %w", k.ID, k.Status, err)
	}
	jwk, err := publicJWKOf(priv)
	if err != nil {
		return nil, fmt.Errorf("keys: key %s (%s): %w", k.ID, k.Status, err)
	}
	sk := &signingKey{id: k.ID, status: k.Status, jwk: jwk}
	switch p := priv.(type) {
	case *ecdsa.PrivateKey:
		sk.ec = p
		sk.ecSize = (p.Curve.Params().BitSize + 7) / 8
		_, sk.hash, _ = ecAlgorithm(p.Curve)
	case *rsa.PrivateKey:
		p.Precompute()
		sk.rsa, sk.hash = p, crypto.SHA256
	case ed25519.PrivateKey:
		sk.ed = p
	}
	return sk, nil
}

// Algorithm is the JWS alg of the Current key: ES256, ES384, ES512, RS256 or EdDSA.
func (s *Set) Algorithm() string { return s.current.jwk.Alg }

// KeyID is the kid of the Current key.
func (s *Set) KeyID() string { return s.current.jwk.Kid }

// JWKSJSON is the JWKS document ({"keys":[...]}) publishing the Current, Next and Previous
// public keys. The slice is shared; callers must not modify it.
func (s *Set) JWKSJSON() []byte { return s.jwks }

func (s *Set) encodeHeader(typ string) ([]byte, error) {
	raw, err := json.Marshal(Header{Alg: s.current.jwk.Alg, Kid: s.current.jwk.Kid, Typ: typ})
	if err != nil {
		return nil, fmt.Errorf("keys: encode header: %w", err)
	}
	out := make([]byte, b64.EncodedLen(len(raw)))
	b64.Encode(out, raw)
	return out, nil
}

// Sign returns claims as a compact JWS (RFC 7515 §7.1) signed by the Current key, with the
// protected header {alg, kid, typ}; typ is "at+jwt" for access tokens (RFC 9068) and "JWT" for
// ID tokens, and omitted when empty.
func (s *Set) Sign(claims any, typ string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("keys: encode claims: %w", err)
	}
	header, ok := s.headers[typ]
	if !ok {
		if header, err = s.encodeHeader(typ); err != nil {
			return "", err
		}
	}
	k := s.current
	sigLen := k.signatureLen()
	total := len(header) + 1 + b64.EncodedLen(len(payload)) + 1 + b64.EncodedLen(sigLen)
	buf := make([]byte, 0, total)
	buf = append(buf, header...)
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, payload)
	sig, err := k.sign(buf)
	if err != nil {
		return "", fmt.Errorf("keys: sign with key %s: %w", k.id, err)
	}
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, sig)
	return string(buf), nil
}

func (k *signingKey) signatureLen() int {
	switch {
	case k.ec != nil:
		return 2 * k.ecSize
	case k.rsa != nil:
		return k.rsa.Size()
	default:
		return ed25519.SignatureSize
	}
}

// sign returns the JWS signature of signingInput (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
func (k *signingKey) sign(signingInput []byte) ([]byte, error) {
	switch {
	case k.ec != nil:
		der, err := ecdsa.SignASN1(rand.Reader, k.ec, digest(k.hash, signingInput))
		if err != nil {
			return nil, err
		}
		return derToFixed(der, k.ecSize)
	case k.rsa != nil:
		return rsa.SignPKCS1v15(nil, k.rsa, k.hash, digest(k.hash, signingInput))
	default:
		return ed25519.Sign(k.ed, signingInput), nil
	}
}

// verify reports whether sig is k's signature of signingInput.
func (k *signingKey) verify(signingInput, sig []byte) bool {
	switch {
	case k.ec != nil:
		if len(sig) != 2*k.ecSize {
			return false
		}
		der, ok := fixedToDER(sig, k.ecSize)
		return ok && ecdsa.VerifyASN1(&k.ec.PublicKey, digest(k.hash, signingInput), der)
	case k.rsa != nil:
		return rsa.VerifyPKCS1v15(&k.rsa.PublicKey, k.hash, digest(k.hash, signingInput), sig) == nil
	default:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed.Public().(ed25519.PublicKey), signingInput, sig)
	}
}

func digest(h crypto.Hash, data []byte) []byte {
	switch h {
	case crypto.SHA256:
		sum := sha256.Sum256(data)
		return sum[:]
	case crypto.SHA384:
		sum := sha512.Sum384(data)
		return sum[:]
	default:
		sum := sha512.Sum512(data)
		return sum[:]
	}
}

// derToFixed converts an ASN.1 ECDSA signature to JWS's R || S, each size bytes (RFC 7518 §3.4).
func derToFixed(der []byte, size int) ([]byte, error) {
	var r, s []byte
	input := cryptobyte.String(der)
	var inner cryptobyte.String
	if !input.ReadASN1(&inner, asn1.SEQUENCE) || !input.Empty() ||
		!inner.ReadASN1Integer(&r) || !inner.ReadASN1Integer(&s) || !inner.Empty() {
		return nil, errors.New("malformed ECDSA signature")
	}
	out := make([]byte, 2*size)
	if !putFixed(out[:size], r) || !putFixed(out[size:], s) {
		return nil, errors.New("ECDSA signature component too large")
	}
	return out, nil
}

// putFixed writes the unsigned big-endian integer v right-aligned into dst.
func putFixed(dst, v []byte) bool {
	v = bytes.TrimLeft(v, "\x00")
	if len(v) > len(dst) {
		return false
	}
	copy(dst[len(dst)-len(v):], v)
	return true
}

// fixedToDER converts JWS's R || S back to the ASN.1 form crypto/ecdsa verifies.
func fixedToDER(sig []byte, size int) ([]byte, bool) {
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addASN1Unsigned(b, sig[:size])
		addASN1Unsigned(b, sig[size:])
	})
	der, err := b.Bytes()
	return der, err == nil
}

// addASN1Unsigned adds v as a non-negative ASN.1 INTEGER.
func addASN1Unsigned(b *cryptobyte.Builder, v []byte) {
	b.AddASN1(asn1.INTEGER, func(b *cryptobyte.Builder) {
		v = bytes.TrimLeft(v, "\x00")
		if len(v) == 0 || v[0]&0x80 != 0 {
			b.AddUint8(0)
		}
		b.AddBytes(v)
	})
}

// Verify checks a compact JWS against the published key its kid names and, when into is not nil,
// decodes the payload JSON into it. The key decides the algorithm: a header alg that is not the
// key's own (alg "none", HS256 keyed with the public key, RS256 on an EC key ...) is rejected, as
// RFC 8725 §3.1 requires. Verify checks only the signature; claims (exp, iss, aud) are the
// caller's. Every error wraps ErrInvalidToken.
func (s *Set) Verify(token string, into any) (Header, error) {
	if len(token) > maxTokenBytes {
		return Header{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, maxTokenBytes)
	}
	first := strings.IndexByte(token, '.')
	if first < 0 {
		return Header{}, fmt.Errorf("%w: not a compact JWS", ErrInvalidToken)
	}
	second := strings.IndexByte(token[first+1:], '.')
	if second < 0 {
		return Header{}, fmt.Errorf("%w: not a compact JWS", ErrInvalidToken)
	}
	second += first + 1
	if strings.IndexByte(token[second+1:], '.') >= 0 {
		return Header{}, fmt.Errorf("%w: not a compact JWS (JWE or extra segments)", ErrInvalidToken)
	}
	headerPart, payloadPart, sigPart := token[:first], token[first+1:second], token[second+1:]

	rawHeader, err := strictB64.DecodeString(headerPart)
	if err != nil {
		return Header{}, fmt.Errorf("%w: header is not base64url", ErrInvalidToken)
	}
	var h struct {
		Header
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(rawHeader, &h); err != nil {
		return Header{}, fmt.Errorf("%w: header is not a JSON object", ErrInvalidToken)
	}
	if h.Crit != nil {
		// RFC 7515 §4.1.11: we understand no extension, so a token that marks one critical fails.
		return Header{}, fmt.Errorf("%w: unsupported critical header", ErrInvalidToken)
	}
	k, ok := s.byKid[h.Kid]
	if !ok {
		return Header{}, fmt.Errorf("%w: unknown kid", ErrInvalidToken)
	}
	if h.Alg != k.jwk.Alg {
		return Header{}, fmt.Errorf("%w: alg %q does not match the key's %s", ErrInvalidToken, apperr.Clip(h.Alg, 16), k.jwk.Alg)
	}
	sig, err := strictB64.DecodeString(sigPart)
	if err != nil {
		return Header{}, fmt.Errorf("%w: signature is not base64url", ErrInvalidToken)
	}
	if !k.verify([]byte(token[:second]), sig) {
		return Header{}, fmt.Errorf("%w: bad signature", ErrInvalidToken)
	}
	if into != nil {
		payload, err := strictB64.DecodeString(payloadPart)
		if err != nil {
			return Header{}, fmt.Errorf("%w: payload is not base64url", ErrInvalidToken)
		}
		if err := json.Unmarshal(payload, into); err != nil {
			return Header{}, fmt.Errorf("%w: payload: %w", ErrInvalidToken, err)
		}
	}
	return h.Header, nil
}

// strictB64 rejects non-canonical encodings (stray bits in the last character), so one token
// has exactly one spelling.
var strictB64 = b64.Strict()
