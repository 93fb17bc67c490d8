package connectors

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// SocialConnector is a social connector instance ready to sign in with: what the sign-in page
// shows (name, logos), what registration needs (target, syncProfile) and the connector itself.
type SocialConnector struct {
	ID          string
	Target      string
	Name        map[string]string
	Logo        string
	LogoDark    string
	SyncProfile bool
	Social      connector.Social
}

// errSocialNotFound is Logto's answer for a connector id that is not a social connector of the
// tenant (400 session.invalid_connector_id).
func errSocialNotFound(id string) *apperr.Error {
	return apperr.New(http.StatusBadRequest, "session.invalid_connector_id",
		"Unable to find available connector with id %s.", apperr.Clip(id, 128))
}

// SocialConnector loads the tenant's social connector id.
func (s *Connectors) SocialConnector(ctx context.Context, tenantID, id string) (SocialConnector, error) {
	c, f, err := s.load(ctx, s.core.Store().Tenant(tenantID), id)
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Status == http.StatusNotFound {
			return SocialConnector{}, errSocialNotFound(id)
		}
		return SocialConnector{}, err
	}
	if f.Type() != connector.TypeSocial {
		return SocialConnector{}, errSocialNotFound(id)
	}
	return s.socialOf(f, c)
}

func (s *Connectors) socialOf(f connector.Factory, c model.Connector) (SocialConnector, error) {
	social, err := f.Social(c.Config, s.client)
	if err != nil {
		// A stored config the factory refuses (written by another version, or edited by hand):
		// the sign-in fails with the connector's own error, the cause in the log.
		s.core.Log().Warn("connector config refused by its factory", "connector", c.ID, "err", err)
		return SocialConnector{}, connector.Errorf(connector.CodeInvalidConfig, "the connector %s is not configured correctly", c.ID)
	}
	m := effective(f, c)
	sc := SocialConnector{ID: c.ID, Target: m.Target, Name: m.Name, Logo: m.Logo, SyncProfile: c.SyncProfile, Social: social}
	if m.LogoDark != nil {
		sc.LogoDark = *m.LogoDark
	}
	return sc, nil
}

// SocialConnectorsForSignIn lists the social connectors the sign-in page offers: one per target
// of targets (the sign-in experience's socialSignInConnectorTargets), in that order; a target
// without a usable connector is left out.
func (s *Connectors) SocialConnectorsForSignIn(ctx context.Context, tenantID string, targets []string) ([]SocialConnector, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	rows, err := s.core.Store().Tenant(tenantID).Connectors().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	byTarget := map[string]SocialConnector{}
	for _, c := range rows {
		f, ok := s.factories.Factory(c.ConnectorID)
		if !ok || f.Type() != connector.TypeSocial {
			continue
		}
		if m := effective(f, c); byTarget[m.Target].ID == "" {
			if sc, err := s.socialOf(f, c); err == nil {
				byTarget[m.Target] = sc
			}
		}
	}
	var out []SocialConnector
	for _, t := range targets {
		if sc, ok := byTarget[t]; ok {
			out = append(out, sc)
		}
	}
	return out, nil
}

// SocialConnectorByTarget is the connector of target (direct_sign_in=social:<target>).
func (s *Connectors) SocialConnectorByTarget(ctx context.Context, tenantID, target string) (SocialConnector, error) {
	list, err := s.SocialConnectorsForSignIn(ctx, tenantID, []string{target})
	if err != nil {
		return SocialConnector{}, err
	}
	if len(list) == 0 {
		return SocialConnector{}, errSocialNotFound(target)
	}
	return list[0], nil
}
