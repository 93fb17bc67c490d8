package storetest

import (
	"errors"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func testInTx(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("commit makes every write visible", func(t *testing.T) {
		f := newFixture(t, open)
		var app model.Application
		err := f.st.InTx(f.ctx, tenantA, func(tx store.Tenant) error {
			if tx.ID() != tenantA {
				t.Errorf("tx.ID() = %q", tx.ID())
			}
			app = model.Application{ID: "tx-app", Name: "Tx", Type: model.AppMachineToMachine, CreatedAt: f.tick()}
			if err := tx.Applications().Create(f.ctx, app); err != nil {
				return err
			}
			if err := tx.Secrets().Create(f.ctx, model.ApplicationSecret{ApplicationID: app.ID, Name: "Default secret", Value: "v", CreatedAt: 1}); err != nil {
				return err
			}
			if err := tx.Roles().Create(f.ctx, model.Role{ID: "tx-role", Name: "tx", Type: model.RoleMachineToMachine}); err != nil {
				return err
			}
			if err := tx.Roles().AddApplications(f.ctx, "tx-role", []string{app.ID}); err != nil {
				return err
			}
			// Reads inside the transaction see its own writes.
			held, total, err := tx.Roles().OfApplication(f.ctx, app.ID, store.Page{})
			if err != nil {
				return err
			}
			if total != 1 || len(held) != 1 {
				t.Errorf("inside the transaction OfApplication = %v, %d; want the new role", held, total)
			}
			return nil
		})
		mustOK(t, err, "InTx")
		_, err = f.a.Applications().Get(f.ctx, app.ID)
		mustOK(t, err, "application after commit")
		secrets, err := f.a.Secrets().List(f.ctx, app.ID)
		mustOK(t, err, "secrets after commit")
		wantEqual(t, len(secrets), 1, "secrets after commit")
		held, _, err := f.a.Roles().OfApplication(f.ctx, app.ID, store.Page{})
		mustOK(t, err, "roles after commit")
		wantEqual(t, roleNames(held), []string{"tx"}, "roles after commit")
	})

	t.Run("an error rolls back everything", func(t *testing.T) {
		f := newFixture(t, open)
		errBoom := errors.New("boom")
		err := f.st.InTx(f.ctx, tenantA, func(tx store.Tenant) error {
			mustOK(t, tx.Applications().Create(f.ctx, model.Application{ID: "tx-app", Name: "Tx", Type: model.AppSPA, CreatedAt: 1}), "Create app")
			mustOK(t, tx.Resources().Create(f.ctx, model.Resource{ID: "tx-res", Name: "r", Indicator: "https://tx"}), "Create resource")
			mustOK(t, tx.Configs().Put(f.ctx, "k", []byte(`{}`)), "Put config")
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("InTx error = %v, want it to wrap fn's error", err)
		}
		_, err = f.a.Applications().Get(f.ctx, "tx-app")
		wantNotFound(t, err, "application after rollback")
		_, err = f.a.Resources().Get(f.ctx, "tx-res")
		wantNotFound(t, err, "resource after rollback")
		_, err = f.a.Configs().Get(f.ctx, "k")
		wantNotFound(t, err, "config after rollback")
	})

	t.Run("a store error returned by fn rolls back and keeps its meaning", func(t *testing.T) {
		f := newFixture(t, open)
		f.newRole(f.a, "taken", model.RoleUser)
		err := f.st.InTx(f.ctx, tenantA, func(tx store.Tenant) error {
			if err := tx.Roles().Create(f.ctx, model.Role{ID: "r-new", Name: "new", Type: model.RoleUser}); err != nil {
				return err
			}
			return tx.Roles().Create(f.ctx, model.Role{ID: "r-dup", Name: "taken", Type: model.RoleUser})
		})
		wantConflict(t, err, store.UniqueRoleName, "InTx")
		_, err = f.a.Roles().GetByName(f.ctx, "new")
		wantNotFound(t, err, "role written before the conflict")
	})

	t.Run("a panic rolls back and goes on", func(t *testing.T) {
		f := newFixture(t, open)
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = f.st.InTx(f.ctx, tenantA, func(tx store.Tenant) error {
				mustOK(t, tx.Roles().Create(f.ctx, model.Role{ID: "r-panic", Name: "panic", Type: model.RoleUser}), "Create")
				panic("kaboom")
			})
		}()
		wantEqual(t, recovered, any("kaboom"), "recovered panic value")
		_, err := f.a.Roles().Get(f.ctx, "r-panic")
		wantNotFound(t, err, "role after panic")
		// The store still works: the writer was released.
		f.newRole(f.a, "after-panic", model.RoleUser)
	})

	t.Run("a failed write inside leaves the transaction usable and half of nothing", func(t *testing.T) {
		f := newFixture(t, open)
		res := f.newResource(f.a, "https://api")
		read := f.newScope(f.a, res.ID, "read")
		write := f.newScope(f.a, res.ID, "write")
		role := f.newRole(f.a, "role", model.RoleMachineToMachine)
		mustOK(t, f.a.Roles().AddScopes(f.ctx, role.ID, []string{read.ID}), "AddScopes")

		err := f.st.InTx(f.ctx, tenantA, func(tx store.Tenant) error {
			// write is new, read is linked already: the whole call fails and links neither.
			err := tx.Roles().AddScopes(f.ctx, role.ID, []string{write.ID, read.ID})
			wantConflict(t, err, store.UniqueRoleScope, "AddScopes in tx")
			// The use-case handles the conflict and goes on in the same transaction.
			return tx.Roles().Update(f.ctx, model.Role{ID: role.ID, Name: "renamed"})
		})
		mustOK(t, err, "InTx")
		got, err := f.a.Roles().Get(f.ctx, role.ID)
		mustOK(t, err, "Get")
		wantEqual(t, got.Name, "renamed", "write after the handled conflict")
		linked, _, err := f.a.Roles().Scopes(f.ctx, role.ID, store.ScopeFilter{}, store.Page{})
		mustOK(t, err, "Scopes")
		wantEqual(t, scopeNames(linked), []string{"read"}, "scopes after the failed add")
	})

	t.Run("the transaction's tenant is unusable after fn returns", func(t *testing.T) {
		f := newFixture(t, open)
		var kept store.Tenant
		mustOK(t, f.st.InTx(f.ctx, tenantA, func(tx store.Tenant) error { kept = tx; return nil }), "InTx")
		if err := kept.Roles().Create(f.ctx, model.Role{ID: "late", Name: "late", Type: model.RoleUser}); err == nil {
			t.Fatal("write through a finished transaction succeeded")
		}
		if _, err := kept.Roles().Get(f.ctx, "late"); err == nil || errors.Is(err, store.ErrNotFound) {
			t.Fatalf("read through a finished transaction = %v, want a use-after-end error", err)
		}
		_, err := f.a.Roles().Get(f.ctx, "late")
		wantNotFound(t, err, "late role")
	})

	t.Run("transactions are per tenant", func(t *testing.T) {
		f := newFixture(t, open)
		err := f.st.InTx(f.ctx, tenantB, func(tx store.Tenant) error {
			return tx.Roles().Create(f.ctx, model.Role{ID: "b-role", Name: "b", Type: model.RoleUser})
		})
		mustOK(t, err, "InTx in tenant B")
		_, err = f.a.Roles().Get(f.ctx, "b-role")
		wantNotFound(t, err, "B's role from tenant A")
		_, err = f.b.Roles().Get(f.ctx, "b-role")
		mustOK(t, err, "B's role from tenant B")
	})
}
