package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Batching of entries recorded outside a transaction. A token exchange must not wait for a
// write of its own: entries are queued and written together, at most flushEvery later or when
// maxBatch are waiting. A full queue drops the entry with a warning rather than slowing the
// token endpoint; entries of changes (Append) are never dropped, they commit with the change.
const (
	flushEvery = 200 * time.Millisecond
	maxBatch   = 500
	queueSize  = 20_000
)

// Audit is the audit log: the event sink that records each change's events in its transaction,
// the batched recorder for the protocol's entries, the queries, and retention.
type Audit struct {
	core    *core.Core
	queue   chan *model.Log // pointers: a queue of 20,000 entries by value would hold 1.6 MB while empty
	dropped sync.Once
}

// New returns the audit log over c. Run must be running for Record's entries to be written.
func New(c *core.Core) *Audit {
	return &Audit{core: c, queue: make(chan *model.Log, queueSize)}
}

// payload is a log entry's payload (Logto's LogContextPayload) plus, for entries of Management
// API changes, the route that made them.
type payload struct {
	Key              string         `json:"key"`
	Result           string         `json:"result"`
	Error            any            `json:"error,omitempty"`
	IP               string         `json:"ip,omitempty"`
	UserAgent        string         `json:"userAgent,omitempty"`
	UserID           string         `json:"userId,omitempty"`
	ApplicationID    string         `json:"applicationId,omitempty"`
	SessionID        string         `json:"sessionId,omitempty"`
	InteractionEvent string         `json:"interactionEvent,omitempty"`
	Params           map[string]any `json:"params,omitempty"`
	TokenTypes       []string       `json:"tokenTypes,omitempty"`
	Scope            string         `json:"scope,omitempty"`
	Path             string         `json:"path,omitempty"`
	Method           string         `json:"method,omitempty"`
	MatchedRoute     string         `json:"matchedRoute,omitempty"`
	// ActorUserID is the user whose token made a Management API change (Gatehouse's addition;
	// applicationId names the client).
	ActorUserID string `json:"actorUserId,omitempty"`
}

func newPayload(o model.Origin, key string) payload {
	p := payload{Key: key, Result: model.LogSuccess, IP: o.IP, UserAgent: o.UserAgent, SessionID: o.SessionID,
		InteractionEvent: o.InteractionEvent, ApplicationID: o.ApplicationID, Path: o.Path, Method: o.Method,
		MatchedRoute: o.MatchedRoute, ActorUserID: o.ActorUserID}
	if o.ActorApplicationID != "" {
		p.ApplicationID = o.ActorApplicationID
	}
	if len(o.Params) > 0 {
		p.Params = map[string]any{}
		for _, prm := range o.Params {
			p.Params[prm.Name] = prm.Value
		}
	}
	return p
}

func (a *Audit) entry(tenantID string, p payload) (model.Log, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return model.Log{}, fmt.Errorf("encode audit entry %s: %w", p.Key, err)
	}
	return model.Log{TenantID: tenantID, ID: ids.New(), Key: p.Key, Payload: b, CreatedAt: a.core.NowMs()}, nil
}

// Append records one entry per event, in the transaction of the change that emitted them, keyed
// by the event's audit key or its name.
func (a *Audit) Append(ctx context.Context, t store.Tenant, events []core.Event) error {
	o := model.OriginFrom(ctx)
	logs := make([]model.Log, 0, len(events))
	for _, e := range events {
		key := e.AuditKey
		if key == "" {
			key = e.Name
		}
		a.core.Observe(key, false)
		p := newPayload(o, key)
		p.UserID = e.UserID
		l, err := a.entry(t.ID(), p)
		if err != nil {
			return err
		}
		logs = append(logs, l)
	}
	if err := t.Logs().Append(ctx, logs); err != nil {
		return fmt.Errorf("append audit entries: %w", err)
	}
	return nil
}

// Record queues an entry for the next batch. It never blocks: when the queue is full (the
// database has been unreachable for a while) the entry is dropped and a warning logged once.
func (a *Audit) Record(ctx context.Context, tenantID string, e model.AuditEntry) {
	a.core.Observe(e.Key, e.Failed)
	p := newPayload(model.OriginFrom(ctx), e.Key)
	if e.Failed {
		p.Result = model.LogError
	}
	p.Error, p.Params, p.TokenTypes, p.Scope = e.Error, e.Params, e.TokenTypes, e.Scope
	if e.UserID != "" {
		p.UserID = e.UserID
	}
	if e.ApplicationID != "" {
		p.ApplicationID = e.ApplicationID
	}
	if e.SessionID != "" {
		p.SessionID = e.SessionID
	}
	l, err := a.entry(tenantID, p)
	if err != nil {
		a.core.Log().WarnContext(ctx, "audit entry not recorded", "key", e.Key, "error", err)
		return
	}
	select {
	case a.queue <- &l:
	default:
		a.dropped.Do(func() {
			a.core.Log().Warn("audit queue full: protocol entries are being dropped until the database keeps up")
		})
	}
}

// Run writes queued entries in batches until ctx ends, then writes what is left.
func (a *Audit) Run(ctx context.Context) {
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	var batch []model.Log
	for {
		select {
		case l := <-a.queue:
			if batch = append(batch, *l); len(batch) >= maxBatch {
				batch = a.flush(batch)
			}
		case <-t.C:
			batch = a.flush(batch)
		case <-ctx.Done():
			a.drain(batch)
			return
		}
	}
}

// drain writes the batch and everything still queued, on a context that outlives shutdown's.
func (a *Audit) drain(batch []model.Log) {
	for {
		select {
		case l := <-a.queue:
			batch = append(batch, *l)
		default:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			a.write(ctx, batch)
			return
		}
	}
}

func (a *Audit) flush(batch []model.Log) []model.Log {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.write(ctx, batch)
	return batch[:0]
}

// write appends the batch, one transaction per tenant.
func (a *Audit) write(ctx context.Context, batch []model.Log) {
	byTenant := map[string][]model.Log{}
	for _, l := range batch {
		byTenant[l.TenantID] = append(byTenant[l.TenantID], l)
	}
	for tenantID, logs := range byTenant {
		if err := a.core.Store().Tenant(tenantID).Logs().Append(ctx, logs); err != nil {
			a.core.Log().Warn("audit entries not written", "tenant", tenantID, "entries", len(logs), "error", err)
		}
	}
}

// Pending reports whether entries wait to be written (for tests and shutdown).
func (a *Audit) Pending() int { return len(a.queue) }
