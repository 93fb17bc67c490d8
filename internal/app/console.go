package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/console"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service"
)

// consoleBackend gives the console the use-cases it needs from the service.
type consoleBackend struct{ svc *service.Service }

func (b consoleBackend) HasAdmin(ctx context.Context) (bool, error) {
	return b.svc.Console.HasAdmin(ctx)
}
func (b consoleBackend) CreateFirstAdmin(ctx context.Context, username, password string) (model.User, error) {
	return b.svc.Console.CreateFirstAdmin(ctx, username, password)
}
func (b consoleBackend) StartSession(ctx context.Context, userID, idToken string) (string, error) {
	return b.svc.Console.StartSession(ctx, userID, idToken)
}
func (b consoleBackend) Session(ctx context.Context, token string) (model.ConsoleSession, model.User, error) {
	return b.svc.Console.Session(ctx, token)
}
func (b consoleBackend) EndSession(ctx context.Context, token string) (string, error) {
	return b.svc.Console.EndSession(ctx, token)
}
func (b consoleBackend) AllowOrigin(ctx context.Context, origin string) error {
	return b.svc.Console.AllowOrigin(ctx, origin)
}
func (b consoleBackend) GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error) {
	return b.svc.GetSignInExperience(ctx, tenantID)
}

// Checklist reads the default tenant's progress through the seed guide.
func (b consoleBackend) Checklist(ctx context.Context) (console.Checklist, error) {
	var c console.Checklist
	const t = model.DefaultTenantID
	_, apps, err := b.svc.ListApplications(ctx, t, model.ApplicationFilter{Types: []model.ApplicationType{model.AppTraditional, model.AppSPA, model.AppNative}}, model.Page{Limit: 1})
	if err != nil {
		return c, err
	}
	conns, err := b.svc.ListConnectors(ctx, t, "")
	if err != nil {
		return c, err
	}
	for _, v := range conns {
		c.Connector = c.Connector || v.Type == "Social"
	}
	exp, err := b.svc.GetSignInExperience(ctx, t)
	if err != nil {
		return c, err
	}
	_, hooks, err := b.svc.ListHooks(ctx, t, model.Page{Limit: 1})
	if err != nil {
		return c, err
	}
	c.App, c.Webhook = apps > 0, hooks > 0
	c.SocialOnly = len(exp.SignIn.Methods) == 0 && len(exp.SocialSignInConnectorTargets) > 0
	return c, nil
}

// inProcessExchange redeems a code at the admin listener's own token endpoint without the
// network: ADMIN_ENDPOINT may be a public URL the server cannot reach from inside its container.
func inProcessExchange(h *http.Handler) console.Exchange {
	return func(ctx context.Context, form url.Values) (string, error) {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/oidc/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "127.0.0.1:0"
		rec := httptest.NewRecorder()
		(*h).ServeHTTP(rec, req)
		var out struct {
			IDToken string `json:"id_token"`
			Error   string `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			return "", fmt.Errorf("token answer %d: %w", rec.Code, err)
		}
		if rec.Code != http.StatusOK || out.IDToken == "" {
			return "", errors.New("token endpoint refused: " + out.Error)
		}
		return out.IDToken, nil
	}
}

// consoleClient registers the console's client in the admin tenant for this admin URL.
func consoleClient(ctx context.Context, svc *service.Service, adminURL string) error {
	return svc.Console.EnsureClient(ctx, adminURL+"/console/callback", adminURL+"/console")
}
