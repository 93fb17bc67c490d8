package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// SignInTargets takes a deleted target off the sign-in page (package signinexp).
type SignInTargets interface {
	DropSocialTarget(ctx context.Context, t store.Tenant, target string) error
}

// Connectors is the connector use-cases.
type Connectors struct {
	core      *core.Core
	factories *connector.Registry
	signIn    SignInTargets
	client    *connector.Client
}

// New returns the connector use-cases over the factories on offer; connectors call providers
// through client (nil: connector.NewClient's defaults).
func New(c *core.Core, factories *connector.Registry, signIn SignInTargets, client *connector.Client) *Connectors {
	if client == nil {
		client = connector.NewClient(connector.ClientOptions{})
	}
	return &Connectors{core: c, factories: factories, signIn: signIn, client: client}
}

// CreateInput is POST /api/connectors.
type CreateInput struct {
	ID                 string // proposed instance id; generated when empty
	ConnectorID        string // the factory id
	Config             json.RawMessage
	Metadata           json.RawMessage // nil: none given
	SyncProfile        bool
	EnableTokenStorage bool
}

// Patch is PATCH /api/connectors/:id; nil members are left as they are.
type Patch struct {
	Config             json.RawMessage
	Metadata           json.RawMessage
	SyncProfile        *bool
	EnableTokenStorage *bool
}

func errNotFound() *apperr.Error {
	return apperr.New(http.StatusNotFound, "entity.not_found", "The resource does not exist.")
}

// configError is Logto's 400 connector.invalid_config_guard, naming the field.
func configError(err error) error {
	var ce *connector.ConfigError
	if errors.As(err, &ce) {
		return apperr.New(http.StatusBadRequest, "connector.invalid_config_guard", "Invalid config guard: %s", ce.Error()).
			WithData(map[string]string{"field": ce.Field})
	}
	return err
}

// Factories lists the factories on offer (GET /api/connector-factories).
func (s *Connectors) Factories() []FactoryView {
	out := []FactoryView{}
	for _, f := range s.factories.Factories() {
		out = append(out, FactoryView{Type: f.Type(), FactoryMetadata: f.Metadata()})
	}
	return out
}

// FactoryByID is one factory (404 entity.not_found).
func (s *Connectors) FactoryByID(id string) (FactoryView, error) {
	f, ok := s.factories.Factory(id)
	if !ok {
		return FactoryView{}, errNotFound()
	}
	return FactoryView{Type: f.Type(), FactoryMetadata: f.Metadata()}, nil
}

// ListConnectors lists the tenant's connectors, only those of target when it is set.
func (s *Connectors) ListConnectors(ctx context.Context, tenantID, target string) ([]View, error) {
	rows, err := s.core.Store().Tenant(tenantID).Connectors().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	out := []View{}
	for _, c := range rows {
		f, ok := s.factories.Factory(c.ConnectorID)
		if !ok {
			continue // a factory this build does not offer (say, a row imported from Logto)
		}
		if v := view(f, c); target == "" || v.Target == target {
			out = append(out, v)
		}
	}
	return out, nil
}

// GetConnector is one connector (404 entity.not_found).
func (s *Connectors) GetConnector(ctx context.Context, tenantID, id string) (View, error) {
	c, f, err := s.load(ctx, s.core.Store().Tenant(tenantID), id)
	if err != nil {
		return View{}, err
	}
	return view(f, c), nil
}

func (s *Connectors) load(ctx context.Context, t store.Tenant, id string) (model.Connector, connector.Factory, error) {
	c, err := t.Connectors().Get(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return c, nil, errNotFound()
	}
	if err != nil {
		return c, nil, fmt.Errorf("get connector %s: %w", id, err)
	}
	f, ok := s.factories.Factory(c.ConnectorID)
	if !ok {
		return c, nil, errNotFound()
	}
	return c, f, nil
}

// CreateConnector creates a connector under Logto's rules (routes/connector/index.ts).
func (s *Connectors) CreateConnector(ctx context.Context, tenantID string, in CreateInput) (View, error) {
	f, ok := s.factories.Factory(in.ConnectorID)
	if !ok {
		return View{}, apperr.New(http.StatusUnprocessableEntity, "connector.not_found_with_connector_id",
			"Can not find a connector factory with connectorId %q.", apperr.Clip(in.ConnectorID, 64))
	}
	if err := checkMetadata(f, in.Metadata); err != nil {
		return View{}, err
	}
	if err := f.CheckConfig(in.Config); err != nil {
		return View{}, configError(err)
	}
	if in.EnableTokenStorage {
		return View{}, errTokenStorage()
	}
	c := model.Connector{TenantID: tenantID, ID: in.ID, ConnectorID: in.ConnectorID, Config: in.Config,
		Metadata: in.Metadata, SyncProfile: in.SyncProfile, CreatedAt: s.core.NowMs()}
	if c.ID == "" {
		c.ID = ids.NewUserID() // Logto's generateStandardShortId: 12 characters of [0-9a-z]
	}
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		if f.Type() == connector.TypeSocial {
			if err := s.checkUnique(ctx, t, f, c); err != nil {
				return err
			}
		}
		if f.Type() == connector.TypeEmail {
			if err := s.dropEmailConnectors(ctx, t); err != nil {
				return err
			}
		}
		if err := t.Connectors().Create(ctx, c); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return apperr.New(http.StatusUnprocessableEntity, "entity.unique_integrity_violation",
					"The connector id %q is taken.", apperr.Clip(c.ID, 128))
			}
			return fmt.Errorf("create connector: %w", err)
		}
		return nil
	})
	if err != nil {
		return View{}, err
	}
	return view(f, c), nil
}

func errTokenStorage() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "request.feature_not_supported",
		"Token storage is not supported by this server yet.")
}

// checkMetadata applies Logto's metadata rules: a standard social connector names its target;
// other connectors cannot override their metadata.
func checkMetadata(f connector.Factory, raw json.RawMessage) error {
	if raw != nil && !isNull(raw) {
		if err := core.CheckJSONObject("metadata", raw); err != nil {
			return err
		}
	}
	o := parseOverrides(raw)
	if f.Metadata().IsStandard {
		if f.Type() == connector.TypeSocial && o.Target == "" {
			return apperr.New(http.StatusBadRequest, "connector.should_specify_target", "You should specify `target` for a standard connector.")
		}
		return nil
	}
	if raw != nil && !isNull(raw) {
		return apperr.New(http.StatusBadRequest, "connector.cannot_overwrite_metadata_for_non_standard_connector",
			"This connector's metadata cannot be overwritten.")
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// checkUnique refuses a second instance of a non-standard factory and a second social connector
// of one target on one platform.
func (s *Connectors) checkUnique(ctx context.Context, t store.Tenant, f connector.Factory, c model.Connector) error {
	rows, err := t.Connectors().List(ctx)
	if err != nil {
		return fmt.Errorf("list connectors: %w", err)
	}
	target, platform := effective(f, c).Target, f.Metadata().Platform
	for _, other := range rows {
		of, ok := s.factories.Factory(other.ConnectorID)
		if !ok {
			continue
		}
		if other.ConnectorID == c.ConnectorID && !f.Metadata().IsStandard {
			return apperr.New(http.StatusUnprocessableEntity, "connector.multiple_instances_not_supported",
				"Multiple instances of this connector are not supported.")
		}
		om := effective(of, other)
		if of.Type() == connector.TypeSocial && om.Target == target && samePlatform(om.Platform, platform) {
			return apperr.New(http.StatusUnprocessableEntity, "connector.multiple_target_with_same_platform",
				"A social connector with target %q already exists on this platform.", apperr.Clip(target, 64)).
				WithData(map[string]any{"connectorId": om.ID, "connectorName": om.Name})
		}
	}
	return nil
}

// dropEmailConnectors removes the tenant's email connectors: a tenant has one, and, as in Logto,
// creating another replaces it.
func (s *Connectors) dropEmailConnectors(ctx context.Context, t store.Tenant) error {
	rows, err := t.Connectors().List(ctx)
	if err != nil {
		return fmt.Errorf("list connectors: %w", err)
	}
	for _, other := range rows {
		if of, ok := s.factories.Factory(other.ConnectorID); ok && of.Type() == connector.TypeEmail {
			if err := t.Connectors().Delete(ctx, other.ID); err != nil {
				return fmt.Errorf("replace email connector %s: %w", other.ID, err)
			}
		}
	}
	return nil
}

func samePlatform(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
