package service

import (
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
)

func TestSeedWithGivenKeys(t *testing.T) {
	env := newEnv(t, Options{}) // seeded already; seed a second database with given keys below
	now := env.clk.Now()
	k1, err := keys.Generate(keys.KindEC, now)
	mustNoErr(t, err)
	k2, err := keys.Generate(keys.KindEC, now)
	mustNoErr(t, err)

	other := newUnseeded(t)
	seeded, err := other.svc.Seed(other.ctx, seed.SeedOptions{PrivateKeys: []string{k1.Value, k2.Value}, CookieKeys: []string{"cookie-one", "cookie-two"}})
	if err != nil || !seeded {
		t.Fatalf("Seed = %v, %v", seeded, err)
	}
	list, err := other.svc.ListKeys(other.ctx, model.DefaultTenantID, keyring.KeyTypePrivateKeys)
	mustNoErr(t, err)
	if len(list) != 2 || list[0].Status != model.KeyCurrent || list[1].Status != model.KeyPrevious {
		t.Fatalf("keys = %+v; want Current then Previous", list)
	}
	var stored []model.PrivateKey
	mustNoErr(t, core.GetConfig(other.ctx, other.st.Tenant(model.DefaultTenantID).Configs(), model.ConfigPrivateKeys, &stored))
	if stored[0].Value != k1.Value {
		t.Error("the first OIDC_PRIVATE_KEYS entry is not the Current key")
	}
	var cookies []model.CookieKey
	mustNoErr(t, core.GetConfig(other.ctx, other.st.Tenant(model.AdminTenantID).Configs(), model.ConfigCookieKeys, &cookies))
	if len(cookies) != 2 || cookies[0].Value != "cookie-one" {
		t.Errorf("cookie keys = %+v", cookies)
	}

	bad := newUnseeded(t)
	if _, err := bad.svc.Seed(bad.ctx, seed.SeedOptions{PrivateKeys: []string{"not a key"}}); err == nil {
		t.Error("Seed with a malformed key succeeded")
	}
}

// newUnseeded is newEnv without the seed.
func newUnseeded(t *testing.T) *testEnv {
	t.Helper()
	env := newEnvNoSeed(t, Options{})
	return env
}

func TestRotateAndDeleteKeys(t *testing.T) {
	env := newEnv(t, Options{KeyRotationGracePeriod: time.Hour})
	ctx, tenant := env.ctx, model.DefaultTenantID
	before, err := env.svc.ListKeys(ctx, tenant, keyring.KeyTypePrivateKeys)
	mustNoErr(t, err)
	original := before[0].ID

	// The configured grace period stages the new key as Next, effective in an hour.
	staged, err := env.svc.RotateKeys(ctx, tenant, keyring.KeyTypePrivateKeys, "RSA")
	mustNoErr(t, err)
	if len(staged) != 2 || staged[0].Status != model.KeyNext || staged[0].SigningKeyAlgorithm != "RSA" ||
		staged[1].ID != original || staged[1].Status != model.KeyCurrent {
		t.Fatalf("after staged rotation = %+v", staged)
	}
	wantAt := env.clk.Now().Add(time.Hour).UnixMilli()
	if staged[0].EffectiveAt == nil || *staged[0].EffectiveAt != wantAt {
		t.Errorf("effectiveAt = %v; want %d", staged[0].EffectiveAt, wantAt)
	}
	next := staged[0].ID

	// An immediate rotation is refused while a Next key waits, as Logto does.
	zero := time.Duration(0)
	_, err = env.svc.RotateKeysWithGrace(ctx, tenant, keyring.KeyTypePrivateKeys, "EC", &zero)
	wantCode(t, err, http.StatusUnprocessableEntity, "oidc.invalid_request")

	// Neither the Current nor the Next key can be deleted.
	wantCode(t, env.svc.DeleteKey(ctx, tenant, keyring.KeyTypePrivateKeys, original), http.StatusUnprocessableEntity, "oidc.only_previous_key_can_be_deleted")
	wantCode(t, env.svc.DeleteKey(ctx, tenant, keyring.KeyTypePrivateKeys, "nope"), http.StatusNotFound, "oidc.key_not_found")

	// Once the grace period is over the listing shows (and stores) the promotion.
	env.clk.Advance(time.Hour + time.Second)
	after, err := env.svc.ListKeys(ctx, tenant, keyring.KeyTypePrivateKeys)
	mustNoErr(t, err)
	if len(after) != 2 || after[0].ID != next || after[0].Status != model.KeyCurrent ||
		after[1].ID != original || after[1].Status != model.KeyPrevious || after[0].EffectiveAt != nil {
		t.Fatalf("after promotion = %+v", after)
	}

	// The Previous key can go; then the last key cannot.
	mustNoErr(t, env.svc.DeleteKey(ctx, tenant, keyring.KeyTypePrivateKeys, original))
	wantCode(t, env.svc.DeleteKey(ctx, tenant, keyring.KeyTypePrivateKeys, next), http.StatusUnprocessableEntity, "oidc.key_required")

	// Immediate rotation: new Current, old Current becomes Previous.
	imm, err := env.svc.RotateKeysWithGrace(ctx, tenant, keyring.KeyTypePrivateKeys, "", &zero)
	mustNoErr(t, err)
	if len(imm) != 2 || imm[0].Status != model.KeyCurrent || imm[0].SigningKeyAlgorithm != "EC" || imm[1].ID != next || imm[1].Status != model.KeyPrevious {
		t.Fatalf("after immediate rotation = %+v", imm)
	}

	// Cookie keys: the new one first, at most two kept; no grace period accepted.
	c1, err := env.svc.RotateKeys(ctx, tenant, keyring.KeyTypeCookieKeys, "")
	mustNoErr(t, err)
	c2, err := env.svc.RotateKeys(ctx, tenant, keyring.KeyTypeCookieKeys, "")
	mustNoErr(t, err)
	if len(c2) != 2 || c2[1].ID != c1[0].ID {
		t.Errorf("cookie keys after two rotations = %+v", c2)
	}
	_, err = env.svc.RotateKeysWithGrace(ctx, tenant, keyring.KeyTypeCookieKeys, "", &zero)
	wantCode(t, err, http.StatusUnprocessableEntity, "oidc.invalid_request")
	mustNoErr(t, env.svc.DeleteKey(ctx, tenant, keyring.KeyTypeCookieKeys, c1[0].ID))
	wantCode(t, env.svc.DeleteKey(ctx, tenant, keyring.KeyTypeCookieKeys, c2[0].ID), http.StatusUnprocessableEntity, "oidc.key_required")

	_, err = env.svc.ListKeys(ctx, tenant, "session")
	wantCode(t, err, http.StatusBadRequest, "guard.invalid_input")
}
