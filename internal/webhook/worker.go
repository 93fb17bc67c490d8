package webhook

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Queue is the outbox the worker drains; service/webhooks implements it over the store.
type Queue interface {
	// Claim takes due deliveries and returns them with their hook's current config and key.
	Claim(ctx context.Context, limit int) ([]Job, error)
	// Finish records an attempt: the delivery's new state, and the request and answer for the
	// delivery log.
	Finish(ctx context.Context, job Job, res Result, out model.DeliveryOutcome) error
}

// Job is one claimed delivery and where it goes.
type Job struct {
	Delivery   model.Delivery
	Config     model.HookConfig
	SigningKey string
}

// WorkerConfig configures a Worker; zero values take the defaults.
type WorkerConfig struct {
	Queue  Queue
	Sender *Sender
	Policy Policy
	Clock  clock.Clock
	Log    *slog.Logger
	// Concurrency bounds requests in flight (Logto's p-map concurrency: 10).
	Concurrency int
	// Poll is how often the outbox is looked at when nothing wakes the worker.
	Poll time.Duration
	// Batch is how many deliveries one claim takes.
	Batch int
}

// Worker sends due deliveries. Every node runs one; the queue's claims keep them apart.
type Worker struct {
	cfg  WorkerConfig
	wake chan struct{}
}

// finishTimeout bounds recording an outcome after shutdown began.
const finishTimeout = 5 * time.Second

// NewWorker returns a worker; Run starts it.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 4 * cfg.Concurrency
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Sender == nil {
		cfg.Sender = NewSender(SenderOptions{})
	}
	return &Worker{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Notify makes the worker look at the outbox now (a commit just queued deliveries). It never
// blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends. Then it stops claiming and returns once the deliveries in flight
// have been sent and recorded: their requests and the recording run on a context that shutdown
// does not cancel (each bounded by its own timeout), so no attempt is cut or left unrecorded.
func (w *Worker) Run(ctx context.Context) {
	sem := make(chan struct{}, w.cfg.Concurrency)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	failures := 0
	for ctx.Err() == nil {
		jobs, err := w.cfg.Queue.Claim(ctx, w.cfg.Batch)
		if err != nil && ctx.Err() == nil {
			failures++
			w.cfg.Log.Warn("webhook outbox: claim failed", "error", err)
		} else {
			failures = 0
		}
		for _, job := range jobs {
			sem <- struct{}{} // wait for a free slot; claimed jobs are always sent
			inflight.Add(1)
			go func(job Job) {
				defer func() { <-sem; inflight.Done() }()
				w.deliver(context.WithoutCancel(ctx), job)
			}(job)
		}
		if len(jobs) == w.cfg.Batch {
			continue // more may be due
		}
		w.sleep(ctx, failures)
	}
}

// sleep waits for the poll interval (longer after repeated claim failures: the database is
// away), a Notify, or the end of ctx.
func (w *Worker) sleep(ctx context.Context, failures int) {
	d := w.cfg.Poll << min(failures, 5)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-w.wake:
	case <-t.C:
	}
}

// deliver makes one attempt and records it.
func (w *Worker) deliver(ctx context.Context, job Job) {
	d := job.Delivery
	res := w.cfg.Sender.Send(ctx, job.Config, job.SigningKey, d.Body)
	out := w.cfg.Policy.Outcome(d.Attempts+1, res, w.cfg.Clock.Now())
	fctx, cancel := context.WithTimeout(ctx, finishTimeout)
	defer cancel()
	if err := w.cfg.Queue.Finish(fctx, job, res, out); err != nil {
		// The claim lapses and the delivery is tried again: at least once, never lost.
		w.cfg.Log.Warn("webhook outbox: record attempt failed", "delivery", d.ID, "hook", d.HookID, "error", err)
		return
	}
	if out.Status == model.DeliveryDead {
		w.cfg.Log.Warn("webhook delivery dead", "delivery", d.ID, "hook", d.HookID, "event", d.Event, "attempts", d.Attempts+1)
	}
}
