package service

import (
	"context"
	"fmt"
	"time"
)

// DeleteOldSignInAttempts removes sign-in attempt rows (the lockout's evidence) older than
// before, in every tenant; rows of a lock still in force are kept whatever their age.
func (s *Service) DeleteOldSignInAttempts(ctx context.Context, before time.Time) error {
	tenants, err := s.st.Tenants(ctx)
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	for _, t := range tenants {
		if _, err := s.st.Tenant(t.ID).Sentinel().DeleteBefore(ctx, before.UnixMilli()); err != nil {
			return fmt.Errorf("tenant %s: %w", t.ID, err)
		}
	}
	return nil
}
