package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

func (f *fixture) newHook(tn store.Tenant, events ...string) model.Hook {
	f.t.Helper()
	h := model.Hook{TenantID: tn.ID(), ID: ids.New(), Name: "receiver", Events: events,
		Config:     model.HookConfig{URL: "https://hooks.example.com/x", Headers: map[string]string{"x-team": "blue"}},
		SigningKey: ids.NewSecret(), Enabled: true, CreatedAt: f.tick()}
	mustOK(f.t, tn.Hooks().Create(f.ctx, h), "create hook")
	return h
}

func (f *fixture) enqueue(tn store.Tenant, hookID string, n int, due int64) []model.Delivery {
	f.t.Helper()
	var ds []model.Delivery
	for i := range n {
		at := f.tick()
		ds = append(ds, model.Delivery{TenantID: tn.ID(), ID: ids.New(), HookID: hookID, Event: "User.Created",
			Body: []byte(fmt.Sprintf(`{"n":%d, "spaced" : "é\u2028"}`, i)), NextAttemptAt: due, CreatedAt: at, UpdatedAt: at})
	}
	mustOK(f.t, tn.Deliveries().Enqueue(f.ctx, ds), "enqueue")
	return ds
}

func testEvents(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("hooks round trip with a sealed signing key", func(t *testing.T) {
		f := newFixture(t, open)
		h := f.newHook(f.a, "User.Created", "User.Data.Updated")
		got, err := f.a.Hooks().Get(f.ctx, h.ID)
		mustOK(t, err, "get hook")
		if got.SigningKey != h.SigningKey || !slices.Equal(got.Events, h.Events) || got.Config.Headers["x-team"] != "blue" || !got.Enabled || got.Event != nil {
			t.Fatalf("hook = %+v; want %+v", got, h)
		}
		if stored := rawOf(f).value("SELECT signing_key FROM hooks WHERE id = ?", h.ID); strings.Contains(stored, h.SigningKey) {
			t.Fatalf("the signing key is stored in clear: %q", stored)
		}
		legacy := "PostSignIn"
		got.Events, got.Event, got.Enabled, got.SigningKey = []string{}, &legacy, false, ids.NewSecret()
		mustOK(t, f.a.Hooks().Update(f.ctx, got), "update hook")
		again, err := f.a.Hooks().Get(f.ctx, h.ID)
		mustOK(t, err, "get hook")
		if again.SigningKey != got.SigningKey || again.Enabled || *again.Event != "PostSignIn" || len(again.Events) != 0 {
			t.Fatalf("updated hook = %+v", again)
		}
		f.newHook(f.a, "Role.Created")
		list, total, err := f.a.Hooks().List(f.ctx, store.Page{})
		mustOK(t, err, "list hooks")
		if total != 2 || list[0].ID != h.ID {
			t.Fatalf("hooks = %d %+v; want 2, oldest first", total, list)
		}
		if _, err := f.b.Hooks().Get(f.ctx, h.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant sees the hook: %v", err)
		}
		f.enqueue(f.a, h.ID, 2, f.now)
		mustOK(t, f.a.Hooks().Delete(f.ctx, h.ID), "delete hook")
		if _, n, _ := f.a.Deliveries().List(f.ctx, model.DeliveryFilter{HookID: h.ID}, store.Page{}); n != 0 {
			t.Fatalf("%d deliveries outlived their hook", n)
		}
		if err := f.a.Hooks().Delete(f.ctx, h.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete = %v", err)
		}
	})

	t.Run("deliveries keep their exact body and follow claims", func(t *testing.T) {
		f := newFixture(t, open)
		h := f.newHook(f.a, "User.Created")
		due := f.now
		ds := f.enqueue(f.a, h.ID, 3, due)
		got, err := f.a.Deliveries().Get(f.ctx, ds[1].ID)
		mustOK(t, err, "get delivery")
		if string(got.Body) != string(ds[1].Body) || got.Status != model.DeliveryPending || got.Attempts != 0 {
			t.Fatalf("delivery = %+v body %s", got, got.Body)
		}
		if c, err := f.st.ClaimDeliveries(f.ctx, due-1, due+60_000, 10); err != nil || len(c) != 0 {
			t.Fatalf("claim before due = %d, %v", len(c), err)
		}
		claimed, err := f.st.ClaimDeliveries(f.ctx, due, due+60_000, 2)
		mustOK(t, err, "claim")
		if len(claimed) != 2 || claimed[0].ClaimToken == "" || claimed[0].ClaimToken == claimed[1].ClaimToken {
			t.Fatalf("claimed = %+v", claimed)
		}
		rest, err := f.st.ClaimDeliveries(f.ctx, due, due+60_000, 10)
		mustOK(t, err, "claim the rest")
		if len(rest) != 1 {
			t.Fatalf("second claim got %d; want only the unclaimed one", len(rest))
		}
		// A lapsed lease frees the row; its old token can no longer record anything.
		again, err := f.st.ClaimDeliveries(f.ctx, due+60_001, due+120_000, 10)
		mustOK(t, err, "claim after the lease")
		if len(again) != 3 {
			t.Fatalf("after the lease, claimed %d; want 3", len(again))
		}
		code, msg := 500, "the receiver answered Internal Server Error (500)"
		out := model.DeliveryOutcome{Status: model.DeliveryPending, NextAttemptAt: due + 10_000, ResponseCode: &code, Error: &msg, At: due + 1}
		if err := f.a.Deliveries().Finish(f.ctx, claimed[0].ID, claimed[0].ClaimToken, out); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Finish with a stale token = %v; want ErrNotFound", err)
		}
		cur := again[slices.IndexFunc(again, func(d model.Delivery) bool { return d.ID == claimed[0].ID })]
		mustOK(t, f.a.Deliveries().Finish(f.ctx, cur.ID, cur.ClaimToken, out), "finish")
		d, _ := f.a.Deliveries().Get(f.ctx, cur.ID)
		if d.Attempts != 1 || d.Status != model.DeliveryPending || *d.LastStatus != 500 || *d.LastError != msg || d.NextAttemptAt != due+10_000 {
			t.Fatalf("after a failed attempt = %+v", d)
		}
		parked := "the hook is disabled"
		out = model.DeliveryOutcome{Status: model.DeliveryDead, Error: &parked, At: due + 2, NotAttempted: true}
		mustOK(t, f.a.Deliveries().Finish(f.ctx, again[1].ID, again[1].ClaimToken, out), "finish dead")
		if d, _ := f.a.Deliveries().Get(f.ctx, again[1].ID); d.Attempts != 0 || d.LastStatus != nil || *d.LastError != parked {
			t.Fatalf("parked without a request = %+v; want no attempt counted", d)
		}
		dead, n, err := f.a.Deliveries().List(f.ctx, model.DeliveryFilter{HookID: h.ID, Status: model.DeliveryDead}, store.Page{})
		mustOK(t, err, "list dead")
		if n != 1 || dead[0].ID != again[1].ID {
			t.Fatalf("dead = %+v", dead)
		}
		mustOK(t, f.a.Deliveries().Redeliver(f.ctx, dead[0].ID, due+5), "redeliver")
		d, _ = f.a.Deliveries().Get(f.ctx, dead[0].ID)
		if d.Status != model.DeliveryPending || d.Attempts != 0 || d.NextAttemptAt != due+5 || string(d.Body) != string(dead[0].Body) {
			t.Fatalf("redelivered = %+v", d)
		}
		if err := f.a.Deliveries().Redeliver(f.ctx, "missing", due); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("redeliver missing = %v", err)
		}
		if n, err := f.st.PendingDeliveries(f.ctx); err != nil || n != 3 {
			t.Fatalf("pending = %d, %v; want 3", n, err)
		}
		// A restarted single server frees its dead run's claims: due rows are claimable at once.
		if c, _ := f.st.ClaimDeliveries(f.ctx, due+10_000, due+70_000, 10); len(c) == 0 {
			t.Fatal("nothing to claim for the release check")
		}
		if c, _ := f.st.ClaimDeliveries(f.ctx, due+10_000, due+70_000, 10); len(c) != 0 {
			t.Fatalf("claimed rows were claimed again: %d", len(c))
		}
		freed, err := f.a.Deliveries().ReleaseClaims(f.ctx)
		mustOK(t, err, "release claims")
		if c, _ := f.st.ClaimDeliveries(f.ctx, due+10_000, due+70_000, 10); freed == 0 || len(c) != int(freed) {
			t.Fatalf("released %d, then claimed %d", freed, len(c))
		}
	})

	t.Run("finished deliveries are pruned, pending ones never", func(t *testing.T) {
		f := newFixture(t, open)
		h := f.newHook(f.a, "User.Created")
		ds := f.enqueue(f.a, h.ID, 2, f.now)
		claimed, err := f.st.ClaimDeliveries(f.ctx, f.now, f.now+60_000, 1)
		mustOK(t, err, "claim")
		mustOK(t, f.a.Deliveries().Finish(f.ctx, claimed[0].ID, claimed[0].ClaimToken,
			model.DeliveryOutcome{Status: model.DeliveryDelivered, At: f.now}), "finish")
		n, err := f.a.Deliveries().DeleteFinishedBefore(f.ctx, f.now+1)
		mustOK(t, err, "prune")
		left, total, _ := f.a.Deliveries().List(f.ctx, model.DeliveryFilter{}, store.Page{})
		if n != 1 || total != 1 || left[0].Status != model.DeliveryPending || len(ds) != 2 {
			t.Fatalf("pruned %d, left %+v", n, left)
		}
	})

	t.Run("claims never hand one delivery to two workers", func(t *testing.T) {
		f := newFixture(t, open)
		ha, hb := f.newHook(f.a, "User.Created"), f.newHook(f.b, "User.Created")
		f.enqueue(f.a, ha.ID, 60, f.now)
		f.enqueue(f.b, hb.ID, 60, f.now)
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					c, err := f.st.ClaimDeliveries(f.ctx, f.now, f.now+60_000, 7)
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
			batch[i] = model.Log{TenantID: f.a.ID(), ID: ids.New(), Key: "ExchangeTokenBy.ClientCredentials", Payload: []byte(payload), CreatedAt: f.tick()}
		}
		batch[249].Payload = []byte(`[1]`) // one bad entry refuses the whole batch: nothing half-written
		if err := f.a.Logs().Append(f.ctx, batch); err == nil {
			t.Fatal("a batch with a payload that is not an object was stored")
		}
		if n, _, err := f.a.Logs().Count(f.ctx, store.LogFilter{}, 0); err != nil || n != 0 {
			t.Fatalf("after the refused batch: %d entries, %v; want 0", n, err)
		}
		batch[249].Payload = []byte(`{"result":"Success","applicationId":"app0","userId":"u249"}`)
		mustOK(t, f.a.Logs().Append(f.ctx, batch), "append 250 logs")
		for _, c := range []struct {
			flt  store.LogFilter
			want int
		}{{store.LogFilter{}, 250}, {store.LogFilter{ApplicationID: "app1"}, 83}, {store.LogFilter{UserID: "u249"}, 1}} {
			if n, _, err := f.a.Logs().Count(f.ctx, c.flt, 0); err != nil || n != c.want {
				t.Errorf("count %+v = %d, %v; want %d", c.flt, n, err, c.want)
			}
		}
		got, err := f.a.Logs().Get(f.ctx, batch[200].ID)
		mustOK(t, err, "get the 201st entry")
		if string(got.Payload) != string(batch[200].Payload) || got.CreatedAt != batch[200].CreatedAt {
			t.Fatalf("entry 201 = %+v; want %+v", got, batch[200])
		}
	})

	t.Run("logs filter, count and page like Logto's", func(t *testing.T) {
		f := newFixture(t, open)
		add := func(tn store.Tenant, key, payload string) model.Log {
			l := model.Log{TenantID: tn.ID(), ID: ids.New(), Key: key, Payload: []byte(payload), CreatedAt: f.tick()}
			mustOK(t, tn.Logs().Append(f.ctx, []model.Log{l}), "append log")
			return l
		}
		first := add(f.a, "Interaction.SignIn.Submit", `{"key":"Interaction.SignIn.Submit","result":"Success","userId":"u1","applicationId":"app1"}`)
		add(f.a, "ExchangeTokenBy.ClientCredentials", `{"key":"x","result":"Error","applicationId":"app1"}`)
		add(f.a, "TriggerHook.User.Created", `{"key":"x","result":"Success","hookId":"h1"}`)
		add(f.a, "TriggerHook.User.Created", `{"key":"x","result":"Error","hookId":"h1"}`)
		add(f.a, "A_B%", `{"result":"Success","userId":7}`)
		last := add(f.a, "AxBy", `{"result":"Success"}`)
		add(f.b, "Interaction.SignIn.Submit", `{"result":"Success","userId":"u1"}`)

		count := func(flt store.LogFilter) int {
			n, _, err := f.a.Logs().Count(f.ctx, flt, 0)
			mustOK(t, err, "count")
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
		page, err := f.a.Logs().List(f.ctx, store.LogFilter{}, store.Page{Limit: 2, Offset: 1})
		mustOK(t, err, "list")
		if len(page) != 2 || page[0].Key != "A_B%" {
			t.Fatalf("page = %+v; want newest first, from the second", page)
		}
		if n, capped, err := f.a.Logs().Count(f.ctx, store.LogFilter{}, 3); err != nil || !capped || n != 4 {
			t.Fatalf("capped count = %d %v %v; want 4 (cap+1) and capped", n, capped, err)
		}
		st, err := f.a.Logs().HookStats(f.ctx, "h1", 0)
		mustOK(t, err, "hook stats")
		if st.RequestCount != 2 || st.SuccessCount != 1 {
			t.Fatalf("stats = %+v", st)
		}
		got, err := f.a.Logs().Get(f.ctx, first.ID)
		mustOK(t, err, "get log")
		if string(got.Payload) != string(first.Payload) || got.CreatedAt != first.CreatedAt {
			t.Fatalf("log = %+v", got)
		}
		if _, err := f.b.Logs().Get(f.ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant reads the log: %v", err)
		}
		if err := f.a.Logs().Append(f.ctx, []model.Log{{ID: ids.New(), Key: "k", Payload: []byte(`[1]`)}}); err == nil {
			t.Fatal("a payload that is not an object was stored")
		}
		n, err := f.a.Logs().DeleteBefore(f.ctx, last.CreatedAt)
		mustOK(t, err, "delete before")
		if n != 5 || count(store.LogFilter{}) != 1 {
			t.Fatalf("deleted %d, %d left", n, count(store.LogFilter{}))
		}
	})
}
