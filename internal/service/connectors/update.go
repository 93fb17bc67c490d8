package connectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
)

// UpdateConnector applies a patch under Logto's rules: a standard connector's target cannot
// change, a non-standard one's metadata cannot be set, only social connectors sync profiles, and
// a new config is checked by the factory and replaces the old one whole.
func (s *Connectors) UpdateConnector(ctx context.Context, tenantID, id string, p Patch) (View, error) {
	var out View
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		c, f, err := s.load(ctx, t, id)
		if err != nil {
			return err
		}
		if err := checkPatch(f, c, p); err != nil {
			return err
		}
		if p.Config != nil {
			c.Config = p.Config
		}
		if p.Metadata != nil {
			c.Metadata = p.Metadata
		}
		if p.SyncProfile != nil {
			c.SyncProfile = *p.SyncProfile
		}
		if err := t.Connectors().Update(ctx, c); err != nil {
			return fmt.Errorf("update connector %s: %w", id, err)
		}
		out = view(f, c)
		return nil
	})
	return out, err
}

func checkPatch(f connector.Factory, c model.Connector, p Patch) error {
	m := f.Metadata()
	if p.Metadata != nil && !isNull(p.Metadata) {
		if !m.IsStandard {
			return checkMetadata(f, p.Metadata)
		}
		if err := core.CheckJSONObject("metadata", p.Metadata); err != nil {
			return err
		}
		if parseOverrides(p.Metadata).Target != effective(f, c).Target {
			return apperr.New(http.StatusBadRequest, "connector.can_not_modify_target", "You cannot change the target of a connector.")
		}
	}
	if p.SyncProfile != nil && *p.SyncProfile && f.Type() != connector.TypeSocial {
		return apperr.New(http.StatusUnprocessableEntity, "connector.invalid_type_for_syncing_profile",
			"Only social connectors can sync profiles.")
	}
	if p.EnableTokenStorage != nil && *p.EnableTokenStorage {
		return errTokenStorage()
	}
	if p.Config != nil {
		if err := f.CheckConfig(p.Config); err != nil {
			return configError(err)
		}
	}
	return nil
}

// DeleteConnector removes a connector; when it was the last social connector of its target, the
// sign-in page stops showing the target's button, in the same transaction.
func (s *Connectors) DeleteConnector(ctx context.Context, tenantID, id string) error {
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		c, err := t.Connectors().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, "connectors", id)
		}
		if err := t.Connectors().Delete(ctx, id); err != nil {
			return core.MapStoreErr(err, "connectors", id)
		}
		f, ok := s.factories.Factory(c.ConnectorID)
		if !ok || f.Type() != connector.TypeSocial {
			return nil
		}
		target := effective(f, c).Target
		rest, err := t.Connectors().List(ctx)
		if err != nil {
			return fmt.Errorf("list connectors: %w", err)
		}
		for _, other := range rest {
			if of, ok := s.factories.Factory(other.ConnectorID); ok && effective(of, other).Target == target {
				return nil
			}
		}
		return s.signIn.DropSocialTarget(ctx, t.Tenant, target)
	})
}

// TestConnector is POST /api/connectors/:factoryId/test: it sends a test message through an
// email factory with an unsaved config, and reports the mail server's own error when it fails
// (Logto's connector.<code>, 400). SMS factories do not exist in Gatehouse.
func (s *Connectors) TestConnector(ctx context.Context, _ string, factoryID, email, phone string, config []byte) error {
	if email == "" && phone == "" {
		return apperr.InvalidInput("The request body is invalid. Either email or phone is required.")
	}
	f, ok := s.factories.Factory(factoryID)
	ef, isEmail := f.(connector.EmailFactory)
	if !ok || (f.Type() != connector.TypeEmail && f.Type() != connector.TypeSMS) {
		return apperr.New(http.StatusBadRequest, "connector.not_found", "Can not find an email or SMS connector factory %q.", apperr.Clip(factoryID, 64))
	}
	if !isEmail || email == "" {
		return apperr.New(http.StatusBadRequest, "connector.unexpected_type", "The connector cannot send this test message.")
	}
	if err := f.CheckConfig(config); err != nil {
		return configError(err)
	}
	sender, err := ef.Email(config)
	if err != nil {
		return configError(err)
	}
	err = sender.Send(ctx, connector.EmailMessage{To: email, UsageType: connector.UsageTest, Payload: map[string]string{"code": "000000"}})
	var ce *connector.Error
	if errors.As(err, &ce) {
		return apperr.New(http.StatusBadRequest, "connector."+ce.Code, "%s", ce.Message)
	}
	return err
}
