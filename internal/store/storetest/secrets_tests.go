package storetest

import (
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testSecrets(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("create and list oldest first with every field", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "Worker")
		other := f.newApp(f.a, "Other")
		want := []model.ApplicationSecret{
			{TenantID: tenantA, ApplicationID: app.ID, Name: "Default secret", Value: strings.Repeat("a", 32), CreatedAt: f.tick()},
			{TenantID: tenantA, ApplicationID: app.ID, Name: "Rotation", Value: strings.Repeat("b", 64), CreatedAt: f.tick(), ExpiresAt: ptr(f.now + 86_400_000)},
		}
		// Insert the newer one first: the order must come from createdAt.
		mustOK(t, f.a.Secrets().Create(f.ctx, want[1]), "Create newer")
		mustOK(t, f.a.Secrets().Create(f.ctx, want[0]), "Create older")
		mustOK(t, f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: other.ID, Name: "Default secret", Value: "zzz", CreatedAt: f.tick()}), "Create same name for another application")

		got, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List")
		wantEqual(t, got, want, "List")

		none, err := f.a.Secrets().List(f.ctx, "no-such-app")
		mustOK(t, err, "List of unknown application")
		if none == nil || len(none) != 0 {
			t.Fatalf("List of unknown application = %#v, want empty non-nil", none)
		}
	})

	t.Run("duplicate name conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "Worker")
		s := model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: "one", CreatedAt: f.tick()}
		mustOK(t, f.a.Secrets().Create(f.ctx, s), "Create")
		s.Value = "two"
		wantConflict(t, f.a.Secrets().Create(f.ctx, s), store.UniqueSecretName, "Create duplicate")
		got, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List")
		wantEqual(t, len(got), 1, "secrets after conflict")
		wantEqual(t, got[0].Value, "one", "value after conflict")
	})

	t.Run("secret of a missing application is not found", func(t *testing.T) {
		f := newFixture(t, open)
		err := f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: "missing", Name: "s", Value: "v", CreatedAt: 1})
		wantNotFound(t, err, "Create for missing application")
	})

	t.Run("rename", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "Worker")
		for _, name := range []string{"first", "second"} {
			mustOK(t, f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: name, Value: "v-" + name, CreatedAt: f.tick()}), "Create "+name)
		}
		mustOK(t, f.a.Secrets().Rename(f.ctx, app.ID, "first", "renamed"), "Rename")
		wantConflict(t, f.a.Secrets().Rename(f.ctx, app.ID, "renamed", "second"), store.UniqueSecretName, "Rename onto an existing name")
		wantNotFound(t, f.a.Secrets().Rename(f.ctx, app.ID, "first", "again"), "Rename the old name")
		wantNotFound(t, f.a.Secrets().Rename(f.ctx, "missing", "second", "x"), "Rename in missing application")
		wantInvalid(t, f.a.Secrets().Rename(f.ctx, app.ID, "second", ""), "Rename to empty")

		got, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List")
		wantEqual(t, []string{got[0].Name, got[0].Value, got[1].Name, got[1].Value}, []string{"renamed", "v-first", "second", "v-second"}, "secrets after renames")
	})

	t.Run("delete and cascade", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "Worker")
		for _, name := range []string{"one", "two"} {
			mustOK(t, f.a.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: name, Value: "v", CreatedAt: f.tick()}), "Create "+name)
		}
		mustOK(t, f.a.Secrets().Delete(f.ctx, app.ID, "one"), "Delete")
		wantNotFound(t, f.a.Secrets().Delete(f.ctx, app.ID, "one"), "Delete twice")
		got, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List")
		wantEqual(t, len(got), 1, "secrets after delete")

		// Deleting the application removes its secrets: a new application with the same id starts with none.
		mustOK(t, f.a.Applications().Delete(f.ctx, app.ID), "Delete application")
		mustOK(t, f.a.Applications().Create(f.ctx, model.Application{ID: app.ID, Name: "Reborn", Type: model.AppMachineToMachine, CreatedAt: f.tick()}), "re-Create application")
		got, err = f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List after cascade")
		wantEqual(t, len(got), 0, "secrets after application delete")
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.newApp(f.a, "Worker")
		for _, tc := range []struct {
			name   string
			secret model.ApplicationSecret
		}{
			{"empty name", model.ApplicationSecret{ApplicationID: app.ID, Name: "", Value: "v"}},
			{"name longer than 256", model.ApplicationSecret{ApplicationID: app.ID, Name: strings.Repeat("n", 257), Value: "v"}},
			{"empty value", model.ApplicationSecret{ApplicationID: app.ID, Name: "n", Value: ""}},
			{"value longer than 64", model.ApplicationSecret{ApplicationID: app.ID, Name: "n", Value: strings.Repeat("v", 65)}},
			{"empty application id", model.ApplicationSecret{ApplicationID: "", Name: "n", Value: "v"}},
		} {
			wantInvalid(t, f.a.Secrets().Create(f.ctx, tc.secret), tc.name)
		}
		got, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "List")
		wantEqual(t, len(got), 0, "secrets after refused creates")
	})
}
