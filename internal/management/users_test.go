package management

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// newUserEnv is newEnv with the real password hasher, which the user routes need.
func newUserEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "gatehouse.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Now().Truncate(time.Second))
	fresh := store.NewFreshness(st, clk, time.Second)
	svc := service.New(st, fresh, clk, nil, service.Options{Passwords: password.New(password.Options{})})
	if _, err := svc.Seed(ctx, seed.SeedOptions{}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	km := keys.NewManager(st, fresh, clk, discardLog())
	api := New(Options{TenantID: model.DefaultTenantID, Issuer: testIssuer, AdminIssuer: testAdminIssuer,
		Service: svc, Keys: km, Clock: clk})
	mux := http.NewServeMux()
	api.Mount(mux)
	e := &env{t: t, ctx: ctx, st: st, svc: svc, keys: km, clk: clk, api: api, mux: mux,
		handler: httpx.Middleware(discardLog(), mux)}
	e.token = e.mint(model.DefaultTenantID, nil)
	return e
}

// createUser posts body to /api/users and returns the answer, failing unless it is 200.
func (e *env) createUser(body string) map[string]any {
	e.t.Helper()
	r := e.do("POST", "/api/users", body)
	e.want(r, http.StatusOK, "")
	var u map[string]any
	r.json(e.t, &u)
	return u
}

// storedUser reads a user straight from the store, password columns included.
func (e *env) storedUser(id string) model.User {
	e.t.Helper()
	u, err := e.st.Tenant(model.DefaultTenantID).Users().Get(e.ctx, id)
	if err != nil {
		e.t.Fatalf("store Get(%s): %v", id, err)
	}
	return u
}

func jsonBody(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// logtoUserKeys are the keys of Logto's user response (userInfoSelectFields + hasPassword).
var logtoUserKeys = []string{"applicationId", "avatar", "cimdClientId", "createdAt", "customData", "hasPassword",
	"id", "identities", "isSuspended", "lastSignInAt", "name", "primaryEmail", "primaryPhone", "profile",
	"updatedAt", "username"}

func TestUserCreateAndGet(t *testing.T) {
	e := newUserEnv(t)
	nowMs := float64(e.clk.Now().UnixMilli())
	u := e.createUser(`{"username":"alice_01","primaryEmail":"Alice@Example.COM","primaryPhone":"8613800000000",
		"name":"Alice","avatar":"https://example.com/a.png","password":"s3cret pass","customData":{"plan":"pro"},
		"profile":{"givenName":"Alice","address":{"country":"CN"}}}`)
	if got := keysOf(u); !slices.Equal(got, logtoUserKeys) {
		t.Fatalf("POST /users keys = %v; want exactly %v (no password fields)", got, logtoUserKeys)
	}
	id := u["id"].(string)
	want := map[string]any{
		"username": "alice_01", "primaryEmail": "alice@example.com", "primaryPhone": "8613800000000",
		"name": "Alice", "avatar": "https://example.com/a.png", "hasPassword": true, "isSuspended": false,
		"createdAt": nowMs, "updatedAt": nowMs, "lastSignInAt": nil, "applicationId": nil, "cimdClientId": nil,
	}
	for k, v := range want {
		if u[k] != v {
			t.Errorf("POST /users %s = %v; want %v", k, u[k], v)
		}
	}
	if len(id) != 12 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyz") != "" {
		t.Errorf("user id %q is not 12 characters of [0-9a-z]", id)
	}
	if fmt.Sprint(u["customData"], u["profile"], u["identities"]) != "map[plan:pro] map[address:map[country:CN] givenName:Alice] map[]" {
		t.Errorf("JSON fields = %v %v %v", u["customData"], u["profile"], u["identities"])
	}
	stored := e.storedUser(id)
	if stored.PasswordEncryptionMethod == nil || *stored.PasswordEncryptionMethod != model.PasswordArgon2id ||
		!strings.HasPrefix(*stored.PasswordEncrypted, "$argon2id$") {
		t.Errorf("stored password = %v %v; want an argon2id PHC string", stored.PasswordEncryptionMethod, stored.PasswordEncrypted)
	}

	r := e.do("GET", "/api/users/"+id, "")
	e.want(r, 200, "")
	var got map[string]any
	r.json(t, &got)
	if fmt.Sprint(got) != fmt.Sprint(u) {
		t.Errorf("GET = %v\nPOST = %v", got, u)
	}
	r = e.do("GET", "/api/users/"+id+"?includeSsoIdentities=true", "")
	r.json(t, &got)
	if fmt.Sprint(got["ssoIdentities"]) != "[]" {
		t.Errorf("ssoIdentities = %v; want []", got["ssoIdentities"])
	}
	r = e.do("GET", "/api/users/"+id+"/has-password", "")
	e.want(r, 200, "")
	if string(r.body) != `{"hasPassword":true}` {
		t.Errorf("has-password = %s", r.body)
	}

	bare := e.createUser(``)
	if bare["hasPassword"] != false || bare["username"] != nil || bare["avatar"] != nil || fmt.Sprint(bare["customData"], bare["profile"]) != "map[] map[]" {
		t.Errorf("empty POST /users = %v", bare)
	}
	r = e.do("GET", "/api/users/"+bare["id"].(string)+"/has-password", "")
	if string(r.body) != `{"hasPassword":false}` {
		t.Errorf("has-password without password = %s", r.body)
	}
	e.want(e.do("GET", "/api/users/missing", ""), 404, "entity.not_found")
	e.want(e.do("GET", "/api/users/missing/has-password", ""), 404, "entity.not_found")
	e.want(e.doAuth("GET", "/api/users", "", ""), 401, "auth.authorization_header_missing")
}

func TestUserCreateErrors(t *testing.T) {
	e := newUserEnv(t)
	e.createUser(`{"username":"taken","primaryEmail":"taken@example.com","primaryPhone":"15550000001"}`)
	for name, tc := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"username in use":            {`{"username":"taken"}`, 422, "user.username_already_in_use"},
		"email in use, other case":   {`{"primaryEmail":"TAKEN@example.com"}`, 422, "user.email_already_in_use"},
		"phone in use":               {`{"primaryPhone":"15550000001"}`, 422, "user.phone_already_in_use"},
		"password and digest":        {`{"password":"x","passwordDigest":"5f4dcc3b5aa765d61d8327deb882cf99","passwordAlgorithm":"MD5"}`, 400, "user.password_and_digest"},
		"digest without algorithm":   {`{"passwordDigest":"5f4dcc3b5aa765d61d8327deb882cf99"}`, 400, "user.password_algorithm_required"},
		"digest longer than 256":     {`{"passwordDigest":"` + strings.Repeat("a", 257) + `","passwordAlgorithm":"MD5"}`, 400, "guard.invalid_input"},
		"digest not MD5-shaped":      {`{"passwordDigest":"not-hex","passwordAlgorithm":"MD5"}`, 400, "guard.invalid_input"},
		"bad legacy digest":          {`{"passwordDigest":"[\"sha256\"]","passwordAlgorithm":"Legacy"}`, 400, "password.invalid_legacy_password_format"},
		"unknown algorithm":          {`{"passwordDigest":"abc","passwordAlgorithm":"ROT13"}`, 400, "guard.invalid_input"},
		"empty password":             {`{"password":""}`, 400, "guard.invalid_input"},
		"username starts with digit": {`{"username":"1abc"}`, 400, "guard.invalid_input"},
		"username with a dash":       {`{"username":"a-b"}`, 400, "guard.invalid_input"},
		"username too long":          {`{"username":"` + strings.Repeat("a", 129) + `"}`, 400, "guard.invalid_input"},
		"not an email":               {`{"primaryEmail":"alice.example.com"}`, 400, "guard.invalid_input"},
		"phone with letters":         {`{"primaryPhone":"+1 555 CALL"}`, 400, "guard.invalid_input"},
		"phone too short":            {`{"primaryPhone":"99999"}`, 422, "user.invalid_phone"},
		"avatar not a URL":           {`{"avatar":"javascript:alert(1)"}`, 400, "guard.invalid_input"},
		"customData an array":        {`{"customData":[1]}`, 400, "guard.invalid_input"},
		"customData null":            {`{"customData":null}`, 400, "guard.invalid_input"},
		"profile unknown key":        {`{"profile":{"shoeSize":"42"}}`, 400, "guard.invalid_input"},
		"unknown key":                {`{"isAdmin":true}`, 400, "guard.invalid_input"},
		"name not a string":          {`{"name":5}`, 400, "guard.invalid_input"},
		"NUL in the name":            {`{"name":"a\u0000b"}`, 400, "guard.invalid_input"},
		"not an object":              {`[]`, 400, "guard.invalid_input"},
	} {
		t.Run(name, func(t *testing.T) { e.want(e.do("POST", "/api/users", tc.body), tc.status, tc.code) })
	}
	r := e.do("GET", "/api/users", "")
	if r.header.Get("Total-Number") != "1" {
		t.Errorf("users after refused creates = %s; want only the first", r.header.Get("Total-Number"))
	}
	// An avatar may be "" and a username may differ only in case (case-sensitive by default).
	e.createUser(`{"username":"Taken","avatar":""}`)
}

func TestUsernamePolicyCaseInsensitive(t *testing.T) {
	e := newUserEnv(t)
	e.createUser(`{"username":"Alice"}`)
	err := e.st.Tenant(model.DefaultTenantID).Configs().Put(e.ctx, model.ConfigSignInExperience,
		json.RawMessage(`{"usernamePolicy":{"caseSensitive":false,"minLength":1,"maxLength":128,"allowedChars":{"lowercase":true,"uppercase":true,"numbers":true,"underscore":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	e.want(e.do("POST", "/api/users", `{"username":"aLiCe"}`), 422, "user.username_already_in_use")
	other := e.createUser(`{"username":"bob"}`)
	e.want(e.do("PATCH", "/api/users/"+other["id"].(string), `{"username":"ALICE"}`), 422, "user.username_already_in_use")
	found, err := e.svc.FindUserByIdentifier(e.ctx, model.DefaultTenantID, model.IdentifierUsername, "ALICE")
	if err != nil || *found.Username != "Alice" {
		t.Errorf("FindUserByIdentifier(ALICE) under a case-insensitive policy = %v, %v", found.Username, err)
	}
}

func TestUserUpdate(t *testing.T) {
	e := newUserEnv(t)
	u := e.createUser(`{"username":"carol","customData":{"a":1,"b":2},"profile":{"nickname":"C","website":"https://c.example"}}`)
	id := u["id"].(string)
	e.createUser(`{"username":"other","primaryEmail":"other@example.com","primaryPhone":"15550000002"}`)

	e.clk.Advance(time.Minute)
	r := e.do("PATCH", "/api/users/"+id, `{"name":"Carol","primaryEmail":"Carol@Example.com","primaryPhone":"15550000003",
		"avatar":"https://example.com/c.png","customData":{"c":3},"profile":{"familyName":"Doe"}}`)
	e.want(r, 200, "")
	var got map[string]any
	r.json(t, &got)
	if got["name"] != "Carol" || got["primaryEmail"] != "carol@example.com" || got["primaryPhone"] != "15550000003" ||
		got["avatar"] != "https://example.com/c.png" || got["username"] != "carol" ||
		fmt.Sprint(got["customData"], got["profile"]) != "map[c:3] map[familyName:Doe]" {
		t.Errorf("after PATCH = %v", got)
	}
	if got["updatedAt"].(float64) <= u["updatedAt"].(float64) || got["createdAt"] != u["createdAt"] {
		t.Errorf("updatedAt %v createdAt %v; want updatedAt later than %v, createdAt unchanged", got["updatedAt"], got["createdAt"], u["updatedAt"])
	}
	r = e.do("PATCH", "/api/users/"+id, `{"username":null,"name":""}`)
	e.want(r, 200, "")
	r.json(t, &got)
	if got["username"] != nil || got["name"] != "" || got["primaryEmail"] != "carol@example.com" {
		t.Errorf("after clearing = %v", got)
	}
	r = e.do("PATCH", "/api/users/"+id, `{"primaryEmail":""}`)
	r.json(t, &got)
	if got["primaryEmail"] != nil {
		t.Errorf(`primaryEmail after "" = %v; want null`, got["primaryEmail"])
	}
	// Setting one's own identifiers again is no conflict.
	e.want(e.do("PATCH", "/api/users/"+id, `{"primaryPhone":"15550000003"}`), 200, "")

	for name, tc := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"empty body":                   {`{}`, 422, "entity.invalid_input"},
		"username in use":              {`{"username":"other"}`, 422, "user.username_already_in_use"},
		"email in use":                 {`{"primaryEmail":"OTHER@example.com"}`, 422, "user.email_already_in_use"},
		"phone in use":                 {`{"primaryPhone":"15550000002"}`, 422, "user.phone_already_in_use"},
		"bad username":                 {`{"username":"no spaces"}`, 400, "guard.invalid_input"},
		"password is not patched here": {`{"password":"x"}`, 400, "guard.invalid_input"},
		"customData string":            {`{"customData":"x"}`, 400, "guard.invalid_input"},
	} {
		t.Run(name, func(t *testing.T) { e.want(e.do("PATCH", "/api/users/"+id, tc.body), tc.status, tc.code) })
	}
	e.want(e.do("PATCH", "/api/users/missing", `{"name":"x"}`), 404, "entity.not_found")

	// custom-data merges top-level keys; profile merges claims.
	r = e.do("GET", "/api/users/"+id+"/custom-data", "")
	e.want(r, 200, "")
	if string(r.body) != `{"c":3}` {
		t.Errorf("GET custom-data = %s", r.body)
	}
	r = e.do("PATCH", "/api/users/"+id+"/custom-data", `{"customData":{"d":{"x":1},"c":null}}`)
	e.want(r, 200, "")
	var cd map[string]any
	r.json(t, &cd)
	if fmt.Sprint(cd) != "map[c:<nil> d:map[x:1]]" {
		t.Errorf("PATCH custom-data = %s", r.body)
	}
	e.want(e.do("PATCH", "/api/users/"+id+"/custom-data", `{}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/users/"+id+"/custom-data", `{"customData":[]}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/users/missing/custom-data", `{"customData":{}}`), 404, "entity.not_found")
	e.want(e.do("GET", "/api/users/missing/custom-data", ""), 404, "entity.not_found")

	r = e.do("PATCH", "/api/users/"+id+"/profile", `{"profile":{"givenName":"Carol","address":{"formatted":"1 Main St"}}}`)
	e.want(r, 200, "")
	r = e.do("PATCH", "/api/users/"+id+"/profile", `{"profile":{"familyName":"Roe","website":"https://carol.example"}}`)
	e.want(r, 200, "")
	var profile map[string]any
	r.json(t, &profile)
	if fmt.Sprint(profile) != "map[address:map[formatted:1 Main St] familyName:Roe givenName:Carol website:https://carol.example]" {
		t.Errorf("profile after two PATCHes = %s", r.body)
	}
	e.want(e.do("PATCH", "/api/users/"+id+"/profile", `{}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/users/"+id+"/profile", `{"profile":{"age":3}}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/users/missing/profile", `{"profile":{}}`), 404, "entity.not_found")
}

func TestUserPasswordSuspendDelete(t *testing.T) {
	e := newUserEnv(t)
	u := e.createUser(`{"username":"dave"}`)
	id := u["id"].(string)
	e.want(e.do("POST", "/api/users/"+id+"/password/verify", `{"password":"anything"}`), 422, "session.invalid_credentials")

	e.clk.Advance(time.Second)
	r := e.do("PATCH", "/api/users/"+id+"/password", `{"password":"new_password"}`)
	e.want(r, 200, "")
	var got map[string]any
	r.json(t, &got)
	if got["hasPassword"] != true || got["updatedAt"].(float64) <= u["updatedAt"].(float64) {
		t.Errorf("after PATCH password = %v", got)
	}
	if _, leaked := got["passwordEncrypted"]; leaked || strings.Contains(string(r.body), "argon2") {
		t.Errorf("PATCH password answer leaks the hash: %s", r.body)
	}
	e.want(e.do("POST", "/api/users/"+id+"/password/verify", `{"password":"new_password"}`), 204, "")
	e.want(e.do("POST", "/api/users/"+id+"/password/verify", `{"password":"wrong_password"}`), 422, "session.invalid_credentials")
	e.want(e.do("POST", "/api/users/"+id+"/password/verify", `{"password":""}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/users/"+id+"/password/verify", `{}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/users/missing/password/verify", `{"password":"x"}`), 404, "entity.not_found")
	e.want(e.do("PATCH", "/api/users/"+id+"/password", `{"password":""}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/users/missing/password", `{"password":"x"}`), 404, "entity.not_found")

	r = e.do("PATCH", "/api/users/"+id+"/is-suspended", `{"isSuspended":true}`)
	e.want(r, 200, "")
	r.json(t, &got)
	if got["isSuspended"] != true {
		t.Errorf("after suspending = %v", got)
	}
	if !e.storedUser(id).IsSuspended {
		t.Error("stored user is not suspended")
	}
	r = e.do("PATCH", "/api/users/"+id+"/is-suspended", `{"isSuspended":false}`)
	r.json(t, &got)
	if got["isSuspended"] != false {
		t.Errorf("after unsuspending = %v", got)
	}
	e.want(e.do("PATCH", "/api/users/"+id+"/is-suspended", `{}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/users/"+id+"/is-suspended", `{"isSuspended":"yes"}`), 400, "guard.invalid_input")
	e.want(e.do("PATCH", "/api/users/missing/is-suspended", `{"isSuspended":true}`), 404, "entity.not_found")

	e.want(e.do("DELETE", "/api/users/"+id, ""), 204, "")
	e.want(e.do("GET", "/api/users/"+id, ""), 404, "entity.not_found")
	e.want(e.do("DELETE", "/api/users/"+id, ""), 404, "entity.not_found")
	// The username is free again.
	e.createUser(`{"username":"dave"}`)
}

// Users imported with a digest of each Logto format sign in with their password and are moved to
// argon2id. The digests come from the password package's vectors (internal/password/
// vectors_test.go), produced by Node with hash-wasm, bcryptjs and node:crypto as Logto uses them.
func TestImportedDigestsVerifyAndRehash(t *testing.T) {
	const pw = "correct horse battery staple"
	e := newUserEnv(t)
	for _, v := range []struct {
		name, method, digest string
	}{
		{"argon2i as Logto writes it", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`},
		{"argon2id, other parameters", model.PasswordArgon2id, `$argon2id$v=19$m=4096,t=3,p=2$MDEyMzQ1Njc4OWFiY2RlZg$hegKmJr2LseWAMMjBM+RvvKt+5/9VhnX`},
		{"bcrypt 2a", model.PasswordBcrypt, `$2a$10$KBCwKxOzLha2MUDgW0PjXeDDbrW2ZldpG6p.2R9OgWkxRmMwXKONq`},
		{"bcrypt 2b", model.PasswordBcrypt, `$2b$06$Cq5lTLcU99TMmv5XAgzseeNRpgCQ5xmmDsl6aXznaTE0p/d4jDD1G`},
		{"MD5", model.PasswordMD5, `9cc2ae8a1ba7a93da39b46fc1019c481`},
		{"SHA1", model.PasswordSHA1, `abf7aad6438836dbe526aa231abde2d0eef74d42`},
		{"SHA256", model.PasswordSHA256, `c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a`},
		{"Legacy salted md5", model.PasswordLegacy, `["md5",["salt123","@"],"04356ef93ecc00ad19e3f1e158620ca8"]`},
		{"Legacy pbkdf2 sha256", model.PasswordLegacy, `["pbkdf2",["saltsalt","10000","32","sha256","@"],"ff5857eeab6c99f8407e154ab2bed8a7af9b800d2c1a7bd2ba90f4faa0cf4269"]`},
		{"Legacy firebase-scrypt", model.PasswordLegacy, `["firebase-scrypt",["c2FsdHNhbHRzYWx0","Z2F0ZWhvdXNlLWZpcmViYXNlLXNpZ25lci1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4OWFiY2RlZkFCQw==","Bw==","8","14","@"],"mcoVH8P/woLWVuDPwU7qpA2faqSoJVr2Gg6lWho3ZhdQtzmvSsIfd20HrJ079pBzlxR8LchA7PkEcjssqDP6Iw=="]`},
	} {
		t.Run(v.name, func(t *testing.T) {
			u := e.createUser(jsonBody(t, map[string]string{"passwordDigest": v.digest, "passwordAlgorithm": v.method}))
			id := u["id"].(string)
			if u["hasPassword"] != true {
				t.Fatalf("imported user hasPassword = %v", u["hasPassword"])
			}
			// A wrong password changes nothing.
			e.want(e.do("POST", "/api/users/"+id+"/password/verify", `{"password":"wrong"}`), 422, "session.invalid_credentials")
			if s := e.storedUser(id); *s.PasswordEncrypted != v.digest || *s.PasswordEncryptionMethod != v.method {
				t.Fatalf("after a wrong password the digest changed to %s %s", *s.PasswordEncryptionMethod, *s.PasswordEncrypted)
			}
			e.want(e.do("POST", "/api/users/"+id+"/password/verify", jsonBody(t, map[string]string{"password": pw})), 204, "")
			s := e.storedUser(id)
			if *s.PasswordEncryptionMethod != model.PasswordArgon2id || !strings.HasPrefix(*s.PasswordEncrypted, "$argon2id$v=19$m=19456,t=2,p=1$") {
				t.Fatalf("after sign-in the digest is %s %s; want argon2id with OWASP parameters", *s.PasswordEncryptionMethod, *s.PasswordEncrypted)
			}
			if s.PasswordUpdatedAt == nil || *s.PasswordUpdatedAt != int64(u["createdAt"].(float64)) {
				t.Errorf("rehash moved password_updated_at to %v; the password did not change", s.PasswordUpdatedAt)
			}
			// The new hash verifies too.
			e.want(e.do("POST", "/api/users/"+id+"/password/verify", jsonBody(t, map[string]string{"password": pw})), 204, "")
		})
	}
}

func TestUserRoles(t *testing.T) {
	e := newUserEnv(t)
	role := func(body string) string {
		r := e.do("POST", "/api/roles", body)
		e.want(r, 200, "")
		var m map[string]any
		r.json(t, &m)
		return m["id"].(string)
	}
	viewer := role(`{"name":"viewer","description":"Views"}`)
	editor := role(`{"name":"editor","description":"Edits"}`)
	m2m := role(`{"name":"robot","description":"M2M","type":"MachineToMachine"}`)
	member := role(`{"name":"member","description":"Everyone","isDefault":true}`)

	u := e.createUser(`{"username":"erin","name":"Erin"}`)
	id := u["id"].(string)
	ids := func(r response) []string {
		var roles []map[string]any
		r.json(t, &roles)
		out := []string{}
		for _, x := range roles {
			out = append(out, x["id"].(string))
		}
		return out
	}
	r := e.do("GET", "/api/users/"+id+"/roles", "")
	e.want(r, 200, "")
	if got := ids(r); !slices.Equal(got, []string{member}) || r.header.Get("Total-Number") != "1" {
		t.Errorf("roles of a new user = %v; want the default role %s", got, member)
	}

	r = e.do("POST", "/api/users/"+id+"/roles", `{"roleIds":["`+viewer+`","`+editor+`"]}`)
	e.want(r, 201, "")
	if string(r.body) != `{"roleIds":["`+viewer+`","`+editor+`"],"addedRoleIds":["`+viewer+`","`+editor+`"]}` {
		t.Errorf("POST roles = %s", r.body)
	}
	r = e.do("POST", "/api/users/"+id+"/roles", `{"roleIds":["`+viewer+`"]}`)
	e.want(r, 201, "")
	if string(r.body) != `{"roleIds":["`+viewer+`"],"addedRoleIds":[]}` {
		t.Errorf("POST held role = %s", r.body)
	}
	e.want(e.do("POST", "/api/users/"+id+"/roles", `{"roleIds":["`+m2m+`"]}`), 422, "user.invalid_role_type")
	e.want(e.do("POST", "/api/users/"+id+"/roles", `{"roleIds":["missing"]}`), 404, "entity.not_exists_with_id")
	e.want(e.do("POST", "/api/users/"+id+"/roles", `{"roleIds":[""]}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/users/"+id+"/roles", `{}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/users/missing/roles", `{"roleIds":["`+viewer+`"]}`), 404, "entity.not_found")

	r = e.do("GET", "/api/users/"+id+"/roles?search=%25EDIT%25", "")
	if got := ids(r); !slices.Equal(got, []string{editor}) {
		t.Errorf("searched roles = %v; want editor", got)
	}
	r = e.do("GET", "/api/users/"+id+"/roles?page=2&page_size=1", "")
	if got := ids(r); !slices.Equal(got, []string{editor}) || r.header.Get("Total-Number") != "3" {
		t.Errorf("page 2 of roles = %v, total %s; want [editor], 3", got, r.header.Get("Total-Number"))
	}
	e.want(e.do("GET", "/api/users/missing/roles", ""), 404, "entity.not_found")

	// GET /roles counts holders and leaves out a user's roles on request.
	r = e.do("GET", "/api/roles?search=viewer", "")
	var summaries []map[string]any
	r.json(t, &summaries)
	if len(summaries) != 1 || summaries[0]["usersCount"] != float64(1) ||
		fmt.Sprint(summaries[0]["featuredUsers"]) != fmt.Sprintf("[map[avatar:<nil> id:%s name:Erin]]", id) {
		t.Errorf("viewer summary = %v", summaries)
	}
	r = e.do("GET", "/api/roles?type=User&excludeUserId="+id, "")
	if r.header.Get("Total-Number") != "0" {
		t.Errorf("User roles not held by erin = %s (%s); want none", r.header.Get("Total-Number"), r.body)
	}

	r = e.do("PUT", "/api/users/"+id+"/roles", `{"roleIds":["`+editor+`","`+editor+`"]}`)
	e.want(r, 200, "")
	if string(r.body) != `{"roleIds":["`+editor+`"]}` {
		t.Errorf("PUT roles = %s", r.body)
	}
	if got := ids(e.do("GET", "/api/users/"+id+"/roles", "")); !slices.Equal(got, []string{editor}) {
		t.Errorf("roles after PUT = %v", got)
	}
	e.want(e.do("PUT", "/api/users/"+id+"/roles", `{"roleIds":["`+m2m+`"]}`), 422, "user.invalid_role_type")
	e.want(e.do("PUT", "/api/users/"+id+"/roles", `{"roleIds":["missing"]}`), 404, "entity.not_exists_with_id")
	e.want(e.do("DELETE", "/api/users/"+id+"/roles/"+editor, ""), 204, "")
	e.want(e.do("DELETE", "/api/users/"+id+"/roles/"+editor, ""), 404, "entity.not_found")
	r = e.do("PUT", "/api/users/"+id+"/roles", `{"roleIds":[]}`)
	e.want(r, 200, "")
	if string(r.body) != `{"roleIds":[]}` {
		t.Errorf("PUT no roles = %s", r.body)
	}

	// The same links from the role's side.
	other := e.createUser(`{"username":"frank","primaryEmail":"frank@logto.io"}`)
	otherID := other["id"].(string)
	e.want(e.do("POST", "/api/roles/"+viewer+"/users", `{"userIds":["`+id+`","`+otherID+`"]}`), 201, "")
	e.want(e.do("POST", "/api/roles/"+viewer+"/users", `{"userIds":["`+otherID+`"]}`), 422, "role.user_exists")
	e.want(e.do("POST", "/api/roles/"+editor+"/users", `{"userIds":["missing"]}`), 404, "entity.not_found")
	e.want(e.do("POST", "/api/roles/"+m2m+"/users", `{"userIds":["`+id+`"]}`), 422, "entity.db_constraint_violated")
	e.want(e.do("POST", "/api/roles/missing/users", `{"userIds":["`+id+`"]}`), 404, "entity.not_exists_with_id")
	e.want(e.do("POST", "/api/roles/"+editor+"/users", `{"userIds":[]}`), 400, "guard.invalid_input")
	e.want(e.do("POST", "/api/roles/"+editor+"/users", `{"userIds":[""]}`), 400, "guard.invalid_input")
	r = e.do("GET", "/api/roles/"+viewer+"/users", "")
	e.want(r, 200, "")
	var holders []map[string]any
	r.json(t, &holders)
	if len(holders) != 2 || holders[0]["id"] != otherID || holders[1]["id"] != id || r.header.Get("Total-Number") != "2" {
		t.Errorf("viewer holders = %s", r.body)
	}
	if keysOf(holders[0])[0] != "applicationId" || len(keysOf(holders[0])) != len(logtoUserKeys) {
		t.Errorf("holder keys = %v", keysOf(holders[0]))
	}
	r = e.do("GET", "/api/roles/"+viewer+"/users?search=%25%40logto.io%25", "")
	r.json(t, &holders)
	if len(holders) != 1 || holders[0]["id"] != otherID {
		t.Errorf("holders matching @logto.io = %s", r.body)
	}
	e.want(e.do("GET", "/api/roles/missing/users", ""), 404, "entity.not_exists_with_id")
	e.want(e.do("GET", "/api/roles/"+viewer+"/users?mode=posix&search=x", ""), 400, "request.invalid_input")
	e.want(e.do("DELETE", "/api/roles/"+viewer+"/users/"+otherID, ""), 204, "")
	e.want(e.do("DELETE", "/api/roles/"+viewer+"/users/"+otherID, ""), 404, "entity.not_found")

	// Deleting the user unlinks it; deleting a role unlinks its holders.
	e.want(e.do("DELETE", "/api/users/"+id, ""), 204, "")
	r = e.do("GET", "/api/roles/"+viewer+"/users", "")
	if r.header.Get("Total-Number") != "0" {
		t.Errorf("holders of viewer after its holder was deleted = %s", r.body)
	}
	e.want(e.do("POST", "/api/roles/"+editor+"/users", `{"userIds":["`+otherID+`"]}`), 201, "")
	e.want(e.do("DELETE", "/api/roles/"+editor, ""), 204, "")
	if got := ids(e.do("GET", "/api/users/"+otherID+"/roles", "")); !slices.Equal(got, []string{member}) {
		t.Errorf("frank's roles after editor was deleted = %v", got)
	}
}

func TestUserListSearchAndPages(t *testing.T) {
	e := newUserEnv(t)
	byUsername := map[string]string{}
	for i, u := range []struct{ username, name, email string }{
		{"search_tom_scott", "Tom Scott", "tom_scott@gmail.com"},
		{"search_tom_scott_2", "Tom Scott", "tom_scott_2@foo.bar"},
		{"search_tom_scott_3", "Tom Scott", "tom_scott_3@geek.best"},
		{"search_jerry_swift", "Jerry Swift", "jerry_swift@gmail.com"},
		{"search_jerry_swift_jr", "Jerry Swift Jr", "jerry_swift_jr@foo.bar"},
		{"search_jerry_swift_jr_2", "Jerry Swift Jr", "jerry_swift_jr_2@geek.best"},
	} {
		created := e.createUser(jsonBody(t, map[string]string{"username": u.username, "name": u.name,
			"primaryEmail": u.email, "primaryPhone": fmt.Sprintf("1310805%04d", i)}))
		byUsername[u.username] = created["id"].(string)
		e.clk.Advance(time.Millisecond) // newest first needs distinct creation times
	}
	for i := 0; i < 20; i++ {
		e.createUser(fmt.Sprintf(`{"username":"filler_%02d"}`, i))
		e.clk.Advance(time.Millisecond)
	}
	list := func(query string) (response, []string) {
		t.Helper()
		r := e.do("GET", "/api/users?"+query, "")
		e.want(r, 200, "")
		var us []map[string]any
		r.json(t, &us)
		out := []string{}
		for _, u := range us {
			if s, ok := u["username"].(string); ok {
				out = append(out, s)
			}
		}
		return r, out
	}

	r, all := list("")
	if len(all) != 20 || all[0] != "filler_19" || r.header.Get("Total-Number") != "26" {
		t.Errorf("default page = %d users from %v, total %s; want 20 newest of 26", len(all), all[:1], r.header.Get("Total-Number"))
	}
	if links := strings.Join(r.header.Values("Link"), ", "); !strings.Contains(links, `<http://localhost:3001/users?page=2>; rel="next"`) ||
		strings.Contains(links, "/api/") {
		t.Errorf("Link = %s; want a next link without /api", links)
	}
	_, page := list("page=2&page_size=3&search.username=search_%25")
	if !slices.Equal(page, []string{"search_tom_scott_3", "search_tom_scott_2", "search_tom_scott"}) {
		t.Errorf("page 2 of the search_ users = %v", page)
	}
	_, page = list("page=9&page_size=100")
	if len(page) != 0 {
		t.Errorf("page past the end = %v; want []", page)
	}
	e.want(e.do("GET", "/api/users?page_size=100000", ""), 400, "guard.invalid_pagination")

	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"like on every field", "search=" + url.QueryEscape("%search_tom%"), []string{"search_tom_scott_3", "search_tom_scott_2", "search_tom_scott"}},
		{"phone digits", "search=" + url.QueryEscape("%13108050003%"), []string{"search_jerry_swift"}},
		{"exact ignores case", "search.name=" + url.QueryEscape("jerry swift") + "&mode.name=exact", []string{"search_jerry_swift"}},
		{"exact, case-sensitive", "search.name=" + url.QueryEscape("jerry swift") + "&mode.name=exact&isCaseSensitive=true", []string{}},
		{"several exact values", "search.primaryEmail=JERRY_SWIFT_JR@foo.bar&search.primaryEmail=tom_scott_2@foo.bar&mode.primaryEmail=exact", []string{"search_jerry_swift_jr", "search_tom_scott_2"}},
		{"snake_case field", "search.primary_email=" + url.QueryEscape("%@gmail.com"), []string{"search_jerry_swift", "search_tom_scott"}},
		{"default mode exact", "search.id=" + byUsername["search_tom_scott"] + "&search.id=nope&mode=exact", []string{"search_tom_scott"}},
		{"joint and", "search.username=" + url.QueryEscape("search_jerry%") + "&search.primaryEmail=" + url.QueryEscape("%foo.bar") + "&joint=and", []string{"search_jerry_swift_jr"}},
		{"joint or", "search.username=" + url.QueryEscape("search_jerry_swift_jr_2") + "&search.name=" + url.QueryEscape("tom scott") + "&mode.name=exact", []string{"search_jerry_swift_jr_2", "search_tom_scott_3", "search_tom_scott_2", "search_tom_scott"}},
		{"case-sensitive like", "search.name=" + url.QueryEscape("Jerry%") + "&isCaseSensitive=true", []string{"search_jerry_swift_jr_2", "search_jerry_swift_jr", "search_jerry_swift"}},
		{"case-sensitive like, no match", "search.name=" + url.QueryEscape("jerry%") + "&isCaseSensitive=true", []string{}},
		{"underscore is a wildcard, escaped it is not", "search.username=" + url.QueryEscape(`search\_tom\_scott\_%`), []string{"search_tom_scott_3", "search_tom_scott_2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, got := list(tc.query)
			if !slices.Equal(got, tc.want) || r.header.Get("Total-Number") != fmt.Sprint(len(tc.want)) {
				t.Errorf("%s: %v (total %s); want %v", tc.query, got, r.header.Get("Total-Number"), tc.want)
			}
		})
	}

	roleResp := e.do("POST", "/api/roles", `{"name":"member","description":"m"}`)
	var role map[string]any
	roleResp.json(t, &role)
	e.want(e.do("POST", "/api/roles/"+role["id"].(string)+"/users", `{"userIds":["`+byUsername["search_tom_scott"]+`"]}`), 201, "")
	_, got := list("search.username=" + url.QueryEscape("search_tom%") + "&excludeRoleId=" + role["id"].(string))
	if !slices.Equal(got, []string{"search_tom_scott_3", "search_tom_scott_2"}) {
		t.Errorf("excludeRoleId = %v", got)
	}

	for name, query := range map[string]string{
		"two like values":      "search.primaryEmail=a&search.primaryEmail=b",
		"empty value":          "search.primaryEmail=&search=tom",
		"similar_to":           "search.primaryEmail=%25gmail%25&mode.primaryEmail=similar_to",
		"posix":                "search.name=x&mode.name=posix",
		"unknown mode":         "search.primaryEmail=x&mode.primaryEmail=similar%20to",
		"unknown field":        "search.email=x",
		"nested field":         "search.profile.name=x",
		"unknown joint":        "search=x&joint=and1",
		"exclude role and org": "excludeRoleId=a&excludeOrganizationId=b",
		"NUL in a value":       "search=a%00b",
	} {
		t.Run(name, func(t *testing.T) { e.want(e.do("GET", "/api/users?"+query, ""), 400, "request.invalid_input") })
	}
}
