package sqlstore

import "github.com/gatehouse-id/gatehouse/internal/store"

// sentinel implements store.Sentinel.
type sentinel struct{ s *tenantScope }

// Sentinel returns the tenant's sign-in attempt repository.
func (s *tenantScope) Sentinel() store.Sentinel { return &sentinel{s} }
