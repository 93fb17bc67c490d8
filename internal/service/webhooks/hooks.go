package webhooks

import (
	"context"
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// Logto's hooks.name is varchar(256); config headers are a small map of short strings.
const (
	maxHookNameLen = 256
	maxHeaders     = 32
	maxURLLen      = 2048
	// statsWindow is Logto's executionStats window (queries/log.ts: the last 24 hours).
	statsWindow = 24 * time.Hour
)

// Webhooks is the webhook use-cases. It is also the event sink that writes the outbox in the
// transaction of every change (sink.go) and the queue the delivery workers drain (queue.go).
type Webhooks struct {
	core   *core.Core
	sender *webhook.Sender
	logs   LogQueries
	wake   func()
}

// LogQueries reads the audit log, where each delivery attempt leaves a TriggerHook entry
// (package audit implements it).
type LogQueries interface {
	ListLogs(ctx context.Context, tenantID string, q model.LogQuery) ([]model.Log, int, bool, error)
}

// New returns the webhook use-cases; sender sends test payloads.
func New(c *core.Core, sender *webhook.Sender, logs LogQueries) *Webhooks {
	return &Webhooks{core: c, sender: sender, logs: logs, wake: func() {}}
}

// SetWake makes every commit that queued deliveries call wake (the worker's Notify), so a
// delivery leaves at once instead of at the worker's next poll. Called once at start-up.
func (s *Webhooks) SetWake(wake func()) { s.wake = wake }

func errMissingEvents() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "hook.missing_events", "You need to provide at least one event.")
}

// checkEvents checks a non-empty list of known events and drops duplicates (Logto's
// nonemptyUniqueHookEventsGuard).
func checkEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, core.InvalidBody("events: must contain at least one event.")
	}
	for _, e := range events {
		if !webhook.ValidEvent(e) {
			return nil, core.InvalidBody("events: %q is not a hook event.", apperr.Clip(e, 64))
		}
	}
	return core.Dedupe(events), nil
}

// checkConfig checks where a hook sends: an absolute http(s) URL (Logto takes any string; a
// hook that can never be delivered is refused here instead), headers that are safe to send,
// and Logto's 0..3 retries.
func checkConfig(cfg model.HookConfig) error {
	if len(cfg.URL) > maxURLLen {
		return core.InvalidBody("config.url: must be at most %d characters.", maxURLLen)
	}
	if err := webhook.CheckURL(cfg.URL); err != nil {
		return core.InvalidBody("config.url: %s", err.Error())
	}
	if len(cfg.Headers) > maxHeaders {
		return core.InvalidBody("config.headers: at most %d headers.", maxHeaders)
	}
	if err := webhook.CheckHeaders(cfg.Headers); err != nil {
		return core.InvalidBody("config.headers: %s", err.Error())
	}
	if cfg.Retries != nil && (*cfg.Retries < 0 || *cfg.Retries > 3) {
		return core.InvalidBody("config.retries: must be between 0 and 3.")
	}
	return nil
}

func checkEvent(e *string) error {
	if e != nil && !webhook.ValidEvent(*e) {
		return core.InvalidBody("event: %q is not a hook event.", apperr.Clip(*e, 64))
	}
	return nil
}

// CreateHook creates a hook with a fresh signing key (POST /api/hooks).
func (s *Webhooks) CreateHook(ctx context.Context, tenantID string, in HookInput) (model.Hook, error) {
	if in.Events == nil && in.Event == nil {
		return model.Hook{}, errMissingEvents()
	}
	h := model.Hook{TenantID: tenantID, ID: ids.New(), Name: in.Name, Event: in.Event, Events: []string{},
		Config: in.Config, SigningKey: ids.NewSecret(), Enabled: true, CreatedAt: s.core.NowMs()}
	if in.Events != nil {
		events, err := checkEvents(in.Events)
		if err != nil {
			return model.Hook{}, err
		}
		h.Events = events
	}
	if in.Enabled != nil {
		h.Enabled = *in.Enabled
	}
	if err := checkHook(h); err != nil {
		return model.Hook{}, err
	}
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		return core.MapStoreErr(t.Hooks().Create(ctx, h), core.TableHooks, h.ID)
	})
	if err != nil {
		return model.Hook{}, err
	}
	return h, nil
}

func checkHook(h model.Hook) error {
	if err := core.CheckText("name", h.Name, maxHookNameLen); err != nil {
		return err
	}
	if err := checkEvent(h.Event); err != nil {
		return err
	}
	return checkConfig(h.Config)
}

// GetHook returns one hook (404 entity.not_exists_with_id).
func (s *Webhooks) GetHook(ctx context.Context, tenantID, id string) (model.Hook, error) {
	h, err := s.core.Store().Tenant(tenantID).Hooks().Get(ctx, id)
	return h, core.MapStoreErr(err, core.TableHooks, id)
}

// ListHooks lists a page of hooks, oldest first, and the total.
func (s *Webhooks) ListHooks(ctx context.Context, tenantID string, p model.Page) ([]model.Hook, int, error) {
	hs, total, err := s.core.Store().Tenant(tenantID).Hooks().List(ctx, p)
	if err != nil {
		return nil, 0, core.MapStoreErr(err, core.TableHooks, "")
	}
	return core.NonNil(hs), total, nil
}

// UpdateHook applies a partial change (PATCH /api/hooks/:id).
func (s *Webhooks) UpdateHook(ctx context.Context, tenantID, id string, p HookPatch) (model.Hook, error) {
	var events []string
	if p.Events != nil {
		var err error
		if events, err = checkEvents(p.Events); err != nil {
			return model.Hook{}, err
		}
	}
	return s.changeHook(ctx, tenantID, id, func(h *model.Hook) {
		if p.Name != nil {
			h.Name = *p.Name
		}
		if p.SetEvent {
			h.Event = p.Event
		}
		if events != nil {
			h.Events = events
		}
		if p.Config != nil {
			h.Config = *p.Config
		}
		if p.Enabled != nil {
			h.Enabled = *p.Enabled
		}
	})
}

// RotateHookSigningKey gives the hook a new signing key, used from the next attempt on (PATCH
// /api/hooks/:id/signing-key). Queued deliveries are signed with the key current when they are
// sent.
func (s *Webhooks) RotateHookSigningKey(ctx context.Context, tenantID, id string) (model.Hook, error) {
	key := ids.NewSecret()
	return s.changeHook(ctx, tenantID, id, func(h *model.Hook) { h.SigningKey = key })
}

func (s *Webhooks) changeHook(ctx context.Context, tenantID, id string, edit func(h *model.Hook)) (model.Hook, error) {
	var updated model.Hook
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		h, err := t.Hooks().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableHooks, id)
		}
		edit(&h)
		if err := checkHook(h); err != nil {
			return err
		}
		if err := t.Hooks().Update(ctx, h); err != nil {
			return core.MapStoreErr(err, core.TableHooks, id)
		}
		updated = h
		return nil
	})
	return updated, err
}

// DeleteHook removes a hook with its queued and past deliveries.
func (s *Webhooks) DeleteHook(ctx context.Context, tenantID, id string) error {
	return s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		return core.MapStoreErr(t.Hooks().Delete(ctx, id), core.TableHooks, id)
	})
}

// HookExecutionStats counts the hook's attempts and successes over the last 24 hours.
func (s *Webhooks) HookExecutionStats(ctx context.Context, tenantID, id string) (model.HookExecutionStats, error) {
	since := s.core.Clock().Now().Add(-statsWindow).UnixMilli()
	st, err := s.core.Store().Tenant(tenantID).Logs().HookStats(ctx, id, since)
	if err != nil {
		return model.HookExecutionStats{}, core.MapStoreErr(err, core.TableHooks, id)
	}
	return st, nil
}
