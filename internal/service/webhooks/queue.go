package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// claimLease is how long a claimed delivery belongs to its worker: above the 10 s request
// timeout plus the 5 s the worker has to record the outcome, so a live worker always finishes
// first; a worker that died mid-attempt (SIGKILL, a lost machine) loses the claim when it runs
// out, and any node sends the delivery again (at least once) half a minute later at most.
const claimLease = 30 * time.Second

// Claim takes up to limit due deliveries across tenants and returns each with its hook's
// current address, headers and signing key. A delivery whose hook was disabled since it was
// queued is not sent: it ends dead, so it can be redelivered once the hook is enabled again.
func (s *Webhooks) Claim(ctx context.Context, limit int) ([]webhook.Job, error) {
	now := s.core.Clock().Now()
	ds, err := s.core.Store().ClaimDeliveries(ctx, now.UnixMilli(), now.Add(claimLease).UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	jobs := make([]webhook.Job, 0, len(ds))
	for _, d := range ds {
		h, err := s.core.Store().Tenant(d.TenantID).Hooks().Get(ctx, d.HookID)
		if errors.Is(err, model.ErrNotFound) {
			continue // deleted with its deliveries since the claim
		}
		if err != nil {
			return jobs, fmt.Errorf("hook %s of delivery %s: %w", d.HookID, d.ID, err)
		}
		if !h.Enabled {
			s.parkDisabled(ctx, d, now)
			continue
		}
		jobs = append(jobs, webhook.Job{Delivery: d, Config: h.Config, SigningKey: h.SigningKey})
	}
	return jobs, nil
}

func (s *Webhooks) parkDisabled(ctx context.Context, d model.Delivery, now time.Time) {
	msg := "the hook is disabled"
	out := model.DeliveryOutcome{Status: model.DeliveryDead, Error: &msg, At: now.UnixMilli(), NotAttempted: true}
	if err := s.core.Store().Tenant(d.TenantID).Deliveries().Finish(ctx, d.ID, d.ClaimToken, out); err != nil {
		s.core.Log().Warn("park delivery of a disabled hook", "delivery", d.ID, "error", err)
	}
}

// hookLog is the payload of a TriggerHook entry as Logto writes it (libraries/hook/index.ts
// sendWebhook: hookId, hookRequest.body, response {statusCode, body}, result, error), plus the
// outbox's delivery id, attempt number and resulting state.
type hookLog struct {
	Key         string        `json:"key"`
	Result      string        `json:"result"`
	Error       string        `json:"error,omitempty"`
	HookID      string        `json:"hookId"`
	HookRequest hookRequest   `json:"hookRequest"`
	Response    *hookResponse `json:"response,omitempty"`
	DeliveryID  string        `json:"deliveryId"`
	Attempt     int           `json:"attempt"`
	Status      string        `json:"deliveryStatus"`
}

type hookRequest struct {
	Body json.RawMessage `json:"body"`
}

type hookResponse struct {
	StatusCode int `json:"statusCode"`
	Body       any `json:"body"`
}

// responseBody is what Logto keeps of an answer: the parsed JSON, or the text.
func responseBody(b []byte) any {
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	return string(b)
}

// Finish records an attempt: the delivery's new state and a TriggerHook.<event> audit entry, in
// one transaction. A claim lost to another worker (this one outlived its lease) leaves both
// untouched.
func (s *Webhooks) Finish(ctx context.Context, job webhook.Job, res webhook.Result, out model.DeliveryOutcome) error {
	d := job.Delivery
	entry := hookLog{Key: "TriggerHook." + d.Event, Result: model.LogSuccess, HookID: d.HookID,
		HookRequest: hookRequest{Body: d.Body}, DeliveryID: d.ID, Attempt: d.Attempts + 1, Status: string(out.Status)}
	if res.StatusCode != 0 {
		entry.Response = &hookResponse{StatusCode: res.StatusCode, Body: responseBody(res.Body)}
	}
	if out.Status != model.DeliveryDelivered {
		entry.Result = model.LogError
		if out.Error != nil {
			entry.Error = *out.Error
		}
	}
	// Without HTML escaping, so hookRequest.body shows the bytes that were sent and signed.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(entry); err != nil {
		return fmt.Errorf("encode delivery log: %w", err)
	}
	payload := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	l := model.Log{TenantID: d.TenantID, ID: ids.New(), Key: entry.Key, Payload: payload, CreatedAt: out.At}
	err := s.core.WriteUncached(ctx, d.TenantID, func(t *core.Tx) error {
		if err := t.Deliveries().Finish(ctx, d.ID, d.ClaimToken, out); err != nil {
			return fmt.Errorf("finish delivery %s: %w", d.ID, err)
		}
		return t.Logs().Append(ctx, []model.Log{l})
	})
	if err == nil && !out.NotAttempted {
		s.core.Observe(entry.Key, entry.Result == model.LogError)
	}
	return err
}

// DeleteOldDeliveries removes, in every tenant, delivered and dead deliveries last touched
// before before (retention; pending ones are never removed).
func (s *Webhooks) DeleteOldDeliveries(ctx context.Context, before time.Time) (int64, error) {
	tenants, err := s.core.Store().Tenants(ctx)
	if err != nil {
		return 0, fmt.Errorf("list tenants: %w", err)
	}
	var n int64
	for _, t := range tenants {
		d, err := s.core.Store().Tenant(t.ID).Deliveries().DeleteFinishedBefore(ctx, before.UnixMilli())
		if err != nil {
			return n, fmt.Errorf("delete old deliveries of tenant %s: %w", t.ID, err)
		}
		n += d
	}
	return n, nil
}

// ReleaseClaims frees every claim in every tenant. The composition root calls it at the start
// of a single-server deployment (SQLite): claims then can only be left by this server's previous
// run, killed mid-delivery, and those deliveries need not wait out their lease.
func (s *Webhooks) ReleaseClaims(ctx context.Context) (int64, error) {
	tenants, err := s.core.Store().Tenants(ctx)
	if err != nil {
		return 0, fmt.Errorf("list tenants: %w", err)
	}
	var n int64
	for _, t := range tenants {
		freed, err := s.core.Store().Tenant(t.ID).Deliveries().ReleaseClaims(ctx)
		if err != nil {
			return n, fmt.Errorf("release claims of tenant %s: %w", t.ID, err)
		}
		n += freed
	}
	return n, nil
}

// QueueDepth counts pending deliveries across tenants.
func (s *Webhooks) QueueDepth(ctx context.Context) (int, error) {
	return s.core.Store().PendingDeliveries(ctx)
}
