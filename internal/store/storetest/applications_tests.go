package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// fullApp sets every field of an application, so a round trip checks every column.
func fullApp(tenantID, id string, createdAt int64) model.Application {
	return model.Application{
		TenantID:    tenantID,
		ID:          id,
		Name:        "Full App",
		Description: fx.Ptr("Has everything"),
		Type:        model.AppProtected,
		OIDCClientMetadata: model.OIDCClientMetadata{
			RedirectURIs:                     []string{"https://app.example.com/callback", "http://localhost:3000/cb"},
			PostLogoutRedirectURIs:           []string{"https://app.example.com/"},
			BackchannelLogoutURI:             fx.Ptr("https://app.example.com/backchannel"),
			BackchannelLogoutSessionRequired: fx.Ptr(true),
			LogoURI:                          fx.Ptr("https://app.example.com/logo.png"),
		},
		CustomClientMetadata: model.CustomClientMetadata{
			CORSAllowedOrigins:      []string{"https://app.example.com"},
			IDTokenTTL:              fx.Ptr(int64(7200)),
			RefreshTokenTTL:         fx.Ptr(int64(86400)),
			RefreshTokenTTLInDays:   fx.Ptr(int64(30)),
			TenantID:                fx.Ptr("tenant-x"),
			AlwaysIssueRefreshToken: fx.Ptr(true),
			RotateRefreshToken:      fx.Ptr(false),
			AllowTokenExchange:      fx.Ptr(true),
			IsDeviceFlow:            fx.Ptr(false),
			MaxAllowedGrants:        fx.Ptr(int64(5)),
		},
		ProtectedAppMetadata:         json.RawMessage(`{"host":"app.example.com","origin":"https://origin.example.com","sessionDuration":1209600,"pageRules":[{"path":"^/private"}],"customDomains":[]}`),
		CustomData:                   json.RawMessage(`{"plan":"pro","limits":{"seats":10},"tags":["a","b"],"beta":true,"note":null}`),
		IsThirdParty:                 true,
		AppLevelAccessControlEnabled: true,
		CreatedAt:                    createdAt,
	}
}

func testApplications(t *testing.T, open fx.Open) {
	t.Run("round trip of every field", func(t *testing.T) {
		f := newFixture(t, open)
		want := fullApp(fx.TenantA, "app-full", f.Tick())
		fx.MustOK(t, f.A.Applications().Create(f.Ctx, want), "Create")
		got, err := f.A.Applications().Get(f.Ctx, want.ID)
		fx.MustOK(t, err, "Get")
		fx.WantSameApp(t, got, want, "Get after Create")
	})

	t.Run("nil and empty values round trip as Logto answers them", func(t *testing.T) {
		f := newFixture(t, open)
		minimal := model.Application{ID: "app-min", Name: "Minimal", Type: model.AppSPA, CreatedAt: f.Tick()}
		fx.MustOK(t, f.A.Applications().Create(f.Ctx, minimal), "Create")
		got, err := f.A.Applications().Get(f.Ctx, minimal.ID)
		fx.MustOK(t, err, "Get")
		if got.OIDCClientMetadata.RedirectURIs == nil || len(got.OIDCClientMetadata.RedirectURIs) != 0 {
			t.Errorf("RedirectURIs = %#v, want empty non-nil", got.OIDCClientMetadata.RedirectURIs)
		}
		if got.OIDCClientMetadata.PostLogoutRedirectURIs == nil || len(got.OIDCClientMetadata.PostLogoutRedirectURIs) != 0 {
			t.Errorf("PostLogoutRedirectURIs = %#v, want empty non-nil", got.OIDCClientMetadata.PostLogoutRedirectURIs)
		}
		if got.Description != nil {
			t.Errorf("Description = %q, want nil", *got.Description)
		}
		if got.ProtectedAppMetadata != nil {
			t.Errorf("ProtectedAppMetadata = %s, want nil", got.ProtectedAppMetadata)
		}
		fx.WantEqual(t, string(fx.CanonicalJSON(t, got.CustomData)), `{}`, "CustomData")
		fx.WantEqual(t, got.CustomClientMetadata, model.CustomClientMetadata{}, "CustomClientMetadata")

		// What the Management API would answer: arrays and objects, never null where Logto has [] or {}.
		encoded, err := json.Marshal(got)
		fx.MustOK(t, err, "marshal")
		for _, part := range []string{`"redirectUris":[]`, `"postLogoutRedirectUris":[]`, `"customData":{}`, `"protectedAppMetadata":null`, `"description":null`, `"customClientMetadata":{}`} {
			if !strings.Contains(string(encoded), part) {
				t.Errorf("encoded application %s lacks %s", encoded, part)
			}
		}

		// An empty description and JSON null custom data are kept apart from nil.
		withEmpty := model.Application{ID: "app-empty", Name: "", Description: fx.Ptr(""), Type: model.AppNative,
			CustomData: json.RawMessage(`null`), ProtectedAppMetadata: json.RawMessage(`null`),
			OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: []string{}}, CreatedAt: f.Tick()}
		fx.MustOK(t, f.A.Applications().Create(f.Ctx, withEmpty), "Create with empty values")
		got, err = f.A.Applications().Get(f.Ctx, withEmpty.ID)
		fx.MustOK(t, err, "Get")
		if got.Description == nil || *got.Description != "" {
			t.Errorf("Description = %v, want pointer to empty string", got.Description)
		}
		fx.WantEqual(t, string(fx.CanonicalJSON(t, got.CustomData)), `{}`, "null CustomData")
		if got.ProtectedAppMetadata != nil {
			t.Errorf("null ProtectedAppMetadata read back as %s, want nil", got.ProtectedAppMetadata)
		}
	})

	t.Run("update replaces every mutable field", func(t *testing.T) {
		f := newFixture(t, open)
		orig := f.NewApp(f.A, "Before", func(a *model.Application) { a.Type = model.AppTraditional })
		changed := fullApp(fx.TenantA, orig.ID, orig.CreatedAt+999_999) // createdAt must not change
		changed.Type = model.AppNative                                  // nor the type
		fx.MustOK(t, f.A.Applications().Update(f.Ctx, changed), "Update")
		got, err := f.A.Applications().Get(f.Ctx, orig.ID)
		fx.MustOK(t, err, "Get")
		want := changed
		want.Type, want.CreatedAt = orig.Type, orig.CreatedAt
		fx.WantSameApp(t, got, want, "Get after Update")

		// And back to empty values.
		cleared := model.Application{ID: orig.ID, Name: "After"}
		fx.MustOK(t, f.A.Applications().Update(f.Ctx, cleared), "Update to empty")
		got, err = f.A.Applications().Get(f.Ctx, orig.ID)
		fx.MustOK(t, err, "Get")
		want = model.Application{TenantID: fx.TenantA, ID: orig.ID, Name: "After", Type: orig.Type, CreatedAt: orig.CreatedAt,
			OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: []string{}, PostLogoutRedirectURIs: []string{}},
			CustomData:         json.RawMessage(`{}`)}
		fx.WantSameApp(t, got, want, "Get after clearing Update")

		fx.WantNotFound(t, f.A.Applications().Update(f.Ctx, model.Application{ID: "missing", Name: "x"}), "Update missing")
	})

	t.Run("delete", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "Doomed")
		keep := f.NewApp(f.A, "Kept")
		fx.MustOK(t, f.A.Applications().Delete(f.Ctx, app.ID), "Delete")
		_, err := f.A.Applications().Get(f.Ctx, app.ID)
		fx.WantNotFound(t, err, "Get deleted")
		fx.WantNotFound(t, f.A.Applications().Delete(f.Ctx, app.ID), "Delete twice")
		_, err = f.A.Applications().Get(f.Ctx, keep.ID)
		fx.MustOK(t, err, "Get the other application")
	})

	t.Run("get missing", func(t *testing.T) {
		f := newFixture(t, open)
		_, err := f.A.Applications().Get(f.Ctx, "missing")
		fx.WantNotFound(t, err, "Get missing")
	})

	t.Run("duplicate id conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "First")
		dup := model.Application{ID: app.ID, Name: "Second", Type: model.AppSPA, CreatedAt: f.Tick()}
		fx.WantConflict(t, f.A.Applications().Create(f.Ctx, dup), store.UniqueApplicationID, "Create duplicate")
		got, err := f.A.Applications().Get(f.Ctx, app.ID)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, got.Name, "First", "name after conflicting create")
	})

	t.Run("invalid input is refused and nothing written", func(t *testing.T) {
		f := newFixture(t, open)
		base := func() model.Application {
			return model.Application{ID: "app-bad", Name: "Bad", Type: model.AppSPA, CreatedAt: f.Tick()}
		}
		for _, tc := range []struct {
			name string
			mod  func(*model.Application)
		}{
			{"unknown type", func(a *model.Application) { a.Type = "Desktop" }},
			{"empty type", func(a *model.Application) { a.Type = "" }},
			{"empty id", func(a *model.Application) { a.ID = "" }},
			{"id longer than 21", func(a *model.Application) { a.ID = strings.Repeat("x", 22) }},
			{"name longer than 256", func(a *model.Application) { a.Name = strings.Repeat("n", 257) }},
			{"customData not JSON", func(a *model.Application) { a.CustomData = json.RawMessage(`{"a":`) }},
			{"customData an array", func(a *model.Application) { a.CustomData = json.RawMessage(`[1,2]`) }},
			{"customData a string", func(a *model.Application) { a.CustomData = json.RawMessage(`"x"`) }},
			{"protectedAppMetadata not JSON", func(a *model.Application) { a.ProtectedAppMetadata = json.RawMessage(`{host}`) }},
			{"protectedAppMetadata a number", func(a *model.Application) { a.ProtectedAppMetadata = json.RawMessage(`42`) }},
		} {
			a := base()
			tc.mod(&a)
			fx.WantInvalid(t, f.A.Applications().Create(f.Ctx, a), "Create with "+tc.name)
		}
		_, total, err := f.A.Applications().List(f.Ctx, store.ApplicationFilter{}, store.Page{})
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, total, 0, "applications after refused creates")

		app := f.NewApp(f.A, "Good")
		bad := app
		bad.CustomData = json.RawMessage(`nope`)
		fx.WantInvalid(t, f.A.Applications().Update(f.Ctx, bad), "Update with invalid customData")
		bad = app
		bad.Name = strings.Repeat("n", 257)
		fx.WantInvalid(t, f.A.Applications().Update(f.Ctx, bad), "Update with too long name")
		got, err := f.A.Applications().Get(f.Ctx, app.ID)
		fx.MustOK(t, err, "Get")
		fx.WantSameApp(t, got, app, "application after refused updates")
	})

	t.Run("list: newest first, pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		var created []string
		for i := range 5 {
			created = append(created, f.NewApp(f.A, "App "+string(rune('A'+i))).ID)
		}
		newestFirst := []string{created[4], created[3], created[2], created[1], created[0]}
		for _, tc := range []struct {
			name string
			page store.Page
			want []string
		}{
			{"all (zero page)", store.Page{}, newestFirst},
			{"all (negative limit)", store.Page{Limit: -1}, newestFirst},
			{"first page", store.Page{Limit: 2}, newestFirst[:2]},
			{"second page", store.Page{Limit: 2, Offset: 2}, newestFirst[2:4]},
			{"last partial page", store.Page{Limit: 2, Offset: 4}, newestFirst[4:]},
			{"past the end", store.Page{Limit: 2, Offset: 10}, []string{}},
			{"offset without limit", store.Page{Offset: 3}, newestFirst[3:]},
			{"negative offset is zero", store.Page{Limit: 1, Offset: -5}, newestFirst[:1]},
		} {
			got, total, err := f.A.Applications().List(f.Ctx, store.ApplicationFilter{}, tc.page)
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, fx.AppIDs(got), tc.want, tc.name+": ids")
			fx.WantEqual(t, total, 5, tc.name+": total")
		}
	})

	t.Run("list: same creation time keeps creation order", func(t *testing.T) {
		f := newFixture(t, open)
		var created []string
		for _, name := range []string{"one", "two", "three"} {
			created = append(created, f.NewApp(f.A, name, func(a *model.Application) { a.CreatedAt = 42 }).ID)
		}
		got, _, err := f.A.Applications().List(f.Ctx, store.ApplicationFilter{}, store.Page{})
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, fx.AppIDs(got), []string{created[2], created[1], created[0]}, "ids")
	})

	t.Run("list: filters and search", func(t *testing.T) {
		f := newFixture(t, open)
		m2m := f.NewApp(f.A, "Billing Worker", func(a *model.Application) { a.Type = model.AppMachineToMachine })
		spa := f.NewApp(f.A, "Dashboard", func(a *model.Application) {
			a.Type = model.AppSPA
			a.Description = fx.Ptr("The 100% customer_portal")
		})
		third := f.NewApp(f.A, "Partner Portal", func(a *model.Application) {
			a.Type = model.AppTraditional
			a.IsThirdParty = true
		})
		native := f.NewApp(f.A, "mobile_app", func(a *model.Application) { a.Type = model.AppNative })
		role := f.NewRole(f.A, "m2m", model.RoleMachineToMachine)
		fx.MustOK(t, f.A.Roles().AddApplications(f.Ctx, role.ID, []string{m2m.ID}), "AddApplications")

		for _, tc := range []struct {
			name   string
			filter store.ApplicationFilter
			want   []string
		}{
			{"no filter", store.ApplicationFilter{}, []string{native.ID, third.ID, spa.ID, m2m.ID}},
			{"one type", store.ApplicationFilter{Types: []model.ApplicationType{model.AppSPA}}, []string{spa.ID}},
			{"two types", store.ApplicationFilter{Types: []model.ApplicationType{model.AppNative, model.AppMachineToMachine}}, []string{native.ID, m2m.ID}},
			{"third party", store.ApplicationFilter{IsThirdParty: fx.Ptr(true)}, []string{third.ID}},
			{"first party", store.ApplicationFilter{IsThirdParty: fx.Ptr(false)}, []string{native.ID, spa.ID, m2m.ID}},
			{"exclude role holders", store.ApplicationFilter{ExcludeRoleID: role.ID}, []string{native.ID, third.ID, spa.ID}},
			{"search name, other case", store.ApplicationFilter{Search: "PARTNER P"}, []string{third.ID}},
			{"search description", store.ApplicationFilter{Search: "Customer"}, []string{spa.ID}},
			{"search id", store.ApplicationFilter{Search: strings.ToUpper(m2m.ID[3:12])}, []string{m2m.ID}},
			{"search literal percent", store.ApplicationFilter{Search: "100%"}, []string{spa.ID}},
			{"percent is not a wildcard", store.ApplicationFilter{Search: "1%c"}, []string{}},
			{"search literal underscore", store.ApplicationFilter{Search: "e_a"}, []string{native.ID}},
			{"underscore is not a wildcard", store.ApplicationFilter{Search: "d_s"}, []string{}},
			{"search backslash", store.ApplicationFilter{Search: `\`}, []string{}},
			{"filters combine", store.ApplicationFilter{Types: []model.ApplicationType{model.AppSPA, model.AppTraditional}, IsThirdParty: fx.Ptr(false), Search: "dashb"}, []string{spa.ID}},
		} {
			got, total, err := f.A.Applications().List(f.Ctx, tc.filter, store.Page{})
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, fx.AppIDs(got), tc.want, tc.name+": ids")
			fx.WantEqual(t, total, len(tc.want), tc.name+": total")
		}

		// Totals count every match, not just the page.
		got, total, err := f.A.Applications().List(f.Ctx, store.ApplicationFilter{IsThirdParty: fx.Ptr(false)}, store.Page{Limit: 1, Offset: 1})
		fx.MustOK(t, err, "paged filtered list")
		fx.WantEqual(t, fx.AppIDs(got), []string{spa.ID}, "paged filtered ids")
		fx.WantEqual(t, total, 3, "paged filtered total")
	})
}
