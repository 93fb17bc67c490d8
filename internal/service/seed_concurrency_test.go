package service

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
)

// TestConcurrentSeed is several nodes starting at once on one empty database: every node's seed
// must succeed (none may exit), and the tenants must end up seeded exactly once.
func TestConcurrentSeed(t *testing.T) {
	for _, dialect := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "gh.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDatabase(t) }},
	} {
		t.Run(dialect.name, func(t *testing.T) {
			ctx := context.Background()
			url := dialect.url(t)
			const nodes = 8
			var wg sync.WaitGroup
			results := make([]error, nodes)
			seeded := make([]bool, nodes)
			for i := 0; i < nodes; i++ {
				// Each node opens its own pool, as separate processes would.
				st, err := sqlstore.Open(ctx, url, sqlstore.Options{Migrate: true, PoolSize: 4})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st.Close() })
				clk := clock.System{}
				svc := New(st, store.NewFreshness(st, clk, time.Second), clk, nil, Options{})
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					seeded[i], results[i] = svc.Seed(ctx, seed.SeedOptions{SkipWhenExists: true})
				}(i)
			}
			wg.Wait()
			any := false
			for i, err := range results {
				if err != nil {
					t.Fatalf("node %d: Seed: %v", i, err)
				}
				any = any || seeded[i]
			}
			if !any {
				t.Fatal("no node reported seeding an empty database")
			}
			st, err := sqlstore.Open(ctx, url, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for _, tenant := range []string{model.DefaultTenantID, model.AdminTenantID} {
				raw, err := st.Tenant(tenant).Configs().Get(ctx, model.ConfigPrivateKeys)
				if err != nil {
					t.Fatalf("%s: signing keys: %v", tenant, err)
				}
				var ks []model.PrivateKey
				if err := json.Unmarshal(raw, &ks); err != nil || len(ks) != 1 || ks[0].Status != model.KeyCurrent {
					t.Fatalf("%s: want exactly one Current key, got %s", tenant, raw)
				}
			}
			if _, err := st.Tenant(model.DefaultTenantID).Roles().GetByName(ctx, model.ManagementAPIAccessRoleName); err != nil {
				t.Fatalf("management access role: %v", err)
			}
		})
	}
}
