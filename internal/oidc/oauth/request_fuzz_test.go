package oauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// isVSCHAR reports whether s is RFC 6749 Appendix A VSCHAR (%x20-7E) only.
func isVSCHAR(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// basicHeader encodes id and secret as RFC 6749 §2.3.1 says a client must: each
// form-urlencoded, joined by a colon, base64.
func basicHeader(scheme, id, secret string, enc *base64.Encoding) string {
	return scheme + " " + enc.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// FuzzBasicCredentials fuzzes the HTTP Basic client authentication parser of the token,
// introspection and revocation endpoints (parseBasic). Properties:
//
//   - any Authorization value: a refusal is a 400 invalid_request; an accepted one yields a client
//     id and secret of VSCHAR only, which re-encode (canonically) to the same pair;
//   - any id and secret of VSCHAR round-trip through the RFC 6749 §2.3.1 encoding, padded or
//     not, with the scheme in any case; and, as clients that skip the form-encoding send them, raw
//     when neither holds '%' or '+' (and the id no ':');
//   - an id or secret with a byte outside VSCHAR is refused.
func FuzzBasicCredentials(f *testing.F) {
	b64 := base64.StdEncoding.EncodeToString
	for _, seed := range []struct{ header, id, secret string }{
		{"Basic " + b64([]byte("app:s3cret")), "app", "s3cret"},
		{"Basic " + b64([]byte("my%3Aapp:a+b%2Bc%25")), "my:app", "a b+c%"},
		{"basic YWI6Yw", "ab", "c"},
		{"BASIC YWI6Yw=", "a:b", "c:d"},
		{"Basic YQ===", "", ""},
		{"Basic ab-_", "x", ""},
		{"Basic  " + b64([]byte("a:b")), "\x7f", "\x00"},
		{"Basic " + b64([]byte("a%zz:b")), "ü", "s"},
		{"Basic " + b64([]byte("a:b%0A")), "a\nb", "c"},
		{"Basic " + b64([]byte("a:")), "%41", "+"},
		{"Basic " + b64([]byte(":b")), "", "only-secret"},
		{"Bearer abc", "m2m-app-id-123", "KbwnT2aw9XbT8tyd5oYtZD3KhiWsfPPB"},
		{"Basic", "a", "b"},
		{"", "a b", "c d"},
	} {
		f.Add(seed.header, seed.id, seed.secret)
	}
	f.Fuzz(func(t *testing.T, header, id, secret string) {
		// Any header.
		gotID, gotSecret, oerr := parseBasic(header)
		if oerr != nil {
			if oerr.Status != http.StatusBadRequest || oerr.Code != oautherr.InvalidRequest {
				t.Fatalf("parseBasic(%q) refused with %d %s", header, oerr.Status, oerr.Code)
			}
		} else {
			scheme, _, _ := strings.Cut(header, " ")
			if !strings.EqualFold(scheme, "basic") {
				t.Fatalf("parseBasic(%q) accepted scheme %q", header, scheme)
			}
			if !isVSCHAR(gotID) || !isVSCHAR(gotSecret) {
				t.Fatalf("parseBasic(%q) = %q, %q: not VSCHAR", header, gotID, gotSecret)
			}
			id2, secret2, oerr := parseBasic(basicHeader("Basic", gotID, gotSecret, base64.StdEncoding))
			if oerr != nil || id2 != gotID || secret2 != gotSecret {
				t.Fatalf("re-encoding %q, %q from %q gives %q, %q, %v", gotID, gotSecret, header, id2, secret2, oerr)
			}
		}

		// Any id and secret, encoded as a client would.
		valid := isVSCHAR(id) && isVSCHAR(secret)
		for _, h := range []string{
			basicHeader("Basic", id, secret, base64.StdEncoding),
			basicHeader("basic", id, secret, base64.RawStdEncoding),
			basicHeader("BASIC", id, secret, base64.StdEncoding),
		} {
			gotID, gotSecret, oerr := parseBasic(h)
			switch {
			case valid && (oerr != nil || gotID != id || gotSecret != secret):
				t.Fatalf("id %q secret %q encoded as %q parse as %q, %q, %v", id, secret, h, gotID, gotSecret, oerr)
			case !valid && oerr == nil:
				t.Fatalf("id %q secret %q with a non-VSCHAR byte accepted as %q, %q", id, secret, gotID, gotSecret)
			}
		}
		if valid && !strings.ContainsAny(id, "%+:") && !strings.ContainsAny(secret, "%+") {
			raw := "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
			if gotID, gotSecret, oerr := parseBasic(raw); oerr != nil || gotID != id || gotSecret != secret {
				t.Fatalf("unencoded id %q secret %q parse as %q, %q, %v", id, secret, gotID, gotSecret, oerr)
			}
		}
	})
}

// FuzzParseTokenRequest fuzzes the token endpoint's request parser (ParseRequest: body in any
// declared content type and charset, then client credentials from the body or a Basic header).
// Properties:
//
//   - a refusal is a 4xx OAuth error with a code;
//   - an accepted request holds only valid UTF-8 without NUL, no parameter twice except
//     `resource`, resources split at commas with none empty, some client id, and credentials
//     consistent with the mechanism reported (secret only with Basic or client_secret, Basic only
//     with an Authorization header, never two mechanisms);
//   - form and JSON bodies are equivalent: the parameters of an accepted request, re-encoded in
//     the other content type, parse to the same request.
func FuzzParseTokenRequest(f *testing.F) {
	b64 := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, seed := range []struct {
		contentType, body, auth string
		hasAuth                 bool
	}{
		{contentTypeForm, "grant_type=client_credentials&resource=https://api.example.com&scope=read write", b64("app:s3cret"), true},
		{contentTypeForm, "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fapp%2Fcb&client_id=spa&code_verifier=" + strings.Repeat("v", 43), "", false},
		{contentTypeForm, "grant_type=refresh_token&refresh_token=r&client_id=a&client_secret=b&resource=a,b,,c&resource=d", "", false},
		{contentTypeForm, "client_id=a&client_assertion=x.y.z&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "", false},
		{contentTypeForm, "client_id=z", b64("a:b"), true},
		{contentTypeForm, "client_secret=b", b64("a:b"), true},
		{contentTypeForm, "client_id=a&client_id=a", "", false},
		{contentTypeForm, "a=%00", "", false},
		{contentTypeForm, "a=%ff&b=%", "", false},
		{contentTypeForm + "; charset=latin1", "client_id=\xe9", "", false},
		{contentTypeForm + "; charset=utf-16le", "c\x00l\x00i\x00e\x00n\x00t\x00_\x00i\x00d\x00=\x00a\x00", "", false},
		{contentTypeForm + "; charset=koi8-r", "client_id=a", "", false},
		{contentTypeJSON, `{"grant_type":"client_credentials","client_id":"a","client_secret":"b","resource":["https://x","https://y"]}`, "", false},
		{contentTypeJSON + "; charset=utf-8", `{"client_id":"a","scope":null,"resource":[]}`, b64("a:b"), true},
		{contentTypeJSON, `{"client_id":"a","client_id":"b"}`, "", false},
		{contentTypeJSON, `{"client_id":1}`, "", false},
		{contentTypeJSON, `{"client_id":"a"} {}`, "", false},
		{contentTypeJSON, `["client_id"]`, "", false},
		{"text/plain", "client_id=a", "", false},
		{"", "", "", true},
		{"", "client_id=a", "Basic !!!", true},
	} {
		f.Add(seed.contentType, []byte(seed.body), seed.auth, seed.hasAuth)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte, auth string, hasAuth bool) {
		req, oerr := parse(contentType, body, auth, hasAuth)
		if oerr != nil {
			if oerr.Status < 400 || oerr.Status > 499 || oerr.Code == "" {
				t.Fatalf("refusal %d %q for %q %q", oerr.Status, oerr.Code, contentType, body)
			}
			return
		}
		checkRequest(t, req, auth, hasAuth)

		// The same parameters in the other content type parse to the same request.
		params := nonEmpty(req.Params)
		form := []byte(params.Encode())
		obj := map[string]any{}
		for name, values := range params {
			if len(values) == 1 {
				obj[name] = values[0]
			} else {
				obj[name] = values
			}
		}
		js, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		for _, alt := range []struct {
			contentType string
			body        []byte
		}{{contentTypeForm, form}, {contentTypeJSON, js}} {
			again, oerr := parse(alt.contentType, alt.body, auth, hasAuth)
			if oerr != nil {
				t.Fatalf("%q %q was accepted, but the same parameters as %s %q are refused: %v", contentType, body, alt.contentType, alt.body, oerr)
			}
			if !reflect.DeepEqual(nonEmpty(again.Params), params) || again.ClientID != req.ClientID || again.ClientSecret != req.ClientSecret ||
				again.AuthMethod != req.AuthMethod || again.GrantType != req.GrantType || again.Scope != req.Scope || !slices.Equal(again.Resources, req.Resources) {
				t.Fatalf("%q %q and %s %q parse differently: %+v vs %+v", contentType, body, alt.contentType, alt.body, req, again)
			}
		}
	})
}

func parse(contentType string, body []byte, auth string, hasAuth bool) (*Request, *oautherr.Error) {
	r := httptest.NewRequest(http.MethodPost, "/oidc/token", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if hasAuth {
		r.Header["Authorization"] = []string{auth}
	}
	return ParseRequest(r)
}

// nonEmpty drops parameters without values (a JSON [] or null), which a form cannot express.
func nonEmpty(v url.Values) url.Values {
	out := url.Values{}
	for name, values := range v {
		if len(values) > 0 {
			out[name] = values
		}
	}
	return out
}

func checkRequest(t *testing.T, req *Request, auth string, hasAuth bool) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(req.Params)) {
		values := req.Params[name]
		if !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
			t.Fatalf("accepted parameter name %q", name)
		}
		if len(values) > 1 && name != "resource" {
			t.Fatalf("accepted %q %d times", name, len(values))
		}
		for _, v := range values {
			if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				t.Fatalf("accepted %s=%q", name, v)
			}
		}
	}
	if req.GrantType != req.Params.Get("grant_type") || req.Scope != req.Params.Get("scope") {
		t.Fatalf("grant_type %q scope %q differ from the parameters %v", req.GrantType, req.Scope, req.Params)
	}
	var want []string
	for _, v := range req.Params["resource"] {
		for part := range strings.SplitSeq(v, ",") {
			if part != "" {
				want = append(want, part)
			}
		}
	}
	if !slices.Equal(req.Resources, want) {
		t.Fatalf("resources %q from %q", req.Resources, req.Params["resource"])
	}
	if req.ClientID == "" {
		t.Fatal("accepted a request without a client id")
	}
	secret, assertion := req.Params.Get("client_secret"), req.Params.Get("client_assertion")
	headerUsed := hasAuth && auth != ""
	switch req.AuthMethod {
	case AuthSecretBasic:
		if !hasAuth || secret != "" || assertion != "" || req.ClientSecret == "" || !isVSCHAR(req.ClientID) || !isVSCHAR(req.ClientSecret) {
			t.Fatalf("Basic credentials %q/%q (header %v %q, client_secret %q, assertion %q)", req.ClientID, req.ClientSecret, hasAuth, auth, secret, assertion)
		}
		if id := req.Params.Get("client_id"); id != "" && id != req.ClientID {
			t.Fatalf("client_id %q in the body but %q in Basic", id, req.ClientID)
		}
	case AuthSecretPost:
		if headerUsed || assertion != "" || req.ClientSecret != secret || secret == "" || req.ClientID != req.Params.Get("client_id") {
			t.Fatalf("client_secret_post with header %q, assertion %q, secret %q", auth, assertion, req.ClientSecret)
		}
	case AuthAssertion:
		if headerUsed || hasAuth || secret != "" || req.ClientSecret != "" || assertion == "" {
			t.Fatalf("assertion with header %q, client_secret %q", auth, secret)
		}
	case AuthNone:
		if hasAuth || secret != "" || assertion != "" || req.ClientSecret != "" {
			t.Fatalf("no authentication but header %v %q, client_secret %q, assertion %q", hasAuth, auth, secret, assertion)
		}
	default:
		t.Fatalf("auth method %v", req.AuthMethod)
	}
}
