package service

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/service/webhooks"
)

// apiOrigin is the context of a Management API request to route, as management's router sets it.
func apiOrigin(ctx context.Context, method, path, route string, status int, params ...model.Param) context.Context {
	return model.WithOrigin(ctx, model.Origin{IP: "203.0.113.7", UserAgent: "test-agent", Method: method,
		Path: path, MatchedRoute: route, Status: status, Params: params})
}

func newHook(t *testing.T, env *testEnv, events ...string) model.Hook {
	t.Helper()
	h, err := env.svc.CreateHook(env.ctx, model.DefaultTenantID, webhooks.HookInput{Name: "receiver", Events: events,
		Config: model.HookConfig{URL: "https://receiver.example.com/hook"}})
	mustNoErr(t, err)
	return h
}

func deliveries(t *testing.T, env *testEnv, hookID string) []model.Delivery {
	t.Helper()
	ds, _, err := env.svc.ListDeliveries(env.ctx, model.DefaultTenantID, model.DeliveryFilter{HookID: hookID}, model.Page{})
	mustNoErr(t, err)
	return ds
}

// topKeys lists an object's keys in the order they appear.
func topKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		mustNoErr(t, err)
		keys = append(keys, k.(string))
		var skip json.RawMessage
		mustNoErr(t, dec.Decode(&skip))
	}
	return keys
}

func TestUserUpdateQueuesLogtoPayloadInItsTransaction(t *testing.T) {
	env := newEnv(t, Options{})
	hook := newHook(t, env, model.EventUserDataUpdated)
	other := newHook(t, env, model.EventRoleCreated)
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("alice")})
	mustNoErr(t, err)

	ctx := apiOrigin(env.ctx, "PATCH", "/users/"+u.ID, "/users/:userId", 200, model.Param{Name: "userId", Value: u.ID})
	_, err = env.svc.UpdateUser(ctx, model.DefaultTenantID, u.ID, users.UserPatch{Name: ptrTo(ptrTo("Alice A."))})
	mustNoErr(t, err)

	ds := deliveries(t, env, hook.ID)
	if len(ds) != 1 || ds[0].Event != model.EventUserDataUpdated || ds[0].Status != model.DeliveryPending {
		t.Fatalf("deliveries = %+v; want one pending User.Data.Updated", ds)
	}
	if n := len(deliveries(t, env, other.ID)); n != 0 {
		t.Errorf("a hook not subscribed to the event got %d deliveries", n)
	}
	d, err := env.svc.GetDelivery(env.ctx, model.DefaultTenantID, hook.ID, ds[0].ID)
	mustNoErr(t, err)
	want := []string{"event", "createdAt", "userAgent", "ip", "path", "method", "status", "params", "matchedRoute", "data", "hookId"}
	if got := topKeys(t, d.Body); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("payload keys = %v; want %v", got, want)
	}
	var p struct {
		Event, UserAgent, IP, Path, Method, MatchedRoute, HookID string
		Status                                                   int
		Params                                                   map[string]string
		Data                                                     struct {
			ID, Name    string
			HasPassword *bool
		}
	}
	mustNoErr(t, json.Unmarshal(d.Body, &p))
	if p.Data.ID != u.ID || p.Data.Name != "Alice A." || p.Data.HasPassword == nil || p.HookID != hook.ID ||
		p.Params["userId"] != u.ID || p.MatchedRoute != "/users/:userId" || p.Status != 200 || p.IP != "203.0.113.7" {
		t.Errorf("payload = %+v", p)
	}
}

func TestCustomDataEventCarriesOnlyTheRouteAnswer(t *testing.T) {
	env := newEnv(t, Options{})
	hook := newHook(t, env, model.EventUserDataUpdated)
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("bob")})
	mustNoErr(t, err)
	_, err = env.svc.PatchUserCustomData(env.ctx, model.DefaultTenantID, u.ID, json.RawMessage(`{"plan":"pro"}`))
	mustNoErr(t, err)
	ds := deliveries(t, env, hook.ID)
	if len(ds) != 1 {
		t.Fatalf("deliveries = %d; want 1", len(ds))
	}
	var p struct{ Data map[string]any }
	mustNoErr(t, json.Unmarshal(ds[0].Body, &p))
	if p.Data["plan"] != "pro" || p.Data["id"] != nil {
		t.Errorf("data = %v; want just the custom data, as Logto sends", p.Data)
	}
}

func TestFailedChangeQueuesNothing(t *testing.T) {
	env := newEnv(t, Options{})
	hook := newHook(t, env, model.EventRoleCreated, model.EventUserCreated)
	_, err := env.svc.CreateRole(env.ctx, model.DefaultTenantID, access.RoleInput{Name: "editors", ScopeIDs: []string{"no-such-scope"}})
	if err == nil {
		t.Fatal("creating a role with an unknown scope succeeded")
	}
	_, err = env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("carol")})
	mustNoErr(t, err)
	_, err = env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("carol")})
	if err == nil {
		t.Fatal("a duplicate username was accepted")
	}
	ds := deliveries(t, env, hook.ID)
	if len(ds) != 1 || ds[0].Event != model.EventUserCreated {
		t.Fatalf("deliveries = %+v; want only the one committed User.Created", ds)
	}
	logs, _, _, err := env.svc.ListLogs(env.ctx, model.DefaultTenantID, model.LogQuery{Filter: model.LogFilter{Key: model.EventRoleCreated}})
	mustNoErr(t, err)
	if len(logs) != 0 {
		t.Errorf("a rolled-back change left audit entries: %+v", logs)
	}
}

func TestDeletedUserEventHoldsTheUserBeforeDeletion(t *testing.T) {
	env := newEnv(t, Options{})
	hook := newHook(t, env, model.EventUserDeleted)
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("dave")})
	mustNoErr(t, err)
	ctx := apiOrigin(env.ctx, "DELETE", "/users/"+u.ID, "/users/:userId", 204, model.Param{Name: "userId", Value: u.ID})
	mustNoErr(t, env.svc.DeleteUser(ctx, model.DefaultTenantID, u.ID))
	ds := deliveries(t, env, hook.ID)
	if len(ds) != 1 {
		t.Fatalf("deliveries = %d; want 1", len(ds))
	}
	keys := topKeys(t, ds[0].Body)
	if keys[4] != "data" || keys[len(keys)-1] != "hookId" {
		t.Errorf("User.Deleted keys = %v; want data right after ip, as Logto's manual event", keys)
	}
	var p struct{ Data struct{ ID, Username string } }
	mustNoErr(t, json.Unmarshal(ds[0].Body, &p))
	if p.Data.ID != u.ID || p.Data.Username != "dave" {
		t.Errorf("data = %+v", p.Data)
	}
}

func TestAuditEntriesOfChanges(t *testing.T) {
	env := newEnv(t, Options{Passwords: &countingHasher{}})
	u, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("erin")})
	mustNoErr(t, err)
	env.clk.Advance(time.Second)
	ctx := apiOrigin(env.ctx, "PATCH", "/users/"+u.ID+"/password", "/users/:userId/password", 200, model.Param{Name: "userId", Value: u.ID})
	_, err = env.svc.SetUserPassword(ctx, model.DefaultTenantID, u.ID, "a long secret passphrase")
	mustNoErr(t, err)
	logs, total, _, err := env.svc.ListLogs(env.ctx, model.DefaultTenantID, model.LogQuery{Filter: model.LogFilter{UserID: u.ID}, Page: model.Page{Limit: 20}})
	mustNoErr(t, err)
	if total != 2 || logs[0].Key != model.EventUserDataUpdated || logs[1].Key != model.EventUserCreated {
		t.Fatalf("logs of the user = %d %+v; want User.Data.Updated then User.Created", total, logs)
	}
	if strings.Contains(string(logs[0].Payload), "passphrase") {
		t.Errorf("an audit entry holds the password: %s", logs[0].Payload)
	}
	var p struct{ Key, Result, IP, UserAgent, UserID, Path string }
	mustNoErr(t, json.Unmarshal(logs[0].Payload, &p))
	if p.Result != model.LogSuccess || p.IP != "203.0.113.7" || p.UserAgent != "test-agent" || p.UserID != u.ID || p.Path != "/users/"+u.ID+"/password" {
		t.Errorf("payload = %+v", p)
	}
	_, err = env.svc.GetLog(env.ctx, model.DefaultTenantID, "missing")
	wantCode(t, err, 404, "entity.not_exists_with_id")
}

func TestSubmittedInteractionsQueueLogtoInteractionPayloads(t *testing.T) {
	env := newEnv(t, Options{})
	hook := newHook(t, env, model.EventPostSignIn, model.EventPostRegister, model.EventUserCreated)
	app, err := env.svc.CreateApplication(env.ctx, model.DefaultTenantID, applications.CreateApplicationInput{
		Name: "LobeChat", Type: model.AppTraditional, RedirectURIs: []string{"https://lobe.example.com/cb"}})
	mustNoErr(t, err)
	interaction := func(event string) context.Context {
		return model.WithOrigin(env.ctx, model.Origin{IP: "198.51.100.4", UserAgent: "Firefox", InteractionEvent: event,
			SessionID: "interaction-1", ApplicationID: app.ID})
	}
	u, err := env.svc.CreateUser(interaction("Register"), model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("frank")})
	mustNoErr(t, err)
	mustNoErr(t, env.svc.RecordSignIn(interaction("Register"), model.DefaultTenantID, u.ID))
	env.clk.Advance(time.Second)
	mustNoErr(t, env.svc.RecordSignIn(interaction("SignIn"), model.DefaultTenantID, u.ID))

	byEvent := map[string]model.Delivery{}
	for _, d := range deliveries(t, env, hook.ID) {
		byEvent[d.Event] = d
	}
	if len(byEvent) != 3 {
		t.Fatalf("events = %v; want User.Created, PostRegister and PostSignIn", byEvent)
	}
	want := []string{"event", "interactionEvent", "createdAt", "sessionId", "userAgent", "userId", "userIp", "user", "application", "hookId"}
	if got := topKeys(t, byEvent[model.EventPostSignIn].Body); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("PostSignIn keys = %v; want %v", got, want)
	}
	var p struct {
		InteractionEvent, SessionID, UserID, UserIP string
		User                                        map[string]any
		Application                                 struct{ ID, Type, Name string }
	}
	mustNoErr(t, json.Unmarshal(byEvent[model.EventPostSignIn].Body, &p))
	if p.InteractionEvent != "SignIn" || p.SessionID != "interaction-1" || p.UserID != u.ID || p.UserIP != "198.51.100.4" ||
		p.User["username"] != "frank" || p.User["lastSignInAt"] == nil || p.Application.ID != app.ID || p.Application.Name != "LobeChat" {
		t.Errorf("PostSignIn payload = %+v", p)
	}
	if _, has := p.User["hasPassword"]; has {
		t.Error("an interaction payload's user carries the API-only hasPassword")
	}
	var reg struct{ InteractionEvent string }
	mustNoErr(t, json.Unmarshal(byEvent[model.EventPostRegister].Body, &reg))
	if reg.InteractionEvent != "Register" {
		t.Errorf("PostRegister interactionEvent = %q", reg.InteractionEvent)
	}
	created := topKeys(t, byEvent[model.EventUserCreated].Body)
	if strings.Join(created, ",") != "event,createdAt,userAgent,interactionEvent,sessionId,applicationId,ip,application,data,hookId" {
		t.Errorf("User.Created by a registration: keys %v", created)
	}
	logs, _, _, err := env.svc.ListLogs(env.ctx, model.DefaultTenantID, model.LogQuery{Filter: model.LogFilter{KeyPrefixes: []string{"Interaction"}}})
	mustNoErr(t, err)
	if len(logs) != 2 || logs[0].Key != "Interaction.SignIn.Submit" || logs[1].Key != "Interaction.Register.Submit" {
		t.Errorf("interaction audit entries = %+v", logs)
	}
}

func hookInput(event, url string) webhooks.HookInput {
	return webhooks.HookInput{Name: "bench", Events: []string{event}, Config: model.HookConfig{URL: url}}
}

func TestDisabledHookParksItsQueuedDeliveries(t *testing.T) {
	env := newEnv(t, Options{})
	hook := newHook(t, env, model.EventUserCreated)
	_, err := env.svc.CreateUser(env.ctx, model.DefaultTenantID, users.CreateUserInput{Username: ptrTo("ivy")})
	mustNoErr(t, err)
	off := false
	_, err = env.svc.UpdateHook(env.ctx, model.DefaultTenantID, hook.ID, webhooks.HookPatch{Enabled: &off})
	mustNoErr(t, err)
	jobs, err := env.svc.Claim(env.ctx, 10)
	mustNoErr(t, err)
	if len(jobs) != 0 {
		t.Fatalf("a disabled hook's delivery was handed to the worker: %+v", jobs)
	}
	ds := deliveries(t, env, hook.ID)
	if len(ds) != 1 || ds[0].Status != model.DeliveryDead || ds[0].Attempts != 0 || ds[0].LastError == nil {
		t.Fatalf("parked delivery = %+v; want dead, no attempt counted, the reason said", ds)
	}
}
