package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// ErrAlreadySeeded is returned by Seed when both tenants are seeded and SkipWhenExists is false.
var ErrAlreadySeeded = errors.New("service: the tenants are already seeded")

// SeedOptions configure Seed.
type SeedOptions struct {
	// PrivateKeys are signing keys to install instead of generating one (Logto's
	// OIDC_PRIVATE_KEYS): PEMs or base64 PEMs, at most two; the first is Current, the second
	// Previous.
	PrivateKeys []string
	// CookieKeys are cookie signing keys to install (OIDC_COOKIE_KEYS); empty generates one.
	CookieKeys []string
	// SkipWhenExists makes Seed a no-op on a seeded database (`db seed --swe`).
	SkipWhenExists bool
}

// Descriptions Logto seeds (schemas/src/seeds/management-api.ts, cli seed/tenant.ts).
const (
	scopeAllDescription   = "Default scope for Management API, allows all permissions."
	meScopeDescription    = "Default scope for Me API, allows all permissions."
	accessRoleDescription = "This default role grants access to the Logto management API."
	legacyRoleDescription = "Legacy user role for accessing default Management API. Used in OSS only."
	adminUserRoleName     = "user"
	adminUserRoleDesc     = "Default role for admin tenant."
)

// Seed creates the tenants `default` and `admin` with their keys, Management API resources and
// roles, as Logto's `db seed` does (packages/cli/src/commands/database/seed/tables.ts). Each
// tenant is seeded in one transaction; a tenant whose signing keys exist counts as seeded, so an
// interrupted seed is completed by the next run. It reports whether anything was seeded.
func (s *Seeder) Seed(ctx context.Context, opts SeedOptions) (bool, error) {
	if len(opts.PrivateKeys) > 2 {
		return false, fmt.Errorf("seed: at most 2 private keys can be given (OIDC_PRIVATE_KEYS), got %d", len(opts.PrivateKeys))
	}
	have, err := s.tenantIDs(ctx)
	if err != nil {
		return false, err
	}
	seededAny := false
	for _, tenantID := range []string{model.DefaultTenantID, model.AdminTenantID} {
		if !have[tenantID] {
			if err := s.createTenant(ctx, tenantID); err != nil {
				return seededAny, err
			}
		}
		seeded, err := s.seedTenant(ctx, tenantID, opts)
		if err != nil {
			return seededAny, fmt.Errorf("seed tenant %s: %w", tenantID, err)
		}
		if seeded {
			s.core.Freshness().Invalidate(tenantID)
			seededAny = true
		}
	}
	if !seededAny && !opts.SkipWhenExists {
		return false, ErrAlreadySeeded
	}
	return seededAny, nil
}

// tenantIDs is the set of the tenants that exist.
func (s *Seeder) tenantIDs(ctx context.Context) (map[string]bool, error) {
	existing, err := s.core.Store().Tenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: list tenants: %w", err)
	}
	have := map[string]bool{}
	for _, t := range existing {
		have[t.ID] = true
	}
	return have, nil
}

// createTenant creates the tenant row; one another node created meanwhile will do.
func (s *Seeder) createTenant(ctx context.Context, tenantID string) error {
	err := s.core.Store().CreateTenant(ctx, model.Tenant{ID: tenantID, Name: tenantID, CreatedAt: s.core.NowMs()})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("seed: create tenant %s: %w", tenantID, err)
	}
	return nil
}

// seedTenant seeds one tenant in one transaction unless its signing keys exist, and reports
// whether it did.
func (s *Seeder) seedTenant(ctx context.Context, tenantID string, opts SeedOptions) (bool, error) {
	seeded := false
	err := s.core.Store().InTx(ctx, tenantID, func(t store.Tenant) error {
		if _, err := t.Configs().Get(ctx, model.ConfigPrivateKeys); err == nil {
			return nil // seeded before
		} else if !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("read signing keys: %w", err)
		}
		if err := s.seedKeys(ctx, t, opts); err != nil {
			return err
		}
		var err error
		if tenantID == model.DefaultTenantID {
			err = s.seedDefaultTenant(ctx, t)
		} else {
			err = s.seedAdminTenant(ctx, t)
		}
		seeded = err == nil
		return err
	})
	if err != nil && errors.Is(err, store.ErrConflict) && s.tenantSeeded(ctx, tenantID) {
		// Another node starting on the same empty database seeded this tenant between our
		// check and our insert (both read "no keys" under READ COMMITTED); its seed stands.
		return false, nil
	}
	return seeded, err
}

// tenantSeeded reports whether the tenant's signing keys exist, the mark of a completed seed.
func (s *Seeder) tenantSeeded(ctx context.Context, tenantID string) bool {
	_, err := s.core.Store().Tenant(tenantID).Configs().Get(ctx, model.ConfigPrivateKeys)
	return err == nil
}

// seedKeys installs the tenant's signing key (EC P-384 unless PEMs are given) and cookie keys.
func (s *Seeder) seedKeys(ctx context.Context, t store.Tenant, opts SeedOptions) error {
	now := s.core.Clock().Now()
	var private []model.PrivateKey
	for i, p := range opts.PrivateKeys {
		k, err := keys.FromPEM(p, now)
		if err != nil {
			return fmt.Errorf("private key %d of OIDC_PRIVATE_KEYS: %w", i+1, err)
		}
		private = append(private, k)
	}
	if len(private) == 0 {
		k, err := keys.Generate(keys.KindEC, now)
		if err != nil {
			return fmt.Errorf("generate signing key: %w", err)
		}
		private = append(private, k)
	}
	// Logto's getSeededOidcPrivateKeys: first Current, second Previous.
	private = keys.Normalize(private)

	var cookies []model.CookieKey
	for _, v := range opts.CookieKeys {
		if v = strings.TrimSpace(v); v != "" {
			cookies = append(cookies, model.CookieKey{ID: ids.New(), Value: v, CreatedAt: now.Unix()})
		}
	}
	if len(cookies) == 0 {
		cookies = append(cookies, keys.GenerateCookieKey(now))
	}
	if err := core.PutConfig(ctx, t.Configs(), model.ConfigPrivateKeys, private); err != nil {
		return err
	}
	return core.PutConfig(ctx, t.Configs(), model.ConfigCookieKeys, cookies)
}

// seedDefaultTenant creates the default tenant's Management API (fixed ids `management-api` and
// `management-api-all`) and the M2M role "Logto Management API access" holding `all`
// (defaultManagementApi, createPreConfiguredManagementApiAccessRole). Logto's deprecated
// internal role "#internal:admin" is not seeded: nothing in Gatehouse reads it.
func (s *Seeder) seedDefaultTenant(ctx context.Context, t store.Tenant) error {
	scope, err := s.seedAPI(ctx, t, "management-api", "Logto Management API",
		model.ManagementAPIIndicator(model.DefaultTenantID), "management-api-all", scopeAllDescription)
	if err != nil {
		return err
	}
	return seedRole(ctx, t, model.Role{ID: ids.New(), Name: model.ManagementAPIAccessRoleName,
		Description: accessRoleDescription, Type: model.RoleMachineToMachine}, scope.ID)
}

// seedAdminTenant creates the admin tenant's resources and roles as Logto's OSS seed does:
// the Management APIs of `default` and `admin` with their proxy roles machine:mapi:<tenant>
// (createAdminDataInAdminTenant, getMapiProxyRole), the Me API with role `user`
// (createMeApiInAdminTenant), and the legacy user role `default:admin` holding `all` of the
// default tenant's Management API (seedLegacyManagementApiUserRole), which admins of the console
// hold. Logto Cloud's resources are not seeded.
func (s *Seeder) seedAdminTenant(ctx context.Context, t store.Tenant) error {
	defaultAll, err := s.seedAPI(ctx, t, ids.New(), "Logto Management API for tenant "+model.DefaultTenantID,
		model.ManagementAPIIndicator(model.DefaultTenantID), ids.New(), scopeAllDescription)
	if err != nil {
		return err
	}
	if err := seedRole(ctx, t, mapiProxyRole(model.DefaultTenantID), defaultAll.ID); err != nil {
		return err
	}
	adminAll, err := s.seedAPI(ctx, t, ids.New(), "Logto Management API for tenant "+model.AdminTenantID,
		model.ManagementAPIIndicator(model.AdminTenantID), ids.New(), scopeAllDescription)
	if err != nil {
		return err
	}
	if err := seedRole(ctx, t, mapiProxyRole(model.AdminTenantID), adminAll.ID); err != nil {
		return err
	}
	meAll, err := s.seedAPI(ctx, t, ids.New(), "Logto Me API", "https://"+model.AdminTenantID+".logto.app/me",
		ids.New(), meScopeDescription)
	if err != nil {
		return err
	}
	if err := seedRole(ctx, t, model.Role{ID: ids.New(), Name: adminUserRoleName, Description: adminUserRoleDesc,
		Type: model.RoleUser}, meAll.ID); err != nil {
		return err
	}
	return seedRole(ctx, t, model.Role{ID: ids.New(), Name: model.DefaultTenantID + ":admin",
		Description: legacyRoleDescription, Type: model.RoleUser}, defaultAll.ID)
}

// mapiProxyRole is Logto's getMapiProxyRole: the M2M role for the Management API of tenantID.
func mapiProxyRole(tenantID string) model.Role {
	return model.Role{ID: "m-" + tenantID, Name: "machine:mapi:" + tenantID,
		Description: fmt.Sprintf("Machine-to-machine role for accessing Management API of tenant '%s'.", tenantID),
		Type:        model.RoleMachineToMachine}
}

// seedAPI creates a resource with its one scope `all` and returns the scope.
func (s *Seeder) seedAPI(ctx context.Context, t store.Tenant, resourceID, name, indicator, scopeID, scopeDesc string) (model.Scope, error) {
	r := model.Resource{TenantID: t.ID(), ID: resourceID, Name: name, Indicator: indicator,
		AccessTokenTTL: model.DefaultAccessTokenTTL}
	if err := t.Resources().Create(ctx, r); err != nil {
		return model.Scope{}, fmt.Errorf("create resource %s: %w", indicator, err)
	}
	desc := scopeDesc
	sc := model.Scope{TenantID: t.ID(), ID: scopeID, ResourceID: resourceID, Name: model.ScopeAll,
		Description: &desc, CreatedAt: s.core.NowMs()}
	if err := t.Scopes().Create(ctx, sc); err != nil {
		return model.Scope{}, fmt.Errorf("create scope all of %s: %w", indicator, err)
	}
	return sc, nil
}

func seedRole(ctx context.Context, t store.Tenant, r model.Role, scopeIDs ...string) error {
	r.TenantID = t.ID()
	if err := t.Roles().Create(ctx, r); err != nil {
		return fmt.Errorf("create role %s: %w", r.Name, err)
	}
	if err := t.Roles().AddScopes(ctx, r.ID, scopeIDs); err != nil {
		return fmt.Errorf("give role %s its scopes: %w", r.Name, err)
	}
	return nil
}
