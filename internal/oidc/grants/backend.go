package grants

import (
	"context"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// The token endpoint reaches data only through these interfaces; the service's directory and
// protocol use-cases implement them (the composition root passes *service.Service and
// *directory.Directory).

// Clients is the cached read path of the token endpoint: clients with their secrets, API
// resources, and the scopes an application's roles grant on a resource.
type Clients interface {
	Client(ctx context.Context, tenantID, clientID string) (*directory.Client, error)
	Resource(ctx context.Context, tenantID, indicator string) (*model.Resource, error)
	DefaultResource(ctx context.Context, tenantID string) (*model.Resource, error)
	GrantedScopes(ctx context.Context, tenantID, appID, resourceID string) ([]string, error)
}

// Artifacts keeps the codes, tokens and grants the authorization_code and refresh_token grants
// redeem and issue.
type Artifacts interface {
	FindAuthorizationCode(ctx context.Context, tenantID, code string) (model.AuthorizationCode, error)
	RedeemAuthorizationCode(ctx context.Context, tenantID, codeHash string, tokens protocol.NewTokens) (protocol.IssuedTokens, error)
	FindRefreshTokenWithGrant(ctx context.Context, tenantID, token string) (model.RefreshToken, model.Grant, error)
	ExchangeRefreshToken(ctx context.Context, tenantID string, old model.RefreshToken, rotate bool, tokens protocol.NewTokens) (protocol.IssuedTokens, error)
	GetGrant(ctx context.Context, tenantID, id string) (model.Grant, error)
	RevokeGrant(ctx context.Context, tenantID, grantID string) error
}

var (
	_ Clients   = (*directory.Directory)(nil)
	_ Artifacts = (*protocol.Protocol)(nil)
)
