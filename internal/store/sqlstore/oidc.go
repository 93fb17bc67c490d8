package sqlstore

import "github.com/gatehouse-id/gatehouse/internal/store"

// oidcArtifacts implements store.OIDC.
type oidcArtifacts struct{ s *tenantScope }

// OIDC returns the tenant's protocol artifact repository.
func (s *tenantScope) OIDC() store.OIDC { return &oidcArtifacts{s} }
