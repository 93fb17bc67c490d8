package oidc

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// fixture is a running Provider for the default tenant over a seeded store:
//
//   - resource api (indicator apiIndicator, TTL 7200 s) with scopes read, write, admin;
//     resource billing (billingIndicator) with scope pay;
//   - M2M app m2m holding read and write on api through a role, with secrets
//     "Default secret" (m2mSecret), "Rotated secret" (m2mSecond) and an expired one (m2mExpired);
//   - M2M app m2mOther with its own secret (otherSecret) and no roles;
//   - Traditional app web (webSecret, redirect webCallback), SPA app spa (public, spaCallback),
//     Native app native (public, loopback and custom-scheme redirects) and third-party
//     Traditional app partner (partnerSecret); each also registers a post-logout URI;
//   - users alice (username, email, name, profile; role "api user" holding read and write on
//     api) and suspended user mallory, both with password-free accounts (the experience is
//     simulated by recording interaction results);
//   - tenant "other" with resource otherIndicator.
type fixture struct {
	srv     *httptest.Server
	handler http.Handler // what srv serves, for in-process requests
	st      store.Store
	svc     *service.Service
	fresh   *store.Freshness
	clk     *clock.Fake
	issuer  string

	api, billing                          model.Resource
	m2m, m2mOther, web, spa               model.Application
	native, partner                       model.Application
	m2mSecret, m2mSecond, m2mExpired      string
	otherSecret, webSecret, partnerSecret string
	alice, mallory                        model.User
	audit                                 *auditLog
}

// auditLog records the audit entries the provider queues.
type auditLog struct {
	mu      sync.Mutex
	entries []model.AuditEntry
}

func (a *auditLog) Record(_ context.Context, _ string, e model.AuditEntry) {
	a.mu.Lock()
	a.entries = append(a.entries, e)
	a.mu.Unlock()
}

// keyed returns the entries with key.
func (a *auditLog) keyed(key string) []model.AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []model.AuditEntry
	for _, e := range a.entries {
		if e.Key == key {
			out = append(out, e)
		}
	}
	return out
}

// Redirect URIs of the fixture's interactive apps.
const (
	webCallback     = "https://web.example.com/callback"
	webLoggedOut    = "https://web.example.com/signed-out"
	spaCallback     = "https://spa.example.com/cb"
	nativeLoopback  = "http://127.0.0.1/callback"
	nativeScheme    = "io.example.app:/oauth"
	partnerCallback = "https://partner.example.org/oidc/callback"
)

const (
	apiIndicator     = "https://api.example.com"
	billingIndicator = "https://billing.example.com"
	otherIndicator   = "https://other-tenant.example.com"
	otherTenantID    = "other"
)

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	st := openTestStore(tb)
	// Expiries run on a fake clock the tests can move; caches follow the system clock.
	clk := clock.NewFake(time.Now())
	now := clk.Now()
	f := &fixture{st: st, clk: clk, audit: &auditLog{}}

	for _, id := range []string{model.DefaultTenantID, otherTenantID} {
		must(tb, st.CreateTenant(ctx, model.Tenant{ID: id, Name: id, CreatedAt: now.UnixMilli()}))
		key, err := keys.Generate(keys.KindEC, now)
		must(tb, err)
		key.Status = model.KeyCurrent
		raw, err := json.Marshal([]model.PrivateKey{key})
		must(tb, err)
		must(tb, st.Tenant(id).Configs().Put(ctx, model.ConfigPrivateKeys, raw))
		cookieKeys, err := json.Marshal([]model.CookieKey{keys.GenerateCookieKey(now)})
		must(tb, err)
		must(tb, st.Tenant(id).Configs().Put(ctx, model.ConfigCookieKeys, cookieKeys))
	}

	def := st.Tenant(model.DefaultTenantID)
	f.api = model.Resource{TenantID: model.DefaultTenantID, ID: ids.New(), Name: "API", Indicator: apiIndicator, AccessTokenTTL: 7200}
	f.billing = model.Resource{TenantID: model.DefaultTenantID, ID: ids.New(), Name: "Billing", Indicator: billingIndicator, AccessTokenTTL: 3600}
	must(tb, def.Resources().Create(ctx, f.api))
	must(tb, def.Resources().Create(ctx, f.billing))
	var scopeIDs []string
	for _, name := range []string{"read", "write", "admin"} {
		s := model.Scope{TenantID: model.DefaultTenantID, ID: ids.New(), ResourceID: f.api.ID, Name: name, CreatedAt: now.UnixMilli()}
		must(tb, def.Scopes().Create(ctx, s))
		if name != "admin" {
			scopeIDs = append(scopeIDs, s.ID)
		}
	}
	must(tb, def.Scopes().Create(ctx, model.Scope{TenantID: model.DefaultTenantID, ID: ids.New(), ResourceID: f.billing.ID, Name: "pay", CreatedAt: now.UnixMilli()}))

	newApp := func(name string, typ model.ApplicationType, redirects ...string) model.Application {
		app := model.Application{TenantID: model.DefaultTenantID, ID: ids.New(), Name: name, Type: typ,
			OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: append([]string{}, redirects...), PostLogoutRedirectURIs: []string{}},
			CustomData:         json.RawMessage(`{}`), CreatedAt: now.UnixMilli()}
		if len(redirects) > 0 {
			app.OIDCClientMetadata.PostLogoutRedirectURIs = []string{webLoggedOut}
		}
		if name == "partner" {
			app.IsThirdParty = true
		}
		must(tb, def.Applications().Create(ctx, app))
		return app
	}
	addSecret := func(app model.Application, name string, expiresAt *int64) string {
		value := ids.NewSecret()
		must(tb, def.Secrets().Create(ctx, model.ApplicationSecret{TenantID: model.DefaultTenantID, ApplicationID: app.ID,
			Name: name, Value: value, CreatedAt: now.UnixMilli(), ExpiresAt: expiresAt}))
		return value
	}
	f.m2m = newApp("m2m", model.AppMachineToMachine)
	f.m2mSecret = addSecret(f.m2m, "Default secret", nil)
	future := now.Add(time.Hour).UnixMilli()
	f.m2mSecond = addSecret(f.m2m, "Rotated secret", &future)
	past := now.Add(-time.Minute).UnixMilli()
	f.m2mExpired = addSecret(f.m2m, "Expired secret", &past)
	f.m2mOther = newApp("m2m other", model.AppMachineToMachine)
	f.otherSecret = addSecret(f.m2mOther, "Default secret", nil)
	f.web = newApp("web", model.AppTraditional, webCallback)
	f.webSecret = addSecret(f.web, "Default secret", nil)
	f.spa = newApp("spa", model.AppSPA, spaCallback)
	f.native = newApp("native", model.AppNative, nativeLoopback, nativeScheme)
	f.partner = newApp("partner", model.AppTraditional, partnerCallback)
	f.partnerSecret = addSecret(f.partner, "Default secret", nil)

	role := model.Role{TenantID: model.DefaultTenantID, ID: ids.New(), Name: "api reader", Type: model.RoleMachineToMachine}
	must(tb, def.Roles().Create(ctx, role))
	must(tb, def.Roles().AddScopes(ctx, role.ID, scopeIDs))
	must(tb, def.Roles().AddApplications(ctx, role.ID, []string{f.m2m.ID}))

	must(tb, st.Tenant(otherTenantID).Resources().Create(ctx, model.Resource{TenantID: otherTenantID, ID: ids.New(),
		Name: "Other", Indicator: otherIndicator, AccessTokenTTL: 3600}))

	userRole := model.Role{TenantID: model.DefaultTenantID, ID: ids.New(), Name: "api user", Type: model.RoleUser}
	must(tb, def.Roles().Create(ctx, userRole))
	must(tb, def.Roles().AddScopes(ctx, userRole.ID, scopeIDs))
	f.alice = model.User{TenantID: model.DefaultTenantID, ID: ids.NewUserID(), Username: strptr("alice"),
		PrimaryEmail: strptr("alice@example.com"), Name: strptr("Alice Liddell"),
		Profile:    model.UserProfile{GivenName: "Alice", FamilyName: "Liddell", Locale: "en-GB"},
		Identities: json.RawMessage(`{}`), CustomData: json.RawMessage(`{"plan":"pro"}`), LogtoConfig: json.RawMessage(`{}`),
		CreatedAt: now.Add(-time.Hour).UnixMilli(), UpdatedAt: now.UnixMilli()}
	must(tb, def.Users().Create(ctx, f.alice))
	must(tb, def.Users().AddRoles(ctx, f.alice.ID, []string{userRole.ID}))
	f.mallory = model.User{TenantID: model.DefaultTenantID, ID: ids.NewUserID(), Username: strptr("mallory"),
		Identities: json.RawMessage(`{}`), CustomData: json.RawMessage(`{}`), LogtoConfig: json.RawMessage(`{}`),
		IsSuspended: true, CreatedAt: now.UnixMilli(), UpdatedAt: now.UnixMilli()}
	must(tb, def.Users().Create(ctx, f.mallory))

	mux := http.NewServeMux()
	f.handler = httpx.Middleware(slog.New(slog.DiscardHandler), mux)
	f.srv = httptest.NewServer(f.handler)
	tb.Cleanup(f.srv.Close)
	f.issuer = f.srv.URL + "/oidc"
	sys := clock.System{}
	fresh := store.NewFreshness(st, sys, time.Second)
	f.fresh = fresh
	f.svc = service.New(st, fresh, clk, nil, service.Options{})
	New(Options{
		TenantID:  model.DefaultTenantID,
		Issuer:    f.issuer,
		Directory: directory.New(st, fresh, sys),
		Keys:      keys.NewManager(st, fresh, sys, slog.New(slog.DiscardHandler)),
		Service:   f.svc,
		Accounts:  f.svc,
		Cookies:   cookie.NewJar(directory.New(st, fresh, sys)),
		Audit:     f.audit,
		Clock:     clk,
		Log:       slog.New(slog.DiscardHandler),
	}).Mount(mux)
	return f
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
