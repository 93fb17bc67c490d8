package protocol

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// InteractionTTL is how long a user has to finish signing in once an app sent them to
// /oidc/auth (Logto's Interaction TTL, 3600 s).
const InteractionTTL = time.Hour

// interactionUIDLength is the length of interaction uids: 21 characters of [0-9A-Za-z] (≈125
// bits), the size of oidc-provider's nanoid uids.
const interactionUIDLength = 21

// ErrInteractionNotFound is Logto's 400 session.not_found: the interaction is unknown, expired or
// already finished, and the user has to start signing in again.
func ErrInteractionNotFound() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "session.not_found", "Session not found. Please go back and sign in again.")
}

// ErrInteractionConflict is the 409 answered when another request changed the interaction since
// the caller read it (an optimistic update lost the race); the caller reads it again and retries.
func ErrInteractionConflict() *apperr.Error {
	return apperr.New(http.StatusConflict, "session.interaction_conflict",
		"The sign-in was changed by another request. Please try again.")
}

// CreateInteraction stores a new interaction for the protocol: it assigns the uid, version 1 and
// the creation and expiry times (InteractionTTL), and returns the stored interaction.
func (s *Protocol) CreateInteraction(ctx context.Context, tenantID string, in model.Interaction) (model.Interaction, error) {
	now := s.core.Clock().Now()
	in.TenantID = tenantID
	in.UID = ids.NewString(interactionUIDLength)
	in.Version = 1
	in.CreatedAt = now.UnixMilli()
	in.ExpiresAt = now.Add(InteractionTTL).UnixMilli()
	if err := s.core.Store().Tenant(tenantID).OIDC().CreateInteraction(ctx, in); err != nil {
		return model.Interaction{}, fmt.Errorf("create interaction: %w", err)
	}
	return in, nil
}

// GetInteraction returns the interaction uid; a missing or expired one is 400 session.not_found.
func (s *Protocol) GetInteraction(ctx context.Context, tenantID, uid string) (model.Interaction, error) {
	in, err := s.core.Store().Tenant(tenantID).OIDC().GetInteraction(ctx, uid)
	if errors.Is(err, model.ErrNotFound) {
		return model.Interaction{}, ErrInteractionNotFound()
	}
	if err != nil {
		return model.Interaction{}, fmt.Errorf("get interaction: %w", err)
	}
	if in.ExpiresAt <= s.core.NowMs() {
		return model.Interaction{}, ErrInteractionNotFound()
	}
	return in, nil
}

// SaveInteraction records the experience's progress on an interaction: its Result and Experience.
// in.Version must equal the stored version (the caller read the latest copy), otherwise another
// request got there first and the answer is 409 session.interaction_conflict. The other fields
// belong to the protocol and keep their stored values whatever in holds. It returns the stored
// interaction with its new version.
func (s *Protocol) SaveInteraction(ctx context.Context, tenantID string, in model.Interaction) (model.Interaction, error) {
	// One statement checks the version and the expiry and returns the stored row: no read before
	// the write, since this runs four times in every sign-in.
	stored, err := s.core.Store().Tenant(tenantID).OIDC().UpdateInteraction(ctx, in, s.core.NowMs())
	if err != nil {
		return model.Interaction{}, mapInteractionErr(err)
	}
	return stored, nil
}

// FinishInteraction removes the interaction once the protocol acted on it, provided nobody
// changed or finished it since in was read: of two concurrent requests finishing one sign-in,
// exactly one succeeds and the other gets session.not_found, so one sign-in yields one code.
func (s *Protocol) FinishInteraction(ctx context.Context, tenantID string, in model.Interaction) error {
	err := s.core.Store().Tenant(tenantID).OIDC().DeleteInteraction(ctx, in.UID, in.Version)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return ErrInteractionNotFound()
	}
	if err != nil {
		return fmt.Errorf("finish interaction: %w", err)
	}
	return nil
}

func mapInteractionErr(err error) error {
	switch {
	case errors.Is(err, model.ErrNotFound):
		return ErrInteractionNotFound()
	case errors.Is(err, store.ErrConflict):
		return ErrInteractionConflict()
	}
	return fmt.Errorf("save interaction: %w", err)
}
