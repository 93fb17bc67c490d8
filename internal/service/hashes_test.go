package service

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// TestProtocolSecretsAreStoredOnlyAsHashes: after a sign-in, a code exchange and a refresh,
// no row of any table holds the session secret, the code, the access token or either refresh
// token; a copy of the database gives none of them away (RFC 9700 §4.14, ARCHITECTURE.md
// "Secrets").
func TestProtocolSecretsAreStoredOnlyAsHashes(t *testing.T) {
	env := newEnv(t, Options{})
	app := newClientApp(t, env)
	_, sessionSecret, err := env.svc.SignIn(env.ctx, oidcTenant, nil,
		protocol.SessionLogin{AccountID: "user1", AuthTime: env.clk.Now().Unix(), AMR: []string{"pwd"}}, 0)
	mustNoErr(t, err)
	_, g, _ := signedIn(t, env, app, "user1", false)
	now := env.clk.Now().UnixMilli()
	code, err := env.svc.IssueAuthorizationCode(env.ctx, oidcTenant, model.AuthorizationCode{GrantID: g.ID, ClientID: app.ID,
		AccountID: "user1", RedirectURI: "https://app/cb", Scope: "openid", CreatedAt: now, ExpiresAt: now + 60_000})
	mustNoErr(t, err)
	rec, err := env.svc.FindAuthorizationCode(env.ctx, oidcTenant, code)
	mustNoErr(t, err)
	issued, err := env.svc.RedeemAuthorizationCode(env.ctx, oidcTenant, rec.Hash, env.tokensFor(g, true))
	mustNoErr(t, err)
	old, err := env.svc.FindRefreshToken(env.ctx, oidcTenant, issued.RefreshToken)
	mustNoErr(t, err)
	rotated, err := env.svc.ExchangeRefreshToken(env.ctx, oidcTenant, old, true, env.tokensFor(g, true))
	mustNoErr(t, err)

	secrets := map[string]string{
		"session secret": sessionSecret, "authorization code": code, "access token": issued.AccessToken,
		"refresh token": issued.RefreshToken, "rotated refresh token": rotated.RefreshToken,
		"second access token": rotated.AccessToken,
	}
	for what, secret := range secrets {
		if len(secret) < 32 {
			t.Fatalf("%s %q: too short to be a real secret; the test would prove nothing", what, secret)
		}
	}
	dump := dumpTables(t, env.st.(*sqlstore.DB).SQL())
	for what, secret := range secrets {
		if strings.Contains(dump, secret) {
			t.Errorf("the %s is stored in clear", what)
		}
	}
	if !strings.Contains(dump, rec.Hash) {
		t.Fatalf("the dump lacks the code's hash: it does not read the protocol tables")
	}
}

// dumpTables is every value of every table of a SQLite database, as text.
func dumpTables(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	mustNoErr(t, err)
	var tables []string
	for rows.Next() {
		var name string
		mustNoErr(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	mustNoErr(t, rows.Close())
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		mustNoErr(t, err)
		cols, err := rows.Columns()
		mustNoErr(t, err)
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		for rows.Next() {
			mustNoErr(t, rows.Scan(ptrs...))
			for _, v := range values {
				if raw, ok := v.([]byte); ok {
					v = string(raw)
				}
				fmt.Fprintf(&b, "%v\n", v)
			}
		}
		mustNoErr(t, rows.Close())
	}
	return b.String()
}
