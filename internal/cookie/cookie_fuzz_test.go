package cookie

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// fuzzKey is the jar's only cookie key in the fuzz targets; otherKey is a key the jar does not
// hold, e.g. another tenant's or a dropped one.
const (
	fuzzKey  = "fuzz-key-0123456789abcdefghijklm"
	otherKey = "other-key-0123456789abcdefghijkl"
)

// fuzzKeys is a KeySource holding one key for tenant "default" (newest first, as the directory
// gives them) and none for any other tenant.
type fuzzKeys []model.CookieKey

func (k fuzzKeys) CookieKeys(_ context.Context, tenantID string) ([]model.CookieKey, error) {
	if tenantID != "default" {
		return nil, fmt.Errorf("tenant %q: %w", tenantID, model.ErrNotFound)
	}
	return k, nil
}

// newFuzzJar is a Jar whose tenant "default" holds the cookie key fuzzKey.
func newFuzzJar() *Jar {
	return NewJar(fuzzKeys{{ID: "k", Value: fuzzKey}})
}

// withCookies is a request carrying a raw Cookie header, as a browser (or an attacker) sends it.
func withCookies(header string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if header != "" {
		r.Header.Set("Cookie", header)
	}
	return r
}

// browserCookies replays the Set-Cookie answers of rec into one Cookie header, as a browser
// does: each name=value pair verbatim (quotes included), deleted cookies left out.
func browserCookies(rec *httptest.ResponseRecorder) string {
	var pairs []string
	for _, line := range rec.Result().Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && c.MaxAge < 0 {
			continue
		}
		pair, _, _ := strings.Cut(line, ";")
		pairs = append(pairs, pair)
	}
	return strings.Join(pairs, "; ")
}

// FuzzSignedCookie fuzzes signed-cookie verification (Jar.Get) with arbitrary Cookie headers and
// with cookies the jar set itself. Properties:
//
//   - a value the jar signed comes back unchanged through a browser's Cookie header, or not at
//     all when net/http cannot send it as it is (it drops bytes invalid in a cookie; the value
//     then differs from what was signed and must not verify);
//   - a tampered cookie never verifies: another value under that signature, the value under a
//     changed signature, under the signature of another cookie name, or signed with a key the jar
//     does not hold;
//   - whatever Cookie header arrives, Get returns a value only with its valid signature.
func FuzzSignedCookie(f *testing.F) {
	jar := newFuzzJar()
	// net/http logs each value it has to clean before sending; the round trip below covers those.
	logOutput := log.Writer()
	log.SetOutput(io.Discard)
	f.Cleanup(func() { log.SetOutput(logOutput) })
	good := sign([]byte(fuzzKey), Session, "s1")
	for _, seed := range []struct{ value, tampered, header string }{
		{"s1", "s2", Session + "=s1; " + Session + ".sig=" + good},
		{"kFz8Qm3Xw0a1b2c3d4e5f6", "kFz8Qm3Xw0a1b2c3d4e5f7", Session + "=s1; " + Session + ".sig=" + good + "x"},
		{"%7B%22app%22%3A%22uid%22%7D", "%7B%22app%22%3A%22uie%22%7D", Session + "=s1; " + Session + ".sig=" + good + "; " + Session + "=s2"},
		{"a b,c", "a  b,c", Session + `="s1"; ` + Session + ".sig=" + good},
		{"", "x", Session + ".sig=" + sign([]byte(fuzzKey), Session, "")},
		{"v;w", "v", Session + "=; " + Session + ".sig="},
		{"ü\x00\"", "u", "; ;=;" + Session + "=s1=s1"},
	} {
		f.Add(seed.value, seed.tampered, seed.header)
	}
	f.Fuzz(func(t *testing.T, value, tampered, header string) {
		// Arbitrary Cookie header: whatever verifies carries the right signature.
		r := withCookies(header)
		if v, ok := jar.Get(r, "default", Session); ok {
			if sig, err := r.Cookie(Session + sigSuffix); err != nil || sig.Value != sign([]byte(fuzzKey), Session, v) {
				t.Fatalf("Cookie %q verified value %q without its signature", header, v)
			}
		}

		// Round trip through Set and a browser.
		rec := httptest.NewRecorder()
		if err := jar.Set(rec, httptest.NewRequest(http.MethodGet, "/", nil), "default", &http.Cookie{Name: Session, Value: value}); err != nil {
			t.Fatal(err)
		}
		sent := browserCookies(rec)
		got, ok := jar.Get(withCookies(sent), "default", Session)
		if ok && got != value {
			t.Fatalf("set %q, read back %q", value, got)
		}
		if !ok && sendable(value) {
			t.Fatalf("set %q (sent as %q) does not verify", value, sent)
		}

		// Tampering.
		sig := sign([]byte(fuzzKey), Session, value)
		tr := withCookies(Session + "=" + tampered + "; " + Session + ".sig=" + sig)
		if c, err := tr.Cookie(Session); err == nil && c.Value != value { // a browser may unquote or cut the value
			if got, ok := jar.Get(tr, "default", Session); ok {
				t.Fatalf("value %q verified under the signature of %q", got, value)
			}
		}
		for _, forged := range []string{
			sig[:len(sig)-1], sig + "A", flip(sig), sign([]byte(otherKey), Session, value), sign([]byte(fuzzKey), Interaction, value),
		} {
			if _, ok := jar.Get(withCookies(Session+"="+value+"; "+Session+".sig="+forged), "default", Session); ok {
				t.Fatalf("value %q verified under forged signature %q", value, forged)
			}
		}
	})
}

// sendable reports whether net/http sends value in a Cookie header as it is (possibly quoted):
// RFC 6265 cookie-octets, plus space and comma, which it quotes.
func sendable(value string) bool {
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// flip changes the last character of a base64url signature to another base64url character.
func flip(sig string) string {
	last := sig[len(sig)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return sig[:len(sig)-1] + string(repl)
}

// FuzzInteractionCookie fuzzes the decoding of Logto's per-client `_interaction` map
// (percent-encoded JSON {"<clientId>":"<uid>","_legacy":"<uid>"}) and the bookkeeping around it.
// The raw value is signed with the jar's key, so the decoder itself is reached. Properties:
//
//   - any signed value and Logto-App-Id header: InteractionUID never panics, and a uid it returns
//     is one of the map's values (the client's entry or the fallback);
//   - a value without a valid signature yields no uid;
//   - SetInteraction then InteractionUID returns the uid for that client and keeps the entries of
//     the clients already in the cookie; ClearInteraction then removes the client's entry.
func FuzzInteractionCookie(f *testing.F) {
	jar := newFuzzJar()
	for _, seed := range []struct{ raw, appID, clientID, uid string }{
		{url.QueryEscape(`{"app-a":"uid-a","_legacy":"uid-a"}`), "app-a", "app-b", "uid-b"},
		{url.QueryEscape(`{"app-a":"uid-a","_legacy":"uid-b","app-b":"uid-b"}`), "unknown", "app-a", "uid-c"},
		{`{"_legacy":""}`, "", "app", "uid"},
		{url.QueryEscape(`{"app":1}`), "app", "_legacy", "x"},
		{url.QueryEscape(`[]`), "_legacy", "", ""},
		{"%zz", "a", "a", "a"},
		{url.QueryEscape(`{"a":"b"} trailing`), "a", "b", "c"},
		{"%7B%22a%22%3A%22%5Cu0000%22%7D", "a", "a\u2028", "\"uid\""},
		{"", "", "app", "uid"},
	} {
		f.Add(seed.raw, seed.appID, seed.clientID, seed.uid)
	}
	f.Fuzz(func(t *testing.T, raw, appID, clientID, uid string) {
		signed := Interaction + "=" + raw + "; " + Interaction + ".sig=" + sign([]byte(fuzzKey), Interaction, raw)
		r := withCookies(signed)
		if appID != "" {
			r.Header.Set(AppIDHeader, appID)
		}
		c, err := r.Cookie(Interaction)
		var m map[string]string
		if err == nil {
			if decoded, err := url.QueryUnescape(c.Value); err == nil {
				_ = json.Unmarshal([]byte(decoded), &m)
			}
		}
		if got, ok := jar.InteractionUID(r, "default", ""); ok {
			if m == nil || (got != m[r.Header.Get(AppIDHeader)] && got != m[legacyEntry]) {
				t.Fatalf("cookie %q with app %q gave uid %q, not in the map %q", raw, appID, got, m)
			}
		}
		unsigned := withCookies(Interaction + "=" + raw + "; " + Interaction + ".sig=" + sign([]byte(otherKey), Interaction, raw))
		if got, ok := jar.InteractionUID(unsigned, "default", appID); ok {
			t.Fatalf("cookie %q signed with another key gave uid %q", raw, got)
		}

		// SetInteraction round trip, over whatever cookie the browser had. Client ids are
		// registered application ids and uids are generated, so both are valid UTF-8; an empty
		// client id is not an application.
		if clientID == "" || uid == "" || !utf8.ValidString(clientID) || !utf8.ValidString(uid) {
			return
		}
		before := jar.interactionMap(r, "default")
		rec := httptest.NewRecorder()
		if err := jar.SetInteraction(rec, r, "default", clientID, uid, time.Hour); err != nil {
			t.Fatal(err)
		}
		next := withCookies(browserCookies(rec))
		if got, ok := jar.InteractionUID(next, "default", clientID); !ok || got != uid {
			t.Fatalf("after SetInteraction(%q, %q) over %q: uid %q %v", clientID, uid, raw, got, ok)
		}
		if got, ok := jar.InteractionUID(next, "default", ""); !ok || got != uid {
			t.Fatalf("after SetInteraction(%q, %q) the fallback uid is %q %v", clientID, uid, got, ok)
		}
		after := jar.interactionMap(next, "default")
		for k, v := range before {
			if k != clientID && k != legacyEntry && after[k] != v {
				t.Fatalf("SetInteraction(%q) over %q lost entry %q=%q (now %q)", clientID, raw, k, v, after[k])
			}
		}

		rec = httptest.NewRecorder()
		if err := jar.ClearInteraction(rec, next, "default", clientID); err != nil {
			t.Fatal(err)
		}
		cleared := withCookies(browserCookies(rec))
		if rest := jar.interactionMap(cleared, "default"); rest[clientID] != "" && clientID != legacyEntry {
			t.Fatalf("ClearInteraction(%q) left %q", clientID, rest)
		}
	})
}
