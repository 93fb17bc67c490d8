package storetest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// fullApp sets every field of an application, so a round trip checks every column.
func fullApp(tenantID, id string, createdAt int64) model.Application {
	return model.Application{
		TenantID:    tenantID,
		ID:          id,
		Name:        "Full App",
		Description: ptr("Has everything"),
		Type:        model.AppProtected,
		OIDCClientMetadata: model.OIDCClientMetadata{
			RedirectURIs:                     []string{"https://app.example.com/callback", "http://localhost:3000/cb"},
			PostLogoutRedirectURIs:           []string{"https://app.example.com/"},
			BackchannelLogoutURI:             ptr("https://app.example.com/backchannel"),
			BackchannelLogoutSessionRequired: ptr(true),
			LogoURI:                          ptr("https://app.example.com/logo.png"),
		},
		CustomClientMetadata: model.CustomClientMetadata{
			CORSAllowedOrigins:      []string{"https://app.example.com"},
			IDTokenTTL:              ptr(int64(7200)),
			RefreshTokenTTL:         ptr(int64(86400)),
			RefreshTokenTTLInDays:   ptr(int64(30)),
			TenantID:                ptr("tenant-x"),
			AlwaysIssueRefreshToken: ptr(true),
			RotateRefreshToken:      ptr(false),
			AllowTokenExchange:      ptr(true),
			IsDeviceFlow:            ptr(false),
			MaxAllowedGrants:        ptr(int64(5)),
		},
		ProtectedAppMetadata:         json.RawMessage(`{"host":"app.example.com","origin":"https://origin.example.com","sessionDuration":1209600,"pageRules":[{"path":"^/private"}],"customDomains":[]}`),
		CustomData:                   json.RawMessage(`{"plan":"pro","limits":{"seats":10},"tags":["a","b"],"beta":true,"note":null}`),
		IsThirdParty:                 true,
		AppLevelAccessControlEnabled: true,
		CreatedAt:                    createdAt,
	}
}

func testApplications(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("round trip of every field", func(t *testing.T) {
		f := newFixture(t, open)
		want := fullApp(tenantA, "app-full", f.tick())
		mustOK(t, f.a.Applications().Create(f.ctx, want), "Create")
		got, err := f.a.Applications().Get(f.ctx, want.ID)
		mustOK(t, err, "Get")
		wantSameApp(t, got, want, "Get after Create")
	})

	t.Run("nil and empty values round trip as Logto answers them", func(t *testing.T) {
		f := newFixture(t, open)
		minimal := model.Application{ID: "app-min", Name: "Minimal", Type: model.AppSPA, CreatedAt: f.tick()}
		mustOK(t, f.a.Applications().Create(f.ctx, minimal), "Create")
		got, err := f.a.Applications().Get(f.ctx, minimal.ID)
		mustOK(t, err, "Get")
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
		wantEqual(t, string(canonicalJSON(t, got.CustomData)), `{}`, "CustomData")
		wantEqual(t, got.CustomClientMetadata, model.CustomClientMetadata{}, "CustomClientMetadata")

		// What the Management API would answer: arrays and objects, never null where Logto has [] or {}.
		encoded, err := json.Marshal(got)
		mustOK(t, err, "marshal")
		for _, part := range []string{`"redirectUris":[]`, `"postLogoutRedirectUris":[]`, `"customData":{}`, `"protectedAppMetadata":null`, `"description":null`, `"customClientMetadata":{}`} {
			if !strings.Contains(string(encoded), part) {
				t.Errorf("encoded application %s lacks %s", encoded, part)
			}
		}

		// An empty description and JSON null custom data are kept apart from nil.
		withEmpty := model.Application{ID: "app-empty", Name: "", Description: ptr(""), Type: model.AppNative,
			CustomData: json.RawMessage(`null`), ProtectedAppMetadata: json.RawMessage(`null`),
			OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: []string{}}, CreatedAt: f.tick()}
		mustOK(t, f.a.Applications().Create(f.ctx, withEmpty), "Create with empty values")
		got, err = f.a.Applications().Get(f.ctx, withEmpty.ID)
		mustOK(t, err, "Get")
		if got.Description == nil || *got.Description != "" {
			t.Errorf("Description = %v, want pointer to empty string", got.Description)
		}
		wantEqual(t, string(canonicalJSON(t, got.CustomData)), `{}`, "null CustomData")
		if got.ProtectedAppMetadata != nil {
			t.Errorf("null ProtectedAppMetadata read back as %s, want nil", got.ProtectedAppMetadata)
		}
	})

	t.Run("update replaces every mutable field", func(t *testing.T) {
		f := newFixture(t, open)
		orig := f.newApp(f.a, "Before", func(a *model.Application) { a.Type = model.AppTraditional })
		changed := fullApp(tenantA, orig.ID, orig.CreatedAt+999_999) // createdAt must not change
		changed.Type = model.AppNative                               // nor the type
		mustOK(t, f.a.Applications().Update(f.ctx, changed), "Update")
		got, err := f.a.Applications().Get(f.ctx, orig.ID)
		mustOK(t, err, "Get")
		want := changed
		want.Type, want.CreatedAt = orig.Type, orig.CreatedAt
		wantSameApp(t, got, want, "Get after Update")

		// And back to empty values.
		cleared := model.Application{ID: orig.ID, Name: "After"}
		mustOK(t, f.a.Applications().Update(f.ctx, cleared), "Update to empty")
		got, err = f.a.Applications().Get(f.ctx, orig.ID)
		mustOK(t, err, "Get")
		want = model.Application{TenantID: tenantA, ID: orig.ID, Name: "After", Type: orig.Type, CreatedAt: orig.CreatedAt,
			OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: []string{}, PostLogoutRedirectURIs: []string{}},
			CustomData:         json.RawMessage(`{}`)}
		wantSameApp(t, got, want, "Get after clearing Update")

		wantNotFound(t, f.a.Applications().Update(f.ctx, model.Application{ID: "missing", Name: "x"}), "Update missing")
	})

	t.Run("delete", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "Doomed")
		keep := f.newApp(f.a, "Kept")
		mustOK(t, f.a.Applications().Delete(f.ctx, app.ID), "Delete")
		_, err := f.a.Applications().Get(f.ctx, app.ID)
		wantNotFound(t, err, "Get deleted")
		wantNotFound(t, f.a.Applications().Delete(f.ctx, app.ID), "Delete twice")
		_, err = f.a.Applications().Get(f.ctx, keep.ID)
		mustOK(t, err, "Get the other application")
	})

	t.Run("get missing", func(t *testing.T) {
		f := newFixture(t, open)
		_, err := f.a.Applications().Get(f.ctx, "missing")
		wantNotFound(t, err, "Get missing")
	})

	t.Run("duplicate id conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "First")
		dup := model.Application{ID: app.ID, Name: "Second", Type: model.AppSPA, CreatedAt: f.tick()}
		wantConflict(t, f.a.Applications().Create(f.ctx, dup), store.UniqueApplicationID, "Create duplicate")
		got, err := f.a.Applications().Get(f.ctx, app.ID)
		mustOK(t, err, "Get")
		wantEqual(t, got.Name, "First", "name after conflicting create")
	})

	t.Run("invalid input is refused and nothing written", func(t *testing.T) {
		f := newFixture(t, open)
		base := func() model.Application {
			return model.Application{ID: "app-bad", Name: "Bad", Type: model.AppSPA, CreatedAt: f.tick()}
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
			wantInvalid(t, f.a.Applications().Create(f.ctx, a), "Create with "+tc.name)
		}
		_, total, err := f.a.Applications().List(f.ctx, store.ApplicationFilter{}, store.Page{})
		mustOK(t, err, "List")
		wantEqual(t, total, 0, "applications after refused creates")

		app := f.newApp(f.a, "Good")
		bad := app
		bad.CustomData = json.RawMessage(`nope`)
		wantInvalid(t, f.a.Applications().Update(f.ctx, bad), "Update with invalid customData")
		bad = app
		bad.Name = strings.Repeat("n", 257)
		wantInvalid(t, f.a.Applications().Update(f.ctx, bad), "Update with too long name")
		got, err := f.a.Applications().Get(f.ctx, app.ID)
		mustOK(t, err, "Get")
		wantSameApp(t, got, app, "application after refused updates")
	})

	t.Run("list: newest first, pages and totals", func(t *testing.T) {
		f := newFixture(t, open)
		var created []string
		for i := range 5 {
			created = append(created, f.newApp(f.a, "App "+string(rune('A'+i))).ID)
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
			got, total, err := f.a.Applications().List(f.ctx, store.ApplicationFilter{}, tc.page)
			mustOK(t, err, tc.name)
			wantEqual(t, appIDs(got), tc.want, tc.name+": ids")
			wantEqual(t, total, 5, tc.name+": total")
		}
	})

	t.Run("list: same creation time keeps creation order", func(t *testing.T) {
		f := newFixture(t, open)
		var created []string
		for _, name := range []string{"one", "two", "three"} {
			created = append(created, f.newApp(f.a, name, func(a *model.Application) { a.CreatedAt = 42 }).ID)
		}
		got, _, err := f.a.Applications().List(f.ctx, store.ApplicationFilter{}, store.Page{})
		mustOK(t, err, "List")
		wantEqual(t, appIDs(got), []string{created[2], created[1], created[0]}, "ids")
	})

	t.Run("list: filters and search", func(t *testing.T) {
		f := newFixture(t, open)
		m2m := f.newApp(f.a, "Billing Worker", func(a *model.Application) { a.Type = model.AppMachineToMachine })
		spa := f.newApp(f.a, "Dashboard", func(a *model.Application) {
			a.Type = model.AppSPA
			a.Description = ptr("The 100% customer_portal")
		})
		third := f.newApp(f.a, "Partner Portal", func(a *model.Application) {
			a.Type = model.AppTraditional
			a.IsThirdParty = true
		})
		native := f.newApp(f.a, "mobile_app", func(a *model.Application) { a.Type = model.AppNative })
		role := f.newRole(f.a, "m2m", model.RoleMachineToMachine)
		mustOK(t, f.a.Roles().AddApplications(f.ctx, role.ID, []string{m2m.ID}), "AddApplications")

		for _, tc := range []struct {
			name   string
			filter store.ApplicationFilter
			want   []string
		}{
			{"no filter", store.ApplicationFilter{}, []string{native.ID, third.ID, spa.ID, m2m.ID}},
			{"one type", store.ApplicationFilter{Types: []model.ApplicationType{model.AppSPA}}, []string{spa.ID}},
			{"two types", store.ApplicationFilter{Types: []model.ApplicationType{model.AppNative, model.AppMachineToMachine}}, []string{native.ID, m2m.ID}},
			{"third party", store.ApplicationFilter{IsThirdParty: ptr(true)}, []string{third.ID}},
			{"first party", store.ApplicationFilter{IsThirdParty: ptr(false)}, []string{native.ID, spa.ID, m2m.ID}},
			{"exclude role holders", store.ApplicationFilter{ExcludeRoleID: role.ID}, []string{native.ID, third.ID, spa.ID}},
			{"search name, other case", store.ApplicationFilter{Search: "PARTNER P"}, []string{third.ID}},
			{"search description", store.ApplicationFilter{Search: "Customer"}, []string{spa.ID}},
			{"search id", store.ApplicationFilter{Search: strings.ToUpper(m2m.ID[3:12])}, []string{m2m.ID}},
			{"search literal percent", store.ApplicationFilter{Search: "100%"}, []string{spa.ID}},
			{"percent is not a wildcard", store.ApplicationFilter{Search: "1%c"}, []string{}},
			{"search literal underscore", store.ApplicationFilter{Search: "e_a"}, []string{native.ID}},
			{"underscore is not a wildcard", store.ApplicationFilter{Search: "d_s"}, []string{}},
			{"search backslash", store.ApplicationFilter{Search: `\`}, []string{}},
			{"filters combine", store.ApplicationFilter{Types: []model.ApplicationType{model.AppSPA, model.AppTraditional}, IsThirdParty: ptr(false), Search: "dashb"}, []string{spa.ID}},
		} {
			got, total, err := f.a.Applications().List(f.ctx, tc.filter, store.Page{})
			mustOK(t, err, tc.name)
			wantEqual(t, appIDs(got), tc.want, tc.name+": ids")
			wantEqual(t, total, len(tc.want), tc.name+": total")
		}

		// Totals count every match, not just the page.
		got, total, err := f.a.Applications().List(f.ctx, store.ApplicationFilter{IsThirdParty: ptr(false)}, store.Page{Limit: 1, Offset: 1})
		mustOK(t, err, "paged filtered list")
		wantEqual(t, appIDs(got), []string{spa.ID}, "paged filtered ids")
		wantEqual(t, total, 3, "paged filtered total")
	})
}
