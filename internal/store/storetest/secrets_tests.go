package storetest

import (
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testSecrets(t *testing.T, open fx.Open) {
	t.Run("create and list oldest first with every field", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "Worker")
		other := f.NewApp(f.A, "Other")
		want := []model.ApplicationSecret{
			{TenantID: fx.TenantA, ApplicationID: app.ID, Name: "Default secret", Value: strings.Repeat("a", 32), CreatedAt: f.Tick()},
			{TenantID: fx.TenantA, ApplicationID: app.ID, Name: "Rotation", Value: strings.Repeat("b", 64), CreatedAt: f.Tick(), ExpiresAt: fx.Ptr(f.Now + 86_400_000)},
		}
		// Insert the newer one first: the order must come from createdAt.
		fx.MustOK(t, f.A.Secrets().Create(f.Ctx, want[1]), "Create newer")
		fx.MustOK(t, f.A.Secrets().Create(f.Ctx, want[0]), "Create older")
		fx.MustOK(t, f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: other.ID, Name: "Default secret", Value: "zzz", CreatedAt: f.Tick()}), "Create same name for another application")

		got, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, got, want, "List")

		none, err := f.A.Secrets().List(f.Ctx, "no-such-app")
		fx.MustOK(t, err, "List of unknown application")
		if none == nil || len(none) != 0 {
			t.Fatalf("List of unknown application = %#v, want empty non-nil", none)
		}
	})

	t.Run("duplicate name conflicts", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "Worker")
		s := model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: "one", CreatedAt: f.Tick()}
		fx.MustOK(t, f.A.Secrets().Create(f.Ctx, s), "Create")
		s.Value = "two"
		fx.WantConflict(t, f.A.Secrets().Create(f.Ctx, s), store.UniqueSecretName, "Create duplicate")
		got, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, len(got), 1, "secrets after conflict")
		fx.WantEqual(t, got[0].Value, "one", "value after conflict")
	})

	t.Run("secret of a missing application is not found", func(t *testing.T) {
		f := newFixture(t, open)
		err := f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: "missing", Name: "s", Value: "v", CreatedAt: 1})
		fx.WantNotFound(t, err, "Create for missing application")
	})

	t.Run("rename", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "Worker")
		for _, name := range []string{"first", "second"} {
			fx.MustOK(t, f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: name, Value: "v-" + name, CreatedAt: f.Tick()}), "Create "+name)
		}
		fx.MustOK(t, f.A.Secrets().Rename(f.Ctx, app.ID, "first", "renamed"), "Rename")
		fx.WantConflict(t, f.A.Secrets().Rename(f.Ctx, app.ID, "renamed", "second"), store.UniqueSecretName, "Rename onto an existing name")
		fx.WantNotFound(t, f.A.Secrets().Rename(f.Ctx, app.ID, "first", "again"), "Rename the old name")
		fx.WantNotFound(t, f.A.Secrets().Rename(f.Ctx, "missing", "second", "x"), "Rename in missing application")
		fx.WantInvalid(t, f.A.Secrets().Rename(f.Ctx, app.ID, "second", ""), "Rename to empty")

		got, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, []string{got[0].Name, got[0].Value, got[1].Name, got[1].Value}, []string{"renamed", "v-first", "second", "v-second"}, "secrets after renames")
	})

	t.Run("delete and cascade", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "Worker")
		for _, name := range []string{"one", "two"} {
			fx.MustOK(t, f.A.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: name, Value: "v", CreatedAt: f.Tick()}), "Create "+name)
		}
		fx.MustOK(t, f.A.Secrets().Delete(f.Ctx, app.ID, "one"), "Delete")
		fx.WantNotFound(t, f.A.Secrets().Delete(f.Ctx, app.ID, "one"), "Delete twice")
		got, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, len(got), 1, "secrets after delete")

		// Deleting the application removes its secrets: a new application with the same id starts with none.
		fx.MustOK(t, f.A.Applications().Delete(f.Ctx, app.ID), "Delete application")
		fx.MustOK(t, f.A.Applications().Create(f.Ctx, model.Application{ID: app.ID, Name: "Reborn", Type: model.AppMachineToMachine, CreatedAt: f.Tick()}), "re-Create application")
		got, err = f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List after cascade")
		fx.WantEqual(t, len(got), 0, "secrets after application delete")
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		app := f.NewApp(f.A, "Worker")
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
			fx.WantInvalid(t, f.A.Secrets().Create(f.Ctx, tc.secret), tc.name)
		}
		got, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, len(got), 0, "secrets after refused creates")
	})
}
