package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// oidcFixture is a store with a client application in tenant A and helpers that create protocol
// artifacts for it. Hashes are arbitrary distinct strings: the store treats them as opaque keys.
type oidcFixture struct {
	*fixture
	client model.Application
}

func newOIDCFixture(t *testing.T, open func(t *testing.T) store.Store) *oidcFixture {
	f := newFixture(t, open)
	return &oidcFixture{fixture: f, client: f.newApp(f.a, "web", func(a *model.Application) { a.Type = model.AppTraditional })}
}

func (f *oidcFixture) newInteraction(tn store.Tenant, clientID string) model.Interaction {
	f.t.Helper()
	maxAge := int64(300)
	in := model.Interaction{
		TenantID: tn.ID(),
		UID:      ids.NewString(21),
		ClientID: clientID,
		Params: model.AuthParams{
			ResponseType: "code", RedirectURI: "https://app.example.com/cb", Scope: "openid profile",
			State: "st", Nonce: "n", CodeChallenge: strings.Repeat("c", 43), CodeChallengeMethod: "S256",
			Prompt: []string{"login"}, MaxAge: &maxAge, Resource: []string{"https://api.example.com"},
		},
		SessionID: "",
		Prompt:    "login",
		Version:   1,
		CreatedAt: f.tick(),
	}
	in.ExpiresAt = in.CreatedAt + 3_600_000
	mustOK(f.t, tn.OIDC().CreateInteraction(f.ctx, in), "CreateInteraction")
	return in
}

func (f *oidcFixture) newGrant(tn store.Tenant, clientID, accountID string) store.Grant {
	f.t.Helper()
	g := store.Grant{
		ID: ids.New(), AccountID: accountID, ClientID: clientID,
		Scopes:         []string{"openid", "profile", "offline_access"},
		ResourceScopes: map[string][]string{"https://api.example.com": {"read", "write"}},
		CreatedAt:      f.tick(),
	}
	g.ExpiresAt = g.CreatedAt + 180*86_400_000
	mustOK(f.t, tn.OIDC().CreateGrant(f.ctx, g), "CreateGrant")
	return g
}

func (f *oidcFixture) newSession(tn store.Tenant, accountID string) store.Session {
	f.t.Helper()
	s := store.Session{ID: ids.New(), TokenHash: "session-" + ids.NewString(20), AccountID: accountID,
		AuthTime: 1_700_000_000, AMR: []string{"pwd"}, CreatedAt: f.tick()}
	s.ExpiresAt = s.CreatedAt + 14*86_400_000
	mustOK(f.t, tn.OIDC().CreateSession(f.ctx, s), "CreateSession")
	return s
}

func (f *oidcFixture) newCode(tn store.Tenant, g store.Grant, hash string) store.AuthorizationCode {
	f.t.Helper()
	c := store.AuthorizationCode{
		Hash: hash, GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID, SessionID: "s1", SID: "sid-1",
		RedirectURI: "https://app.example.com/cb", Scope: "openid profile offline_access read",
		Resources: []string{"https://api.example.com"}, Nonce: "nonce", CodeChallenge: strings.Repeat("x", 43),
		CodeChallengeMethod: "S256", AuthTime: 1_700_000_000, CreatedAt: f.tick(),
	}
	c.ExpiresAt = c.CreatedAt + 60_000
	mustOK(f.t, tn.OIDC().CreateAuthorizationCode(f.ctx, c), "CreateAuthorizationCode")
	return c
}

func (f *oidcFixture) newAccessToken(tn store.Tenant, g store.Grant, hash string) store.AccessToken {
	f.t.Helper()
	at := store.AccessToken{Hash: hash, GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID,
		Scope: "openid profile", SID: "sid-1", CreatedAt: f.tick()}
	at.ExpiresAt = at.CreatedAt + 3_600_000
	mustOK(f.t, tn.OIDC().CreateAccessToken(f.ctx, at), "CreateAccessToken")
	return at
}

func (f *oidcFixture) newRefreshToken(tn store.Tenant, g store.Grant, hash string) store.RefreshToken {
	f.t.Helper()
	rt := store.RefreshToken{Hash: hash, GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID,
		Scope: "openid offline_access", Resources: []string{"https://api.example.com"}, Nonce: "n", SID: "sid-1",
		AuthTime: 1_700_000_000, Rotations: 2, FirstIssuedAt: 1_600_000_000_000, CreatedAt: f.tick()}
	rt.ExpiresAt = rt.CreatedAt + 14*86_400_000
	mustOK(f.t, tn.OIDC().CreateRefreshToken(f.ctx, rt), "CreateRefreshToken")
	return rt
}

func testOIDC(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("interaction round trip", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.a, f.client.ID)
		got, err := f.a.OIDC().GetInteraction(f.ctx, in.UID)
		mustOK(t, err, "GetInteraction")
		wantEqual(t, got, in, "stored interaction")
		_, err = f.b.OIDC().GetInteraction(f.ctx, in.UID)
		wantNotFound(t, err, "interaction seen from another tenant")
		_, err = f.a.OIDC().GetInteraction(f.ctx, "nope")
		wantNotFound(t, err, "unknown interaction")
	})

	t.Run("interaction update is optimistic and touches only result and experience", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.a, f.client.ID)
		changed := in
		changed.Result = &model.InteractionResult{AccountID: "user1", AuthTime: 1_700_000_100, AMR: []string{"pwd"}, Event: "SignIn",
			Consent: &model.InteractionConsent{Scopes: []string{"openid"}, ResourceScopes: map[string][]string{"https://api": {"read"}}}}
		changed.Experience = json.RawMessage(`{"event":"SignIn","verifications":[1,2]}`)
		// Protocol-owned fields must survive whatever the caller sends.
		changed.Prompt, changed.AccountID, changed.ClientID, changed.Params.Scope = "consent", "intruder", "other", "openid admin"
		now := in.CreatedAt // before the interaction expires
		returned, err := f.a.OIDC().UpdateInteraction(f.ctx, changed, now)
		mustOK(t, err, "UpdateInteraction")

		got, err := f.a.OIDC().GetInteraction(f.ctx, in.UID)
		mustOK(t, err, "GetInteraction")
		returned.Experience = canonicalJSON(t, returned.Experience)
		want := in
		want.Version = 2
		want.Result = changed.Result
		want.Experience = changed.Experience
		got.Experience = canonicalJSON(t, got.Experience)
		want.Experience = canonicalJSON(t, want.Experience)
		wantEqual(t, got, want, "updated interaction")
		wantEqual(t, returned, want, "interaction returned by the update")

		_, err = f.a.OIDC().UpdateInteraction(f.ctx, changed, now)
		wantConflict(t, err, store.UniqueInteractionVersion, "update with a stale version")
		missing := changed
		missing.UID = "missing"
		_, err = f.a.OIDC().UpdateInteraction(f.ctx, missing, now)
		wantNotFound(t, err, "update of an unknown interaction")
		other := got
		_, err = f.b.OIDC().UpdateInteraction(f.ctx, other, now)
		wantNotFound(t, err, "update from another tenant")
		_, err = f.a.OIDC().UpdateInteraction(f.ctx, got, got.ExpiresAt)
		wantNotFound(t, err, "update of an expired interaction")
	})

	t.Run("concurrent updates: exactly one wins each version", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.a, f.client.ID)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := in
				u.Experience = json.RawMessage(fmt.Sprintf(`{"writer":%d}`, i))
				_, errs[i] = f.a.OIDC().UpdateInteraction(f.ctx, u, in.CreatedAt)
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				wantConflict(t, err, store.UniqueInteractionVersion, "losing concurrent update")
			}
		}
		if wins != 1 {
			t.Fatalf("%d concurrent updates of version 1 succeeded, want exactly 1", wins)
		}
		got, err := f.a.OIDC().GetInteraction(f.ctx, in.UID)
		mustOK(t, err, "GetInteraction")
		if got.Version != 2 {
			t.Fatalf("version = %d after one successful update, want 2", got.Version)
		}
	})

	t.Run("interaction delete is version checked", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.a, f.client.ID)
		wantConflict(t, f.a.OIDC().DeleteInteraction(f.ctx, in.UID, in.Version+1), store.UniqueInteractionVersion, "delete with a wrong version")
		wantNotFound(t, f.b.OIDC().DeleteInteraction(f.ctx, in.UID, in.Version), "delete from another tenant")
		mustOK(t, f.a.OIDC().DeleteInteraction(f.ctx, in.UID, in.Version), "DeleteInteraction")
		wantNotFound(t, f.a.OIDC().DeleteInteraction(f.ctx, in.UID, in.Version), "second delete")
		_, err := f.a.OIDC().GetInteraction(f.ctx, in.UID)
		wantNotFound(t, err, "deleted interaction")
	})

	t.Run("interaction uid is unique and validated", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.a, f.client.ID)
		wantConflict(t, f.a.OIDC().CreateInteraction(f.ctx, in), store.UniqueInteractionUID, "duplicate uid")
		long := in
		long.UID = strings.Repeat("u", 65)
		wantInvalid(t, f.a.OIDC().CreateInteraction(f.ctx, long), "uid longer than 64")
		unknownClient := in
		unknownClient.UID = "other-uid"
		unknownClient.ClientID = "no-such-client"
		wantNotFound(t, f.a.OIDC().CreateInteraction(f.ctx, unknownClient), "interaction of an unknown client")
	})

	t.Run("deleting the application deletes its artifacts", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.a, f.client.ID)
		g := f.newGrant(f.a, f.client.ID, "user1")
		f.newRefreshToken(f.a, g, "rt-app")
		mustOK(t, f.a.Applications().Delete(f.ctx, f.client.ID), "delete application")
		_, err := f.a.OIDC().GetInteraction(f.ctx, in.UID)
		wantNotFound(t, err, "interaction of a deleted application")
		_, err = f.a.OIDC().GetGrant(f.ctx, g.ID)
		wantNotFound(t, err, "grant of a deleted application")
		_, err = f.a.OIDC().RefreshTokenByHash(f.ctx, "rt-app")
		wantNotFound(t, err, "refresh token of a deleted application")
	})

	t.Run("sessions and their authorizations", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		s := f.newSession(f.a, "user1")
		got, err := f.a.OIDC().SessionByToken(f.ctx, s.TokenHash)
		mustOK(t, err, "SessionByToken")
		wantEqual(t, got, s, "stored session")
		_, err = f.b.OIDC().SessionByToken(f.ctx, s.TokenHash)
		wantNotFound(t, err, "session seen from another tenant")

		g := f.newGrant(f.a, f.client.ID, "user1")
		auth := store.SessionAuthorization{SessionID: s.ID, ClientID: f.client.ID, GrantID: g.ID, SID: "sid-a"}
		mustOK(t, f.a.OIDC().PutSessionAuthorization(f.ctx, auth), "PutSessionAuthorization")
		auth.SID, auth.PersistsLogout = "sid-b", true
		mustOK(t, f.a.OIDC().PutSessionAuthorization(f.ctx, auth), "PutSessionAuthorization again replaces")
		list, err := f.a.OIDC().SessionAuthorizations(f.ctx, s.ID)
		mustOK(t, err, "SessionAuthorizations")
		wantEqual(t, list, []store.SessionAuthorization{auth}, "authorizations")

		renewed := s
		renewed.TokenHash, renewed.AuthTime, renewed.AMR, renewed.ExpiresAt = "session-new", 1_700_000_500, []string{"pwd", "otp"}, s.ExpiresAt+1000
		mustOK(t, f.a.OIDC().UpdateSessionLogin(f.ctx, renewed), "UpdateSessionLogin")
		_, err = f.a.OIDC().SessionByToken(f.ctx, s.TokenHash)
		wantNotFound(t, err, "old cookie after a new sign-in")
		got, err = f.a.OIDC().SessionByToken(f.ctx, "session-new")
		mustOK(t, err, "SessionByToken(new)")
		wantEqual(t, got, renewed, "renewed session")

		mustOK(t, f.a.OIDC().DeleteSessionAuthorization(f.ctx, s.ID, f.client.ID), "DeleteSessionAuthorization")
		list, err = f.a.OIDC().SessionAuthorizations(f.ctx, s.ID)
		mustOK(t, err, "SessionAuthorizations")
		if len(list) != 0 {
			t.Fatalf("authorizations after delete: %+v", list)
		}
		mustOK(t, f.a.OIDC().PutSessionAuthorization(f.ctx, auth), "PutSessionAuthorization")
		mustOK(t, f.a.OIDC().DeleteSession(f.ctx, s.ID), "DeleteSession")
		_, err = f.a.OIDC().SessionByToken(f.ctx, "session-new")
		wantNotFound(t, err, "deleted session")
		list, err = f.a.OIDC().SessionAuthorizations(f.ctx, s.ID)
		mustOK(t, err, "SessionAuthorizations of a deleted session")
		if len(list) != 0 {
			t.Fatalf("authorizations outlived their session: %+v", list)
		}
		if _, err := f.a.OIDC().GetGrant(f.ctx, g.ID); err != nil {
			t.Fatalf("ending a session must leave its grants to the caller: %v", err)
		}
		wantNotFound(t, f.a.OIDC().UpdateSessionLogin(f.ctx, renewed), "update of a deleted session")
	})

	t.Run("grant round trip and scope update", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.a, f.client.ID, "user1")
		got, err := f.a.OIDC().GetGrant(f.ctx, g.ID)
		mustOK(t, err, "GetGrant")
		wantEqual(t, got, g, "stored grant")
		g.Scopes = []string{"openid", "email"}
		g.ResourceScopes = map[string][]string{"https://b": {"x"}}
		mustOK(t, f.a.OIDC().UpdateGrantScopes(f.ctx, g), "UpdateGrantScopes")
		got, err = f.a.OIDC().GetGrant(f.ctx, g.ID)
		mustOK(t, err, "GetGrant")
		wantEqual(t, got, g, "updated grant")
		_, err = f.b.OIDC().GetGrant(f.ctx, g.ID)
		wantNotFound(t, err, "grant seen from another tenant")
		wantNotFound(t, f.b.OIDC().UpdateGrantScopes(f.ctx, g), "update from another tenant")
	})

	t.Run("revoking a grant withdraws everything it issued and nothing else", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.a, f.client.ID, "user1")
		keep := f.newGrant(f.a, f.client.ID, "user1")
		s := f.newSession(f.a, "user1")
		mustOK(t, f.a.OIDC().PutSessionAuthorization(f.ctx, store.SessionAuthorization{SessionID: s.ID, ClientID: f.client.ID, GrantID: g.ID, SID: "x"}), "authorize")
		f.newCode(f.a, g, "code-1")
		f.newAccessToken(f.a, g, "at-1")
		f.newRefreshToken(f.a, g, "rt-1")
		f.newCode(f.a, keep, "code-2")
		f.newAccessToken(f.a, keep, "at-2")
		f.newRefreshToken(f.a, keep, "rt-2")

		mustOK(t, f.b.OIDC().RevokeGrant(f.ctx, g.ID), "RevokeGrant from another tenant is a no-op")
		if _, err := f.a.OIDC().GetGrant(f.ctx, g.ID); err != nil {
			t.Fatalf("another tenant revoked the grant: %v", err)
		}
		mustOK(t, f.a.OIDC().RevokeGrant(f.ctx, g.ID), "RevokeGrant")
		mustOK(t, f.a.OIDC().RevokeGrant(f.ctx, g.ID), "RevokeGrant of a revoked grant")
		_, err := f.a.OIDC().GetGrant(f.ctx, g.ID)
		wantNotFound(t, err, "revoked grant")
		_, err = f.a.OIDC().AuthorizationCodeByHash(f.ctx, "code-1")
		wantNotFound(t, err, "code of a revoked grant")
		_, err = f.a.OIDC().AccessTokenByHash(f.ctx, "at-1")
		wantNotFound(t, err, "access token of a revoked grant")
		_, err = f.a.OIDC().RefreshTokenByHash(f.ctx, "rt-1")
		wantNotFound(t, err, "refresh token of a revoked grant")
		list, err := f.a.OIDC().SessionAuthorizations(f.ctx, s.ID)
		mustOK(t, err, "SessionAuthorizations")
		if len(list) != 0 {
			t.Fatalf("session authorization outlived its grant: %+v", list)
		}
		for _, h := range []string{"code-2"} {
			_, err := f.a.OIDC().AuthorizationCodeByHash(f.ctx, h)
			mustOK(t, err, "code of another grant")
		}
		_, err = f.a.OIDC().AccessTokenByHash(f.ctx, "at-2")
		mustOK(t, err, "access token of another grant")
		_, err = f.a.OIDC().RefreshTokenByHash(f.ctx, "rt-2")
		mustOK(t, err, "refresh token of another grant")
	})

	t.Run("revoking an account", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.a, f.client.ID, "user1")
		other := f.newGrant(f.a, f.client.ID, "user2")
		f.newRefreshToken(f.a, g, "rt-u1")
		s := f.newSession(f.a, "user1")
		s2 := f.newSession(f.a, "user2")
		mustOK(t, f.a.OIDC().RevokeAccount(f.ctx, "user1"), "RevokeAccount")
		_, err := f.a.OIDC().GetGrant(f.ctx, g.ID)
		wantNotFound(t, err, "grant of a revoked account")
		_, err = f.a.OIDC().RefreshTokenByHash(f.ctx, "rt-u1")
		wantNotFound(t, err, "refresh token of a revoked account")
		_, err = f.a.OIDC().SessionByToken(f.ctx, s.TokenHash)
		wantNotFound(t, err, "session of a revoked account")
		_, err = f.a.OIDC().GetGrant(f.ctx, other.ID)
		mustOK(t, err, "grant of another account")
		_, err = f.a.OIDC().SessionByToken(f.ctx, s2.TokenHash)
		mustOK(t, err, "session of another account")
	})

	t.Run("authorization codes are one-time", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.a, f.client.ID, "user1")
		c := f.newCode(f.a, g, "code-once")
		got, err := f.a.OIDC().AuthorizationCodeByHash(f.ctx, "code-once")
		mustOK(t, err, "AuthorizationCodeByHash")
		wantEqual(t, got, c, "stored code")
		_, err = f.b.OIDC().AuthorizationCodeByHash(f.ctx, "code-once")
		wantNotFound(t, err, "code seen from another tenant")
		if won, err := f.b.OIDC().ConsumeAuthorizationCode(f.ctx, "code-once", f.now); err != nil || won {
			t.Fatalf("another tenant consumed the code: won=%v err=%v", won, err)
		}

		const n = 8
		var wg sync.WaitGroup
		wins := make([]bool, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				won, err := f.a.OIDC().ConsumeAuthorizationCode(f.ctx, "code-once", f.now+int64(i))
				if err != nil {
					t.Errorf("ConsumeAuthorizationCode: %v", err)
				}
				wins[i] = won
			}()
		}
		wg.Wait()
		count := 0
		for _, w := range wins {
			if w {
				count++
			}
		}
		if count != 1 {
			t.Fatalf("%d concurrent consumptions of one code won, want exactly 1", count)
		}
		got, err = f.a.OIDC().AuthorizationCodeByHash(f.ctx, "code-once")
		mustOK(t, err, "AuthorizationCodeByHash")
		if got.ConsumedAt == nil {
			t.Fatal("consumed code has no consumed_at")
		}
		if won, _ := f.a.OIDC().ConsumeAuthorizationCode(f.ctx, "code-once", f.now+100); won {
			t.Fatal("a consumed code was consumed again")
		}
		if won, _ := f.a.OIDC().ConsumeAuthorizationCode(f.ctx, "no-such-code", f.now); won {
			t.Fatal("an unknown code was consumed")
		}
	})

	t.Run("access tokens", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.a, f.client.ID, "user1")
		at := f.newAccessToken(f.a, g, "at-x")
		got, err := f.a.OIDC().AccessTokenByHash(f.ctx, "at-x")
		mustOK(t, err, "AccessTokenByHash")
		wantEqual(t, got, at, "stored access token")
		_, err = f.b.OIDC().AccessTokenByHash(f.ctx, "at-x")
		wantNotFound(t, err, "access token seen from another tenant")
		orphan := at
		orphan.Hash, orphan.GrantID = "at-orphan", "no-such-grant"
		wantNotFound(t, f.a.OIDC().CreateAccessToken(f.ctx, orphan), "token of an unknown grant")
		long := at
		long.Hash = strings.Repeat("h", 65)
		wantInvalid(t, f.a.OIDC().CreateAccessToken(f.ctx, long), "hash longer than 64")
	})

	t.Run("refresh tokens rotate once, with a short reuse leeway", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.a, f.client.ID, "user1")
		rt := f.newRefreshToken(f.a, g, "rt-rot")
		got, err := f.a.OIDC().RefreshTokenByHash(f.ctx, "rt-rot")
		mustOK(t, err, "RefreshTokenByHash")
		wantEqual(t, got, rt, "stored refresh token")
		// The one-read lookup the refresh grant uses answers the same token and its grant.
		withGrant, grant, err := f.a.OIDC().RefreshTokenWithGrant(f.ctx, "rt-rot")
		mustOK(t, err, "RefreshTokenWithGrant")
		wantEqual(t, withGrant, rt, "refresh token read with its grant")
		wantEqual(t, grant, g, "grant read with its refresh token")
		_, _, err = f.b.OIDC().RefreshTokenWithGrant(f.ctx, "rt-rot")
		wantNotFound(t, err, "refresh token with grant seen from another tenant")
		_, _, err = f.a.OIDC().RefreshTokenWithGrant(f.ctx, "rt-unknown")
		wantNotFound(t, err, "unknown refresh token with grant")

		const consumedAt, leeway = int64(5_000_000), int64(3_000)
		won, err := f.a.OIDC().ConsumeRefreshToken(f.ctx, "rt-rot", consumedAt, consumedAt-leeway)
		mustOK(t, err, "ConsumeRefreshToken")
		if !won {
			t.Fatal("first consumption lost")
		}
		// A second use 1 s later is inside the leeway: allowed, and the first time is kept.
		won, err = f.a.OIDC().ConsumeRefreshToken(f.ctx, "rt-rot", consumedAt+1_000, consumedAt+1_000-leeway)
		mustOK(t, err, "ConsumeRefreshToken within the leeway")
		if !won {
			t.Fatal("a use inside the leeway was refused")
		}
		got, _ = f.a.OIDC().RefreshTokenByHash(f.ctx, "rt-rot")
		if got.ConsumedAt == nil || *got.ConsumedAt != consumedAt {
			t.Fatalf("consumed_at = %v, want the first consumption %d", got.ConsumedAt, consumedAt)
		}
		// 4 s after the first consumption it is reuse.
		won, err = f.a.OIDC().ConsumeRefreshToken(f.ctx, "rt-rot", consumedAt+4_000, consumedAt+4_000-leeway)
		mustOK(t, err, "ConsumeRefreshToken after the leeway")
		if won {
			t.Fatal("reuse after the leeway was allowed")
		}
		if won, _ := f.b.OIDC().ConsumeRefreshToken(f.ctx, "rt-rot", consumedAt, 0); won {
			t.Fatal("another tenant consumed the token")
		}
	})

	t.Run("expired artifacts are deleted, live ones kept", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.a, f.client.ID, "user1")
		in := f.newInteraction(f.a, f.client.ID)
		s := f.newSession(f.a, "user1")
		c := f.newCode(f.a, g, "code-exp")
		at := f.newAccessToken(f.a, g, "at-exp")
		rt := f.newRefreshToken(f.a, g, "rt-exp")
		other := f.newGrant(f.b, f.newApp(f.b, "b-app").ID, "user1")

		// Just before the earliest expiry nothing goes.
		earliest := min(in.ExpiresAt, c.ExpiresAt, at.ExpiresAt)
		n, err := f.a.OIDC().DeleteExpired(f.ctx, earliest-1)
		mustOK(t, err, "DeleteExpired")
		if n != 0 {
			t.Fatalf("DeleteExpired before any expiry removed %d rows", n)
		}
		// After the code, interaction and access token expired, only they go.
		n, err = f.a.OIDC().DeleteExpired(f.ctx, max(in.ExpiresAt, c.ExpiresAt, at.ExpiresAt))
		mustOK(t, err, "DeleteExpired")
		if n != 3 {
			t.Fatalf("DeleteExpired removed %d rows, want 3 (interaction, code, access token)", n)
		}
		_, err = f.a.OIDC().RefreshTokenByHash(f.ctx, "rt-exp")
		mustOK(t, err, "live refresh token")
		_, err = f.a.OIDC().SessionByToken(f.ctx, s.TokenHash)
		mustOK(t, err, "live session")
		// Far in the future everything of tenant A goes, and tenant B is untouched.
		n, err = f.a.OIDC().DeleteExpired(f.ctx, max(rt.ExpiresAt, g.ExpiresAt, s.ExpiresAt))
		mustOK(t, err, "DeleteExpired")
		if n != 3 {
			t.Fatalf("DeleteExpired removed %d rows, want 3 (refresh token, grant, session)", n)
		}
		_, err = f.b.OIDC().GetGrant(f.ctx, other.ID)
		mustOK(t, err, "grant of another tenant")
	})
}
