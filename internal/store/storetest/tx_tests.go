package storetest

import (
	"errors"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testInTx(t *testing.T, open fx.Open) {
	t.Run("commit makes every write visible", func(t *testing.T) {
		f := newFixture(t, open)
		var app model.Application
		err := f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error {
			if tx.ID() != fx.TenantA {
				t.Errorf("tx.ID() = %q", tx.ID())
			}
			app = model.Application{ID: "tx-app", Name: "Tx", Type: model.AppMachineToMachine, CreatedAt: f.Tick()}
			if err := tx.Applications().Create(f.Ctx, app); err != nil {
				return err
			}
			if err := tx.Secrets().Create(f.Ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: "v", CreatedAt: 1}); err != nil {
				return err
			}
			if err := tx.Roles().Create(f.Ctx, model.Role{ID: "tx-role", Name: "tx", Type: model.RoleMachineToMachine}); err != nil {
				return err
			}
			if err := tx.Roles().AddApplications(f.Ctx, "tx-role", []string{app.ID}); err != nil {
				return err
			}
			// Reads inside the transaction see its own writes.
			held, total, err := tx.Roles().OfApplication(f.Ctx, app.ID, store.Page{})
			if err != nil {
				return err
			}
			if total != 1 || len(held) != 1 {
				t.Errorf("inside the transaction OfApplication = %v, %d; want the new role", held, total)
			}
			return nil
		})
		fx.MustOK(t, err, "InTx")
		_, err = f.A.Applications().Get(f.Ctx, app.ID)
		fx.MustOK(t, err, "application after commit")
		secrets, err := f.A.Secrets().List(f.Ctx, app.ID)
		fx.MustOK(t, err, "secrets after commit")
		fx.WantEqual(t, len(secrets), 1, "secrets after commit")
		held, _, err := f.A.Roles().OfApplication(f.Ctx, app.ID, store.Page{})
		fx.MustOK(t, err, "roles after commit")
		fx.WantEqual(t, fx.RoleNames(held), []string{"tx"}, "roles after commit")
	})

	t.Run("an error rolls back everything", func(t *testing.T) {
		f := newFixture(t, open)
		errBoom := errors.New("boom")
		err := f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error {
			fx.MustOK(t, tx.Applications().Create(f.Ctx, model.Application{ID: "tx-app", Name: "Tx", Type: model.AppSPA, CreatedAt: 1}), "Create app")
			fx.MustOK(t, tx.Resources().Create(f.Ctx, model.Resource{ID: "tx-res", Name: "r", Indicator: "https://tx"}), "Create resource")
			fx.MustOK(t, tx.Configs().Put(f.Ctx, "k", []byte(`{}`)), "Put config")
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx error = %v, want it to wrap fn's error", err)
		}
		_, err = f.A.Applications().Get(f.Ctx, "tx-app")
		fx.WantNotFound(t, err, "application after rollback")
		_, err = f.A.Resources().Get(f.Ctx, "tx-res")
		fx.WantNotFound(t, err, "resource after rollback")
		_, err = f.A.Configs().Get(f.Ctx, "k")
		fx.WantNotFound(t, err, "config after rollback")
	})

	t.Run("a store error returned by fn rolls back and keeps its meaning", func(t *testing.T) {
		f := newFixture(t, open)
		f.NewRole(f.A, "taken", model.RoleUser)
		err := f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error {
			if err := tx.Roles().Create(f.Ctx, model.Role{ID: "r-new", Name: "new", Type: model.RoleUser}); err != nil {
				return err
			}
			return tx.Roles().Create(f.Ctx, model.Role{ID: "r-dup", Name: "taken", Type: model.RoleUser})
		})
		fx.WantConflict(t, err, store.UniqueRoleName, "InTx")
		_, err = f.A.Roles().GetByName(f.Ctx, "new")
		fx.WantNotFound(t, err, "role written before the conflict")
	})

	t.Run("a panic rolls back and goes on", func(t *testing.T) {
		f := newFixture(t, open)
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error {
				fx.MustOK(t, tx.Roles().Create(f.Ctx, model.Role{ID: "r-panic", Name: "panic", Type: model.RoleUser}), "Create")
				panic("kaboom")
			})
		}()
		fx.WantEqual(t, recovered, any("kaboom"), "recovered panic value")
		_, err := f.A.Roles().Get(f.Ctx, "r-panic")
		fx.WantNotFound(t, err, "role after panic")
		// The store still works: the writer was released.
		f.NewRole(f.A, "after-panic", model.RoleUser)
	})

	t.Run("a failed write inside leaves the transaction usable and half of nothing", func(t *testing.T) {
		f := newFixture(t, open)
		res := f.NewResource(f.A, "https://api")
		read := f.NewScope(f.A, res.ID, "read")
		write := f.NewScope(f.A, res.ID, "write")
		role := f.NewRole(f.A, "role", model.RoleMachineToMachine)
		fx.MustOK(t, f.A.Roles().AddScopes(f.Ctx, role.ID, []string{read.ID}), "AddScopes")

		err := f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error {
			// write is new, read is linked already: the whole call fails and links neither.
			err := tx.Roles().AddScopes(f.Ctx, role.ID, []string{write.ID, read.ID})
			fx.WantConflict(t, err, store.UniqueRoleScope, "AddScopes in tx")
			// The use-case handles the conflict and goes on in the same transaction.
			return tx.Roles().Update(f.Ctx, model.Role{ID: role.ID, Name: "renamed"})
		})
		fx.MustOK(t, err, "InTx")
		got, err := f.A.Roles().Get(f.Ctx, role.ID)
		fx.MustOK(t, err, "Get")
		fx.WantEqual(t, got.Name, "renamed", "write after the handled conflict")
		linked, _, err := f.A.Roles().Scopes(f.Ctx, role.ID, store.ScopeFilter{}, store.Page{})
		fx.MustOK(t, err, "Scopes")
		fx.WantEqual(t, fx.ScopeNames(linked), []string{"read"}, "scopes after the failed add")
	})

	t.Run("the transaction's tenant is unusable after fn returns", func(t *testing.T) {
		f := newFixture(t, open)
		var kept store.Tenant
		fx.MustOK(t, f.St.InTx(f.Ctx, fx.TenantA, func(tx store.Tenant) error { kept = tx; return nil }), "InTx")
		if err := kept.Roles().Create(f.Ctx, model.Role{ID: "late", Name: "late", Type: model.RoleUser}); err == nil {
			t.Fatal("write through a finished transaction succeeded")
		}
		if _, err := kept.Roles().Get(f.Ctx, "late"); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Fatalf("read through a finished transaction = %v, want a use-after-end error", err)
		}
		_, err := f.A.Roles().Get(f.Ctx, "late")
		fx.WantNotFound(t, err, "late role")
	})

	t.Run("transactions are per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		err := f.St.InTx(f.Ctx, fx.TenantB, func(tx store.Tenant) error {
			return tx.Roles().Create(f.Ctx, model.Role{ID: "b-role", Name: "b", Type: model.RoleUser})
		})
		fx.MustOK(t, err, "InTx in tenant B")
		_, err = f.A.Roles().Get(f.Ctx, "b-role")
		fx.WantNotFound(t, err, "B's role from tenant A")
		_, err = f.B.Roles().Get(f.Ctx, "b-role")
		fx.MustOK(t, err, "B's role from tenant B")
	})
}
