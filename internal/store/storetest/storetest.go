package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Run runs the conformance suite. open must return a fresh, migrated, empty store (no tenants),
// opened with a master key so that it seals secrets, on every call, and release it when t ends;
// it is called from parallel subtests.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name string
		run  func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"Store", testStore},
		{"Applications", testApplications},
		{"Secrets", testSecrets},
		{"Resources", testResources},
		{"Scopes", testScopes},
		{"Roles", testRoles},
		{"RoleLinks", testRoleLinks},
		{"Configs", testConfigs},
		{"TenantIsolation", testTenantIsolation},
		{"Generation", testGeneration},
		{"InTx", testInTx},
		{"Concurrency", testConcurrency},
		{"Users", testUsers},
		{"OIDC", testOIDC},
		{"Sentinel", testSentinel},
		{"SealedAtRest", testSealedAtRest},
		{"Events", testEvents},
		{"Connectors", testConnectors},
		{"ConsoleSessions", testConsoleSessions},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, open)
		})
	}
}

// Tenant ids of the fixture.
const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
)

// fixture is a fresh store with two tenants.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	st   store.Store
	a, b store.Tenant
	now  int64
}

func newFixture(t *testing.T, open func(t *testing.T) store.Store) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: t.Context(), st: open(t), now: 1_700_000_000_000}
	for _, id := range []string{tenantA, tenantB} {
		if err := f.st.CreateTenant(f.ctx, model.Tenant{ID: id, Name: "Tenant " + id, CreatedAt: f.tick()}); err != nil {
			t.Fatalf("CreateTenant(%s): %v", id, err)
		}
	}
	f.a, f.b = f.st.Tenant(tenantA), f.st.Tenant(tenantB)
	return f
}

// tick returns a creation time later than every earlier one.
func (f *fixture) tick() int64 { f.now += 1000; return f.now }

func (f *fixture) newApp(tn store.Tenant, name string, mods ...func(*model.Application)) model.Application {
	f.t.Helper()
	a := model.Application{
		TenantID:  tn.ID(),
		ID:        ids.New(),
		Name:      name,
		Type:      model.AppMachineToMachine,
		CreatedAt: f.tick(),
	}
	for _, m := range mods {
		m(&a)
	}
	if err := tn.Applications().Create(f.ctx, a); err != nil {
		f.t.Fatalf("create application %q: %v", name, err)
	}
	got, err := tn.Applications().Get(f.ctx, a.ID)
	if err != nil {
		f.t.Fatalf("get application %q: %v", name, err)
	}
	return got
}

func (f *fixture) newResource(tn store.Tenant, indicator string) model.Resource {
	f.t.Helper()
	r := model.Resource{TenantID: tn.ID(), ID: ids.New(), Name: "API " + indicator, Indicator: indicator, AccessTokenTTL: model.DefaultAccessTokenTTL}
	if err := tn.Resources().Create(f.ctx, r); err != nil {
		f.t.Fatalf("create resource %q: %v", indicator, err)
	}
	return r
}

func (f *fixture) newScope(tn store.Tenant, resourceID, name string) model.Scope {
	f.t.Helper()
	desc := "Allows " + name
	s := model.Scope{TenantID: tn.ID(), ID: ids.New(), ResourceID: resourceID, Name: name, Description: &desc, CreatedAt: f.tick()}
	if err := tn.Scopes().Create(f.ctx, s); err != nil {
		f.t.Fatalf("create scope %q: %v", name, err)
	}
	return s
}

func (f *fixture) newRole(tn store.Tenant, name string, typ model.RoleType) model.Role {
	f.t.Helper()
	r := model.Role{TenantID: tn.ID(), ID: ids.New(), Name: name, Description: "Role " + name, Type: typ}
	if err := tn.Roles().Create(f.ctx, r); err != nil {
		f.t.Fatalf("create role %q: %v", name, err)
	}
	return r
}

func (f *fixture) generation(tenantID string) int64 {
	f.t.Helper()
	g, err := f.st.Generation(f.ctx, tenantID)
	if err != nil {
		f.t.Fatalf("Generation(%s): %v", tenantID, err)
	}
	return g
}

func mustOK(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: got error %v, want store.ErrNotFound", what, err)
	}
}

func wantConflict(t *testing.T, err error, constraint, what string) {
	t.Helper()
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: got error %v, want *store.ConflictError{%s}", what, err, constraint)
	}
	if ce.Constraint != constraint {
		t.Fatalf("%s: conflict on %q, want %q", what, ce.Constraint, constraint)
	}
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("%s: errors.Is(err, store.ErrConflict) is false for %v", what, err)
	}
}

// wantInvalid checks a write was refused for bad input: an error that is neither "not found"
// nor a conflict.
func wantInvalid(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted, want an error", what)
	}
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		t.Fatalf("%s: got %v, want a validation error", what, err)
	}
}

func wantEqual[T any](t *testing.T, got, want T, what string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// canonicalJSON re-encodes raw so that values equal as JSON compare equal as bytes (PostgreSQL's
// jsonb reorders keys and adds spaces). nil stays nil.
func canonicalJSON(t *testing.T, raw json.RawMessage) json.RawMessage {
	t.Helper()
	if raw == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("stored JSON %q does not decode: %v", raw, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode JSON: %v", err)
	}
	return b
}

// canonicalApp makes an application's raw JSON fields comparable.
func canonicalApp(t *testing.T, a model.Application) model.Application {
	t.Helper()
	a.CustomData = canonicalJSON(t, a.CustomData)
	a.ProtectedAppMetadata = canonicalJSON(t, a.ProtectedAppMetadata)
	return a
}

func wantSameApp(t *testing.T, got, want model.Application, what string) {
	t.Helper()
	wantEqual(t, canonicalApp(t, got), canonicalApp(t, want), what)
}

func appIDs(apps []model.Application) []string {
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.ID
	}
	return out
}

func roleNames(roles []model.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = r.Name
	}
	return out
}

func scopeNames(scopes []model.Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = s.Name
	}
	return out
}

func resourceIndicators(rs []model.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Indicator
	}
	return out
}

func ptr[T any](v T) *T { return &v }
