package service

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse-id/gatehouse/internal/store/storetest"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// BenchmarkUserUpdateEvents is the cost events add to a Management API write on SQLite
// (PATCH /api/users/:id through the use-case, as the handler calls it): without event sinks
// (the write alone), with the audit entry only (no hook subscribes), and with the audit entry
// and one outbox row (a hook subscribes).
func BenchmarkUserUpdateEvents(b *testing.B) {
	for _, tc := range []struct {
		name  string
		sinks bool
		hook  bool
	}{{"no-sinks", false, false}, {"audit", true, false}, {"audit+outbox", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			env := newEnv(&testing.T{}, Options{})
			b.Cleanup(func() { _ = env.st.Close() })
			if !tc.sinks {
				env.svc.Core.SetEventSinks()
			}
			if tc.hook {
				_, err := env.svc.CreateHook(env.ctx, model.DefaultTenantID, hookInput(model.EventUserDataUpdated, "https://h.example.com"))
				if err != nil {
					b.Fatal(err)
				}
			}
			u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("bench")})
			if err != nil {
				b.Fatal(err)
			}
			ctx := apiOrigin(env.ctx, "PATCH", "/users/"+u.ID, "/users/:userId", 200, model.Param{Name: "userId", Value: u.ID})
			b.ResetTimer()
			for i := range b.N {
				name := fmt.Sprintf("name-%d", i)
				if _, err := env.svc.UpdateUser(ctx, model.DefaultTenantID, u.ID, users.UserPatch{Name: ptrTo(&name)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWebhookDelivery drains an outbox of b.N deliveries to a local receiver with the real
// worker (10 requests in flight, as Logto's p-map), claims and outcomes on SQLite and on
// PostgreSQL.
func BenchmarkWebhookDelivery(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		env := newEnv(&testing.T{}, Options{})
		b.Cleanup(func() { _ = env.st.Close() })
		benchDelivery(b, env)
	})
	b.Run("postgres", func(b *testing.B) {
		st, err := sqlstore.Open(context.Background(), storetest.PostgresDatabase(b),
			sqlstore.Options{Migrate: true, MasterKey: secretbox.GenerateMasterKey()})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = st.Close() })
		clk := clock.NewFake(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
		env := &testEnv{svc: New(st, store.NewFreshness(st, clk, time.Second), clk, nil, Options{}), st: st, clk: clk, ctx: context.Background()}
		if _, err := env.svc.Seed(env.ctx, seed.SeedOptions{}); err != nil {
			b.Fatal(err)
		}
		benchDelivery(b, env)
	})
}

func benchDelivery(b *testing.B, env *testEnv) {
	var got atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got.Add(1) }))
	defer rcv.Close()
	if _, err := env.svc.CreateHook(env.ctx, model.DefaultTenantID, hookInput(model.EventUserDataUpdated, rcv.URL)); err != nil {
		b.Fatal(err)
	}
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("bench")})
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		name := fmt.Sprintf("name-%d", i)
		if _, err := env.svc.UpdateUser(env.ctx, model.DefaultTenantID, u.ID, users.UserPatch{Name: ptrTo(&name)}); err != nil {
			b.Fatal(err)
		}
	}
	env.clk.Advance(time.Minute) // every delivery due
	w := webhook.NewWorker(webhook.WorkerConfig{Queue: env.svc.Webhooks, Clock: env.clk, Poll: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	b.ResetTimer()
	start := time.Now()
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	for got.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
	cancel()
	<-done
}
