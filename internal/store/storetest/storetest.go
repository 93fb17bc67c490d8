package storetest

import (
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/store/storetest/eventsuite"
	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest/identitysuite"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest/protocolsuite"
)

// Run runs the conformance suite. open must return a fresh, migrated, empty store (no tenants),
// opened with a master key so that it seals secrets, on every call, and release it when t ends;
// it is called from parallel subtests.
func Run(t *testing.T, open fx.Open) {
	groups := []struct {
		name string
		run  func(t *testing.T, open fx.Open)
	}{
		{"Store", testStore},
		{"Applications", testApplications},
		{"Secrets", testSecrets},
		{"Resources", testResources},
		{"Scopes", testScopes},
		{"Roles", testRoles},
		{"RoleLinks", testRoleLinks},
		{"Configs", testConfigs},
		{"TenantIsolation", testTenantIsolation},
		{"Generation", testGeneration},
		{"InTx", testInTx},
		{"Concurrency", testConcurrency},
		{"Users", identitysuite.Users},
		{"OIDC", protocolsuite.OIDC},
		{"Sentinel", identitysuite.Sentinel},
		{"SealedAtRest", testSealedAtRest},
		{"Events", eventsuite.Events},
		{"Connectors", eventsuite.Connectors},
		{"ConsoleSessions", eventsuite.ConsoleSessions},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, open)
		})
	}
}
