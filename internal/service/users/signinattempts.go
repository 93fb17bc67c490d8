package users

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
)

// Sign-in attempts are the lockout's evidence (Logto's sentinel_activities). The experience
// decides the policy; these use-cases only keep the rows, so the experience reaches the store
// through the service like every other surface.

// SignInLockedUntil returns when target's lock ends (epoch ms), or 0 when it is not locked at now.
func (s *Users) SignInLockedUntil(ctx context.Context, tenantID string, target model.SentinelTarget, now time.Time) (int64, error) {
	until, err := s.core.Store().Tenant(tenantID).Sentinel().BlockedUntil(ctx, target, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("read sign-in lock: %w", err)
	}
	return until, nil
}

// RecordSignInAttempt stores one attempt.
func (s *Users) RecordSignInAttempt(ctx context.Context, tenantID string, a model.SentinelActivity) error {
	if err := s.core.Store().Tenant(tenantID).Sentinel().Record(ctx, a); err != nil {
		return fmt.Errorf("record sign-in attempt: %w", err)
	}
	return nil
}

// CountFailedSignIns counts target's failed attempts since the given time (and since its last
// success).
func (s *Users) CountFailedSignIns(ctx context.Context, tenantID string, target model.SentinelTarget, since time.Time) (int, error) {
	n, err := s.core.Store().Tenant(tenantID).Sentinel().CountFailures(ctx, target, since.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("count failed sign-ins: %w", err)
	}
	return n, nil
}

// LockSignIn turns the recorded attempt activityID into a lock of its target until the given time.
func (s *Users) LockSignIn(ctx context.Context, tenantID, activityID string, until time.Time) error {
	if err := s.core.Store().Tenant(tenantID).Sentinel().Block(ctx, activityID, until.UnixMilli()); err != nil {
		return fmt.Errorf("lock sign-in target: %w", err)
	}
	return nil
}

// DeleteOldSignInAttempts removes sign-in attempt rows older than before, in every tenant; rows
// of a lock still in force are kept whatever their age.
func (s *Users) DeleteOldSignInAttempts(ctx context.Context, before time.Time) error {
	tenants, err := s.core.Store().Tenants(ctx)
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	for _, t := range tenants {
		if _, err := s.core.Store().Tenant(t.ID).Sentinel().DeleteBefore(ctx, before.UnixMilli()); err != nil {
			return fmt.Errorf("tenant %s: %w", t.ID, err)
		}
	}
	return nil
}

// ResetUserPassword stores a new password hashed by the experience (a forgot-password
// interaction's submit): the user's PostResetPassword event (webhook and audit entry
// Interaction.ForgotPassword.Submit) is written in the same transaction.
func (s *Users) ResetUserPassword(ctx context.Context, tenantID, userID, encrypted, method string) error {
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		if err := t.Users().UpdatePassword(ctx, userID, encrypted, method, s.core.NowMs()); err != nil {
			return err
		}
		u, err := t.Users().Get(ctx, userID)
		if err != nil {
			return err
		}
		t.EmitEvent(core.Event{Name: model.EventPostResetPassword, Data: u, UserID: u.ID, AuditKey: "Interaction.ForgotPassword.Submit"})
		return nil
	})
	return mapUserErr(err, userID)
}
