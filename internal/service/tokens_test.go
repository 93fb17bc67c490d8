package service

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

const oidcTenant = model.DefaultTenantID

// signedIn starts a session for account and authorizes app in it.
func signedIn(t *testing.T, env *testEnv, app model.Application, account string, persists bool) (model.Session, model.Grant, model.SessionAuthorization) {
	t.Helper()
	sess, _, err := env.svc.SignIn(env.ctx, oidcTenant, nil, protocol.SessionLogin{AccountID: account, AuthTime: env.clk.Now().Unix(), AMR: []string{"pwd"}}, 0)
	mustNoErr(t, err)
	g, auth, err := env.svc.AuthorizeClient(env.ctx, oidcTenant, protocol.Authorization{SessionID: sess.ID, AccountID: account, ClientID: app.ID,
		Scopes: []string{"openid", "profile"}, ResourceScopes: map[string][]string{"https://api": {"read"}}, PersistsLogout: persists})
	mustNoErr(t, err)
	return sess, g, auth
}

func (env *testEnv) tokensFor(g model.Grant, withRefresh bool) protocol.NewTokens {
	now := env.clk.Now().UnixMilli()
	out := protocol.NewTokens{AccessToken: &model.AccessToken{GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID,
		Scope: "openid", CreatedAt: now, ExpiresAt: now + 3_600_000}}
	if withRefresh {
		out.RefreshToken = &model.RefreshToken{GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID,
			Scope: "openid offline_access", FirstIssuedAt: now, CreatedAt: now, ExpiresAt: now + 14*86_400_000}
	}
	return out
}

func TestAuthorizeClientReusesAndWidensTheSessionGrant(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	sess, g, auth := signedIn(t, env, app, "user1", false)
	if auth.SID == "" || auth.GrantID != g.ID || auth.ClientID != app.ID {
		t.Fatalf("authorization = %+v", auth)
	}
	if got := time.Duration(g.ExpiresAt-g.CreatedAt) * time.Millisecond; got != protocol.GrantTTL {
		t.Fatalf("grant lives %v, want %v", got, protocol.GrantTTL)
	}

	again, auth2, err := env.svc.AuthorizeClient(env.ctx, oidcTenant, protocol.Authorization{SessionID: sess.ID, AccountID: "user1", ClientID: app.ID,
		Scopes: []string{"email", "openid"}, ResourceScopes: map[string][]string{"https://api": {"write"}, "https://b": {"x"}}, PersistsLogout: true})
	mustNoErr(t, err)
	if again.ID != g.ID || auth2.SID != auth.SID {
		t.Fatalf("second authorization made grant %s sid %s; want the session's grant %s and sid %s", again.ID, auth2.SID, g.ID, auth.SID)
	}
	wantEqual := func(got, want any, what string) {
		t.Helper()
		if !equalJSONValues(got, want) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
	wantEqual(again.Scopes, []string{"openid", "profile", "email"}, "widened scopes")
	wantEqual(again.ResourceScopes, map[string][]string{"https://api": {"read", "write"}, "https://b": {"x"}}, "widened resource scopes")
	if !auth2.PersistsLogout {
		t.Fatal("offline_access granted later must make the authorization persist logout")
	}
	stored, err := env.svc.GetGrant(env.ctx, oidcTenant, g.ID)
	mustNoErr(t, err)
	wantEqual(stored.Scopes, again.Scopes, "stored scopes")

	// Another account in the same session never inherits the grant.
	other, _, err := env.svc.AuthorizeClient(env.ctx, oidcTenant, protocol.Authorization{SessionID: sess.ID, AccountID: "user2", ClientID: app.ID, Scopes: []string{"openid"}})
	mustNoErr(t, err)
	if other.ID == g.ID {
		t.Fatal("a second account reused the first account's grant")
	}
}

func TestAuthorizationCodeIsOneTime(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	_, g, _ := signedIn(t, env, app, "user1", false)
	now := env.clk.Now().UnixMilli()
	code, err := env.svc.IssueAuthorizationCode(env.ctx, oidcTenant, model.AuthorizationCode{GrantID: g.ID, ClientID: app.ID, AccountID: "user1",
		RedirectURI: "https://app/cb", Scope: "openid", CreatedAt: now, ExpiresAt: now + protocol.AuthorizationCodeTTL.Milliseconds()})
	mustNoErr(t, err)
	if len(code) != 43 {
		t.Fatalf("code %q: want 43 characters (256 bits)", code)
	}
	// Only the digest is stored: the code itself is no key to the row.
	if _, err := env.st.Tenant(oidcTenant).OIDC().AuthorizationCodeByHash(env.ctx, code); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the code itself found a row (err %v): codes must be stored hashed", err)
	}
	rec, err := env.svc.FindAuthorizationCode(env.ctx, oidcTenant, code)
	mustNoErr(t, err)

	const n = 6
	var wg sync.WaitGroup
	results := make([]protocol.IssuedTokens, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = env.svc.RedeemAuthorizationCode(env.ctx, oidcTenant, rec.Hash, env.tokensFor(g, true))
		}()
	}
	wg.Wait()
	wins := 0
	for i := range n {
		switch {
		case errs[i] == nil:
			wins++
			if results[i].AccessToken == "" || results[i].RefreshToken == "" {
				t.Fatalf("winning redemption issued %+v", results[i])
			}
		case errors.Is(errs[i], protocol.ErrConsumed):
			if results[i] != (protocol.IssuedTokens{}) {
				t.Fatalf("losing redemption issued %+v", results[i])
			}
		default:
			t.Fatalf("redeem: %v", errs[i])
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent redemptions of one code succeeded, want exactly 1", wins)
	}
	_, err = env.svc.FindAuthorizationCode(env.ctx, oidcTenant, "not-a-code")
	if !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
}

func TestRefreshRotationLeewayAndReuse(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	_, g, _ := signedIn(t, env, app, "user1", false)
	var first protocol.IssuedTokens
	err := env.st.InTx(env.ctx, oidcTenant, func(tx store.Tenant) error {
		var err error
		first, err = protocol.StoreTokens(env.ctx, tx.OIDC(), env.tokensFor(g, true))
		return err
	})
	mustNoErr(t, err)
	old, err := env.svc.FindRefreshToken(env.ctx, oidcTenant, first.RefreshToken)
	mustNoErr(t, err)

	rotated, err := env.svc.ExchangeRefreshToken(env.ctx, oidcTenant, old, true, env.tokensFor(g, true))
	mustNoErr(t, err)
	if rotated.RefreshToken == "" || rotated.RefreshToken == first.RefreshToken {
		t.Fatalf("rotation returned %q", rotated.RefreshToken)
	}
	consumed, err := env.svc.FindRefreshToken(env.ctx, oidcTenant, first.RefreshToken)
	mustNoErr(t, err)
	if consumed.ConsumedAt == nil || !protocol.RefreshUsable(consumed, env.clk.Now()) {
		t.Fatalf("just-rotated token: consumed_at %v usable %v; want consumed and still usable in the leeway",
			consumed.ConsumedAt, protocol.RefreshUsable(consumed, env.clk.Now()))
	}

	// Within the leeway the rotated token still refreshes (concurrent refreshes of one app).
	env.clk.Advance(protocol.RefreshTokenReuseInterval - time.Millisecond)
	_, err = env.svc.ExchangeRefreshToken(env.ctx, oidcTenant, old, true, env.tokensFor(g, true))
	mustNoErr(t, err)
	// Past it, the store refuses: this is reuse.
	env.clk.Advance(2 * time.Millisecond)
	if protocol.RefreshUsable(consumed, env.clk.Now()) {
		t.Fatal("rotated token still usable after the leeway")
	}
	_, err = env.svc.ExchangeRefreshToken(env.ctx, oidcTenant, old, true, env.tokensFor(g, true))
	if !errors.Is(err, protocol.ErrConsumed) {
		t.Fatalf("reuse after the leeway: err %v, want protocol.ErrConsumed", err)
	}
	// Without rotation nothing is consumed.
	fresh, err := env.svc.FindRefreshToken(env.ctx, oidcTenant, rotated.RefreshToken)
	mustNoErr(t, err)
	kept, err := env.svc.ExchangeRefreshToken(env.ctx, oidcTenant, fresh, false, protocol.NewTokens{AccessToken: env.tokensFor(g, false).AccessToken})
	mustNoErr(t, err)
	if kept.RefreshToken != "" || kept.AccessToken == "" {
		t.Fatalf("refresh without rotation issued %+v", kept)
	}
	fresh, err = env.svc.FindRefreshToken(env.ctx, oidcTenant, rotated.RefreshToken)
	mustNoErr(t, err)
	if fresh.ConsumedAt != nil {
		t.Fatal("a refresh without rotation consumed the token")
	}

	// Revoking the grant takes every token along.
	mustNoErr(t, env.svc.RevokeGrant(env.ctx, oidcTenant, g.ID))
	for _, tok := range []string{rotated.RefreshToken, first.RefreshToken} {
		if _, err := env.svc.FindRefreshToken(env.ctx, oidcTenant, tok); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("refresh token survived the revocation: %v", err)
		}
	}
	if _, err := env.svc.FindAccessToken(env.ctx, oidcTenant, kept.AccessToken); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("access token survived the revocation: %v", err)
	}
}

func TestSessionsSignInAndOut(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	other := newClientApp(t, env)
	login := protocol.SessionLogin{AccountID: "user1", AuthTime: env.clk.Now().Unix(), AMR: []string{"pwd"}}
	sess, secret, err := env.svc.SignIn(env.ctx, oidcTenant, nil, login, time.Hour)
	mustNoErr(t, err)
	found, err := env.svc.FindSession(env.ctx, oidcTenant, secret)
	mustNoErr(t, err)
	if found.ID != sess.ID || found.AccountID != "user1" {
		t.Fatalf("FindSession = %+v", found)
	}
	if _, err := env.svc.FindSession(env.ctx, oidcTenant, ""); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("empty cookie: %v", err)
	}

	// Signing in again as the same user keeps the session and its authorizations, with a new secret.
	_, persist, _ := authorize(t, env, sess, app, true)
	_, drop, _ := authorize(t, env, sess, other, false)
	again, secret2, err := env.svc.SignIn(env.ctx, oidcTenant, &found, login, time.Hour)
	mustNoErr(t, err)
	if again.ID != sess.ID || secret2 == secret {
		t.Fatalf("re-sign-in: session %s (was %s), secret changed %v", again.ID, sess.ID, secret2 != secret)
	}
	if _, err := env.svc.FindSession(env.ctx, oidcTenant, secret); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the old cookie still works after a new sign-in: %v", err)
	}
	auths, err := env.svc.SessionAuthorizations(env.ctx, oidcTenant, sess.ID)
	mustNoErr(t, err)
	if len(auths) != 2 {
		t.Fatalf("authorizations after re-sign-in: %+v", auths)
	}

	// Logout revokes the grants that do not persist logout and ends the session.
	mustNoErr(t, env.svc.EndSession(env.ctx, oidcTenant, sess.ID))
	if _, err := env.svc.FindSession(env.ctx, oidcTenant, secret2); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("session survived logout: %v", err)
	}
	if _, err := env.svc.GetGrant(env.ctx, oidcTenant, drop.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("grant without offline_access survived logout: %v", err)
	}
	if _, err := env.svc.GetGrant(env.ctx, oidcTenant, persist.ID); err != nil {
		t.Fatalf("grant with offline_access was revoked by logout: %v", err)
	}

	// Signing in as someone else ends the previous user's session.
	s1, _, err := env.svc.SignIn(env.ctx, oidcTenant, nil, login, time.Hour)
	mustNoErr(t, err)
	_, g1, _ := authorize(t, env, s1, app, false)
	s2, _, err := env.svc.SignIn(env.ctx, oidcTenant, &s1, protocol.SessionLogin{AccountID: "user2", AuthTime: 1}, time.Hour)
	mustNoErr(t, err)
	if s2.ID == s1.ID || s2.AccountID != "user2" {
		t.Fatalf("sign-in as another user reused the session: %+v", s2)
	}
	if _, err := env.svc.GetGrant(env.ctx, oidcTenant, g1.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("the previous user's grant survived: %v", err)
	}

	// Sessions expire.
	env.clk.Advance(time.Hour)
	if _, err := env.svc.FindSession(env.ctx, oidcTenant, secret2); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("expired session found: %v", err)
	}
}

func authorize(t *testing.T, env *testEnv, sess model.Session, app model.Application, persists bool) (model.Session, model.Grant, model.SessionAuthorization) {
	t.Helper()
	g, a, err := env.svc.AuthorizeClient(env.ctx, oidcTenant, protocol.Authorization{SessionID: sess.ID, AccountID: sess.AccountID, ClientID: app.ID,
		Scopes: []string{"openid"}, PersistsLogout: persists})
	mustNoErr(t, err)
	return sess, g, a
}

func TestEndClientSessionAndCleanup(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	sess, g, _ := signedIn(t, env, app, "user1", false)
	mustNoErr(t, env.svc.EndClientSession(env.ctx, oidcTenant, sess.ID, app.ID))
	if _, err := env.svc.GetGrant(env.ctx, oidcTenant, g.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("client logout left its grant: %v", err)
	}
	auths, err := env.svc.SessionAuthorizations(env.ctx, oidcTenant, sess.ID)
	mustNoErr(t, err)
	if len(auths) != 0 {
		t.Fatalf("authorizations after client logout: %+v", auths)
	}

	_, g2, _ := signedIn(t, env, app, "user2", false)
	env.clk.Advance(protocol.GrantTTL + time.Second)
	if _, err := env.svc.GetGrant(env.ctx, oidcTenant, g2.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("expired grant found: %v", err)
	}
	n, err := env.svc.DeleteExpiredArtifacts(env.ctx)
	mustNoErr(t, err)
	if n < 3 { // two sessions and a grant at least
		t.Fatalf("DeleteExpiredArtifacts removed %d rows", n)
	}
	if _, err := env.st.Tenant(oidcTenant).OIDC().GetGrant(env.ctx, g2.ID); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("expired grant still stored: %v", err)
	}
}

// equalJSONValues compares two values by their JSON encoding (map order does not matter).
func equalJSONValues(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(x) == string(y)
}
