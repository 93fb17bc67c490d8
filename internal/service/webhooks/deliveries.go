package webhooks

import (
	"context"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// triggerHookPrefix is the key prefix of Logto's delivery log entries (TriggerHook.<event>).
const triggerHookPrefix = "TriggerHook"

// HookLogs lists the hook's delivery log entries (GET /api/hooks/:id/recent-logs): the last
// 24 hours unless the query sets either bound of the window, as Logto does.
func (s *Webhooks) HookLogs(ctx context.Context, tenantID, id string, q model.LogQuery) ([]model.Log, int, bool, error) {
	if _, err := s.GetHook(ctx, tenantID, id); err != nil {
		return nil, 0, false, err
	}
	q.Filter.HookID = id
	q.Filter.KeyPrefixes = []string{triggerHookPrefix}
	if q.Filter.Start == nil && q.Filter.End == nil {
		since := s.core.Clock().Now().Add(-statsWindow).UnixMilli()
		q.Filter.Start = &since
	}
	return s.logs.ListLogs(ctx, tenantID, q)
}

// ListDeliveries lists outbox rows, newest first.
func (s *Webhooks) ListDeliveries(ctx context.Context, tenantID string, f model.DeliveryFilter, p model.Page) ([]model.Delivery, int, error) {
	if f.HookID != "" {
		if _, err := s.GetHook(ctx, tenantID, f.HookID); err != nil {
			return nil, 0, err
		}
	}
	switch f.Status {
	case "", model.DeliveryPending, model.DeliveryDelivered, model.DeliveryDead:
	default:
		return nil, 0, apperr.InvalidInput("status must be pending, delivered or dead.")
	}
	ds, total, err := s.core.Store().Tenant(tenantID).Deliveries().List(ctx, f, p)
	if err != nil {
		return nil, 0, core.MapStoreErr(err, "webhook deliveries", "")
	}
	return core.NonNil(ds), total, nil
}

// GetDelivery returns one delivery of the hook, with its body.
func (s *Webhooks) GetDelivery(ctx context.Context, tenantID, hookID, id string) (model.Delivery, error) {
	d, err := s.core.Store().Tenant(tenantID).Deliveries().Get(ctx, id)
	if err != nil || d.HookID != hookID {
		return model.Delivery{}, deliveryNotFound(err, id)
	}
	return d, nil
}

func deliveryNotFound(err error, id string) error {
	if err == nil {
		return core.NotExistsWithID("webhook deliveries", id)
	}
	return core.MapStoreErr(err, "webhook deliveries", id)
}

// Redeliver queues a delivered or dead delivery again, due now, with a fresh attempt count; the
// body is the one first queued, byte for byte.
func (s *Webhooks) Redeliver(ctx context.Context, tenantID, hookID, id string) (model.Delivery, error) {
	var d model.Delivery
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		got, err := t.Deliveries().Get(ctx, id)
		if err != nil || got.HookID != hookID {
			return deliveryNotFound(err, id)
		}
		if err := t.Deliveries().Redeliver(ctx, id, s.core.NowMs()); err != nil {
			return core.MapStoreErr(err, "webhook deliveries", id)
		}
		d, err = t.Deliveries().Get(ctx, id)
		return core.MapStoreErr(err, "webhook deliveries", id)
	})
	if err != nil {
		return model.Delivery{}, err
	}
	s.wake()
	return d, nil
}

// TestHook sends Logto's test payload for each event to cfg, signed with the hook's stored key
// (libraries/hook/index.ts triggerTestHook). Test sends are not queued or retried: the caller
// sees the answer at once.
func (s *Webhooks) TestHook(ctx context.Context, tenantID, id string, events []string, cfg model.HookConfig) error {
	h, err := s.GetHook(ctx, tenantID, id)
	if err != nil {
		return err
	}
	if events, err = checkEvents(events); err != nil {
		return err
	}
	if err := checkConfig(cfg); err != nil {
		return err
	}
	for _, event := range events {
		body := webhook.TestPayload(id, event, s.core.Clock().Now())
		res := s.sender.Send(ctx, cfg, h.SigningKey, body)
		if res.Err != nil {
			return apperr.New(http.StatusUnprocessableEntity, "hook.send_test_payload_failed",
				"Failed to send test payload: %s", res.Err.Error())
		}
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return apperr.New(http.StatusUnprocessableEntity, "hook.endpoint_responded_with_error",
				"Endpoint responded with error.").
				WithData(map[string]any{"responseStatus": res.StatusCode, "responseBody": string(res.Body)})
		}
	}
	return nil
}
