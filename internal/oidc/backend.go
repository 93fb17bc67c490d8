package oidc

import (
	"context"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/grants"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// The provider reaches data only through these interfaces; the service's use-cases implement
// them (the composition root passes *service.Service and *directory.Directory).

// Directory is the protocol's cached read path (package directory): clients, API resources and
// the scopes roles grant.
type Directory = grants.Clients

// Protocol keeps the provider's stored artifacts (package protocol): interactions, sessions,
// grants, codes and tokens.
type Protocol interface {
	grants.Artifacts
	AuthorizeClient(ctx context.Context, tenantID string, a protocol.Authorization) (model.Grant, model.SessionAuthorization, error)
	CreateInteraction(ctx context.Context, tenantID string, in model.Interaction) (model.Interaction, error)
	GetInteraction(ctx context.Context, tenantID, uid string) (model.Interaction, error)
	FinishInteraction(ctx context.Context, tenantID string, in model.Interaction) error
	IssueAuthorizationCode(ctx context.Context, tenantID string, c model.AuthorizationCode) (string, error)
	FindAccessToken(ctx context.Context, tenantID, token string) (model.AccessToken, error)
	FindRefreshToken(ctx context.Context, tenantID, token string) (model.RefreshToken, error)
	FindSession(ctx context.Context, tenantID, secret string) (model.Session, error)
	SignIn(ctx context.Context, tenantID string, current *model.Session, login protocol.SessionLogin, ttl time.Duration) (model.Session, string, error)
	SessionAuthorizations(ctx context.Context, tenantID, sessionID string) ([]model.SessionAuthorization, error)
	EndSession(ctx context.Context, tenantID, sessionID string) error
	EndClientSession(ctx context.Context, tenantID, sessionID, clientID string) error
}

// Accounts reads the users tokens are issued to (package users).
type Accounts = oauth.Accounts

var (
	_ Directory = (*directory.Directory)(nil)
	_ Protocol  = (*protocol.Protocol)(nil)
	_ Accounts  = (*users.Users)(nil)
)
