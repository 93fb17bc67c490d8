package grants

import (
	"context"
	"errors"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// AuditRecorder queues audit entries without waiting for them to be written.
type AuditRecorder interface {
	Record(ctx context.Context, tenantID string, e model.AuditEntry)
}

// exchange is what a token request's audit entry tells: the grant type, the authenticated
// client and the scope and resources asked for. Codes, refresh tokens, verifiers and secrets
// are never part of it (Logto logs every parameter; Gatehouse keeps only these).
type exchange struct {
	grantType, clientID, scope string
	resources                  []string
}

// exchangeByType is Logto's ExchangeByType for a grant_type (event-listeners/grant.ts).
func exchangeByType(grantType string) string {
	switch grantType {
	case "authorization_code":
		return "AuthorizationCode"
	case "refresh_token":
		return "RefreshToken"
	case "client_credentials":
		return "ClientCredentials"
	case "urn:ietf:params:oauth:grant-type:token-exchange":
		return "TokenExchange"
	}
	return "Unknown"
}

// audit records the request as ExchangeTokenBy.<type>, with the kinds of token issued and
// their scope, or the error.
func (h *Handler) audit(ctx context.Context, ex exchange, resp *TokenResponse, err error) {
	if h.opts.Audit == nil {
		return
	}
	e := model.AuditEntry{Key: "ExchangeTokenBy." + exchangeByType(ex.grantType), ApplicationID: ex.clientID,
		Params: map[string]any{"grant_type": ex.grantType}}
	if ex.scope != "" {
		e.Params["scope"] = ex.scope
	}
	if len(ex.resources) > 0 {
		e.Params["resource"] = ex.resources
	}
	if err != nil {
		e.Failed = true
		if oe := (*oautherr.Error)(nil); errors.As(err, &oe) {
			e.Error = map[string]string{"error": oe.Code, "error_description": oe.Description}
		} else {
			e.Error = "internal error"
		}
	} else if resp != nil {
		e.Scope = resp.Scope
		e.TokenTypes = []string{"AccessToken"}
		if resp.RefreshToken != "" {
			e.TokenTypes = append(e.TokenTypes, "RefreshToken")
		}
		if resp.IDToken != "" {
			e.TokenTypes = append(e.TokenTypes, "IdToken")
		}
	}
	h.opts.Audit.Record(ctx, h.opts.TenantID, e)
}
