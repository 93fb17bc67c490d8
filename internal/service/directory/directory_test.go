package directory

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

const freshnessInterval = time.Second

// directoryFixture is a Directory reading one SQLite file, and a second connection to the same
// file standing for another Gatehouse process (or the CLI) whose writes this process is not told
// about.
type directoryFixture struct {
	dir     *Directory
	fresh   *store.Freshness
	clk     *clock.Fake
	reads   *countingStore
	other   store.Store // "another process"
	app     model.Application
	secret  string
	api     model.Resource
	readID  string // scope "read" of api
	writeID string // scope "write" of api
	roleID  string
}

func newDirectoryFixture(t *testing.T) *directoryFixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	open := func() store.Store {
		db, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.Options{Migrate: true})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	mine, other := open(), open()
	clk := clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	reads := &countingStore{Store: mine}
	fresh := store.NewFreshness(reads, clk, freshnessInterval)
	f := &directoryFixture{dir: New(reads, fresh, clk), fresh: fresh, clk: clk, reads: reads, other: other}

	for _, id := range []string{model.DefaultTenantID, "other"} {
		check(t, mine.CreateTenant(ctx, model.Tenant{ID: id, Name: id}))
	}
	def := mine.Tenant(model.DefaultTenantID)
	f.app = model.Application{TenantID: model.DefaultTenantID, ID: "app1", Name: "m2m", Type: model.AppMachineToMachine, CustomData: json.RawMessage(`{}`)}
	check(t, def.Applications().Create(ctx, f.app))
	f.secret = "secret-one"
	check(t, def.Secrets().Create(ctx, model.ApplicationSecret{TenantID: model.DefaultTenantID, ApplicationID: f.app.ID, Name: "Default secret", Value: f.secret}))
	f.api = model.Resource{TenantID: model.DefaultTenantID, ID: "res1", Name: "API", Indicator: "https://api.example.com", AccessTokenTTL: 3600}
	check(t, def.Resources().Create(ctx, f.api))
	f.readID, f.writeID, f.roleID = "scope-read", "scope-write", "role1"
	check(t, def.Scopes().Create(ctx, model.Scope{TenantID: model.DefaultTenantID, ID: f.readID, ResourceID: f.api.ID, Name: "read"}))
	check(t, def.Scopes().Create(ctx, model.Scope{TenantID: model.DefaultTenantID, ID: f.writeID, ResourceID: f.api.ID, Name: "write"}))
	check(t, def.Roles().Create(ctx, model.Role{TenantID: model.DefaultTenantID, ID: f.roleID, Name: "reader", Type: model.RoleMachineToMachine}))
	check(t, def.Roles().AddScopes(ctx, f.roleID, []string{f.readID}))
	check(t, def.Roles().AddApplications(ctx, f.roleID, []string{f.app.ID}))
	return f
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// countingStore counts application reads, to show what the cache spares the database.
type countingStore struct {
	store.Store
	appReads atomic.Int64
}

func (s *countingStore) Tenant(id string) store.Tenant {
	return countingTenant{Tenant: s.Store.Tenant(id), reads: &s.appReads}
}

type countingTenant struct {
	store.Tenant
	reads *atomic.Int64
}

func (t countingTenant) Applications() store.Applications {
	return countingApps{Applications: t.Tenant.Applications(), reads: t.reads}
}

type countingApps struct {
	store.Applications
	reads *atomic.Int64
}

func (a countingApps) Get(ctx context.Context, id string) (model.Application, error) {
	a.reads.Add(1)
	return a.Applications.Get(ctx, id)
}

func TestDirectoryClientSecrets(t *testing.T) {
	f := newDirectoryFixture(t)
	ctx := context.Background()
	now := f.clk.Now()
	past, future := now.Add(-time.Second).UnixMilli(), now.Add(time.Hour).UnixMilli()
	secrets := f.other.Tenant(model.DefaultTenantID).Secrets()
	check(t, secrets.Create(ctx, model.ApplicationSecret{TenantID: model.DefaultTenantID, ApplicationID: f.app.ID, Name: "rotated", Value: "secret-two", ExpiresAt: &future}))
	check(t, secrets.Create(ctx, model.ApplicationSecret{TenantID: model.DefaultTenantID, ApplicationID: f.app.ID, Name: "old", Value: "secret-old", ExpiresAt: &past}))

	c, err := f.dir.Client(ctx, model.DefaultTenantID, f.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != f.app.ID || c.Type != model.AppMachineToMachine {
		t.Fatalf("client = %+v", c.Application)
	}
	for _, tc := range []struct {
		presented string
		want      SecretCheck
		name      string
	}{
		{"secret-one", SecretValid, "Default secret"},
		{"secret-two", SecretValid, "rotated"},
		{"secret-old", SecretExpired, "old"},
		{"secret-on", SecretMismatch, ""},
		{"secret-one ", SecretMismatch, ""},
		{"", SecretMismatch, ""},
	} {
		got, name := c.CheckSecret(tc.presented)
		if got != tc.want || name != tc.name {
			t.Errorf("CheckSecret(%q) = %v %q, want %v %q", tc.presented, got, name, tc.want, tc.name)
		}
	}

	// The rotated secret expires with the clock.
	f.clk.Advance(2 * time.Hour)
	if got, _ := c.CheckSecret("secret-two"); got != SecretExpired {
		t.Errorf("after its expiry CheckSecret = %v, want SecretExpired", got)
	}
}

func TestDirectoryUnknownAndOtherTenant(t *testing.T) {
	f := newDirectoryFixture(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"unknown client":             second(f.dir.Client(ctx, model.DefaultTenantID, "nope")),
		"client of another tenant":   second(f.dir.Client(ctx, "other", f.app.ID)),
		"huge client id":             second(f.dir.Client(ctx, model.DefaultTenantID, string(make([]byte, 4096)))),
		"unknown resource":           second(f.dir.Resource(ctx, model.DefaultTenantID, "https://nope")),
		"resource of another tenant": second(f.dir.Resource(ctx, "other", f.api.Indicator)),
		"no default resource":        second(f.dir.DefaultResource(ctx, model.DefaultTenantID)),
	} {
		if !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: err = %v, want model.ErrNotFound", name, err)
		}
	}
	scopes, err := f.dir.GrantedScopes(ctx, model.DefaultTenantID, f.app.ID, f.api.ID)
	if err != nil || len(scopes) != 1 || scopes[0] != "read" {
		t.Errorf("GrantedScopes = %v, %v; want [read]", scopes, err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestDirectorySeesOtherProcessWrites: a write by another process is invisible while the
// freshness interval lasts (the hot path reads no database), and visible once it has passed.
func TestDirectorySeesOtherProcessWrites(t *testing.T) {
	f := newDirectoryFixture(t)
	ctx := context.Background()
	other := f.other.Tenant(model.DefaultTenantID)

	// Warm every cache, including a negative entry and the absent default resource.
	mustClient(t, f)
	mustResource(t, f)
	if _, err := f.dir.Client(ctx, model.DefaultTenantID, "app2"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("app2 before creation: %v", err)
	}
	if _, err := f.dir.DefaultResource(ctx, model.DefaultTenantID); !errors.Is(err, model.ErrNotFound) {
		t.Fatal(err)
	}
	_, _ = f.dir.GrantedScopes(ctx, model.DefaultTenantID, f.app.ID, f.api.ID)

	// Another process changes everything the directory caches.
	check(t, other.Secrets().Create(ctx, model.ApplicationSecret{TenantID: model.DefaultTenantID, ApplicationID: f.app.ID, Name: "new", Value: "secret-new"}))
	check(t, other.Applications().Create(ctx, model.Application{TenantID: model.DefaultTenantID, ID: "app2", Name: "late", Type: model.AppMachineToMachine, CustomData: json.RawMessage(`{}`)}))
	updated := f.api
	updated.AccessTokenTTL = 60
	check(t, other.Resources().Update(ctx, updated))
	check(t, other.Resources().SetDefault(ctx, f.api.ID, true))
	check(t, other.Roles().AddScopes(ctx, f.roleID, []string{f.writeID}))

	// Within the interval: the cached state, without database reads.
	f.clk.Advance(freshnessInterval / 2)
	reads := f.reads.appReads.Load()
	if got, _ := mustClient(t, f).CheckSecret("secret-new"); got != SecretMismatch {
		t.Errorf("new secret seen before the freshness interval")
	}
	if _, err := f.dir.Client(ctx, model.DefaultTenantID, "app2"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("app2 seen before the freshness interval: %v", err)
	}
	if r := mustResource(t, f); r.AccessTokenTTL != 3600 {
		t.Errorf("resource TTL %d seen before the freshness interval", r.AccessTokenTTL)
	}
	if got := f.reads.appReads.Load() - reads; got != 0 {
		t.Errorf("%d application reads on a warm cache, want 0", got)
	}

	// After the interval: everything new.
	f.clk.Advance(freshnessInterval)
	if got, name := mustClient(t, f).CheckSecret("secret-new"); got != SecretValid || name != "new" {
		t.Errorf("new secret after the interval: %v %q", got, name)
	}
	if _, err := f.dir.Client(ctx, model.DefaultTenantID, "app2"); err != nil {
		t.Errorf("app2 after the interval: %v", err)
	}
	if r := mustResource(t, f); r.AccessTokenTTL != 60 {
		t.Errorf("resource TTL after the interval = %d, want 60", r.AccessTokenTTL)
	}
	if r, err := f.dir.DefaultResource(ctx, model.DefaultTenantID); err != nil || r.ID != f.api.ID {
		t.Errorf("default resource after the interval = %v, %v", r, err)
	}
	scopes, err := f.dir.GrantedScopes(ctx, model.DefaultTenantID, f.app.ID, f.api.ID)
	if err != nil || len(scopes) != 2 {
		t.Errorf("granted scopes after the interval = %v, %v; want read and write", scopes, err)
	}
}

// TestDirectoryInvalidate: a write in this process (which calls Invalidate) is seen at once.
func TestDirectoryInvalidate(t *testing.T) {
	f := newDirectoryFixture(t)
	ctx := context.Background()
	mustClient(t, f)
	check(t, f.other.Tenant(model.DefaultTenantID).Secrets().Create(ctx, model.ApplicationSecret{TenantID: model.DefaultTenantID, ApplicationID: f.app.ID, Name: "new", Value: "secret-new"}))
	f.fresh.Invalidate(model.DefaultTenantID)
	if got, _ := mustClient(t, f).CheckSecret("secret-new"); got != SecretValid {
		t.Errorf("new secret not seen right after Invalidate")
	}
}

// TestDirectoryNegativeCache: repeating an unknown client id reads the database once; the
// negative entries are bounded.
func TestDirectoryNegativeCache(t *testing.T) {
	f := newDirectoryFixture(t)
	f.dir.negativeLimit = 3
	ctx := context.Background()
	mustClient(t, f) // warm the tenant
	before := f.reads.appReads.Load()
	for range 100 {
		if _, err := f.dir.Client(ctx, model.DefaultTenantID, "ghost"); !errors.Is(err, model.ErrNotFound) {
			t.Fatal(err)
		}
	}
	if got := f.reads.appReads.Load() - before; got != 1 {
		t.Errorf("100 lookups of one unknown id read the database %d times, want 1", got)
	}
	for _, id := range []string{"g1", "g2", "g3"} { // the 4th negative entry drops the others
		_, _ = f.dir.Client(ctx, model.DefaultTenantID, id)
	}
	before = f.reads.appReads.Load()
	_, _ = f.dir.Client(ctx, model.DefaultTenantID, "ghost")
	mustClient(t, f)
	if got := f.reads.appReads.Load() - before; got != 1 {
		t.Errorf("after overflow: %d reads, want 1 (ghost forgotten, the known client kept)", got)
	}
}

func mustClient(t *testing.T, f *directoryFixture) *Client {
	t.Helper()
	c, err := f.dir.Client(context.Background(), model.DefaultTenantID, f.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustResource(t *testing.T, f *directoryFixture) *model.Resource {
	t.Helper()
	r, err := f.dir.Resource(context.Background(), model.DefaultTenantID, f.api.Indicator)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
