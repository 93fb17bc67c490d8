package grants

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// clientCredentials serves client_credentials (RFC 6749 §4.4) as Logto does
// (core/oidc/grants/client-credentials.ts): a machine-to-machine application obtains a JWT
// access token for one API resource, carrying the requested scopes it holds through its roles.
// It reads only the Directory's caches, so a warm request touches no database.
type clientCredentials struct {
	tenantID  string
	directory Clients
	tokens    *accessTokenIssuer
}

func (g *clientCredentials) GrantType() string { return oauth.GrantClientCredentials }

func (g *clientCredentials) Authorize(ctx context.Context, req *oauth.Request, client *directory.Client) (*TokenResponse, error) {
	if req.Params.Get("authorization_details") != "" {
		return nil, oautherr.BadRequest("authorization_details is unsupported for this grant_type")
	}
	// Logto issues organization tokens when organization_id is sent, after checking that the
	// application belongs to the organization. Gatehouse has no organizations yet, so no
	// application belongs to one: Logto's answer for that case.
	if req.Params.Get("organization_id") != "" {
		return nil, oautherr.New(http.StatusForbidden, oautherr.AccessDenied, "app has not associated with the organization")
	}

	resource, err := g.resource(ctx, req.Resources)
	if err != nil {
		return nil, err
	}
	granted, err := g.directory.GrantedScopes(ctx, g.tenantID, client.ID, resource.ID)
	if err != nil {
		return nil, err
	}
	// Only explicitly requested scopes are issued: no scope parameter gives an empty scope.
	scope := intersectScopes(req.Scope, granted)

	token, expiresIn, err := g.tokens.issue(ctx, client.ID, client.ID, resource, scope)
	if err != nil {
		return nil, err
	}
	return &TokenResponse{AccessToken: token, ExpiresIn: expiresIn, TokenType: "Bearer", Scope: scope}, nil
}

// resource resolves the RFC 8707 resource indicators: each must exist in the tenant, and this
// grant serves exactly one (repeats of the same indicator count once). Without any, the tenant's
// default resource is the audience, as in Logto; without that either, invalid_target.
func (g *clientCredentials) resource(ctx context.Context, indicators []string) (*model.Resource, error) {
	if len(indicators) == 0 {
		r, err := g.directory.DefaultResource(ctx, g.tenantID)
		if errors.Is(err, model.ErrNotFound) {
			return nil, oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget, "both `resource` and `organization_id` are not provided")
		}
		return r, err
	}
	var found *model.Resource
	for i, indicator := range indicators {
		if slices.Contains(indicators[:i], indicator) {
			continue
		}
		r, err := g.directory.Resource(ctx, g.tenantID, indicator)
		if errors.Is(err, model.ErrNotFound) {
			return nil, oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget, "resource indicator is missing, or unknown")
		}
		if err != nil {
			return nil, fmt.Errorf("resolve resource: %w", err)
		}
		if found != nil {
			return nil, oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget, "only a single resource indicator value is supported for this grant type")
		}
		found = r
	}
	return found, nil
}

// intersectScopes returns the space-separated scopes of requested that granted holds, in
// requested order, each once. Scopes are split on the space character only (RFC 6749 §3.3);
// unknown or ungranted ones are dropped silently, as Logto does.
func intersectScopes(requested string, granted []string) string {
	if requested == "" || len(granted) == 0 {
		return ""
	}
	// A linear search is cheapest for the usual handful of granted scopes; a set keeps a long
	// hostile scope list from costing len(requested) × len(granted) comparisons.
	var grantedSet map[string]struct{}
	if len(granted) > 16 {
		grantedSet = make(map[string]struct{}, len(granted))
		for _, s := range granted {
			grantedSet[s] = struct{}{}
		}
	}
	var out []string
	for s := range strings.SplitSeq(requested, " ") {
		if s == "" {
			continue
		}
		if grantedSet != nil {
			if _, ok := grantedSet[s]; !ok {
				continue
			}
		} else if !slices.Contains(granted, s) {
			continue
		}
		if !slices.Contains(out, s) { // out ⊆ granted, so this stays short
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}
