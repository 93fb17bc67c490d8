package protocolsuite

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

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

func newOIDCFixture(t *testing.T, open fx.Open) *oidcFixture {
	f := newFixture(t, open)
	return &oidcFixture{fixture: f, client: f.NewApp(f.A, "web", func(a *model.Application) { a.Type = model.AppTraditional })}
}

func (f *oidcFixture) newInteraction(tn store.Tenant, clientID string) model.Interaction {
	f.T.Helper()
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
		CreatedAt: f.Tick(),
	}
	in.ExpiresAt = in.CreatedAt + 3_600_000
	fx.MustOK(f.T, tn.OIDC().CreateInteraction(f.Ctx, in), "CreateInteraction")
	return in
}

func (f *oidcFixture) newGrant(tn store.Tenant, clientID, accountID string) store.Grant {
	f.T.Helper()
	g := store.Grant{
		ID: ids.New(), AccountID: accountID, ClientID: clientID,
		Scopes:         []string{"openid", "profile", "offline_access"},
		ResourceScopes: map[string][]string{"https://api.example.com": {"read", "write"}},
		CreatedAt:      f.Tick(),
	}
	g.ExpiresAt = g.CreatedAt + 180*86_400_000
	fx.MustOK(f.T, tn.OIDC().CreateGrant(f.Ctx, g), "CreateGrant")
	return g
}

func (f *oidcFixture) newSession(tn store.Tenant, accountID string) store.Session {
	f.T.Helper()
	s := store.Session{ID: ids.New(), TokenHash: "session-" + ids.NewString(20), AccountID: accountID,
		AuthTime: 1_700_000_000, AMR: []string{"pwd"}, CreatedAt: f.Tick()}
	s.ExpiresAt = s.CreatedAt + 14*86_400_000
	fx.MustOK(f.T, tn.OIDC().CreateSession(f.Ctx, s), "CreateSession")
	return s
}

func (f *oidcFixture) newCode(tn store.Tenant, g store.Grant, hash string) store.AuthorizationCode {
	f.T.Helper()
	c := store.AuthorizationCode{
		Hash: hash, GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID, SessionID: "s1", SID: "sid-1",
		RedirectURI: "https://app.example.com/cb", Scope: "openid profile offline_access read",
		Resources: []string{"https://api.example.com"}, Nonce: "nonce", CodeChallenge: strings.Repeat("x", 43),
		CodeChallengeMethod: "S256", AuthTime: 1_700_000_000, CreatedAt: f.Tick(),
	}
	c.ExpiresAt = c.CreatedAt + 60_000
	fx.MustOK(f.T, tn.OIDC().CreateAuthorizationCode(f.Ctx, c), "CreateAuthorizationCode")
	return c
}

func (f *oidcFixture) newAccessToken(tn store.Tenant, g store.Grant, hash string) store.AccessToken {
	f.T.Helper()
	at := store.AccessToken{Hash: hash, GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID,
		Scope: "openid profile", SID: "sid-1", CreatedAt: f.Tick()}
	at.ExpiresAt = at.CreatedAt + 3_600_000
	fx.MustOK(f.T, tn.OIDC().CreateAccessToken(f.Ctx, at), "CreateAccessToken")
	return at
}

func (f *oidcFixture) newRefreshToken(tn store.Tenant, g store.Grant, hash string) store.RefreshToken {
	f.T.Helper()
	rt := store.RefreshToken{Hash: hash, GrantID: g.ID, ClientID: g.ClientID, AccountID: g.AccountID,
		Scope: "openid offline_access", Resources: []string{"https://api.example.com"}, Nonce: "n", SID: "sid-1",
		AuthTime: 1_700_000_000, Rotations: 2, FirstIssuedAt: 1_600_000_000_000, CreatedAt: f.Tick()}
	rt.ExpiresAt = rt.CreatedAt + 14*86_400_000
	fx.MustOK(f.T, tn.OIDC().CreateRefreshToken(f.Ctx, rt), "CreateRefreshToken")
	return rt
}

// OIDC is the conformance suite of its repository.
func OIDC(t *testing.T, open fx.Open) {
	t.Run("interaction round trip", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.A, f.client.ID)
		got, err := f.A.OIDC().GetInteraction(f.Ctx, in.UID)
		fx.MustOK(t, err, "GetInteraction")
		fx.WantEqual(t, got, in, "stored interaction")
		_, err = f.B.OIDC().GetInteraction(f.Ctx, in.UID)
		fx.WantNotFound(t, err, "interaction seen from another tenant")
		_, err = f.A.OIDC().GetInteraction(f.Ctx, "nope")
		fx.WantNotFound(t, err, "unknown interaction")
	})

	t.Run("interaction update is optimistic and touches only result and experience", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.A, f.client.ID)
		changed := in
		changed.Result = &model.InteractionResult{AccountID: "user1", AuthTime: 1_700_000_100, AMR: []string{"pwd"}, Event: "SignIn",
			Consent: &model.InteractionConsent{Scopes: []string{"openid"}, ResourceScopes: map[string][]string{"https://api": {"read"}}}}
		changed.Experience = json.RawMessage(`{"event":"SignIn","verifications":[1,2]}`)
		// Protocol-owned fields must survive whatever the caller sends.
		changed.Prompt, changed.AccountID, changed.ClientID, changed.Params.Scope = "consent", "intruder", "other", "openid admin"
		now := in.CreatedAt // before the interaction expires
		returned, err := f.A.OIDC().UpdateInteraction(f.Ctx, changed, now)
		fx.MustOK(t, err, "UpdateInteraction")

		got, err := f.A.OIDC().GetInteraction(f.Ctx, in.UID)
		fx.MustOK(t, err, "GetInteraction")
		returned.Experience = fx.CanonicalJSON(t, returned.Experience)
		want := in
		want.Version = 2
		want.Result = changed.Result
		want.Experience = changed.Experience
		got.Experience = fx.CanonicalJSON(t, got.Experience)
		want.Experience = fx.CanonicalJSON(t, want.Experience)
		fx.WantEqual(t, got, want, "updated interaction")
		fx.WantEqual(t, returned, want, "interaction returned by the update")

		_, err = f.A.OIDC().UpdateInteraction(f.Ctx, changed, now)
		fx.WantConflict(t, err, store.UniqueInteractionVersion, "update with a stale version")
		missing := changed
		missing.UID = "missing"
		_, err = f.A.OIDC().UpdateInteraction(f.Ctx, missing, now)
		fx.WantNotFound(t, err, "update of an unknown interaction")
		other := got
		_, err = f.B.OIDC().UpdateInteraction(f.Ctx, other, now)
		fx.WantNotFound(t, err, "update from another tenant")
		_, err = f.A.OIDC().UpdateInteraction(f.Ctx, got, got.ExpiresAt)
		fx.WantNotFound(t, err, "update of an expired interaction")
	})

	t.Run("concurrent updates: exactly one wins each version", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.A, f.client.ID)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := in
				u.Experience = json.RawMessage(fmt.Sprintf(`{"writer":%d}`, i))
				_, errs[i] = f.A.OIDC().UpdateInteraction(f.Ctx, u, in.CreatedAt)
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				fx.WantConflict(t, err, store.UniqueInteractionVersion, "losing concurrent update")
			}
		}
		if wins != 1 {
			t.Fatalf("%d concurrent updates of version 1 succeeded, want exactly 1", wins)
		}
		got, err := f.A.OIDC().GetInteraction(f.Ctx, in.UID)
		fx.MustOK(t, err, "GetInteraction")
		if got.Version != 2 {
			t.Fatalf("version = %d after one successful update, want 2", got.Version)
		}
	})

	t.Run("interaction delete is version checked", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.A, f.client.ID)
		fx.WantConflict(t, f.A.OIDC().DeleteInteraction(f.Ctx, in.UID, in.Version+1), store.UniqueInteractionVersion, "delete with a wrong version")
		fx.WantNotFound(t, f.B.OIDC().DeleteInteraction(f.Ctx, in.UID, in.Version), "delete from another tenant")
		fx.MustOK(t, f.A.OIDC().DeleteInteraction(f.Ctx, in.UID, in.Version), "DeleteInteraction")
		fx.WantNotFound(t, f.A.OIDC().DeleteInteraction(f.Ctx, in.UID, in.Version), "second delete")
		_, err := f.A.OIDC().GetInteraction(f.Ctx, in.UID)
		fx.WantNotFound(t, err, "deleted interaction")
	})

	t.Run("interaction uid is unique and validated", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.A, f.client.ID)
		fx.WantConflict(t, f.A.OIDC().CreateInteraction(f.Ctx, in), store.UniqueInteractionUID, "duplicate uid")
		long := in
		long.UID = strings.Repeat("u", 65)
		fx.WantInvalid(t, f.A.OIDC().CreateInteraction(f.Ctx, long), "uid longer than 64")
		unknownClient := in
		unknownClient.UID = "other-uid"
		unknownClient.ClientID = "no-such-client"
		fx.WantNotFound(t, f.A.OIDC().CreateInteraction(f.Ctx, unknownClient), "interaction of an unknown client")
	})

	t.Run("deleting the application deletes its artifacts", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		in := f.newInteraction(f.A, f.client.ID)
		g := f.newGrant(f.A, f.client.ID, "user1")
		f.newRefreshToken(f.A, g, "rt-app")
		fx.MustOK(t, f.A.Applications().Delete(f.Ctx, f.client.ID), "delete application")
		_, err := f.A.OIDC().GetInteraction(f.Ctx, in.UID)
		fx.WantNotFound(t, err, "interaction of a deleted application")
		_, err = f.A.OIDC().GetGrant(f.Ctx, g.ID)
		fx.WantNotFound(t, err, "grant of a deleted application")
		_, err = f.A.OIDC().RefreshTokenByHash(f.Ctx, "rt-app")
		fx.WantNotFound(t, err, "refresh token of a deleted application")
	})

	t.Run("sessions and their authorizations", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		s := f.newSession(f.A, "user1")
		got, err := f.A.OIDC().SessionByToken(f.Ctx, s.TokenHash)
		fx.MustOK(t, err, "SessionByToken")
		fx.WantEqual(t, got, s, "stored session")
		_, err = f.B.OIDC().SessionByToken(f.Ctx, s.TokenHash)
		fx.WantNotFound(t, err, "session seen from another tenant")

		g := f.newGrant(f.A, f.client.ID, "user1")
		auth := store.SessionAuthorization{SessionID: s.ID, ClientID: f.client.ID, GrantID: g.ID, SID: "sid-a"}
		fx.MustOK(t, f.A.OIDC().PutSessionAuthorization(f.Ctx, auth), "PutSessionAuthorization")
		auth.SID, auth.PersistsLogout = "sid-b", true
		fx.MustOK(t, f.A.OIDC().PutSessionAuthorization(f.Ctx, auth), "PutSessionAuthorization again replaces")
		list, err := f.A.OIDC().SessionAuthorizations(f.Ctx, s.ID)
		fx.MustOK(t, err, "SessionAuthorizations")
		fx.WantEqual(t, list, []store.SessionAuthorization{auth}, "authorizations")

		renewed := s
		renewed.TokenHash, renewed.AuthTime, renewed.AMR, renewed.ExpiresAt = "session-new", 1_700_000_500, []string{"pwd", "otp"}, s.ExpiresAt+1000
		fx.MustOK(t, f.A.OIDC().UpdateSessionLogin(f.Ctx, renewed), "UpdateSessionLogin")
		_, err = f.A.OIDC().SessionByToken(f.Ctx, s.TokenHash)
		fx.WantNotFound(t, err, "old cookie after a new sign-in")
		got, err = f.A.OIDC().SessionByToken(f.Ctx, "session-new")
		fx.MustOK(t, err, "SessionByToken(new)")
		fx.WantEqual(t, got, renewed, "renewed session")

		fx.MustOK(t, f.A.OIDC().DeleteSessionAuthorization(f.Ctx, s.ID, f.client.ID), "DeleteSessionAuthorization")
		list, err = f.A.OIDC().SessionAuthorizations(f.Ctx, s.ID)
		fx.MustOK(t, err, "SessionAuthorizations")
		if len(list) != 0 {
			t.Fatalf("authorizations after delete: %+v", list)
		}
		fx.MustOK(t, f.A.OIDC().PutSessionAuthorization(f.Ctx, auth), "PutSessionAuthorization")
		fx.MustOK(t, f.A.OIDC().DeleteSession(f.Ctx, s.ID), "DeleteSession")
		_, err = f.A.OIDC().SessionByToken(f.Ctx, "session-new")
		fx.WantNotFound(t, err, "deleted session")
		list, err = f.A.OIDC().SessionAuthorizations(f.Ctx, s.ID)
		fx.MustOK(t, err, "SessionAuthorizations of a deleted session")
		if len(list) != 0 {
			t.Fatalf("authorizations outlived their session: %+v", list)
		}
		if _, err := f.A.OIDC().GetGrant(f.Ctx, g.ID); err != nil {
			t.Fatalf("ending a session must leave its grants to the caller: %v", err)
		}
		fx.WantNotFound(t, f.A.OIDC().UpdateSessionLogin(f.Ctx, renewed), "update of a deleted session")
	})

	t.Run("grant round trip and scope update", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.A, f.client.ID, "user1")
		got, err := f.A.OIDC().GetGrant(f.Ctx, g.ID)
		fx.MustOK(t, err, "GetGrant")
		fx.WantEqual(t, got, g, "stored grant")
		g.Scopes = []string{"openid", "email"}
		g.ResourceScopes = map[string][]string{"https://b": {"x"}}
		fx.MustOK(t, f.A.OIDC().UpdateGrantScopes(f.Ctx, g), "UpdateGrantScopes")
		got, err = f.A.OIDC().GetGrant(f.Ctx, g.ID)
		fx.MustOK(t, err, "GetGrant")
		fx.WantEqual(t, got, g, "updated grant")
		_, err = f.B.OIDC().GetGrant(f.Ctx, g.ID)
		fx.WantNotFound(t, err, "grant seen from another tenant")
		fx.WantNotFound(t, f.B.OIDC().UpdateGrantScopes(f.Ctx, g), "update from another tenant")
	})

	t.Run("revoking a grant withdraws everything it issued and nothing else", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.A, f.client.ID, "user1")
		keep := f.newGrant(f.A, f.client.ID, "user1")
		s := f.newSession(f.A, "user1")
		fx.MustOK(t, f.A.OIDC().PutSessionAuthorization(f.Ctx, store.SessionAuthorization{SessionID: s.ID, ClientID: f.client.ID, GrantID: g.ID, SID: "x"}), "authorize")
		f.newCode(f.A, g, "code-1")
		f.newAccessToken(f.A, g, "at-1")
		f.newRefreshToken(f.A, g, "rt-1")
		f.newCode(f.A, keep, "code-2")
		f.newAccessToken(f.A, keep, "at-2")
		f.newRefreshToken(f.A, keep, "rt-2")

		fx.MustOK(t, f.B.OIDC().RevokeGrant(f.Ctx, g.ID), "RevokeGrant from another tenant is a no-op")
		if _, err := f.A.OIDC().GetGrant(f.Ctx, g.ID); err != nil {
			t.Fatalf("another tenant revoked the grant: %v", err)
		}
		fx.MustOK(t, f.A.OIDC().RevokeGrant(f.Ctx, g.ID), "RevokeGrant")
		fx.MustOK(t, f.A.OIDC().RevokeGrant(f.Ctx, g.ID), "RevokeGrant of a revoked grant")
		_, err := f.A.OIDC().GetGrant(f.Ctx, g.ID)
		fx.WantNotFound(t, err, "revoked grant")
		_, err = f.A.OIDC().AuthorizationCodeByHash(f.Ctx, "code-1")
		fx.WantNotFound(t, err, "code of a revoked grant")
		_, err = f.A.OIDC().AccessTokenByHash(f.Ctx, "at-1")
		fx.WantNotFound(t, err, "access token of a revoked grant")
		_, err = f.A.OIDC().RefreshTokenByHash(f.Ctx, "rt-1")
		fx.WantNotFound(t, err, "refresh token of a revoked grant")
		list, err := f.A.OIDC().SessionAuthorizations(f.Ctx, s.ID)
		fx.MustOK(t, err, "SessionAuthorizations")
		if len(list) != 0 {
			t.Fatalf("session authorization outlived its grant: %+v", list)
		}
		for _, h := range []string{"code-2"} {
			_, err := f.A.OIDC().AuthorizationCodeByHash(f.Ctx, h)
			fx.MustOK(t, err, "code of another grant")
		}
		_, err = f.A.OIDC().AccessTokenByHash(f.Ctx, "at-2")
		fx.MustOK(t, err, "access token of another grant")
		_, err = f.A.OIDC().RefreshTokenByHash(f.Ctx, "rt-2")
		fx.MustOK(t, err, "refresh token of another grant")
	})

	t.Run("revoking an account", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.A, f.client.ID, "user1")
		other := f.newGrant(f.A, f.client.ID, "user2")
		f.newRefreshToken(f.A, g, "rt-u1")
		s := f.newSession(f.A, "user1")
		s2 := f.newSession(f.A, "user2")
		fx.MustOK(t, f.A.OIDC().RevokeAccount(f.Ctx, "user1"), "RevokeAccount")
		_, err := f.A.OIDC().GetGrant(f.Ctx, g.ID)
		fx.WantNotFound(t, err, "grant of a revoked account")
		_, err = f.A.OIDC().RefreshTokenByHash(f.Ctx, "rt-u1")
		fx.WantNotFound(t, err, "refresh token of a revoked account")
		_, err = f.A.OIDC().SessionByToken(f.Ctx, s.TokenHash)
		fx.WantNotFound(t, err, "session of a revoked account")
		_, err = f.A.OIDC().GetGrant(f.Ctx, other.ID)
		fx.MustOK(t, err, "grant of another account")
		_, err = f.A.OIDC().SessionByToken(f.Ctx, s2.TokenHash)
		fx.MustOK(t, err, "session of another account")
	})

	t.Run("authorization codes are one-time", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.A, f.client.ID, "user1")
		c := f.newCode(f.A, g, "code-once")
		got, err := f.A.OIDC().AuthorizationCodeByHash(f.Ctx, "code-once")
		fx.MustOK(t, err, "AuthorizationCodeByHash")
		fx.WantEqual(t, got, c, "stored code")
		_, err = f.B.OIDC().AuthorizationCodeByHash(f.Ctx, "code-once")
		fx.WantNotFound(t, err, "code seen from another tenant")
		if won, err := f.B.OIDC().ConsumeAuthorizationCode(f.Ctx, "code-once", f.Now); err != nil || won {
			t.Fatalf("another tenant consumed the code: won=%v err=%v", won, err)
		}

		const n = 8
		var wg sync.WaitGroup
		wins := make([]bool, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				won, err := f.A.OIDC().ConsumeAuthorizationCode(f.Ctx, "code-once", f.Now+int64(i))
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
		got, err = f.A.OIDC().AuthorizationCodeByHash(f.Ctx, "code-once")
		fx.MustOK(t, err, "AuthorizationCodeByHash")
		if got.ConsumedAt == nil {
			t.Fatal("consumed code has no consumed_at")
		}
		if won, _ := f.A.OIDC().ConsumeAuthorizationCode(f.Ctx, "code-once", f.Now+100); won {
			t.Fatal("a consumed code was consumed again")
		}
		if won, _ := f.A.OIDC().ConsumeAuthorizationCode(f.Ctx, "no-such-code", f.Now); won {
			t.Fatal("an unknown code was consumed")
		}
	})

	t.Run("access tokens", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.A, f.client.ID, "user1")
		at := f.newAccessToken(f.A, g, "at-x")
		got, err := f.A.OIDC().AccessTokenByHash(f.Ctx, "at-x")
		fx.MustOK(t, err, "AccessTokenByHash")
		fx.WantEqual(t, got, at, "stored access token")
		_, err = f.B.OIDC().AccessTokenByHash(f.Ctx, "at-x")
		fx.WantNotFound(t, err, "access token seen from another tenant")
		orphan := at
		orphan.Hash, orphan.GrantID = "at-orphan", "no-such-grant"
		fx.WantNotFound(t, f.A.OIDC().CreateAccessToken(f.Ctx, orphan), "token of an unknown grant")
		long := at
		long.Hash = strings.Repeat("h", 65)
		fx.WantInvalid(t, f.A.OIDC().CreateAccessToken(f.Ctx, long), "hash longer than 64")
	})

	t.Run("refresh tokens rotate once, with a short reuse leeway", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.A, f.client.ID, "user1")
		rt := f.newRefreshToken(f.A, g, "rt-rot")
		got, err := f.A.OIDC().RefreshTokenByHash(f.Ctx, "rt-rot")
		fx.MustOK(t, err, "RefreshTokenByHash")
		fx.WantEqual(t, got, rt, "stored refresh token")
		// The one-read lookup the refresh grant uses answers the same token and its grant.
		withGrant, grant, err := f.A.OIDC().RefreshTokenWithGrant(f.Ctx, "rt-rot")
		fx.MustOK(t, err, "RefreshTokenWithGrant")
		fx.WantEqual(t, withGrant, rt, "refresh token read with its grant")
		fx.WantEqual(t, grant, g, "grant read with its refresh token")
		_, _, err = f.B.OIDC().RefreshTokenWithGrant(f.Ctx, "rt-rot")
		fx.WantNotFound(t, err, "refresh token with grant seen from another tenant")
		_, _, err = f.A.OIDC().RefreshTokenWithGrant(f.Ctx, "rt-unknown")
		fx.WantNotFound(t, err, "unknown refresh token with grant")

		const consumedAt, leeway = int64(5_000_000), int64(3_000)
		won, err := f.A.OIDC().ConsumeRefreshToken(f.Ctx, "rt-rot", consumedAt, consumedAt-leeway)
		fx.MustOK(t, err, "ConsumeRefreshToken")
		if !won {
			t.Fatal("first consumption lost")
		}
		// A second use 1 s later is inside the leeway: allowed, and the first time is kept.
		won, err = f.A.OIDC().ConsumeRefreshToken(f.Ctx, "rt-rot", consumedAt+1_000, consumedAt+1_000-leeway)
		fx.MustOK(t, err, "ConsumeRefreshToken within the leeway")
		if !won {
			t.Fatal("a use inside the leeway was refused")
		}
		got, _ = f.A.OIDC().RefreshTokenByHash(f.Ctx, "rt-rot")
		if got.ConsumedAt == nil || *got.ConsumedAt != consumedAt {
			t.Fatalf("consumed_at = %v, want the first consumption %d", got.ConsumedAt, consumedAt)
		}
		// 4 s after the first consumption it is reuse.
		won, err = f.A.OIDC().ConsumeRefreshToken(f.Ctx, "rt-rot", consumedAt+4_000, consumedAt+4_000-leeway)
		fx.MustOK(t, err, "ConsumeRefreshToken after the leeway")
		if won {
			t.Fatal("reuse after the leeway was allowed")
		}
		if won, _ := f.B.OIDC().ConsumeRefreshToken(f.Ctx, "rt-rot", consumedAt, 0); won {
			t.Fatal("another tenant consumed the token")
		}
	})

	t.Run("expired artifacts are deleted, live ones kept", func(t *testing.T) {
		f := newOIDCFixture(t, open)
		g := f.newGrant(f.A, f.client.ID, "user1")
		in := f.newInteraction(f.A, f.client.ID)
		s := f.newSession(f.A, "user1")
		c := f.newCode(f.A, g, "code-exp")
		at := f.newAccessToken(f.A, g, "at-exp")
		rt := f.newRefreshToken(f.A, g, "rt-exp")
		other := f.newGrant(f.B, f.NewApp(f.B, "b-app").ID, "user1")

		// Just before the earliest expiry nothing goes.
		earliest := min(in.ExpiresAt, c.ExpiresAt, at.ExpiresAt)
		n, err := f.A.OIDC().DeleteExpired(f.Ctx, earliest-1)
		fx.MustOK(t, err, "DeleteExpired")
		if n != 0 {
			t.Fatalf("DeleteExpired before any expiry removed %d rows", n)
		}
		// After the code, interaction and access token expired, only they go.
		n, err = f.A.OIDC().DeleteExpired(f.Ctx, max(in.ExpiresAt, c.ExpiresAt, at.ExpiresAt))
		fx.MustOK(t, err, "DeleteExpired")
		if n != 3 {
			t.Fatalf("DeleteExpired removed %d rows, want 3 (interaction, code, access token)", n)
		}
		_, err = f.A.OIDC().RefreshTokenByHash(f.Ctx, "rt-exp")
		fx.MustOK(t, err, "live refresh token")
		_, err = f.A.OIDC().SessionByToken(f.Ctx, s.TokenHash)
		fx.MustOK(t, err, "live session")
		// Far in the future everything of tenant A goes, and tenant B is untouched.
		n, err = f.A.OIDC().DeleteExpired(f.Ctx, max(rt.ExpiresAt, g.ExpiresAt, s.ExpiresAt))
		fx.MustOK(t, err, "DeleteExpired")
		if n != 3 {
			t.Fatalf("DeleteExpired removed %d rows, want 3 (refresh token, grant, session)", n)
		}
		_, err = f.B.OIDC().GetGrant(f.Ctx, other.ID)
		fx.MustOK(t, err, "grant of another tenant")
	})
}
