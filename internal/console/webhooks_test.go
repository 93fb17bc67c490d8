package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

var hookPath = regexp.MustCompile(`^/console/webhooks/([A-Za-z0-9]+)\?notice=saved$`)

func (h *harness) addHook(endpoint string) string {
	h.t.Helper()
	status, loc, body := h.post("/console/webhooks", url.Values{"name": {"LobeChat"}, "url": {endpoint}, "event": {"User.Data.Updated", "User.Created"}})
	m := hookPath.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		h.t.Fatalf("create hook: %d %q %s", status, loc, body)
	}
	return m[1]
}

// The create form's refusals land on the URL and the events.
func TestWebhookCreateFieldErrors(t *testing.T) {
	h := newHarness(t)
	status, _, body := h.post("/console/webhooks", url.Values{"name": {"x"}, "url": {"ftp://example.com/hook"}, "event": {"User.Created"}})
	if status != http.StatusBadRequest || fieldErrors(body)["url"] == "" {
		t.Fatalf("ftp URL: %d %v", status, fieldErrors(body))
	}
	if !strings.Contains(body, `value="User.Created" checked`) {
		t.Fatal("ticked events not kept")
	}
	if _, _, body = h.post("/console/webhooks", url.Values{"name": {"x"}, "url": {"https://example.com/hook"}}); fieldErrors(body)["events"] == "" {
		t.Fatalf("no events: %v", fieldErrors(body))
	}
}

// Test sends reach the endpoint signed with the hook's key; an endpoint's failure is shown.
func TestWebhookTestSendAndRotate(t *testing.T) {
	var got atomic.Int32
	var fail atomic.Bool
	var signature atomic.Value
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		signature.Store(r.Header.Get("logto-signature-sha-256"))
		if fail.Load() {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer endpoint.Close()
	h := newHarness(t)
	id := h.addHook(endpoint.URL + "/api/webhooks/logto")
	status, _, body := h.post("/console/webhooks/"+id+"/test", url.Values{})
	if status != http.StatusOK || got.Load() != 2 || !strings.Contains(body, `role="status"`) || signature.Load() == "" {
		t.Fatalf("test send: %d, %d requests, signature %v", status, got.Load(), signature.Load())
	}
	fail.Store(true)
	if status, _, body = h.post("/console/webhooks/"+id+"/test", url.Values{}); status != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("failing endpoint: %d", status)
	}
	before, _ := h.svc.GetHook(h.ctx, model.DefaultTenantID, id)
	if status, _, _ = h.post("/console/webhooks/"+id+"/rotate", url.Values{}); status != http.StatusBadRequest {
		t.Fatalf("unconfirmed rotation: %d", status)
	}
	if after, _ := h.svc.GetHook(h.ctx, model.DefaultTenantID, id); after.SigningKey != before.SigningKey {
		t.Fatal("rotated without confirmation")
	}
	h.post("/console/webhooks/"+id+"/rotate", url.Values{"confirm": {"yes"}})
	after, _ := h.svc.GetHook(h.ctx, model.DefaultTenantID, id)
	if after.SigningKey == before.SigningKey {
		t.Fatal("key not rotated")
	}
	if _, page := h.get("/console/webhooks/" + id); !strings.Contains(page, after.SigningKey) {
		t.Fatal("new key not shown")
	}
}

// A change's event shows as a delivery; a dead letter can be sent again; the hook can be
// disabled and deleted.
func TestWebhookDeliveriesAndRedeliver(t *testing.T) {
	h := newHarness(t)
	id := h.addHook("https://lobe.example.com/api/webhooks/logto")
	name := "mira"
	if _, err := h.svc.CreateUser(h.ctx, model.DefaultTenantID, users.CreateUserInput{Username: &name}); err != nil {
		t.Fatal(err)
	}
	_, page := h.get("/console/webhooks/" + id)
	if !strings.Contains(page, "User.Created") || !strings.Contains(page, ">pending<") {
		t.Fatalf("the delivery is not listed:\n%s", page)
	}
	jobs, err := h.svc.Claim(h.ctx, 10)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v %d", err, len(jobs))
	}
	msg := "connection refused"
	if err := h.svc.Finish(h.ctx, jobs[0], webhook.Result{Err: errString(msg)}, model.DeliveryOutcome{Status: model.DeliveryDead, Error: &msg, At: time.Now().UnixMilli()}); err != nil {
		t.Fatal(err)
	}
	_, page = h.get("/console/webhooks/" + id + "?status=dead")
	if !strings.Contains(page, "connection refused") || !strings.Contains(page, "/redeliver") {
		t.Fatalf("dead letter not listed with a redeliver button")
	}
	if status, _, _ := h.post("/console/webhooks/"+id+"/deliveries/"+jobs[0].Delivery.ID+"/redeliver", url.Values{}); status != http.StatusOK {
		t.Fatalf("redeliver: %d", status)
	}
	if list, _, _ := h.svc.ListDeliveries(h.ctx, model.DefaultTenantID, model.DeliveryFilter{HookID: id, Status: model.DeliveryPending}, model.Page{Limit: 5}); len(list) != 1 {
		t.Fatalf("not pending again: %d", len(list))
	}
	h.post("/console/webhooks/"+id, url.Values{"name": {"LobeChat"}, "url": {"https://lobe.example.com/api/webhooks/logto"}, "event": {"User.Data.Updated"}})
	if hook, _ := h.svc.GetHook(h.ctx, model.DefaultTenantID, id); hook.Enabled || len(hook.Events) != 1 {
		t.Fatalf("edit: enabled %v events %v", hook.Enabled, hook.Events)
	}
	h.post("/console/webhooks/"+id+"/delete", url.Values{"confirm": {"yes"}})
	if status, _ := h.get("/console/webhooks/" + id); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
