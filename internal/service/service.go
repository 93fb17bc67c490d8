package service

import (
	"log/slog"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/connector/github"
	"github.com/gatehouse-id/gatehouse/internal/connector/google"
	"github.com/gatehouse-id/gatehouse/internal/connector/oauth2"
	"github.com/gatehouse-id/gatehouse/internal/connector/oidc"
	"github.com/gatehouse-id/gatehouse/internal/connector/smtp"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
	"github.com/gatehouse-id/gatehouse/internal/service/adminconsole"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/service/audit"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/service/signinexp"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/service/webhooks"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// Options tune the use-cases.
type Options struct {
	// KeyRotationGracePeriod is Logto's PRIVATE_KEY_ROTATION_GRACE_PERIOD (package keyring).
	KeyRotationGracePeriod time.Duration
	// Passwords hashes new passwords and verifies stored ones (package password).
	Passwords core.PasswordHasher
	// WebhookSender sends test payloads (POST /api/hooks/:id/test); the worker that drains the
	// outbox is the composition root's. Nil uses webhook.NewSender's defaults.
	WebhookSender *webhook.Sender
	// ConnectorClient is the HTTP client connectors call providers with; nil uses
	// connector.NewClient's defaults.
	ConnectorClient *connector.Client
	// MoreConnectorFactories are offered after the built-in ones (tests add a recording email
	// factory this way).
	MoreConnectorFactories []connector.Factory
}

// Service is every use-case over one store: one value per aggregate, each a small type of its
// own package. Callers hold the narrow interface they need (experience.Backend,
// management's, oidc's); the composition root and the CLI hold a Service, which satisfies
// them all through the embedded aggregates' methods.
type Service struct {
	Core *core.Core
	*applications.Applications
	*access.Access
	*users.Users
	*signinexp.SignInExperiences
	*protocol.Protocol
	*keyring.Keyring
	*seed.Seeder
	*webhooks.Webhooks
	*audit.Audit
	*connectors.Connectors
	// Console is the admin console's use-cases (a field, not embedded: its names are its own).
	Console *adminconsole.Console
}

// New returns every use-case over st, telling fresh about every committed write to cached data.
func New(st store.Store, fresh *store.Freshness, clk clock.Clock, log *slog.Logger, opts Options) *Service {
	c := core.New(st, fresh, clk, log)
	signIn := signinexp.New(c)
	sender := opts.WebhookSender
	if sender == nil {
		sender = webhook.NewSender(webhook.SenderOptions{})
	}
	aud := audit.New(c)
	hooks := webhooks.New(c, sender, aud)
	// Every change's events are written in its transaction: its audit entry and its outbox rows.
	c.SetEventSinks(aud, hooks)
	usersUC := users.New(c, opts.Passwords, signIn)
	conns := connectors.New(c, connector.NewRegistry(append([]connector.Factory{oauth2.Factory{}, oidc.Factory{}, github.Factory{}, google.Factory{}, smtp.Factory{}},
		opts.MoreConnectorFactories...)...), signIn, opts.ConnectorClient)
	signIn.SetEmailFactories(conns.IsEmailFactory)
	return &Service{
		Console:           adminconsole.New(c, usersUC, signIn),
		Connectors:        conns,
		Webhooks:          hooks,
		Audit:             aud,
		Core:              c,
		Applications:      applications.New(c),
		Access:            access.New(c),
		Users:             usersUC,
		SignInExperiences: signIn,
		Protocol:          protocol.New(c),
		Keyring:           keyring.New(c, opts.KeyRotationGracePeriod),
		Seeder:            seed.New(c),
	}
}
