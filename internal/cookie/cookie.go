package cookie

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Cookie names, as Logto's provider sets them (logto-core.md §1.8).
const (
	Interaction = "_interaction"
	Session     = "_session"
	// AppIDHeader picks the client's entry of the interaction cookie map when one browser has
	// several sign-ins open (Logto's per-client interaction cookie).
	AppIDHeader = "Logto-App-Id"
	// legacyEntry is the map entry used when no app id is given.
	legacyEntry = "_legacy"
	sigSuffix   = ".sig"
)

// Jar reads and writes cookies signed with HMAC-SHA256 under the tenant's cookie keys (config
// row oidc.cookieKeys, newest first): the newest key signs, every key verifies, so rotating the
// keys does not sign anybody out. Each cookie has a "<name>.sig" twin holding the signature of
// "<name>=<value>", as the keygrip-signed cookies of Logto's provider do.
type Jar struct {
	keys KeySource
}

// KeySource gives a tenant's cookie keys, newest first; the service's directory implements it,
// caching the keys until the tenant's configuration changes. A tenant without keys gives an
// error wrapping model.ErrNotFound.
type KeySource interface {
	CookieKeys(ctx context.Context, tenantID string) ([]model.CookieKey, error)
}

// NewJar returns a Jar signing with the keys from keys.
func NewJar(keys KeySource) *Jar {
	return &Jar{keys: keys}
}

// ErrNoKeys means the tenant has no cookie keys (it was not seeded).
var ErrNoKeys = errors.New("cookie: the tenant has no cookie keys")

func (j *Jar) tenantKeys(ctx context.Context, tenantID string) ([][]byte, error) {
	list, err := j.keys.CookieKeys(ctx, tenantID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, ErrNoKeys
	}
	if err != nil {
		return nil, err
	}
	keys := make([][]byte, 0, len(list))
	for _, k := range list {
		if k.Value != "" {
			keys = append(keys, []byte(k.Value))
		}
	}
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	return keys, nil
}

func sign(key []byte, name, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(name + "=" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Set writes c and its signature twin. HttpOnly and SameSite=Lax are always set; Secure when the
// client reached us over HTTPS (directly or through a trusted proxy). Path defaults to "/".
func (j *Jar) Set(w http.ResponseWriter, r *http.Request, tenantID string, c *http.Cookie) error {
	keys, err := j.tenantKeys(r.Context(), tenantID)
	if err != nil {
		return err
	}
	if c.Path == "" {
		c.Path = "/"
	}
	c.HttpOnly = true
	c.SameSite = http.SameSiteLaxMode
	c.Secure = httpx.Scheme(r.Context()) == "https"
	sig := *c
	sig.Name = c.Name + sigSuffix
	sig.Value = sign(keys[0], c.Name, c.Value)
	http.SetCookie(w, c)
	http.SetCookie(w, &sig)
	return nil
}

// Get returns the value of cookie name when its signature verifies under any of the tenant's
// keys (compared in constant time).
func (j *Jar) Get(r *http.Request, tenantID, name string) (string, bool) {
	c, err := r.Cookie(name)
	if err != nil {
		return "", false
	}
	s, err := r.Cookie(name + sigSuffix)
	if err != nil {
		return "", false
	}
	keys, err := j.tenantKeys(r.Context(), tenantID)
	if err != nil {
		return "", false
	}
	for _, k := range keys {
		if hmac.Equal([]byte(sign(k, name, c.Value)), []byte(s.Value)) {
			return c.Value, true
		}
	}
	return "", false
}

// Clear expires cookie name and its twin at path ("/" when empty).
func (j *Jar) Clear(w http.ResponseWriter, r *http.Request, name, path string) {
	if path == "" {
		path = "/"
	}
	secure := httpx.Scheme(r.Context()) == "https"
	for _, n := range []string{name, name + sigSuffix} {
		http.SetCookie(w, &http.Cookie{Name: n, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure})
	}
}

// SetInteraction records uid as clientID's open interaction in the _interaction cookie map
// (percent-encoded JSON {"<clientId>":"<uid>","_legacy":"<uid>"}, Logto's per-client format),
// keeping other clients' entries, for maxAge.
func (j *Jar) SetInteraction(w http.ResponseWriter, r *http.Request, tenantID, clientID, uid string, maxAge time.Duration) error {
	m := j.interactionMap(r, tenantID)
	m[clientID] = uid
	m[legacyEntry] = uid
	b, _ := json.Marshal(m)
	return j.Set(w, r, tenantID, &http.Cookie{Name: Interaction, Value: url.QueryEscape(string(b)), MaxAge: int(maxAge / time.Second)})
}

// InteractionUID returns the interaction uid for the app named by the Logto-App-Id header (or
// appID when given), falling back to the last interaction started in this browser.
func (j *Jar) InteractionUID(r *http.Request, tenantID, appID string) (string, bool) {
	m := j.interactionMap(r, tenantID)
	if appID == "" {
		appID = r.Header.Get(AppIDHeader)
	}
	if uid, ok := m[appID]; ok && appID != "" {
		return uid, true
	}
	uid, ok := m[legacyEntry]
	return uid, ok && uid != ""
}

// ClearInteraction drops clientID's entry (and the fallback entry when it points at the same
// interaction); the cookie is removed when nothing is left.
func (j *Jar) ClearInteraction(w http.ResponseWriter, r *http.Request, tenantID, clientID string) error {
	m := j.interactionMap(r, tenantID)
	uid := m[clientID]
	delete(m, clientID)
	if m[legacyEntry] == uid {
		delete(m, legacyEntry)
	}
	if len(m) == 0 {
		j.Clear(w, r, Interaction, "/")
		return nil
	}
	b, _ := json.Marshal(m)
	return j.Set(w, r, tenantID, &http.Cookie{Name: Interaction, Value: url.QueryEscape(string(b))})
}

func (j *Jar) interactionMap(r *http.Request, tenantID string) map[string]string {
	m := map[string]string{}
	v, ok := j.Get(r, tenantID, Interaction)
	if !ok {
		return m
	}
	decoded, err := url.QueryUnescape(v)
	if err != nil {
		return m
	}
	if json.Unmarshal([]byte(decoded), &m) != nil {
		return map[string]string{}
	}
	return m
}
