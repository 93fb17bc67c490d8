package directory

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// maxNegativeEntries bounds how many "does not exist" answers a tenant's directory remembers.
// Remembering them keeps a client that retries an unknown client id (or resource) in a loop from
// reaching the database on every request; bounding them keeps a flood of distinct made-up ids
// from growing memory without limit. When the bound is reached the negative entries are dropped
// and the count starts again.
const maxNegativeEntries = 10_000

// maxClientIDLength is longer than any application id can be (Logto: varchar(21)); a longer
// client id is unknown without a database read, and is not remembered, so a client cannot fill
// the negative cache with huge keys.
const maxClientIDLength = 128

// Directory is the read model of the protocol hot path (ARCHITECTURE §3 "Machine to machine"):
// clients with their secrets, resources and the scopes an application holds on a resource, kept
// in process so that a warm token request reads no database row.
//
// Everything cached for a tenant is dropped at once when store.Freshness reports that the
// tenant's data changed: immediately after a write through this process (Freshness.Invalidate),
// and within one freshness interval after a write by another process or node.
type Directory struct {
	st    store.Store
	fresh *store.Freshness
	clk   clock.Clock
	// negativeLimit is maxNegativeEntries; a field so tests can use a small bound.
	negativeLimit int

	mu      sync.Mutex
	tenants map[string]*tenantDirectory
}

// New returns a Directory reading st, kept fresh by fresh.
func New(st store.Store, fresh *store.Freshness, clk clock.Clock) *Directory {
	return &Directory{st: st, fresh: fresh, clk: clk, negativeLimit: maxNegativeEntries, tenants: map[string]*tenantDirectory{}}
}

// tenantDirectory is one tenant's cache, valid while the tenant's freshness token equals token.
// A load that started under an older token writes into the old (discarded) tenantDirectory, so
// a slow read can never put stale data into a newer cache.
type tenantDirectory struct {
	token store.Token

	mu              sync.RWMutex
	clients         map[string]*Client         // nil value: known not to exist
	resources       map[string]*model.Resource // by indicator; nil value: known not to exist
	defaultResource *model.Resource
	defaultLoaded   bool
	grantedScopes   map[appResource][]string
	cookieKeys      []model.CookieKey
	negatives       int
}

type appResource struct{ appID, resourceID string }

func newTenantDirectory(token store.Token) *tenantDirectory {
	return &tenantDirectory{
		token:         token,
		clients:       map[string]*Client{},
		resources:     map[string]*model.Resource{},
		grantedScopes: map[appResource][]string{},
	}
}

// tenant returns the tenant's cache for its current freshness token, replacing a stale one.
func (d *Directory) tenant(ctx context.Context, tenantID string) *tenantDirectory {
	// On a read error Freshness returns the last known token: keep serving what is cached while
	// the database is briefly unreachable. Misses then fail on their own read and report it.
	token, _ := d.fresh.Current(ctx, tenantID)
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.tenants[tenantID]
	if !ok || t.token != token {
		t = newTenantDirectory(token)
		d.tenants[tenantID] = t
	}
	return t
}

// noteNegative counts a "does not exist" answer about to be stored; past limit it drops every
// negative entry first. Callers hold t.mu for writing.
func (t *tenantDirectory) noteNegative(limit int) {
	t.negatives++
	if t.negatives <= limit {
		return
	}
	for id, c := range t.clients {
		if c == nil {
			delete(t.clients, id)
		}
	}
	for indicator, r := range t.resources {
		if r == nil {
			delete(t.resources, indicator)
		}
	}
	t.negatives = 1
}

// CookieKeys returns the tenant's cookie keys (config row oidc.cookieKeys, newest first), which
// sign the protocol's and the sign-in pages' cookies on every request. A tenant without the row
// (not seeded) gives an error wrapping model.ErrNotFound.
func (d *Directory) CookieKeys(ctx context.Context, tenantID string) ([]model.CookieKey, error) {
	t := d.tenant(ctx, tenantID)
	t.mu.RLock()
	keys := t.cookieKeys
	t.mu.RUnlock()
	if keys != nil {
		return keys, nil
	}
	raw, err := d.st.Tenant(tenantID).Configs().Get(ctx, model.ConfigCookieKeys)
	if err != nil {
		return nil, fmt.Errorf("read cookie keys: %w", err)
	}
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, fmt.Errorf("decode cookie keys: %w", err)
	}
	if keys == nil {
		keys = []model.CookieKey{}
	}
	t.mu.Lock()
	t.cookieKeys = keys
	t.mu.Unlock()
	return keys, nil
}

// Client returns the application clientID of the tenant with its secrets. An unknown id gives an
// error wrapping model.ErrNotFound. The returned Client is shared and must not be modified.
func (d *Directory) Client(ctx context.Context, tenantID, clientID string) (*Client, error) {
	if len(clientID) > maxClientIDLength {
		return nil, fmt.Errorf("client id of %d bytes: %w", len(clientID), model.ErrNotFound)
	}
	t := d.tenant(ctx, tenantID)
	t.mu.RLock()
	c, ok := t.clients[clientID]
	t.mu.RUnlock()
	if ok {
		if c == nil {
			return nil, fmt.Errorf("client %q: %w", clientID, model.ErrNotFound)
		}
		return c, nil
	}

	c, err := d.loadClient(ctx, tenantID, clientID)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return nil, err
	}
	t.mu.Lock()
	if c == nil {
		t.noteNegative(d.negativeLimit)
	}
	t.clients[clientID] = c
	t.mu.Unlock()
	if c == nil {
		return nil, fmt.Errorf("client %q: %w", clientID, model.ErrNotFound)
	}
	return c, nil
}

func (d *Directory) loadClient(ctx context.Context, tenantID, clientID string) (*Client, error) {
	repo := d.st.Tenant(tenantID)
	app, err := repo.Applications().Get(ctx, clientID)
	if err != nil {
		return nil, fmt.Errorf("load client %q: %w", clientID, err)
	}
	secrets, err := repo.Secrets().List(ctx, clientID)
	if err != nil {
		return nil, fmt.Errorf("load secrets of client %q: %w", clientID, err)
	}
	return newClient(app, secrets, d.clk), nil
}

// Resource returns the tenant's API resource with the given indicator. An unknown indicator gives
// an error wrapping model.ErrNotFound. The returned Resource is shared and must not be modified.
func (d *Directory) Resource(ctx context.Context, tenantID, indicator string) (*model.Resource, error) {
	t := d.tenant(ctx, tenantID)
	t.mu.RLock()
	r, ok := t.resources[indicator]
	t.mu.RUnlock()
	if ok {
		if r == nil {
			return nil, fmt.Errorf("resource %q: %w", indicator, model.ErrNotFound)
		}
		return r, nil
	}

	loaded, err := d.st.Tenant(tenantID).Resources().GetByIndicator(ctx, indicator)
	switch {
	case err == nil:
		r = &loaded
	case errors.Is(err, model.ErrNotFound):
		r = nil
	default:
		return nil, fmt.Errorf("load resource %q: %w", indicator, err)
	}
	t.mu.Lock()
	if r == nil {
		t.noteNegative(d.negativeLimit)
	}
	t.resources[indicator] = r
	t.mu.Unlock()
	if r == nil {
		return nil, fmt.Errorf("resource %q: %w", indicator, model.ErrNotFound)
	}
	return r, nil
}

// DefaultResource returns the tenant's default API resource (isDefault), which Logto uses as the
// audience when a token request names no resource (oidc-provider's resourceIndicators
// defaultResource). No default gives an error wrapping model.ErrNotFound.
func (d *Directory) DefaultResource(ctx context.Context, tenantID string) (*model.Resource, error) {
	t := d.tenant(ctx, tenantID)
	t.mu.RLock()
	r, loaded := t.defaultResource, t.defaultLoaded
	t.mu.RUnlock()
	if !loaded {
		all, _, err := d.st.Tenant(tenantID).Resources().List(ctx, model.Page{})
		if err != nil {
			return nil, fmt.Errorf("load default resource: %w", err)
		}
		r = nil
		for i := range all {
			if all[i].IsDefault {
				r = &all[i]
				break
			}
		}
		t.mu.Lock()
		t.defaultResource, t.defaultLoaded = r, true
		t.mu.Unlock()
	}
	if r == nil {
		return nil, fmt.Errorf("default resource: %w", model.ErrNotFound)
	}
	return r, nil
}

// GrantedScopes returns the names of resourceID's scopes that appID holds through its roles: the
// most a client_credentials token for that resource may carry. The returned slice is shared and
// must not be modified.
func (d *Directory) GrantedScopes(ctx context.Context, tenantID, appID, resourceID string) ([]string, error) {
	t := d.tenant(ctx, tenantID)
	key := appResource{appID, resourceID}
	t.mu.RLock()
	names, ok := t.grantedScopes[key]
	t.mu.RUnlock()
	if ok {
		return names, nil
	}
	names, err := d.st.Tenant(tenantID).Roles().ApplicationScopeNames(ctx, appID, resourceID)
	if err != nil {
		return nil, fmt.Errorf("load scopes of application %q on resource %q: %w", appID, resourceID, err)
	}
	if names == nil {
		names = []string{} // cached as "known to be empty", distinct from "not loaded"
	}
	t.mu.Lock()
	t.grantedScopes[key] = names
	t.mu.Unlock()
	return names, nil
}

// Client is an OAuth client as the token endpoint needs it: the application and the digests of
// its named secrets.
type Client struct {
	model.Application
	secrets []clientSecret
	clk     clock.Clock // the directory's clock, for secret expiry
}

// clientSecret keeps a SHA-256 digest instead of the secret, so that comparing a presented
// secret compares two fixed-length values in constant time: the length of the stored secret
// leaks neither through timing nor through an early exit.
type clientSecret struct {
	name      string
	digest    [sha256.Size]byte
	expiresAt *int64 // epoch milliseconds; nil = never
}

func newClient(app model.Application, secrets []model.ApplicationSecret, clk clock.Clock) *Client {
	c := &Client{Application: app, secrets: make([]clientSecret, 0, len(secrets)), clk: clk}
	for _, s := range secrets {
		c.secrets = append(c.secrets, clientSecret{name: s.Name, digest: sha256.Sum256([]byte(s.Value)), expiresAt: s.ExpiresAt})
	}
	return c
}

// SecretCheck is the outcome of checking a presented client secret.
type SecretCheck int

const (
	// SecretMismatch: the secret is none of the client's secrets.
	SecretMismatch SecretCheck = iota
	// SecretValid: the secret is one of the client's unexpired secrets.
	SecretValid
	// SecretExpired: the secret is one of the client's secrets, past its expiry. Logto answers
	// this differently from a wrong secret (invalid_request "client secret has expired").
	SecretExpired
)

// CheckSecret compares presented with every secret of the client in constant time (every
// secret is compared, matched or not) and reports whether it is a valid, an expired or no secret
// of the client at the directory's current time, with the matching secret's name. Several
// secrets may be valid at once, so a secret can be rotated without downtime (Logto's
// application_secrets).
func (c *Client) CheckSecret(presented string) (SecretCheck, string) {
	digest := sha256.Sum256([]byte(presented))
	nowMs := c.clk.Now().UnixMilli()
	result, name := SecretMismatch, ""
	for i := range c.secrets {
		s := &c.secrets[i]
		if subtle.ConstantTimeCompare(digest[:], s.digest[:]) != 1 {
			continue
		}
		expired := s.expiresAt != nil && *s.expiresAt <= nowMs
		switch {
		case !expired:
			result, name = SecretValid, s.name
		case result == SecretMismatch:
			result, name = SecretExpired, s.name
		}
	}
	return result, name
}
