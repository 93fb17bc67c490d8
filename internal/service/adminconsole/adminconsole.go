package adminconsole

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// ClientID is the console's application in the admin tenant (Logto's "admin-console").
const ClientID = "admin-console"

// SessionTTL is how long a console session lasts.
const SessionTTL = 12 * time.Hour

// Users is what the console needs of the user use-cases.
type Users interface {
	CreateFirstUser(ctx context.Context, tenantID string, in users.CreateUserInput) (model.User, error)
	GetUser(ctx context.Context, tenantID, id string) (model.User, error)
}

// SignIn closes the admin tenant's registration once the first admin exists.
type SignIn interface {
	GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error)
	UpdateSignInExperience(ctx context.Context, tenantID string, patch json.RawMessage) (model.SignInExperience, error)
}

// Console is the console's use-cases.
type Console struct {
	core   *core.Core
	users  Users
	signIn SignIn
}

// New returns the console's use-cases.
func New(c *core.Core, u Users, s SignIn) *Console { return &Console{core: c, users: u, signIn: s} }

// HasAdmin reports whether the admin tenant has an account (the welcome page is closed then).
func (c *Console) HasAdmin(ctx context.Context) (bool, error) {
	_, total, err := c.core.Store().Tenant(model.AdminTenantID).Users().List(ctx, model.UserFilter{}, model.Page{Limit: 1})
	if err != nil {
		return false, fmt.Errorf("count admins: %w", err)
	}
	return total > 0, nil
}

// CreateFirstAdmin creates the admin tenant's first account and closes its registration
// (Logto flips the admin sign-in mode to SignIn). A second call answers 403.
func (c *Console) CreateFirstAdmin(ctx context.Context, username, password string) (model.User, error) {
	u, err := c.users.CreateFirstUser(ctx, model.AdminTenantID, users.CreateUserInput{Username: &username, Password: password})
	if err != nil {
		return model.User{}, err
	}
	if _, err := c.signIn.UpdateSignInExperience(ctx, model.AdminTenantID, json.RawMessage(`{"signInMode":"SignIn"}`)); err != nil {
		return model.User{}, fmt.Errorf("close admin registration: %w", err)
	}
	return u, nil
}

// EnsureClient makes the console's public client (code + PKCE) exist in the admin tenant with
// the given redirect URIs (the admin endpoint may change between starts).
func (c *Console) EnsureClient(ctx context.Context, redirectURI, postLogoutURI string) error {
	return c.core.Write(ctx, model.AdminTenantID, func(tx *core.Tx) error {
		apps := tx.Applications()
		app, err := apps.Get(ctx, ClientID)
		switch {
		case errors.Is(err, model.ErrNotFound):
			return apps.Create(ctx, model.Application{TenantID: model.AdminTenantID, ID: ClientID, Name: "Admin Console", Type: model.AppSPA,
				OIDCClientMetadata: model.OIDCClientMetadata{RedirectURIs: []string{redirectURI}, PostLogoutRedirectURIs: []string{postLogoutURI}},
				CustomData:         []byte(`{}`), CreatedAt: c.core.NowMs()})
		case err != nil:
			return fmt.Errorf("get console client: %w", err)
		}
		m := &app.OIDCClientMetadata
		if slices.Contains(m.RedirectURIs, redirectURI) && slices.Contains(m.PostLogoutRedirectURIs, postLogoutURI) {
			return nil
		}
		// The configured URL comes first; origins added behind a proxy stay after it.
		m.RedirectURIs = append([]string{redirectURI}, slices.DeleteFunc(m.RedirectURIs, func(u string) bool { return u == redirectURI })...)
		m.PostLogoutRedirectURIs = append([]string{postLogoutURI}, slices.DeleteFunc(m.PostLogoutRedirectURIs, func(u string) bool { return u == postLogoutURI })...)
		m.RedirectURIs, m.PostLogoutRedirectURIs = boundedAppend(m.RedirectURIs, redirectURI), boundedAppend(m.PostLogoutRedirectURIs, postLogoutURI)
		return apps.Update(ctx, app)
	})
}

// maxConsoleOrigins bounds the origins the console's client accepts callbacks at: the
// configured admin URL and the latest origins a trusted proxy presented.
const maxConsoleOrigins = 8

// AllowOrigin lets the console sign in at origin as well (a public URL the trusted reverse
// proxy serves the admin listener at, which ADMIN_ENDPOINT does not name). The first entry,
// the configured URL, always stays; the oldest extra origin goes when the list is full.
func (c *Console) AllowOrigin(ctx context.Context, origin string) error {
	redirectURI, postLogoutURI := origin+"/console/callback", origin+"/console"
	return c.core.Write(ctx, model.AdminTenantID, func(tx *core.Tx) error {
		apps := tx.Applications()
		app, err := apps.Get(ctx, ClientID)
		if err != nil {
			return fmt.Errorf("get console client: %w", err)
		}
		m := &app.OIDCClientMetadata
		if slices.Contains(m.RedirectURIs, redirectURI) && slices.Contains(m.PostLogoutRedirectURIs, postLogoutURI) {
			return nil
		}
		m.RedirectURIs = boundedAppend(m.RedirectURIs, redirectURI)
		m.PostLogoutRedirectURIs = boundedAppend(m.PostLogoutRedirectURIs, postLogoutURI)
		return apps.Update(ctx, app)
	})
}

// boundedAppend adds v (once) keeping the first entry and at most maxConsoleOrigins in all.
func boundedAppend(list []string, v string) []string {
	if !slices.Contains(list, v) {
		list = append(list, v)
	}
	for len(list) > maxConsoleOrigins {
		list = slices.Delete(list, 1, 2)
	}
	return list
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession opens a console session for userID and returns its cookie token.
func (c *Console) StartSession(ctx context.Context, userID, idToken string) (string, error) {
	token := ids.NewString(43)
	now := c.core.NowMs()
	s := model.ConsoleSession{TenantID: model.AdminTenantID, ID: hashToken(token), UserID: userID, IDToken: idToken,
		CSRF: ids.NewString(32), CreatedAt: now, ExpiresAt: now + SessionTTL.Milliseconds()}
	if err := c.core.Store().Tenant(model.AdminTenantID).ConsoleSessions().Create(ctx, s); err != nil {
		return "", fmt.Errorf("start console session: %w", err)
	}
	return token, nil
}

func errNoSession() *apperr.Error {
	return apperr.New(http.StatusUnauthorized, "auth.unauthorized", "Sign in to the console.")
}

// Session is the live session of token and its admin, who must still exist and not be
// suspended (401 otherwise).
func (c *Console) Session(ctx context.Context, token string) (model.ConsoleSession, model.User, error) {
	s, err := c.core.Store().Tenant(model.AdminTenantID).ConsoleSessions().Get(ctx, hashToken(token), c.core.NowMs())
	if errors.Is(err, model.ErrNotFound) {
		return s, model.User{}, errNoSession()
	}
	if err != nil {
		return s, model.User{}, fmt.Errorf("read console session: %w", err)
	}
	u, err := c.users.GetUser(ctx, model.AdminTenantID, s.UserID)
	if err != nil || u.IsSuspended {
		return s, model.User{}, errNoSession()
	}
	return s, u, nil
}

// EndSession deletes the session of token and returns its ID token (for end-session).
func (c *Console) EndSession(ctx context.Context, token string) (string, error) {
	sessions := c.core.Store().Tenant(model.AdminTenantID).ConsoleSessions()
	s, err := sessions.Get(ctx, hashToken(token), c.core.NowMs())
	if err != nil {
		return "", nil // nothing to end
	}
	return s.IDToken, sessions.Delete(ctx, s.ID)
}

// DeleteExpiredSessions removes the console sessions that have expired.
func (c *Console) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	return c.core.Store().Tenant(model.AdminTenantID).ConsoleSessions().DeleteExpired(ctx, c.core.NowMs())
}
