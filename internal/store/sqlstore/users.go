package sqlstore

import "github.com/gatehouse-id/gatehouse/internal/store"

// users implements store.Users.
type users struct{ s *tenantScope }

// Users returns the tenant's user repository.
func (s *tenantScope) Users() store.Users { return &users{s} }
