package sqlstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// seedHotPath creates what a client_credentials request reads: an application with secrets, a
// resource with scopes, and roles linking them.
func seedHotPath(b *testing.B, d *DB) (appID, indicator, resourceID string) {
	b.Helper()
	ctx := context.Background()
	if err := d.CreateTenant(ctx, model.Tenant{ID: "default", Name: "Default", CreatedAt: 1}); err != nil {
		b.Fatal(err)
	}
	err := d.InTx(ctx, "default", func(tx store.Tenant) error {
		app := model.Application{ID: "app", Name: "Worker", Type: model.AppMachineToMachine, CreatedAt: 1,
			OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: []string{"https://example.com/cb"}}}
		if err := tx.Applications().Create(ctx, app); err != nil {
			return err
		}
		for i := range 2 {
			if err := tx.Secrets().Create(ctx, model.ApplicationSecret{ApplicationID: "app", Name: fmt.Sprint("s", i), Value: "v", CreatedAt: int64(i)}); err != nil {
				return err
			}
		}
		if err := tx.Resources().Create(ctx, model.Resource{ID: "res", Name: "API", Indicator: "https://api", AccessTokenTTL: 3600}); err != nil {
			return err
		}
		var scopeIDs []string
		for i := range 5 {
			id := fmt.Sprint("scope", i)
			scopeIDs = append(scopeIDs, id)
			if err := tx.Scopes().Create(ctx, model.Scope{ID: id, ResourceID: "res", Name: fmt.Sprint("perm:", i), CreatedAt: int64(i)}); err != nil {
				return err
			}
		}
		if err := tx.Roles().Create(ctx, model.Role{ID: "role", Name: "m2m", Type: model.RoleMachineToMachine}); err != nil {
			return err
		}
		if err := tx.Roles().AddScopes(ctx, "role", scopeIDs); err != nil {
			return err
		}
		return tx.Roles().AddApplications(ctx, "role", []string{"app"})
	})
	if err != nil {
		b.Fatal(err)
	}
	return "app", "https://api", "res"
}

func benchHotPath(b *testing.B, d *DB) {
	appID, indicator, resourceID := seedHotPath(b, d)
	tn := d.Tenant("default")
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		read func() error
	}{
		{"Applications.Get", func() error { _, err := tn.Applications().Get(ctx, appID); return err }},
		{"Secrets.List", func() error { _, err := tn.Secrets().List(ctx, appID); return err }},
		{"Resources.GetByIndicator", func() error { _, err := tn.Resources().GetByIndicator(ctx, indicator); return err }},
		{"Roles.ApplicationScopeNames", func() error { _, err := tn.Roles().ApplicationScopeNames(ctx, appID, resourceID); return err }},
		{"Generation", func() error { _, err := d.Generation(ctx, "default"); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := bc.read(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkSQLiteHotPath(b *testing.B) {
	d, err := Open(context.Background(), "sqlite:"+b.TempDir()+"/bench.db", Options{Migrate: true, MasterKey: secretbox.GenerateMasterKey()})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	benchHotPath(b, d)
}

func BenchmarkPostgresHotPath(b *testing.B) {
	d, err := Open(context.Background(), storetest.PostgresDatabase(b), Options{Migrate: true, MasterKey: secretbox.GenerateMasterKey()})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	benchHotPath(b, d)
}
