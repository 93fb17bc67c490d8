package oidc

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// fixture is a running Provider for the default tenant over a seeded store:
//
//   - resource api (indicator apiIndicator, TTL 7200 s) with scopes read, write, admin;
//     resource billing (billingIndicator) with scope pay;
//   - M2M app m2m holding read and write on api through a role, with secrets
//     "Default secret" (m2mSecret), "Rotated secret" (m2mSecond) and an expired one (m2mExpired);
//   - M2M app m2mOther with its own secret (otherSecret) and no roles;
//   - Traditional app web (webSecret) and SPA app spa (public);
//   - tenant "other" with resource otherIndicator.
type fixture struct {
	srv     *httptest.Server
	handler http.Handler // what srv serves, for in-process requests
	st      store.Store
	issuer  string

	api, billing                     model.Resource
	m2m, m2mOther, web, spa          model.Application
	m2mSecret, m2mSecond, m2mExpired string
	otherSecret, webSecret           string
}

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
	clk := clock.System{}
	now := clk.Now()
	f := &fixture{st: st}

	for _, id := range []string{model.DefaultTenantID, otherTenantID} {
		must(tb, st.CreateTenant(ctx, model.Tenant{ID: id, Name: id, CreatedAt: now.UnixMilli()}))
		key, err := keys.Generate(keys.KindEC, now)
		must(tb, err)
		key.Status = model.KeyCurrent
		raw, err := json.Marshal([]model.PrivateKey{key})
		must(tb, err)
		must(tb, st.Tenant(id).Configs().Put(ctx, model.ConfigPrivateKeys, raw))
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

	newApp := func(name string, typ model.ApplicationType) model.Application {
		app := model.Application{TenantID: model.DefaultTenantID, ID: ids.New(), Name: name, Type: typ,
			OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: []string{}, PostLogoutRedirectURIs: []string{}},
			CustomData:         json.RawMessage(`{}`), CreatedAt: now.UnixMilli()}
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
	f.web = newApp("web", model.AppTraditional)
	f.webSecret = addSecret(f.web, "Default secret", nil)
	f.spa = newApp("spa", model.AppSPA)

	role := model.Role{TenantID: model.DefaultTenantID, ID: ids.New(), Name: "api reader", Type: model.RoleMachineToMachine}
	must(tb, def.Roles().Create(ctx, role))
	must(tb, def.Roles().AddScopes(ctx, role.ID, scopeIDs))
	must(tb, def.Roles().AddApplications(ctx, role.ID, []string{f.m2m.ID}))

	must(tb, st.Tenant(otherTenantID).Resources().Create(ctx, model.Resource{TenantID: otherTenantID, ID: ids.New(),
		Name: "Other", Indicator: otherIndicator, AccessTokenTTL: 3600}))

	mux := http.NewServeMux()
	f.handler = httpx.Middleware(slog.New(slog.DiscardHandler), mux)
	f.srv = httptest.NewServer(f.handler)
	tb.Cleanup(f.srv.Close)
	f.issuer = f.srv.URL + "/oidc"
	fresh := store.NewFreshness(st, clk, time.Second)
	New(Options{
		TenantID:  model.DefaultTenantID,
		Issuer:    f.issuer,
		Directory: service.NewDirectory(st, fresh, clk),
		Keys:      keys.NewManager(st, fresh, clk, slog.New(slog.DiscardHandler)),
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
