package eventsuite

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func (f *fixture) newHook(tn store.Tenant, events ...string) model.Hook {
	f.T.Helper()
	h := model.Hook{TenantID: tn.ID(), ID: ids.New(), Name: "receiver", Events: events,
		Config:     model.HookConfig{URL: "https://hooks.example.com/x", Headers: map[string]string{"x-team": "blue"}},
		SigningKey: ids.NewSecret(), Enabled: true, CreatedAt: f.Tick()}
	fx.MustOK(f.T, tn.Hooks().Create(f.Ctx, h), "create hook")
	return h
}

func (f *fixture) enqueue(tn store.Tenant, hookID string, n int, due int64) []model.Delivery {
	f.T.Helper()
	var ds []model.Delivery
	for i := range n {
		at := f.Tick()
		ds = append(ds, model.Delivery{TenantID: tn.ID(), ID: ids.New(), HookID: hookID, Event: "User.Created",
			Body: []byte(fmt.Sprintf(`{"n":%d, "spaced" : "é\u2028"}`, i)), NextAttemptAt: due, CreatedAt: at, UpdatedAt: at})
	}
	fx.MustOK(f.T, tn.Deliveries().Enqueue(f.Ctx, ds), "enqueue")
	return ds
}

// Events is the conformance suite of its repository.
func Events(t *testing.T, open fx.Open) {
	t.Run("hooks round trip with a sealed signing key", func(t *testing.T) {
		f := newFixture(t, open)
		h := f.newHook(f.A, "User.Created", "User.Data.Updated")
		got, err := f.A.Hooks().Get(f.Ctx, h.ID)
		fx.MustOK(t, err, "get hook")
		if got.SigningKey != h.SigningKey || !slices.Equal(got.Events, h.Events) || got.Config.Headers["x-team"] != "blue" || !got.Enabled || got.Event != nil {
			t.Fatalf("hook = %+v; want %+v", got, h)
		}
		if stored := fx.RawOf(f.Fixture).Value("SELECT signing_key FROM hooks WHERE id = ?", h.ID); strings.Contains(stored, h.SigningKey) {
			t.Fatalf("the signing key is stored in clear: %q", stored)
		}
		legacy := "PostSignIn"
		got.Events, got.Event, got.Enabled, got.SigningKey = []string{}, &legacy, false, ids.NewSecret()
		fx.MustOK(t, f.A.Hooks().Update(f.Ctx, got), "update hook")
		again, err := f.A.Hooks().Get(f.Ctx, h.ID)
		fx.MustOK(t, err, "get hook")
		if again.SigningKey != got.SigningKey || again.Enabled || *again.Event != "PostSignIn" || len(again.Events) != 0 {
			t.Fatalf("updated hook = %+v", again)
		}
		f.newHook(f.A, "Role.Created")
		list, total, err := f.A.Hooks().List(f.Ctx, store.Page{})
		fx.MustOK(t, err, "list hooks")
		if total != 2 || list[0].ID != h.ID {
			t.Fatalf("hooks = %d %+v; want 2, oldest first", total, list)
		}
		if _, err := f.B.Hooks().Get(f.Ctx, h.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant sees the hook: %v", err)
		}
		f.enqueue(f.A, h.ID, 2, f.Now)
		fx.MustOK(t, f.A.Hooks().Delete(f.Ctx, h.ID), "delete hook")
		if _, n, _ := f.A.Deliveries().List(f.Ctx, model.DeliveryFilter{HookID: h.ID}, store.Page{}); n != 0 {
			t.Fatalf("%d deliveries outlived their hook", n)
		}
		if err := f.A.Hooks().Delete(f.Ctx, h.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete = %v", err)
		}
	})

	t.Run("deliveries keep their exact body and follow claims", func(t *testing.T) {
		f := newFixture(t, open)
		h := f.newHook(f.A, "User.Created")
		due := f.Now
		ds := f.enqueue(f.A, h.ID, 3, due)
		got, err := f.A.Deliveries().Get(f.Ctx, ds[1].ID)
		fx.MustOK(t, err, "get delivery")
		if string(got.Body) != string(ds[1].Body) || got.Status != model.DeliveryPending || got.Attempts != 0 {
			t.Fatalf("delivery = %+v body %s", got, got.Body)
		}
		if c, err := f.St.ClaimDeliveries(f.Ctx, due-1, due+60_000, 10); err != nil || len(c) != 0 {
			t.Fatalf("claim before due = %d, %v", len(c), err)
		}
		claimed, err := f.St.ClaimDeliveries(f.Ctx, due, due+60_000, 2)
		fx.MustOK(t, err, "claim")
		if len(claimed) != 2 || claimed[0].ClaimToken == "" || claimed[0].ClaimToken == claimed[1].ClaimToken {
			t.Fatalf("claimed = %+v", claimed)
		}
		rest, err := f.St.ClaimDeliveries(f.Ctx, due, due+60_000, 10)
		fx.MustOK(t, err, "claim the rest")
		if len(rest) != 1 {
			t.Fatalf("second claim got %d; want only the unclaimed one", len(rest))
		}
		// A lapsed lease frees the row; its old token can no longer record anything.
		again, err := f.St.ClaimDeliveries(f.Ctx, due+60_001, due+120_000, 10)
		fx.MustOK(t, err, "claim after the lease")
		if len(again) != 3 {
			t.Fatalf("after the lease, claimed %d; want 3", len(again))
		}
		code, msg := 500, "the receiver answered Internal Server Error (500)"
		out := model.DeliveryOutcome{Status: model.DeliveryPending, NextAttemptAt: due + 10_000, ResponseCode: &code, Error: &msg, At: due + 1}
		if err := f.A.Deliveries().Finish(f.Ctx, claimed[0].ID, claimed[0].ClaimToken, out); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Finish with a stale token = %v; want ErrNotFound", err)
		}
		cur := again[slices.IndexFunc(again, func(d model.Delivery) bool { return d.ID == claimed[0].ID })]
		fx.MustOK(t, f.A.Deliveries().Finish(f.Ctx, cur.ID, cur.ClaimToken, out), "finish")
		d, _ := f.A.Deliveries().Get(f.Ctx, cur.ID)
		if d.Attempts != 1 || d.Status != model.DeliveryPending || *d.LastStatus != 500 || *d.LastError != msg || d.NextAttemptAt != due+10_000 {
			t.Fatalf("after a failed attempt = %+v", d)
		}
		parked := "the hook is disabled"
		out = model.DeliveryOutcome{Status: model.DeliveryDead, Error: &parked, At: due + 2, NotAttempted: true}
		fx.MustOK(t, f.A.Deliveries().Finish(f.Ctx, again[1].ID, again[1].ClaimToken, out), "finish dead")
		if d, _ := f.A.Deliveries().Get(f.Ctx, again[1].ID); d.Attempts != 0 || d.LastStatus != nil || *d.LastError != parked {
			t.Fatalf("parked without a request = %+v; want no attempt counted", d)
		}
		dead, n, err := f.A.Deliveries().List(f.Ctx, model.DeliveryFilter{HookID: h.ID, Status: model.DeliveryDead}, store.Page{})
		fx.MustOK(t, err, "list dead")
		if n != 1 || dead[0].ID != again[1].ID {
			t.Fatalf("dead = %+v", dead)
		}
		fx.MustOK(t, f.A.Deliveries().Redeliver(f.Ctx, dead[0].ID, due+5), "redeliver")
		d, _ = f.A.Deliveries().Get(f.Ctx, dead[0].ID)
		if d.Status != model.DeliveryPending || d.Attempts != 0 || d.NextAttemptAt != due+5 || string(d.Body) != string(dead[0].Body) {
			t.Fatalf("redelivered = %+v", d)
		}
		if err := f.A.Deliveries().Redeliver(f.Ctx, "missing", due); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("redeliver missing = %v", err)
		}
		if n, err := f.St.PendingDeliveries(f.Ctx); err != nil || n != 3 {
			t.Fatalf("pending = %d, %v; want 3", n, err)
		}
		// A restarted single server frees its dead run's claims: due rows are claimable at once.
		if c, _ := f.St.ClaimDeliveries(f.Ctx, due+10_000, due+70_000, 10); len(c) == 0 {
			t.Fatal("nothing to claim for the release check")
		}
		if c, _ := f.St.ClaimDeliveries(f.Ctx, due+10_000, due+70_000, 10); len(c) != 0 {
			t.Fatalf("claimed rows were claimed again: %d", len(c))
		}
		freed, err := f.A.Deliveries().ReleaseClaims(f.Ctx)
		fx.MustOK(t, err, "release claims")
		if c, _ := f.St.ClaimDeliveries(f.Ctx, due+10_000, due+70_000, 10); freed == 0 || len(c) != int(freed) {
			t.Fatalf("released %d, then claimed %d", freed, len(c))
		}
	})

	t.Run("finished deliveries are pruned, pending ones never", func(t *testing.T) {
		f := newFixture(t, open)
		h := f.newHook(f.A, "User.Created")
		ds := f.enqueue(f.A, h.ID, 2, f.Now)
		claimed, err := f.St.ClaimDeliveries(f.Ctx, f.Now, f.Now+60_000, 1)
		fx.MustOK(t, err, "claim")
		fx.MustOK(t, f.A.Deliveries().Finish(f.Ctx, claimed[0].ID, claimed[0].ClaimToken,
			model.DeliveryOutcome{Status: model.DeliveryDelivered, At: f.Now}), "finish")
		n, err := f.A.Deliveries().DeleteFinishedBefore(f.Ctx, f.Now+1)
		fx.MustOK(t, err, "prune")
		left, total, _ := f.A.Deliveries().List(f.Ctx, model.DeliveryFilter{}, store.Page{})
		if n != 1 || total != 1 || left[0].Status != model.DeliveryPending || len(ds) != 2 {
			t.Fatalf("pruned %d, left %+v", n, left)
		}
	})

	t.Run("claims never hand one delivery to two workers", func(t *testing.T) {
		f := newFixture(t, open)
		ha, hb := f.newHook(f.A, "User.Created"), f.newHook(f.B, "User.Created")
		f.enqueue(f.A, ha.ID, 60, f.Now)
		f.enqueue(f.B, hb.ID, 60, f.Now)
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					c, err := f.St.ClaimDeliveries(f.Ctx, f.Now, f.Now+60_000, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(c) == 0 {
						return
					}
					mu.Lock()
					for _, d := range c {
						seen[d.TenantID+"/"+d.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 120 {
			t.Fatalf("claimed %d distinct deliveries; want all 120 of both tenants", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("delivery %s claimed %d times", id, n)
			}
		}
	})

	t.Run("a batch of logs larger than one statement is stored whole", func(t *testing.T) {
		f := newFixture(t, open)
		batch := make([]model.Log, 250)
		for i := range batch {
			payload := fmt.Sprintf(`{"result":"Success","applicationId":"app%d","userId":"u%d"}`, i%3, i)
			batch[i] = model.Log{TenantID: f.A.ID(), ID: ids.New(), Key: "ExchangeTokenBy.ClientCredentials", Payload: []byte(payload), CreatedAt: f.Tick()}
		}
		batch[249].Payload = []byte(`[1]`) // one bad entry refuses the whole batch: nothing half-written
		if err := f.A.Logs().Append(f.Ctx, batch); err == nil {
			t.Fatal("a batch with a payload that is not an object was stored")
		}
		if n, _, err := f.A.Logs().Count(f.Ctx, store.LogFilter{}, 0); err != nil || n != 0 {
			t.Fatalf("after the refused batch: %d entries, %v; want 0", n, err)
		}
		batch[249].Payload = []byte(`{"result":"Success","applicationId":"app0","userId":"u249"}`)
		fx.MustOK(t, f.A.Logs().Append(f.Ctx, batch), "append 250 logs")
		for _, c := range []struct {
			flt  store.LogFilter
			want int
		}{{store.LogFilter{}, 250}, {store.LogFilter{ApplicationID: "app1"}, 83}, {store.LogFilter{UserID: "u249"}, 1}} {
			if n, _, err := f.A.Logs().Count(f.Ctx, c.flt, 0); err != nil || n != c.want {
				t.Errorf("count %+v = %d, %v; want %d", c.flt, n, err, c.want)
			}
		}
		got, err := f.A.Logs().Get(f.Ctx, batch[200].ID)
		fx.MustOK(t, err, "get the 201st entry")
		if string(got.Payload) != string(batch[200].Payload) || got.CreatedAt != batch[200].CreatedAt {
			t.Fatalf("entry 201 = %+v; want %+v", got, batch[200])
		}
	})

	t.Run("logs filter, count and page like Logto's", func(t *testing.T) {
		f := newFixture(t, open)
		add := func(tn store.Tenant, key, payload string) model.Log {
			l := model.Log{TenantID: tn.ID(), ID: ids.New(), Key: key, Payload: []byte(payload), CreatedAt: f.Tick()}
			fx.MustOK(t, tn.Logs().Append(f.Ctx, []model.Log{l}), "append log")
			return l
		}
		first := add(f.A, "Interaction.SignIn.Submit", `{"key":"Interaction.SignIn.Submit","result":"Success","userId":"u1","applicationId":"app1"}`)
		add(f.A, "ExchangeTokenBy.ClientCredentials", `{"key":"x","result":"Error","applicationId":"app1"}`)
		add(f.A, "TriggerHook.User.Created", `{"key":"x","result":"Success","hookId":"h1"}`)
		add(f.A, "TriggerHook.User.Created", `{"key":"x","result":"Error","hookId":"h1"}`)
		add(f.A, "A_B%", `{"result":"Success","userId":7}`)
		last := add(f.A, "AxBy", `{"result":"Success"}`)
		add(f.B, "Interaction.SignIn.Submit", `{"result":"Success","userId":"u1"}`)

		count := func(flt store.LogFilter) int {
			n, _, err := f.A.Logs().Count(f.Ctx, flt, 0)
			fx.MustOK(t, err, "count")
			return n
		}
		start, end := first.CreatedAt+1000, last.CreatedAt-1000
		for _, tc := range []struct {
			name string
			flt  store.LogFilter
			want int
		}{
			{"all", store.LogFilter{}, 6},
			{"user", store.LogFilter{UserID: "u1"}, 1},
			{"application", store.LogFilter{ApplicationID: "app1"}, 2},
			{"hook", store.LogFilter{HookID: "h1"}, 2},
			{"result", store.LogFilter{Result: "Error"}, 2},
			{"result and hook", store.LogFilter{Result: "Success", HookID: "h1"}, 1},
			{"key", store.LogFilter{Key: "TriggerHook.User.Created"}, 2},
			{"prefixes", store.LogFilter{KeyPrefixes: []string{"Interaction", "ExchangeTokenBy"}}, 2},
			{"wildcards are literal", store.LogFilter{KeyPrefixes: []string{"A_B%"}}, 1},
			{"inclusive window", store.LogFilter{Start: &start, End: &end}, 4},
			{"a non-string userId is not indexed", store.LogFilter{UserID: "7"}, 0},
		} {
			if got := count(tc.flt); got != tc.want {
				t.Errorf("%s: count = %d; want %d", tc.name, got, tc.want)
			}
		}
		page, err := f.A.Logs().List(f.Ctx, store.LogFilter{}, store.Page{Limit: 2, Offset: 1})
		fx.MustOK(t, err, "list")
		if len(page) != 2 || page[0].Key != "A_B%" {
			t.Fatalf("page = %+v; want newest first, from the second", page)
		}
		if n, capped, err := f.A.Logs().Count(f.Ctx, store.LogFilter{}, 3); err != nil || !capped || n != 4 {
			t.Fatalf("capped count = %d %v %v; want 4 (cap+1) and capped", n, capped, err)
		}
		st, err := f.A.Logs().HookStats(f.Ctx, "h1", 0)
		fx.MustOK(t, err, "hook stats")
		if st.RequestCount != 2 || st.SuccessCount != 1 {
			t.Fatalf("stats = %+v", st)
		}
		got, err := f.A.Logs().Get(f.Ctx, first.ID)
		fx.MustOK(t, err, "get log")
		if string(got.Payload) != string(first.Payload) || got.CreatedAt != first.CreatedAt {
			t.Fatalf("log = %+v", got)
		}
		if _, err := f.B.Logs().Get(f.Ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant reads the log: %v", err)
		}
		if err := f.A.Logs().Append(f.Ctx, []model.Log{{ID: ids.New(), Key: "k", Payload: []byte(`[1]`)}}); err == nil {
			t.Fatal("a payload that is not an object was stored")
		}
		n, err := f.A.Logs().DeleteBefore(f.Ctx, last.CreatedAt)
		fx.MustOK(t, err, "delete before")
		if n != 5 || count(store.LogFilter{}) != 1 {
			t.Fatalf("deleted %d, %d left", n, count(store.LogFilter{}))
		}
	})
}
