package service

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
)

// newClientApp creates a Traditional application in the default tenant.
func newClientApp(t *testing.T, env *testEnv) model.Application {
	t.Helper()
	app := model.Application{TenantID: model.DefaultTenantID, ID: ids.New(), Name: "web", Type: model.AppTraditional,
		CreatedAt: env.clk.Now().UnixMilli()}
	mustNoErr(t, env.st.Tenant(model.DefaultTenantID).Applications().Create(env.ctx, app))
	return app
}

func TestInteractionLifecycle(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	tenant := model.DefaultTenantID

	created, err := env.svc.CreateInteraction(env.ctx, tenant, model.Interaction{
		ClientID: app.ID, Prompt: "login",
		Params: model.AuthParams{ResponseType: "code", RedirectURI: "https://app/cb", Scope: "openid"},
	})
	mustNoErr(t, err)
	if len(created.UID) != 21 || created.Version != 1 || created.TenantID != tenant {
		t.Fatalf("created = %+v; want a 21-character uid, version 1, tenant %s", created, tenant)
	}
	if got := time.Duration(created.ExpiresAt-created.CreatedAt) * time.Millisecond; got != time.Hour {
		t.Fatalf("interaction lives %v, want Logto's 3600 s", got)
	}

	got, err := env.svc.GetInteraction(env.ctx, tenant, created.UID)
	mustNoErr(t, err)
	if got.UID != created.UID || got.Params.RedirectURI != "https://app/cb" {
		t.Fatalf("GetInteraction = %+v", got)
	}

	// The experience records a sign-in; the protocol's fields are not the experience's to change.
	got.Result = &model.InteractionResult{AccountID: "user1", AuthTime: 1_700_000_000, Event: "SignIn"}
	got.Experience = json.RawMessage(`{"step":2}`)
	got.Params.Scope = "openid admin"
	saved, err := env.svc.SaveInteraction(env.ctx, tenant, got)
	mustNoErr(t, err)
	if saved.Version != 2 || saved.Result == nil || saved.Result.AccountID != "user1" || saved.Params.Scope != "openid" {
		t.Fatalf("SaveInteraction = %+v; want version 2, the result, the original scope", saved)
	}
	reread, err := env.svc.GetInteraction(env.ctx, tenant, created.UID)
	mustNoErr(t, err)
	if reread.Version != 2 || reread.Result == nil || reread.Params.Scope != "openid" {
		t.Fatalf("stored after save = %+v", reread)
	}

	// Saving the copy read before the save lost the race.
	_, err = env.svc.SaveInteraction(env.ctx, tenant, got)
	wantCode(t, err, http.StatusConflict, "session.interaction_conflict")

	// Finishing with a stale copy fails; with the current one it succeeds exactly once.
	wantCode(t, env.svc.FinishInteraction(env.ctx, tenant, got), http.StatusBadRequest, "session.not_found")
	mustNoErr(t, env.svc.FinishInteraction(env.ctx, tenant, reread))
	wantCode(t, env.svc.FinishInteraction(env.ctx, tenant, reread), http.StatusBadRequest, "session.not_found")
	_, err = env.svc.GetInteraction(env.ctx, tenant, created.UID)
	wantCode(t, err, http.StatusBadRequest, "session.not_found")
}

func TestInteractionExpiresAndIsTenantScoped(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	created, err := env.svc.CreateInteraction(env.ctx, model.DefaultTenantID, model.Interaction{ClientID: app.ID, Prompt: "login"})
	mustNoErr(t, err)

	_, err = env.svc.GetInteraction(env.ctx, model.AdminTenantID, created.UID)
	wantCode(t, err, http.StatusBadRequest, "session.not_found")
	_, err = env.svc.GetInteraction(env.ctx, model.DefaultTenantID, "unknown")
	wantCode(t, err, http.StatusBadRequest, "session.not_found")

	env.clk.Advance(protocol.InteractionTTL - time.Second)
	_, err = env.svc.GetInteraction(env.ctx, model.DefaultTenantID, created.UID)
	mustNoErr(t, err)
	env.clk.Advance(time.Second)
	_, err = env.svc.GetInteraction(env.ctx, model.DefaultTenantID, created.UID)
	wantCode(t, err, http.StatusBadRequest, "session.not_found")
	created.Result = &model.InteractionResult{AccountID: "late"}
	_, err = env.svc.SaveInteraction(env.ctx, model.DefaultTenantID, created)
	wantCode(t, err, http.StatusBadRequest, "session.not_found")
}
