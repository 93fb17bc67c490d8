package applications

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// DefaultSecretName is the name of the secret Logto creates with every confidential application
// (schemas defaultApplicationSecretName).
const DefaultSecretName = "Default secret"

// Column limits of Logto's applications and application_secrets tables.
const (
	maxApplicationNameLen = 256
	maxSecretNameLen      = 256
)

// HasSecrets reports whether applications of type t hold client secrets: Logto's hasSecrets and
// the application_secrets check constraint (MachineToMachine, Traditional, Protected).
func HasSecrets(t model.ApplicationType) bool {
	return t == model.AppMachineToMachine || t == model.AppTraditional || t == model.AppProtected
}

// CreateApplicationInput is what a caller gives to create an application (POST /api/applications).
type CreateApplicationInput struct {
	Name        string
	Type        model.ApplicationType
	Description string // "" = none
	// RedirectURIs and PostLogoutRedirectURIs are oidcClientMetadata's two lists; the other
	// metadata fields are optional.
	RedirectURIs                     []string
	PostLogoutRedirectURIs           []string
	BackchannelLogoutURI             *string
	BackchannelLogoutSessionRequired *bool
	LogoURI                          *string

	CustomClientMetadata model.CustomClientMetadata
	CustomData           json.RawMessage // a JSON object; nil = {}
	IsThirdParty         bool
	// ProtectedAppMetadata is required for type Protected, which needs Logto Cloud's hosting.
	ProtectedAppMetadata json.RawMessage
}

// CreatedApplication is a new application with the value of its default secret ("" for public
// clients). Logto 1.42 answered POST /applications with the plain secret of M2M apps
// (logto-observed.md), so the Management API writes it as "secret".
type CreatedApplication struct {
	model.Application
	Secret string `json:"secret,omitempty"`
}

// CreateApplication creates an application and, for confidential types, its "Default secret".
func (s *Applications) CreateApplication(ctx context.Context, tenantID string, in CreateApplicationInput) (CreatedApplication, error) {
	return s.CreateApplicationWithRoles(ctx, tenantID, in, nil)
}

// CreateApplicationWithRoles creates an application and assigns it the machine-to-machine roles
// named roleNames, in one transaction (used by `gatehouse app create --role`).
func (s *Applications) CreateApplicationWithRoles(ctx context.Context, tenantID string, in CreateApplicationInput, roleNames []string) (CreatedApplication, error) {
	app, err := s.newApplication(tenantID, in)
	if err != nil {
		return CreatedApplication{}, err
	}
	out := CreatedApplication{Application: app}
	err = s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if err := t.Applications().Create(ctx, app); err != nil {
			return core.MapStoreErr(err, core.TableApplications, app.ID)
		}
		if HasSecrets(app.Type) {
			secret := model.ApplicationSecret{TenantID: tenantID, ApplicationID: app.ID,
				Name: DefaultSecretName, Value: ids.NewSecret(), CreatedAt: app.CreatedAt}
			if err := t.Secrets().Create(ctx, secret); err != nil {
				return core.MapStoreErr(err, core.TableApplications, app.ID)
			}
			out.Secret = secret.Value
		}
		if len(roleNames) == 0 {
			return nil
		}
		if app.Type != model.AppMachineToMachine {
			return core.ErrInvalidAppTypeForRoles()
		}
		for _, name := range core.Dedupe(roleNames) {
			role, err := t.Roles().GetByName(ctx, name)
			if errors.Is(err, model.ErrNotFound) {
				return apperr.New(http.StatusNotFound, "entity.not_exists", "The role %q does not exist.", name)
			}
			if err != nil {
				return fmt.Errorf("find role %q: %w", name, err)
			}
			if role.Type != model.RoleMachineToMachine {
				return core.ErrInvalidRoleType()
			}
			if err := t.Roles().AddApplications(ctx, role.ID, []string{app.ID}); err != nil {
				return core.MapStoreErr(err, core.TableRoles, role.ID)
			}
		}
		return nil
	})
	if err != nil {
		return CreatedApplication{}, err
	}
	return out, nil
}

// newApplication validates in and builds the row, following POST /applications in Logto
// (core/routes/applications/application.ts).
func (s *Applications) newApplication(tenantID string, in CreateApplicationInput) (model.Application, error) {
	if err := checkNewApplicationType(in); err != nil {
		return model.Application{}, err
	}
	app := buildApplication(tenantID, in, s.core.NowMs())
	if err := validateApplication(app); err != nil {
		return model.Application{}, err
	}
	return app, nil
}

// errUseSAMLAPI is Logto's answer to the applications API used on a SAML app.
func errUseSAMLAPI() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "application.saml.use_saml_app_api",
		"Use `[METHOD] /saml-applications(/.*)?` API to operate SAML app.")
}

// checkNewApplicationType checks that in's type can be created here and allows what in asks of
// it: device flow (native only), third party, protected app metadata.
func checkNewApplicationType(in CreateApplicationInput) error {
	if !in.Type.Valid() {
		return core.InvalidBody("type: must be one of Native, SPA, Traditional, MachineToMachine, Protected.")
	}
	if in.Type == model.AppSAML {
		return errUseSAMLAPI()
	}
	if in.Type != model.AppNative && core.IsTrue(in.CustomClientMetadata.IsDeviceFlow) {
		return apperr.New(http.StatusUnprocessableEntity, "application.device_flow_native_only",
			"Device flow is only available for native applications.")
	}
	if in.IsThirdParty {
		if err := checkThirdParty(in); err != nil {
			return err
		}
	}
	if in.Type == model.AppProtected {
		return checkProtectedApp(in)
	}
	return nil
}

// checkThirdParty allows third-party apps of the user-facing types only, and without token
// exchange.
func checkThirdParty(in CreateApplicationInput) error {
	if in.Type != model.AppTraditional && in.Type != model.AppSPA && in.Type != model.AppNative {
		return apperr.New(http.StatusBadRequest, "application.invalid_third_party_application_type",
			"Only traditional web, single-page, and native applications can be marked as third-party apps.")
	}
	if core.IsTrue(in.CustomClientMetadata.AllowTokenExchange) {
		return errThirdPartyTokenExchange()
	}
	return nil
}

// checkProtectedApp answers a Protected app: its metadata is required, and then it is refused.
func checkProtectedApp(in CreateApplicationInput) error {
	if len(in.ProtectedAppMetadata) == 0 || string(in.ProtectedAppMetadata) == "null" {
		return apperr.New(http.StatusBadRequest, "application.protected_app_metadata_is_required",
			"Protected app metadata is required.")
	}
	// Logto hosts protected apps on Cloudflare, which only Logto Cloud configures; the open
	// source version answers the same way (core/libraries/protected-app.ts).
	return apperr.New(http.StatusNotImplemented, "application.protected_app_not_configured",
		"Protected app provider is not configured. This feature is not available for open source version.")
}

// buildApplication is the row of a new application created from in at createdAt (epoch ms).
func buildApplication(tenantID string, in CreateApplicationInput, createdAt int64) model.Application {
	app := model.Application{
		TenantID: tenantID,
		ID:       ids.New(),
		Name:     in.Name,
		Type:     in.Type,
		OIDCClientMetadata: model.OIDCClientMetadata{
			RedirectURIs:                     core.NonNil(in.RedirectURIs),
			PostLogoutRedirectURIs:           core.NonNil(in.PostLogoutRedirectURIs),
			BackchannelLogoutURI:             in.BackchannelLogoutURI,
			BackchannelLogoutSessionRequired: in.BackchannelLogoutSessionRequired,
			LogoURI:                          in.LogoURI,
		},
		CustomClientMetadata: in.CustomClientMetadata,
		CustomData:           in.CustomData,
		IsThirdParty:         in.IsThirdParty,
		CreatedAt:            createdAt,
	}
	if in.Description != "" {
		d := in.Description
		app.Description = &d
	}
	if len(app.CustomData) == 0 {
		app.CustomData = json.RawMessage(`{}`)
	}
	return app
}

// validateApplication checks the fields every write must keep valid.
func validateApplication(app model.Application) error {
	if err := core.CheckName("name", app.Name, maxApplicationNameLen); err != nil {
		return err
	}
	if app.Description != nil {
		if err := core.CheckText("description", *app.Description, 0); err != nil {
			return err
		}
	}
	if err := validateOIDCClientMetadata(app.OIDCClientMetadata); err != nil {
		return err
	}
	if err := validateCustomClientMetadata(app.CustomClientMetadata); err != nil {
		return err
	}
	return core.CheckJSONObject("customData", app.CustomData)
}

// validateOIDCClientMetadata checks the redirect URIs, the back-channel logout URI and the logo.
func validateOIDCClientMetadata(md model.OIDCClientMetadata) error {
	for _, list := range []struct {
		key  string
		uris []string
	}{
		{"redirectUris", md.RedirectURIs}, {"postLogoutRedirectUris", md.PostLogoutRedirectURIs},
	} {
		for i, u := range list.uris {
			if err := core.CheckRedirectURI(u); err != nil {
				return core.InvalidBody("oidcClientMetadata.%s[%d]: %v.", list.key, i, err)
			}
		}
	}
	if md.BackchannelLogoutURI != nil {
		if err := core.CheckAbsoluteURL(*md.BackchannelLogoutURI); err != nil {
			return core.InvalidBody("oidcClientMetadata.backchannelLogoutUri: %v.", err)
		}
	}
	if md.LogoURI != nil {
		return core.CheckText("oidcClientMetadata.logoUri", *md.LogoURI, 0)
	}
	return nil
}

// validateCustomClientMetadata checks the CORS origins and, as Logto's
// customClientMetadataGuard, the token lifetimes: refreshTokenTtlInDays int 1–180,
// maxAllowedGrants > 0, and (Gatehouse) positive idTokenTtl and refreshTokenTtl.
func validateCustomClientMetadata(cm model.CustomClientMetadata) error {
	for i, o := range cm.CORSAllowedOrigins {
		if o == "" {
			return core.InvalidBody("customClientMetadata.corsAllowedOrigins[%d]: must not be empty.", i)
		}
		if err := core.CheckText(fmt.Sprintf("customClientMetadata.corsAllowedOrigins[%d]", i), o, 0); err != nil {
			return err
		}
	}
	for _, limit := range []struct {
		v       *int64
		min     int64
		max     int64 // 0: none
		message string
	}{
		{cm.RefreshTokenTTLInDays, 1, 180, "customClientMetadata.refreshTokenTtlInDays: must be between 1 and 180."},
		{cm.MaxAllowedGrants, 1, 0, "customClientMetadata.maxAllowedGrants: must be a positive integer."},
		{cm.IDTokenTTL, 1, 0, "customClientMetadata.idTokenTtl: must be a positive number of seconds."},
		{cm.RefreshTokenTTL, 1, 0, "customClientMetadata.refreshTokenTtl: must be a positive number of seconds."},
	} {
		if limit.v != nil && (*limit.v < limit.min || limit.max != 0 && *limit.v > limit.max) {
			return core.InvalidBody("%s", limit.message)
		}
	}
	return nil
}

// GetApplication returns one application.
func (s *Applications) GetApplication(ctx context.Context, tenantID, id string) (model.Application, error) {
	app, err := s.core.Store().Tenant(tenantID).Applications().Get(ctx, id)
	if err != nil {
		return model.Application{}, core.MapStoreErr(err, core.TableApplications, id)
	}
	return app, nil
}

// ListApplications returns a page of applications (newest first) and the total matching f.
func (s *Applications) ListApplications(ctx context.Context, tenantID string, f model.ApplicationFilter, p model.Page) ([]model.Application, int, error) {
	apps, total, err := s.core.Store().Tenant(tenantID).Applications().List(ctx, f, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list applications: %w", err)
	}
	return apps, total, nil
}

// OIDCClientMetadataPatch changes some of an application's oidcClientMetadata; nil fields keep
// their value.
type OIDCClientMetadataPatch struct {
	RedirectURIs                     *[]string `json:"redirectUris"`
	PostLogoutRedirectURIs           *[]string `json:"postLogoutRedirectUris"`
	BackchannelLogoutURI             *string   `json:"backchannelLogoutUri"`
	BackchannelLogoutSessionRequired *bool     `json:"backchannelLogoutSessionRequired"`
	LogoURI                          *string   `json:"logoUri"`
}

// ApplicationPatch is PATCH /api/applications/:id; nil fields keep their value. Description set
// to a nil *string clears it. CustomClientMetadata replaces the whole object, as Logto does.
type ApplicationPatch struct {
	Name                         *string
	Description                  **string
	OIDCClientMetadata           *OIDCClientMetadataPatch
	CustomClientMetadata         *model.CustomClientMetadata
	CustomData                   json.RawMessage
	AppLevelAccessControlEnabled *bool
}

// UpdateApplication applies p to an application and returns the result.
func (s *Applications) UpdateApplication(ctx context.Context, tenantID, id string, p ApplicationPatch) (model.Application, error) {
	var updated model.Application
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		app, err := getOIDCApplication(ctx, t, id)
		if err != nil {
			return err
		}
		if err := checkApplicationPatch(app, p); err != nil {
			return err
		}
		p.applyTo(&app)
		if err := validateApplication(app); err != nil {
			return err
		}
		if err := t.Applications().Update(ctx, app); err != nil {
			return core.MapStoreErr(err, core.TableApplications, id)
		}
		updated = app
		return nil
	})
	return updated, err
}

// getOIDCApplication reads an application this API may change: not a SAML app (Logto's
// use_saml_app_api).
func getOIDCApplication(ctx context.Context, t store.Tenant, id string) (model.Application, error) {
	app, err := t.Applications().Get(ctx, id)
	if err != nil {
		return model.Application{}, core.MapStoreErr(err, core.TableApplications, id)
	}
	if app.Type == model.AppSAML {
		return model.Application{}, errUseSAMLAPI()
	}
	return app, nil
}

// checkApplicationPatch refuses what p may not change on app: enabling app-level access control
// (no rules yet), token exchange on a third-party app, device flow.
func checkApplicationPatch(app model.Application, p ApplicationPatch) error {
	if p.AppLevelAccessControlEnabled != nil && *p.AppLevelAccessControlEnabled {
		// Logto refuses to enable app-level access control without rules
		// (assertApplicationAccessControlHasRules); Gatehouse has no rules API yet.
		return apperr.New(http.StatusUnprocessableEntity, "request.invalid_input",
			"Input is invalid. Application access control must include at least one rule before it can be enabled.")
	}
	if p.CustomClientMetadata == nil {
		return nil
	}
	if app.IsThirdParty && core.IsTrue(p.CustomClientMetadata.AllowTokenExchange) {
		return errThirdPartyTokenExchange()
	}
	// Device flow is fixed at creation (application.device_flow_not_changeable).
	if core.IsTrue(p.CustomClientMetadata.IsDeviceFlow) != core.IsTrue(app.CustomClientMetadata.IsDeviceFlow) {
		return apperr.New(http.StatusUnprocessableEntity, "application.device_flow_not_changeable",
			"Device flow cannot be changed after application creation.")
	}
	return nil
}

// applyTo sets the members of app that p sets.
func (p ApplicationPatch) applyTo(app *model.Application) {
	if p.CustomClientMetadata != nil {
		app.CustomClientMetadata = *p.CustomClientMetadata
	}
	if p.Name != nil {
		app.Name = *p.Name
	}
	if p.Description != nil {
		app.Description = *p.Description
	}
	if p.OIDCClientMetadata != nil {
		p.OIDCClientMetadata.applyTo(&app.OIDCClientMetadata)
	}
	if p.CustomData != nil {
		app.CustomData = p.CustomData
	}
	if p.AppLevelAccessControlEnabled != nil {
		app.AppLevelAccessControlEnabled = *p.AppLevelAccessControlEnabled
	}
}

// applyTo sets the members of md that m sets.
func (m OIDCClientMetadataPatch) applyTo(md *model.OIDCClientMetadata) {
	if m.RedirectURIs != nil {
		md.RedirectURIs = core.NonNil(*m.RedirectURIs)
	}
	if m.PostLogoutRedirectURIs != nil {
		md.PostLogoutRedirectURIs = core.NonNil(*m.PostLogoutRedirectURIs)
	}
	if m.BackchannelLogoutURI != nil {
		md.BackchannelLogoutURI = m.BackchannelLogoutURI
	}
	if m.BackchannelLogoutSessionRequired != nil {
		md.BackchannelLogoutSessionRequired = m.BackchannelLogoutSessionRequired
	}
	if m.LogoURI != nil {
		md.LogoURI = m.LogoURI
	}
}

// DeleteApplication removes an application with its secrets and role links.
func (s *Applications) DeleteApplication(ctx context.Context, tenantID, id string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if _, err := getOIDCApplication(ctx, t, id); err != nil {
			return err
		}
		return core.MapStoreErr(t.Applications().Delete(ctx, id), core.TableApplications, id)
	})
}

// ListSecrets returns an application's secrets with their values (GET …/secrets answers them,
// as Logto does, so an operator can copy one).
func (s *Applications) ListSecrets(ctx context.Context, tenantID, appID string) ([]model.ApplicationSecret, error) {
	t := s.core.Store().Tenant(tenantID)
	if _, err := t.Applications().Get(ctx, appID); err != nil {
		return nil, core.MapStoreErr(err, core.TableApplications, appID)
	}
	secrets, err := t.Secrets().List(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("list secrets of %s: %w", appID, err)
	}
	return core.NonNil(secrets), nil
}

// AddSecret creates a named secret; expiresAtMs (epoch ms) must be in the future when given.
func (s *Applications) AddSecret(ctx context.Context, tenantID, appID, name string, expiresAtMs *int64) (model.ApplicationSecret, error) {
	if err := core.CheckName("name", name, maxSecretNameLen); err != nil {
		return model.ApplicationSecret{}, err
	}
	now := s.core.NowMs()
	if expiresAtMs != nil && *expiresAtMs <= now {
		return model.ApplicationSecret{}, core.InvalidRequest("The value of `expiresAt` must be in the future.")
	}
	secret := model.ApplicationSecret{TenantID: tenantID, ApplicationID: appID, Name: name,
		Value: ids.NewSecret(), CreatedAt: now, ExpiresAt: expiresAtMs}
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		app, err := t.Applications().Get(ctx, appID)
		if err != nil {
			return core.MapStoreErr(err, core.TableApplications, appID)
		}
		if !HasSecrets(app.Type) {
			// Logto's application_secrets check constraint answers this way.
			return errConstraintViolated("only MachineToMachine, Traditional and Protected applications have secrets")
		}
		return core.MapStoreErr(t.Secrets().Create(ctx, secret), core.TableApplications, appID)
	})
	if err != nil {
		return model.ApplicationSecret{}, err
	}
	return secret, nil
}

// RenameSecret renames an application's secret and returns it.
func (s *Applications) RenameSecret(ctx context.Context, tenantID, appID, oldName, newName string) (model.ApplicationSecret, error) {
	if err := core.CheckName("name", newName, maxSecretNameLen); err != nil {
		return model.ApplicationSecret{}, err
	}
	var renamed model.ApplicationSecret
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if _, err := t.Applications().Get(ctx, appID); err != nil {
			return core.MapStoreErr(err, core.TableApplications, appID)
		}
		secret, err := findSecret(ctx, t, appID, oldName)
		if err != nil {
			return err
		}
		if oldName == newName {
			renamed = secret
			return nil
		}
		if err := t.Secrets().Rename(ctx, appID, oldName, newName); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return errSecretNotExists()
			}
			return core.MapStoreErr(err, core.TableApplications, appID)
		}
		secret.Name = newName
		renamed = secret
		return nil
	})
	return renamed, err
}

// DeleteSecret removes an application's secret.
func (s *Applications) DeleteSecret(ctx context.Context, tenantID, appID, name string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if _, err := t.Applications().Get(ctx, appID); err != nil {
			return core.MapStoreErr(err, core.TableApplications, appID)
		}
		err := t.Secrets().Delete(ctx, appID, name)
		if errors.Is(err, model.ErrNotFound) {
			return core.RelationNotFound()
		}
		return core.MapStoreErr(err, core.TableApplications, appID)
	})
}

func findSecret(ctx context.Context, t store.Tenant, appID, name string) (model.ApplicationSecret, error) {
	secrets, err := t.Secrets().List(ctx, appID)
	if err != nil {
		return model.ApplicationSecret{}, fmt.Errorf("list secrets of %s: %w", appID, err)
	}
	for _, sec := range secrets {
		if sec.Name == name {
			return sec, nil
		}
	}
	return model.ApplicationSecret{}, errSecretNotExists()
}

// ApplicationRoles lists the machine-to-machine roles an application holds, filtered by search
// (a case-insensitive substring of id, name or description).
func (s *Applications) ApplicationRoles(ctx context.Context, tenantID, appID, search string, p model.Page) ([]model.Role, int, error) {
	t := s.core.Store().Tenant(tenantID)
	if err := requireM2MApplication(ctx, t, appID); err != nil {
		return nil, 0, err
	}
	held, _, err := t.Roles().OfApplication(ctx, appID, model.Page{})
	if err != nil {
		return nil, 0, fmt.Errorf("roles of application %s: %w", appID, err)
	}
	if len(held) == 0 {
		return []model.Role{}, 0, nil
	}
	roleIDs := make([]string, len(held))
	for i, r := range held {
		roleIDs[i] = r.ID
	}
	roles, total, err := t.Roles().List(ctx, model.RoleFilter{Type: model.RoleMachineToMachine, Search: search, IDs: roleIDs}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("roles of application %s: %w", appID, err)
	}
	return core.NonNil(roles), total, nil
}

// AssignApplicationRoles adds machine-to-machine roles to an application, skipping those it
// already holds, and returns the ids actually added (POST …/roles answers {roleIds, addedRoleIds}).
func (s *Applications) AssignApplicationRoles(ctx context.Context, tenantID, appID string, roleIDs []string) ([]string, error) {
	var added []string
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if err := requireM2MApplication(ctx, t, appID); err != nil {
			return err
		}
		heldIDs, err := applicationRoleIDs(ctx, t, appID)
		if err != nil {
			return err
		}
		added = []string{}
		for _, id := range core.Dedupe(roleIDs) {
			if !slices.Contains(heldIDs, id) {
				added = append(added, id)
			}
		}
		return addRolesToApplication(ctx, t, appID, added)
	})
	return added, err
}

// ReplaceApplicationRoles makes roleIDs the application's exact set of roles.
func (s *Applications) ReplaceApplicationRoles(ctx context.Context, tenantID, appID string, roleIDs []string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if err := requireM2MApplication(ctx, t, appID); err != nil {
			return err
		}
		heldIDs, err := applicationRoleIDs(ctx, t, appID)
		if err != nil {
			return err
		}
		want := core.Dedupe(roleIDs)
		var toAdd []string
		for _, id := range want {
			if !slices.Contains(heldIDs, id) {
				toAdd = append(toAdd, id)
			}
		}
		if err := addRolesToApplication(ctx, t, appID, toAdd); err != nil {
			return err
		}
		for _, id := range heldIDs {
			if !slices.Contains(want, id) {
				if err := t.Roles().RemoveApplication(ctx, id, appID); err != nil {
					return fmt.Errorf("remove role %s from %s: %w", id, appID, err)
				}
			}
		}
		return nil
	})
}

// RemoveApplicationRole removes one role from an application.
func (s *Applications) RemoveApplicationRole(ctx context.Context, tenantID, appID, roleID string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if err := requireM2MApplication(ctx, t, appID); err != nil {
			return err
		}
		err := t.Roles().RemoveApplication(ctx, roleID, appID)
		if errors.Is(err, model.ErrNotFound) {
			return core.RelationNotFound()
		}
		return core.MapStoreErr(err, core.TableRoles, roleID)
	})
}

// addRolesToApplication checks each role exists and is a machine-to-machine role, then links it.
func addRolesToApplication(ctx context.Context, t store.Tenant, appID string, roleIDs []string) error {
	for _, id := range roleIDs {
		role, err := t.Roles().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, id)
		}
		if role.Type != model.RoleMachineToMachine {
			return core.ErrInvalidRoleType()
		}
	}
	for _, id := range roleIDs {
		if err := t.Roles().AddApplications(ctx, id, []string{appID}); err != nil {
			return core.MapStoreErr(err, core.TableRoles, id)
		}
	}
	return nil
}

func applicationRoleIDs(ctx context.Context, t store.Tenant, appID string) ([]string, error) {
	held, _, err := t.Roles().OfApplication(ctx, appID, model.Page{})
	if err != nil {
		return nil, fmt.Errorf("roles of application %s: %w", appID, err)
	}
	out := make([]string, len(held))
	for i, r := range held {
		out[i] = r.ID
	}
	return out, nil
}

// requireM2MApplication loads the application and refuses other types: only machine-to-machine
// applications hold roles (Logto's application.invalid_type).
func requireM2MApplication(ctx context.Context, t store.Tenant, appID string) error {
	app, err := t.Applications().Get(ctx, appID)
	if err != nil {
		return core.MapStoreErr(err, core.TableApplications, appID)
	}
	if app.Type != model.AppMachineToMachine {
		return core.ErrInvalidAppTypeForRoles()
	}
	return nil
}

func errThirdPartyTokenExchange() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "application.third_party_application_cannot_enable_token_exchange",
		"Third-party applications are not allowed to enable token exchange.")
}

func errSecretNotExists() *apperr.Error {
	return apperr.New(http.StatusNotFound, "entity.not_exists", "The application_secret does not exist.")
}

func errConstraintViolated(why string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "entity.db_constraint_violated",
		"Database constraint violated: %s.", why)
}
