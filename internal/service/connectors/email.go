package connectors

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/connector"
)

// errNoEmailConnector is Logto's answer when a code must be sent and no email connector exists.
func errNoEmailConnector() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "connector.not_found", "Can not find connector with given type: Email.")
}

// emailConnector is the tenant's email connector (Logto keeps one per tenant).
func (s *Connectors) emailConnector(ctx context.Context, tenantID string) (connector.Email, error) {
	rows, err := s.core.Store().Tenant(tenantID).Connectors().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	for _, c := range rows {
		f, ok := s.factories.Factory(c.ConnectorID)
		if !ok || f.Type() != connector.TypeEmail {
			continue
		}
		ef, ok := f.(connector.EmailFactory)
		if !ok {
			continue
		}
		email, err := ef.Email(c.Config)
		if err != nil {
			s.core.Log().Warn("email connector config refused by its factory", "connector", c.ID, "err", err)
			return nil, connector.Errorf(connector.CodeInvalidConfig, "the email connector %s is not configured correctly", c.ID)
		}
		return email, nil
	}
	return nil, errNoEmailConnector()
}

// IsEmailFactory reports whether factoryID is an email connector's factory.
func (s *Connectors) IsEmailFactory(factoryID string) bool {
	f, ok := s.factories.Factory(factoryID)
	return ok && f.Type() == connector.TypeEmail
}

// HasEmailConnector reports whether the tenant can send email (the pages offer codes and
// password reset only then).
func (s *Connectors) HasEmailConnector(ctx context.Context, tenantID string) bool {
	_, err := s.emailConnector(ctx, tenantID)
	return err == nil
}

// SendEmail sends msg through the tenant's email connector. A failure of the mail server is a
// *connector.Error saying what it answered.
func (s *Connectors) SendEmail(ctx context.Context, tenantID string, msg connector.EmailMessage) error {
	email, err := s.emailConnector(ctx, tenantID)
	if err != nil {
		return err
	}
	return email.Send(ctx, msg)
}
