package webhooks

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Append writes the outbox rows of a change's events, in the change's own transaction: one
// pending delivery per event and subscribed, enabled hook, holding the exact body every attempt
// will send. Unlike Logto, which sends after the response and forgets, an event exists here
// exactly when its change committed, and survives a crash until it is delivered.
func (s *Webhooks) Append(ctx context.Context, t store.Tenant, events []core.Event) error {
	hooks, _, err := t.Hooks().List(ctx, model.Page{})
	if err != nil {
		return fmt.Errorf("list hooks: %w", err)
	}
	if !anySubscribed(hooks, events) {
		return nil
	}
	o := model.OriginFrom(ctx)
	now := s.core.Clock().Now()
	app, err := originApplication(ctx, t, o)
	if err != nil {
		return err
	}
	var ds []model.Delivery
	for _, e := range events {
		for _, h := range hooks {
			if !h.Subscribes(e.Name) {
				continue
			}
			body, err := encodePayload(e, o, app, now, h.ID)
			if err != nil {
				return fmt.Errorf("encode %s payload: %w", e.Name, err)
			}
			ds = append(ds, model.Delivery{TenantID: t.ID(), ID: ids.New(), HookID: h.ID, Event: e.Name, Body: body,
				Status: model.DeliveryPending, NextAttemptAt: now.UnixMilli(), CreatedAt: now.UnixMilli(), UpdatedAt: now.UnixMilli()})
		}
	}
	if err := t.Deliveries().Enqueue(ctx, ds); err != nil {
		return fmt.Errorf("queue deliveries: %w", err)
	}
	return nil
}

func anySubscribed(hooks []model.Hook, events []core.Event) bool {
	for _, h := range hooks {
		for _, e := range events {
			if h.Subscribes(e.Name) {
				return true
			}
		}
	}
	return false
}

// originApplication is the interaction's client as interaction payloads show it (Logto picks
// id, type, name and description), or nil outside an interaction or when it is gone.
func originApplication(ctx context.Context, t store.Tenant, o model.Origin) (*model.Application, error) {
	if o.ApplicationID == "" {
		return nil, nil
	}
	app, err := t.Applications().Get(ctx, o.ApplicationID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("application of the interaction: %w", err)
	}
	return &app, nil
}

// Committed wakes the delivery worker: the change's deliveries are due now.
func (s *Webhooks) Committed(string) { s.wake() }
