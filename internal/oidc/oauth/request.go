package oauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// MaxBodyBytes is Logto's token body limit (raw-body `limit: '56kb'` in core/oidc/init.ts).
const MaxBodyBytes = 56 << 10

const (
	contentTypeForm = "application/x-www-form-urlencoded"
	contentTypeJSON = "application/json"
)

// AuthMethod is how the client authenticated (RFC 6749 §2.3.1, OIDC Core §9).
type AuthMethod int

const (
	// AuthNone: only client_id was sent (public clients).
	AuthNone AuthMethod = iota
	// AuthSecretBasic: client id and secret in the Authorization: Basic header.
	AuthSecretBasic
	// AuthSecretPost: client_secret in the body.
	AuthSecretPost
	// AuthAssertion: a client_assertion (client_secret_jwt / private_key_jwt). Logto never
	// registers these methods for a client, so it always fails client authentication.
	AuthAssertion
)

// Request is the parsed token request. Every parameter is read once, here, so a grant never
// reaches into the raw body.
type Request struct {
	GrantType string
	// ClientID, ClientSecret and AuthMethod are the client's credentials, from the
	// Authorization header or the body, never both.
	ClientID     string
	ClientSecret string
	AuthMethod   AuthMethod
	// Scope is the raw space-separated scope parameter.
	Scope string
	// Resources are the RFC 8707 resource indicators: `resource` may repeat, and each value may
	// be a comma-separated list (Logto's koa-resource-param).
	Resources []string
	// Params holds every body parameter as sent, for grant-specific parameters.
	Params url.Values
}

// ParseRequest reads and validates the token request: at most MaxBodyBytes of body, form
// encoded or JSON (Logto rewrites a JSON body to a form, core/oidc/init.ts), in the declared
// charset; no NUL byte and only valid UTF-8 in any value; no parameter twice except `resource`
// (RFC 6749 §3.2); then the client credentials (RFC 6749 §2.3.1). Every failure is a 4xx
// *oautherr.Error.
func ParseRequest(r *http.Request) (*Request, *oautherr.Error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, bodyTooLarge()
	}
	raw, err := httpx.ReadBody(r, MaxBodyBytes)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return nil, bodyTooLarge()
	}
	if err != nil {
		return nil, oautherr.BadRequest("could not read the request body")
	}
	params, oerr := parseBody(r.Header.Get("Content-Type"), raw)
	if oerr != nil {
		return nil, oerr
	}
	req := &Request{
		GrantType: params.Get("grant_type"),
		Scope:     params.Get("scope"),
		Params:    params,
	}
	for _, v := range params["resource"] {
		for part := range strings.SplitSeq(v, ",") {
			if part != "" {
				req.Resources = append(req.Resources, part)
			}
		}
	}
	if oerr := req.readCredentials(r.Header); oerr != nil {
		return nil, oerr
	}
	return req, nil
}

// bodyTooLarge answers a body over MaxBodyBytes. Logto answers such a body with 404 text/plain
// "Not Found" (observed); any 4xx is acceptable, so Gatehouse says what is wrong, in OAuth form.
func bodyTooLarge() *oautherr.Error {
	return oautherr.New(http.StatusRequestEntityTooLarge, oautherr.InvalidRequest, "request body too large")
}

// parseBody decodes the body by its content type into parameters and validates them.
func parseBody(contentType string, raw []byte) (url.Values, *oautherr.Error) {
	mediaType, charset := contentTypeForm, ""
	if contentType != contentTypeForm { // the common case needs no MIME parsing
		if contentType == "" {
			if len(raw) == 0 {
				return url.Values{}, nil
			}
			return nil, unsupportedContentType()
		}
		mt, mtParams, err := mime.ParseMediaType(contentType)
		if err != nil {
			return nil, unsupportedContentType()
		}
		mediaType, charset = mt, mtParams["charset"]
	}
	if mediaType != contentTypeForm && mediaType != contentTypeJSON {
		return nil, unsupportedContentType()
	}
	text, oerr := decodeCharset(raw, charset)
	if oerr != nil {
		return nil, oerr
	}
	// NUL bytes are rejected before parsing, as Logto does (core/oidc/init.ts), and after it,
	// because percent-encoding can smuggle one in: no parameter ever legitimately holds one, and
	// PostgreSQL rejects them in text.
	if strings.IndexByte(text, 0) >= 0 {
		return nil, nullByte()
	}
	var params url.Values
	if mediaType == contentTypeJSON {
		params, oerr = parseJSONParams(text)
	} else {
		var err error
		if params, err = url.ParseQuery(text); err != nil {
			oerr = oautherr.BadRequest("the request body is not valid application/x-www-form-urlencoded")
		}
	}
	if oerr != nil {
		return nil, oerr
	}
	return params, validateParams(params)
}

func unsupportedContentType() *oautherr.Error {
	return oautherr.BadRequest("only application/x-www-form-urlencoded or application/json content-type bodies are supported on POST /token")
}

func nullByte() *oautherr.Error {
	return oautherr.BadRequest("null bytes are not allowed in the request body")
}

// decodeCharset turns the body into text. Logto decodes the body in the charset the
// Content-Type names (its client-authentication tests send utf16le and latin1 bodies).
func decodeCharset(raw []byte, charset string) (string, *oautherr.Error) {
	switch strings.ToLower(charset) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return string(raw), nil
	case "iso-8859-1", "latin1", "binary":
		var b strings.Builder
		b.Grow(len(raw) * 2)
		for _, c := range raw {
			b.WriteRune(rune(c))
		}
		return b.String(), nil
	case "utf-16le", "utf16le", "ucs-2", "ucs2":
		if len(raw)%2 != 0 {
			return "", oautherr.BadRequest("the request body is not valid " + charset)
		}
		units := make([]uint16, len(raw)/2)
		for i := range units {
			units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
		}
		return string(utf16.Decode(units)), nil
	default:
		return "", oautherr.New(http.StatusUnsupportedMediaType, oautherr.InvalidRequest, "unsupported charset")
	}
}

// validateParams enforces what holds for every parameter: sent once (RFC 6749 §3.2: "Request
// and response parameters MUST NOT be included more than once"), except `resource`, which RFC
// 8707 §2 lets repeat; no NUL (it may have been percent-encoded); valid UTF-8.
func validateParams(params url.Values) *oautherr.Error {
	var repeated []string
	for name, values := range params {
		if len(values) > 1 && name != "resource" {
			repeated = append(repeated, name)
		}
		if strings.IndexByte(name, 0) >= 0 || !utf8.ValidString(name) {
			return invalidEncoding(name)
		}
		for _, v := range values {
			if strings.IndexByte(v, 0) >= 0 {
				return nullByte()
			}
			if !utf8.ValidString(v) {
				return invalidEncoding(name)
			}
		}
	}
	if len(repeated) > 0 {
		return oautherr.BadRequest("'" + slices.Min(repeated) + "' parameter must not be provided twice")
	}
	return nil
}

func invalidEncoding(name string) *oautherr.Error {
	if !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
		return oautherr.BadRequest("parameter names must be valid UTF-8")
	}
	return oautherr.BadRequest("'" + name + "' parameter must be valid UTF-8")
}

// parseJSONParams reads a JSON object of parameters: a string value is one value, an array of
// strings is that parameter repeated, null is absent; anything else (numbers, objects, nested
// arrays) is refused rather than guessed at. A key appearing twice adds its values, so
// validateParams refuses it like a repeated form parameter.
func parseJSONParams(text string) (url.Values, *oautherr.Error) {
	invalid := oautherr.BadRequest("the request body is not a valid JSON object of parameters")
	dec := json.NewDecoder(strings.NewReader(text))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, invalid
	}
	params := url.Values{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalid
		}
		name, ok := tok.(string)
		if !ok {
			return nil, invalid
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, invalid
		}
		switch value[0] {
		case '"':
			var s string
			if err := json.Unmarshal(value, &s); err != nil {
				return nil, invalid
			}
			params[name] = append(params[name], s)
		case '[':
			var list []string
			if err := json.Unmarshal(value, &list); err != nil {
				return nil, oautherr.BadRequest("'" + name + "' parameter must be a string or an array of strings")
			}
			params[name] = append(params[name], list...)
		case 'n': // null: absent
		default:
			return nil, oautherr.BadRequest("'" + name + "' parameter must be a string or an array of strings")
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, invalid
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalid
	}
	return params, nil
}

// readCredentials finds the client's credentials the way oidc-provider does
// (lib/shared/client_auth.js), so clients see the same answers as from Logto: exactly one
// mechanism (Basic header, client_secret in the body, or a client_assertion), client_id in the
// body and in Basic must agree, and some client id must be given.
func (req *Request) readCredentials(h http.Header) *oautherr.Error {
	authorization, hasAuthorization := h["Authorization"]
	secret := req.Params.Get("client_secret")
	assertion := req.Params.Get("client_assertion")

	mechanisms := 0
	if hasAuthorization && authorization[0] != "" {
		mechanisms++
	}
	if secret != "" {
		mechanisms++
	}
	if assertion != "" {
		mechanisms++
	}
	if mechanisms > 1 {
		return oautherr.BadRequest("client authentication must only be provided using one mechanism")
	}

	req.ClientID = req.Params.Get("client_id")
	switch {
	case secret != "":
		req.ClientSecret, req.AuthMethod = secret, AuthSecretPost
	case hasAuthorization:
		if len(authorization) != 1 {
			return invalidAuthorizationHeader()
		}
		id, basicSecret, oerr := parseBasic(authorization[0])
		if oerr != nil {
			return oerr
		}
		if req.ClientID != "" && req.ClientID != id {
			return oautherr.BadRequest("client_id mismatch")
		}
		if basicSecret == "" {
			return oautherr.BadRequest("client_secret must be provided in the Authorization header")
		}
		req.ClientID, req.ClientSecret, req.AuthMethod = id, basicSecret, AuthSecretBasic
	case assertion != "":
		req.AuthMethod = AuthAssertion
	default:
		req.AuthMethod = AuthNone
	}
	if req.ClientID == "" {
		return oautherr.BadRequest("no client authentication mechanism provided")
	}
	return nil
}

func invalidAuthorizationHeader() *oautherr.Error {
	return oautherr.BadRequest("invalid authorization header value format")
}

// parseBasic reads `Basic base64(urlencode(id) ":" urlencode(secret))`. RFC 6749 §2.3.1 says
// the client id and secret are application/x-www-form-urlencoded before they are joined, so
// both are decoded after splitting at the first colon; the decoded values must be printable
// ASCII (RFC 6749 Appendix A.1/A.2 VSCHAR).
func parseBasic(header string) (id, secret string, oerr *oautherr.Error) {
	scheme, encoded, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "basic") || strings.IndexByte(encoded, ' ') >= 0 {
		return "", "", invalidAuthorizationHeader()
	}
	decoded, ok := decodeBase64(encoded)
	if !ok {
		return "", "", invalidAuthorizationHeader()
	}
	rawID, rawSecret, ok := bytes.Cut(decoded, []byte{':'})
	if !ok {
		return "", "", invalidAuthorizationHeader()
	}
	id, idOK := decodeAuthToken(rawID)
	secret, secretOK := decodeAuthToken(rawSecret)
	if !idOK || !secretOK {
		return "", "", oautherr.BadRequest("client_id and client_secret in the authorization header are not properly encoded")
	}
	return id, secret, nil
}

// decodeBase64 accepts standard base64 with or without padding, and nothing else (the same
// inputs oidc-provider's isValidBase64 accepts).
func decodeBase64(s string) ([]byte, bool) {
	unpadded := strings.TrimRight(s, "=")
	pad := len(s) - len(unpadded)
	if unpadded == "" || pad > 2 {
		return nil, false
	}
	if pad > 0 && (len(s)%4 != 0 || pad != 4-len(unpadded)%4) {
		return nil, false
	}
	b, err := base64.RawStdEncoding.DecodeString(unpadded)
	if err != nil {
		return nil, false
	}
	return b, true
}

// decodeAuthToken form-url-decodes one half of a Basic credential and checks it is VSCHAR.
func decodeAuthToken(raw []byte) (string, bool) {
	s, err := url.QueryUnescape(string(raw))
	if err != nil {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return "", false
		}
	}
	return s, true
}
