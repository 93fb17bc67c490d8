package storetest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// newUser creates a user in tn with the given username (nil for none); mods edit it first.
func (f *fixture) newUser(tn store.Tenant, username string, mods ...func(*model.User)) model.User {
	f.t.Helper()
	at := f.tick()
	u := model.User{TenantID: tn.ID(), ID: ids.NewUserID(), CreatedAt: at, UpdatedAt: at}
	if username != "" {
		u.Username = ptr(username)
	}
	for _, m := range mods {
		m(&u)
	}
	if err := tn.Users().Create(f.ctx, u); err != nil {
		f.t.Fatalf("create user %q: %v", username, err)
	}
	got, err := tn.Users().Get(f.ctx, u.ID)
	if err != nil {
		f.t.Fatalf("get user %q: %v", username, err)
	}
	return got
}

// canonicalUser makes a user's raw JSON fields comparable.
func canonicalUser(t *testing.T, u model.User) model.User {
	t.Helper()
	u.Identities = canonicalJSON(t, u.Identities)
	u.CustomData = canonicalJSON(t, u.CustomData)
	u.LogtoConfig = canonicalJSON(t, u.LogtoConfig)
	return u
}

func wantSameUser(t *testing.T, got, want model.User, what string) {
	t.Helper()
	wantEqual(t, canonicalUser(t, got), canonicalUser(t, want), what)
}

func usernames(us []model.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		if u.Username != nil {
			out[i] = *u.Username
		}
	}
	return out
}

func testUsers(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("round trip and lookups", func(t *testing.T) {
		f := newFixture(t, open)
		at := f.tick()
		want := model.User{
			TenantID: tenantA, ID: "u1abcdefghij", Username: ptr("Alice_1"), PrimaryEmail: ptr("alice@example.com"),
			PrimaryPhone: ptr("8613800000000"), PasswordEncrypted: ptr("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
			PasswordEncryptionMethod: ptr(model.PasswordArgon2id), Name: ptr("Alice Ä"), Avatar: ptr("https://example.com/a.png"),
			Profile:       model.UserProfile{GivenName: "Alice", Address: &model.UserAddress{Country: "CN"}},
			ApplicationID: ptr("app-1"), Identities: json.RawMessage(`{"github":{"userId":"42","details":{}}}`),
			CustomData: json.RawMessage(`{"plan":"pro","n":1}`), LogtoConfig: json.RawMessage(`{"mfa":{"skipped":true}}`),
			IsSuspended: true, IsPasswordExpired: true, LastSignInAt: ptr(at - 5), PasswordUpdatedAt: ptr(at - 9),
			CreatedAt: at, UpdatedAt: at + 1,
		}
		mustOK(t, f.a.Users().Create(f.ctx, want), "Create")
		got, err := f.a.Users().Get(f.ctx, want.ID)
		mustOK(t, err, "Get")
		wantSameUser(t, got, want, "Get")

		for _, tc := range []struct {
			name string
			get  func() (model.User, error)
		}{
			{"username exact", func() (model.User, error) { return f.a.Users().GetByUsername(f.ctx, "Alice_1", true) }},
			{"username ignoring case", func() (model.User, error) { return f.a.Users().GetByUsername(f.ctx, "aLICE_1", false) }},
			{"email ignoring case", func() (model.User, error) { return f.a.Users().GetByEmail(f.ctx, "ALICE@Example.COM") }},
			{"phone", func() (model.User, error) { return f.a.Users().GetByPhone(f.ctx, "8613800000000") }},
		} {
			u, err := tc.get()
			mustOK(t, err, tc.name)
			wantEqual(t, u.ID, want.ID, tc.name)
		}
		for _, tc := range []struct {
			name string
			get  func() (model.User, error)
		}{
			{"missing id", func() (model.User, error) { return f.a.Users().Get(f.ctx, "missing") }},
			{"username in other case, case-sensitive", func() (model.User, error) { return f.a.Users().GetByUsername(f.ctx, "alice_1", true) }},
			{"username with a LIKE wildcard", func() (model.User, error) { return f.a.Users().GetByUsername(f.ctx, "Alice%", false) }},
			{"email prefix", func() (model.User, error) { return f.a.Users().GetByEmail(f.ctx, "alice@example") }},
			{"phone with plus", func() (model.User, error) { return f.a.Users().GetByPhone(f.ctx, "+8613800000000") }},
			{"NUL in the username", func() (model.User, error) { return f.a.Users().GetByUsername(f.ctx, "Alice_1\x00", true) }},
			{"invalid UTF-8 email", func() (model.User, error) { return f.a.Users().GetByEmail(f.ctx, "\xff@example.com") }},
		} {
			_, err := tc.get()
			wantNotFound(t, err, tc.name)
		}

		// A user with nothing but an id reads back with empty JSON objects and no pointers.
		bare := f.newUser(f.a, "")
		wantEqual(t, bare.Username == nil && bare.PrimaryEmail == nil && bare.PasswordEncrypted == nil && bare.LastSignInAt == nil, true, "bare user has no optional fields")
		wantEqual(t, string(canonicalJSON(t, bare.CustomData))+string(canonicalJSON(t, bare.Identities)), "{}{}", "bare user JSON defaults")
		wantEqual(t, bare.Profile, model.UserProfile{}, "bare profile")
	})

	t.Run("case-insensitive username lookup prefers the exact match, then the oldest", func(t *testing.T) {
		f := newFixture(t, open)
		older := f.newUser(f.a, "Bob")
		exact := f.newUser(f.a, "bob")
		got, err := f.a.Users().GetByUsername(f.ctx, "bob", false)
		mustOK(t, err, "GetByUsername bob")
		wantEqual(t, got.ID, exact.ID, "exact match wins")
		got, err = f.a.Users().GetByUsername(f.ctx, "BOB", false)
		mustOK(t, err, "GetByUsername BOB")
		wantEqual(t, got.ID, older.ID, "oldest wins without an exact match")
	})

	t.Run("lookup by social identity", func(t *testing.T) {
		f := newFixture(t, open)
		linked := f.newUser(f.a, "gh", func(u *model.User) {
			u.Identities = json.RawMessage(`{"github":{"userId":"42","details":{"id":"42"}},"my-oauth.x":{"userId":"a'b\"c"}}`)
		})
		f.newUser(f.a, "other", func(u *model.User) {
			u.Identities = json.RawMessage(`{"google":{"userId":"42"}}`)
		})
		f.newUser(f.b, "elsewhere", func(u *model.User) { u.Identities = json.RawMessage(`{"github":{"userId":"7"}}`) })
		got, err := f.a.Users().GetByIdentity(f.ctx, "github", "42")
		mustOK(t, err, "GetByIdentity github 42")
		wantEqual(t, got.ID, linked.ID, "the user linked under github")
		got, err = f.a.Users().GetByIdentity(f.ctx, "my-oauth.x", `a'b"c`)
		mustOK(t, err, "GetByIdentity with a dotted target and quotes in the id")
		wantEqual(t, got.ID, linked.ID, "dotted target")
		for _, c := range []struct{ target, id string }{
			{"github", "43"}, {"gitlab", "42"}, {"github", "7"}, {`github.userId`, "42"}, {`$`, "42"}, {"github", "\x00"},
		} {
			if _, err := f.a.Users().GetByIdentity(f.ctx, c.target, c.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetByIdentity(%q, %q) = %v, want ErrNotFound", c.target, c.id, err)
			}
		}
	})

	t.Run("uniqueness per tenant, emails ignoring case", func(t *testing.T) {
		f := newFixture(t, open)
		first := f.newUser(f.a, "carol", func(u *model.User) {
			u.PrimaryEmail, u.PrimaryPhone = ptr("carol@example.com"), ptr("15550001")
		})
		for _, tc := range []struct {
			name, constraint string
			user             model.User
		}{
			{"same id", store.UniqueUserID, model.User{ID: first.ID}},
			{"same username", store.UniqueUsername, model.User{ID: ids.NewUserID(), Username: ptr("carol")}},
			{"same email", store.UniqueUserEmail, model.User{ID: ids.NewUserID(), PrimaryEmail: ptr("carol@example.com")}},
			{"same email in capitals", store.UniqueUserEmail, model.User{ID: ids.NewUserID(), PrimaryEmail: ptr("CAROL@EXAMPLE.COM")}},
			{"same phone", store.UniqueUserPhone, model.User{ID: ids.NewUserID(), PrimaryPhone: ptr("15550001")}},
		} {
			wantConflict(t, f.a.Users().Create(f.ctx, tc.user), tc.constraint, tc.name)
		}
		// Usernames are unique exactly (the policy's case folding is the service's lookup rule).
		f.newUser(f.a, "Carol")
		// Many users may have no username, email or phone.
		f.newUser(f.a, "")
		f.newUser(f.a, "")
		// The same identifiers in another tenant are another user.
		f.newUser(f.b, "carol", func(u *model.User) {
			u.ID, u.PrimaryEmail, u.PrimaryPhone = first.ID, ptr("carol@example.com"), ptr("15550001")
		})

		second := f.newUser(f.a, "dave", func(u *model.User) { u.PrimaryEmail = ptr("dave@example.com") })
		second.PrimaryEmail = ptr("Carol@Example.com")
		wantConflict(t, f.a.Users().Update(f.ctx, second), store.UniqueUserEmail, "Update onto another user's email")
		second.PrimaryEmail, second.Username = nil, ptr("carol")
		wantConflict(t, f.a.Users().Update(f.ctx, second), store.UniqueUsername, "Update onto another user's username")
		got, err := f.a.Users().Get(f.ctx, second.ID)
		mustOK(t, err, "Get after refused updates")
		wantEqual(t, *got.Username+" "+*got.PrimaryEmail, "dave dave@example.com", "identifiers after refused updates")
	})

	t.Run("updates", func(t *testing.T) {
		f := newFixture(t, open)
		u := f.newUser(f.a, "erin", func(u *model.User) {
			u.PasswordEncrypted, u.PasswordEncryptionMethod = ptr("5f4dcc3b5aa765d61d8327deb882cf99"), ptr(model.PasswordMD5)
		})
		other := f.newUser(f.a, "erin_other")
		gen := f.generation(tenantA)

		changed := u
		changed.Username, changed.PrimaryEmail, changed.Name = ptr("erin2"), ptr("erin@example.com"), ptr("Erin")
		changed.Avatar, changed.PrimaryPhone = nil, ptr("123456789")
		changed.Profile = model.UserProfile{Nickname: "E"}
		changed.CustomData = json.RawMessage(`{"a":[1,2]}`)
		changed.Identities = json.RawMessage(`{}`)
		changed.IsPasswordExpired = true
		changed.UpdatedAt = u.UpdatedAt + 100
		// Update leaves the password, suspension, sign-in time and creation time alone.
		changed.PasswordEncrypted, changed.IsSuspended, changed.LastSignInAt, changed.CreatedAt = nil, true, ptr(int64(1)), 1
		mustOK(t, f.a.Users().Update(f.ctx, changed), "Update")
		got, err := f.a.Users().Get(f.ctx, u.ID)
		mustOK(t, err, "Get after Update")
		want := changed
		want.PasswordEncrypted, want.PasswordEncryptionMethod = u.PasswordEncrypted, u.PasswordEncryptionMethod
		want.IsSuspended, want.LastSignInAt, want.CreatedAt = false, nil, u.CreatedAt
		wantSameUser(t, got, want, "after Update")

		mustOK(t, f.a.Users().UpdatePassword(f.ctx, u.ID, "$argon2id$new", model.PasswordArgon2id, 5000), "UpdatePassword")
		mustOK(t, f.a.Users().SetSuspended(f.ctx, u.ID, true, 6000), "SetSuspended")
		// A rehash keeps the password's age and expiry; only the encoding changes.
		mustOK(t, f.a.Users().UpdatePassword(f.ctx, other.ID, "5f4dcc3b5aa765d61d8327deb882cf99", model.PasswordMD5, 4000), "UpdatePassword other")
		mustOK(t, f.a.Users().Update(f.ctx, func() model.User { o := other; o.IsPasswordExpired, o.UpdatedAt = true, 4100; return o }()), "expire other")
		mustOK(t, f.a.Users().RehashPassword(f.ctx, other.ID, "$argon2id$rehashed", model.PasswordArgon2id, 4200), "RehashPassword")
		rehashed, err := f.a.Users().Get(f.ctx, other.ID)
		mustOK(t, err, "Get after RehashPassword")
		wantEqual(t, []any{*rehashed.PasswordEncrypted, *rehashed.PasswordEncryptionMethod, *rehashed.PasswordUpdatedAt, rehashed.IsPasswordExpired, rehashed.UpdatedAt},
			[]any{"$argon2id$rehashed", model.PasswordArgon2id, int64(4000), true, int64(4200)}, "after RehashPassword")
		wantInvalid(t, f.a.Users().RehashPassword(f.ctx, other.ID, "x", "", 1), "RehashPassword without a method")
		mustOK(t, f.a.Users().RecordSignIn(f.ctx, u.ID, 7000), "RecordSignIn")
		got, err = f.a.Users().Get(f.ctx, u.ID)
		mustOK(t, err, "Get after the flag writes")
		want.PasswordEncrypted, want.PasswordEncryptionMethod, want.PasswordUpdatedAt = ptr("$argon2id$new"), ptr(model.PasswordArgon2id), ptr(int64(5000))
		want.IsPasswordExpired = false // a new password is not expired
		want.IsSuspended, want.LastSignInAt, want.UpdatedAt = true, ptr(int64(7000)), 7000
		wantSameUser(t, got, want, "after UpdatePassword, SetSuspended, RecordSignIn")
		mustOK(t, f.a.Users().SetSuspended(f.ctx, u.ID, false, 8000), "unsuspend")
		got, _ = f.a.Users().Get(f.ctx, u.ID)
		wantEqual(t, got.IsSuspended, false, "after unsuspend")

		wantEqual(t, f.generation(tenantA), gen, "generation after user writes (users are not cached)")

		for name, err := range map[string]error{
			"Update":         f.a.Users().Update(f.ctx, model.User{ID: "missing"}),
			"UpdatePassword": f.a.Users().UpdatePassword(f.ctx, "missing", "x", model.PasswordMD5, 1),
			"RehashPassword": f.a.Users().RehashPassword(f.ctx, "missing", "x", model.PasswordMD5, 1),
			"SetSuspended":   f.a.Users().SetSuspended(f.ctx, "missing", true, 1),
			"RecordSignIn":   f.a.Users().RecordSignIn(f.ctx, "missing", 1),
			"Delete":         f.a.Users().Delete(f.ctx, "missing"),
		} {
			wantNotFound(t, err, name+" of a missing user")
		}
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		f := newFixture(t, open)
		for _, tc := range []struct {
			name string
			user model.User
		}{
			{"empty id", model.User{}},
			{"id longer than 12", model.User{ID: "abcdefghijklm"}},
			{"username longer than 128", model.User{ID: "u1", Username: ptr(strings.Repeat("a", 129))}},
			{"avatar longer than 2048", model.User{ID: "u1", Avatar: ptr("https://x/" + strings.Repeat("a", 2040))}},
			{"NUL in the name", model.User{ID: "u1", Name: ptr("a\x00b")}},
			{"invalid UTF-8 email", model.User{ID: "u1", PrimaryEmail: ptr("\xff@x.io")}},
			{"unknown password method", model.User{ID: "u1", PasswordEncrypted: ptr("x"), PasswordEncryptionMethod: ptr("ROT13")}},
			{"hash without method", model.User{ID: "u1", PasswordEncrypted: ptr("x")}},
			{"hash longer than 256", model.User{ID: "u1", PasswordEncrypted: ptr(strings.Repeat("a", 257)), PasswordEncryptionMethod: ptr(model.PasswordMD5)}},
			{"customData not an object", model.User{ID: "u1", CustomData: json.RawMessage(`[1]`)}},
			{"identities not JSON", model.User{ID: "u1", Identities: json.RawMessage(`{`)}},
		} {
			wantInvalid(t, f.a.Users().Create(f.ctx, tc.user), tc.name)
		}
		_, total, err := f.a.Users().List(f.ctx, store.UserFilter{}, store.Page{})
		mustOK(t, err, "List")
		wantEqual(t, total, 0, "users after refused creates")
		u := f.newUser(f.a, "frank")
		wantInvalid(t, f.a.Users().UpdatePassword(f.ctx, u.ID, "x", "ROT13", 1), "UpdatePassword with an unknown method")
	})

	t.Run("list: order, pages, filters and search", func(t *testing.T) {
		f := newFixture(t, open)
		mk := func(username, email, phone, name string) model.User {
			return f.newUser(f.a, username, func(u *model.User) {
				if email != "" {
					u.PrimaryEmail = ptr(email)
				}
				if phone != "" {
					u.PrimaryPhone = ptr(phone)
				}
				if name != "" {
					u.Name = ptr(name)
				}
			})
		}
		tom := mk("tom_scott", "tom@gmail.com", "13108050000", "Tom Scott")
		mk("tom_scott_2", "tom2@foo.bar", "13108050001", "Tom Scott")
		jerry := mk("jerry_swift", "jerry@geek.best", "13108050002", "Jerry Swift")
		mk("jerryXswift", "JX@Gmail.com", "", "jerry swift")
		pct := mk("ops100%", "", "", "100% ops")
		f.newUser(f.b, "tom_other_tenant")
		role := f.newRole(f.a, "member", model.RoleUser)
		mustOK(t, f.a.Users().AddRoles(f.ctx, tom.ID, []string{role.ID}), "AddRoles tom")
		mustOK(t, f.a.Users().AddRoles(f.ctx, jerry.ID, []string{role.ID}), "AddRoles jerry")

		like := func(field store.UserSearchField, v string) store.UserMatch {
			return store.UserMatch{Field: field, Mode: store.UserMatchLike, Values: []string{v}}
		}
		search := func(ms ...store.UserMatch) store.UserFilter {
			return store.UserFilter{Search: store.UserSearch{Matches: ms}}
		}
		for _, tc := range []struct {
			name   string
			filter store.UserFilter
			page   store.Page
			want   []string
			total  int
		}{
			{"all, newest first", store.UserFilter{}, store.Page{}, []string{"ops100%", "jerryXswift", "jerry_swift", "tom_scott_2", "tom_scott"}, 5},
			{"page", store.UserFilter{}, store.Page{Limit: 2, Offset: 1}, []string{"jerryXswift", "jerry_swift"}, 5},
			{"page past the end", store.UserFilter{}, store.Page{Limit: 2, Offset: 10}, []string{}, 5},
			{"like on every field", search(like("", "%tom%")), store.Page{}, []string{"tom_scott_2", "tom_scott"}, 2},
			{"like is a pattern, not a substring", search(like("", "tom")), store.Page{}, []string{}, 0},
			{"like ignores case by default", search(like(store.UserFieldEmail, "%GMAIL%")), store.Page{}, []string{"jerryXswift", "tom_scott"}, 2},
			{"underscore is one character", search(like(store.UserFieldUsername, "jerry_swift")), store.Page{}, []string{"jerryXswift", "jerry_swift"}, 2},
			{"escaped underscore is literal", search(like(store.UserFieldUsername, `jerry\_swift`)), store.Page{}, []string{"jerry_swift"}, 1},
			{"percent is any run", search(like(store.UserFieldPhone, "%0{3,}%")), store.Page{}, []string{}, 0},
			{"escaped percent is literal", search(like(store.UserFieldName, `%0\% %`)), store.Page{}, []string{"ops100%"}, 1},
			{"trailing backslash is literal", search(like(store.UserFieldName, `%\`)), store.Page{}, []string{}, 0},
			{"phone prefix", search(like(store.UserFieldPhone, "1310805000%")), store.Page{}, []string{"jerry_swift", "tom_scott_2", "tom_scott"}, 3},
			{"id", search(like(store.UserFieldID, strings.ToUpper(pct.ID))), store.Page{}, []string{"ops100%"}, 1},
			{"exact ignores case", search(store.UserMatch{Field: store.UserFieldName, Mode: store.UserMatchExact, Values: []string{"jerry swift"}}), store.Page{}, []string{"jerryXswift", "jerry_swift"}, 2},
			{"exact with several values", search(store.UserMatch{Field: store.UserFieldEmail, Mode: store.UserMatchExact, Values: []string{"TOM@gmail.com", "jx@gmail.com", "nobody@x.io"}}), store.Page{}, []string{"jerryXswift", "tom_scott"}, 2},
			{"exact on every field", search(store.UserMatch{Mode: store.UserMatchExact, Values: []string{tom.ID, "tom2@foo.bar"}}), store.Page{}, []string{"tom_scott_2", "tom_scott"}, 2},
			{"matches joined with or", search(like(store.UserFieldUsername, "tom%"), like(store.UserFieldName, "jerry swift")), store.Page{}, []string{"jerryXswift", "jerry_swift", "tom_scott_2", "tom_scott"}, 4},
			{"matches joined with and", store.UserFilter{Search: store.UserSearch{All: true, Matches: []store.UserMatch{like(store.UserFieldUsername, "jerry%"), like(store.UserFieldEmail, "%gmail%")}}}, store.Page{}, []string{"jerryXswift"}, 1},
			{"case-sensitive like", store.UserFilter{Search: store.UserSearch{CaseSensitive: true, Matches: []store.UserMatch{like(store.UserFieldName, "Jerry%")}}}, store.Page{}, []string{"jerry_swift"}, 1},
			{"case-sensitive like with wildcards", store.UserFilter{Search: store.UserSearch{CaseSensitive: true, Matches: []store.UserMatch{like(store.UserFieldUsername, "jerry_s*%")}}}, store.Page{}, []string{}, 0},
			{"case-sensitive underscore is one character", store.UserFilter{Search: store.UserSearch{CaseSensitive: true, Matches: []store.UserMatch{like(store.UserFieldUsername, "jerry_swift")}}}, store.Page{}, []string{"jerryXswift", "jerry_swift"}, 2},
			{"case-sensitive escaped percent", store.UserFilter{Search: store.UserSearch{CaseSensitive: true, Matches: []store.UserMatch{like(store.UserFieldUsername, `%100\%`)}}}, store.Page{}, []string{"ops100%"}, 1},
			{"case-sensitive exact", store.UserFilter{Search: store.UserSearch{CaseSensitive: true, Matches: []store.UserMatch{{Field: store.UserFieldName, Mode: store.UserMatchExact, Values: []string{"jerry swift"}}}}}, store.Page{}, []string{"jerryXswift"}, 1},
			{"holders of a role", store.UserFilter{RoleID: role.ID}, store.Page{}, []string{"jerry_swift", "tom_scott"}, 2},
			{"holders of a role, searched", store.UserFilter{RoleID: role.ID, Search: store.UserSearch{Matches: []store.UserMatch{like("", "%tom%")}}}, store.Page{}, []string{"tom_scott"}, 1},
			{"not holding a role", store.UserFilter{ExcludeRoleID: role.ID}, store.Page{Limit: 2}, []string{"ops100%", "jerryXswift"}, 3},
			{"holders of a missing role", store.UserFilter{RoleID: "missing"}, store.Page{}, []string{}, 0},
		} {
			got, total, err := f.a.Users().List(f.ctx, tc.filter, tc.page)
			mustOK(t, err, tc.name)
			wantEqual(t, usernames(got), tc.want, tc.name)
			wantEqual(t, total, tc.total, tc.name+": total")
		}

		for _, tc := range []struct {
			name  string
			match store.UserMatch
		}{
			{"unknown field", store.UserMatch{Field: "email", Mode: store.UserMatchLike, Values: []string{"x"}}},
			{"unknown mode", store.UserMatch{Mode: "posix", Values: []string{"x"}}},
			{"no value", store.UserMatch{Mode: store.UserMatchExact}},
			{"empty value", store.UserMatch{Mode: store.UserMatchExact, Values: []string{"a", ""}}},
			{"two like values", store.UserMatch{Mode: store.UserMatchLike, Values: []string{"a", "b"}}},
			{"NUL in a value", store.UserMatch{Mode: store.UserMatchLike, Values: []string{"a\x00"}}},
		} {
			_, _, err := f.a.Users().List(f.ctx, search(tc.match), store.Page{})
			wantInvalid(t, err, tc.name)
		}
	})

	t.Run("roles: add, replace, remove, names and scopes", func(t *testing.T) {
		f := newFixture(t, open)
		u := f.newUser(f.a, "gina")
		other := f.newUser(f.a, "hank")
		viewer := f.newRole(f.a, "viewer", model.RoleUser)
		editor := f.newRole(f.a, "editor", model.RoleUser)
		admin := f.newRole(f.a, "admin", model.RoleUser)
		m2m := f.newRole(f.a, "robot", model.RoleMachineToMachine)
		foreign := f.newRole(f.b, "foreign", model.RoleUser)
		api := f.newResource(f.a, "https://api.example.com")
		otherAPI := f.newResource(f.a, "https://other.example.com")
		read, write := f.newScope(f.a, api.ID, "read"), f.newScope(f.a, api.ID, "write")
		elsewhere := f.newScope(f.a, otherAPI.ID, "read")
		mustOK(t, f.a.Roles().AddScopes(f.ctx, viewer.ID, []string{read.ID, elsewhere.ID}), "AddScopes viewer")
		mustOK(t, f.a.Roles().AddScopes(f.ctx, editor.ID, []string{read.ID, write.ID}), "AddScopes editor")
		gen := f.generation(tenantA)

		mustOK(t, f.a.Users().AddRoles(f.ctx, u.ID, []string{editor.ID, viewer.ID}), "AddRoles")
		mustOK(t, f.a.Users().AddRoles(f.ctx, u.ID, nil), "AddRoles of none")
		roleIDs, err := f.a.Users().RoleIDs(f.ctx, u.ID)
		mustOK(t, err, "RoleIDs")
		wantEqual(t, roleIDs, []string{viewer.ID, editor.ID}, "RoleIDs in the roles' creation order")
		names, err := f.a.Users().RoleNames(f.ctx, u.ID)
		mustOK(t, err, "RoleNames")
		wantEqual(t, names, []string{"editor", "viewer"}, "RoleNames sorted")
		scopes, err := f.a.Users().ScopeNames(f.ctx, u.ID, api.ID)
		mustOK(t, err, "ScopeNames")
		wantEqual(t, scopes, []string{"read", "write"}, "ScopeNames of api, distinct")
		scopes, err = f.a.Users().ScopeNames(f.ctx, other.ID, api.ID)
		mustOK(t, err, "ScopeNames of a user without roles")
		wantEqual(t, scopes, []string{}, "no scopes without roles")

		// All or none: one bad role leaves the good ones unlinked.
		wantConflict(t, f.a.Users().AddRoles(f.ctx, u.ID, []string{admin.ID, viewer.ID}), store.UniqueUserRole, "AddRoles with a held role")
		wantNotFound(t, f.a.Users().AddRoles(f.ctx, u.ID, []string{admin.ID, "missing"}), "AddRoles with a missing role")
		wantNotFound(t, f.a.Users().AddRoles(f.ctx, u.ID, []string{foreign.ID}), "AddRoles with another tenant's role")
		wantNotFound(t, f.a.Users().AddRoles(f.ctx, "missing", []string{admin.ID}), "AddRoles to a missing user")
		wantInvalid(t, f.a.Users().AddRoles(f.ctx, u.ID, []string{admin.ID, m2m.ID}), "AddRoles with a machine-to-machine role")
		roleIDs, _ = f.a.Users().RoleIDs(f.ctx, u.ID)
		wantEqual(t, roleIDs, []string{viewer.ID, editor.ID}, "RoleIDs after refused adds")

		mustOK(t, f.a.Users().ReplaceRoles(f.ctx, u.ID, []string{admin.ID, viewer.ID}), "ReplaceRoles")
		roleIDs, _ = f.a.Users().RoleIDs(f.ctx, u.ID)
		wantEqual(t, roleIDs, []string{viewer.ID, admin.ID}, "RoleIDs after ReplaceRoles")
		wantInvalid(t, f.a.Users().ReplaceRoles(f.ctx, u.ID, []string{editor.ID, m2m.ID}), "ReplaceRoles with a machine-to-machine role")
		roleIDs, _ = f.a.Users().RoleIDs(f.ctx, u.ID)
		wantEqual(t, roleIDs, []string{viewer.ID, admin.ID}, "RoleIDs after a refused replace")
		wantNotFound(t, f.a.Users().ReplaceRoles(f.ctx, "missing", nil), "ReplaceRoles of a missing user")
		mustOK(t, f.a.Users().ReplaceRoles(f.ctx, other.ID, []string{editor.ID}), "ReplaceRoles of other")

		mustOK(t, f.a.Users().RemoveRole(f.ctx, u.ID, viewer.ID), "RemoveRole")
		wantNotFound(t, f.a.Users().RemoveRole(f.ctx, u.ID, viewer.ID), "RemoveRole twice")
		wantNotFound(t, f.a.Users().RemoveRole(f.ctx, u.ID, editor.ID), "RemoveRole never linked")
		wantEqual(t, f.generation(tenantA), gen, "generation after role links of users")

		// Deleting a role unlinks it; deleting a user removes its links, not the roles.
		mustOK(t, f.a.Roles().Delete(f.ctx, admin.ID), "delete role admin")
		roleIDs, _ = f.a.Users().RoleIDs(f.ctx, u.ID)
		wantEqual(t, roleIDs, []string{}, "RoleIDs after the role was deleted")
		mustOK(t, f.a.Users().Delete(f.ctx, other.ID), "delete user hank")
		_, total, err := f.a.Users().List(f.ctx, store.UserFilter{RoleID: editor.ID}, store.Page{})
		mustOK(t, err, "List holders of editor")
		wantEqual(t, total, 0, "holders of editor after its holder was deleted")
		_, err = f.a.Roles().Get(f.ctx, editor.ID)
		mustOK(t, err, "role survives its holder")
		_, err = f.a.Users().Get(f.ctx, other.ID)
		wantNotFound(t, err, "Get deleted user")

		// A role's users are not another role's, nor excluded from the roles list.
		roles, _, err := f.a.Roles().List(f.ctx, store.RoleFilter{Type: model.RoleUser, ExcludeUserID: u.ID}, store.Page{})
		mustOK(t, err, "roles not held by gina")
		wantEqual(t, roleNames(roles), []string{"viewer", "editor"}, "roles excluding gina's (none left)")
		mustOK(t, f.a.Users().AddRoles(f.ctx, u.ID, []string{editor.ID}), "AddRoles editor")
		roles, _, err = f.a.Roles().List(f.ctx, store.RoleFilter{Type: model.RoleUser, ExcludeUserID: u.ID}, store.Page{})
		mustOK(t, err, "roles not held by gina")
		wantEqual(t, roleNames(roles), []string{"viewer"}, "roles excluding gina's editor")
	})

	t.Run("tenant isolation", func(t *testing.T) {
		f := newFixture(t, open)
		u := f.newUser(f.a, "ivy", func(u *model.User) { u.PrimaryEmail, u.PrimaryPhone = ptr("ivy@example.com"), ptr("1999") })
		role := f.newRole(f.a, "member", model.RoleUser)
		mustOK(t, f.a.Users().AddRoles(f.ctx, u.ID, []string{role.ID}), "AddRoles")

		_, err := f.b.Users().Get(f.ctx, u.ID)
		wantNotFound(t, err, "Get from another tenant")
		_, err = f.b.Users().GetByUsername(f.ctx, "ivy", false)
		wantNotFound(t, err, "GetByUsername from another tenant")
		_, err = f.b.Users().GetByEmail(f.ctx, "ivy@example.com")
		wantNotFound(t, err, "GetByEmail from another tenant")
		_, err = f.b.Users().GetByPhone(f.ctx, "1999")
		wantNotFound(t, err, "GetByPhone from another tenant")
		_, total, err := f.b.Users().List(f.ctx, store.UserFilter{}, store.Page{})
		mustOK(t, err, "List in another tenant")
		wantEqual(t, total, 0, "users listed in another tenant")
		_, total, err = f.b.Users().List(f.ctx, store.UserFilter{RoleID: role.ID}, store.Page{})
		mustOK(t, err, "List holders in another tenant")
		wantEqual(t, total, 0, "holders listed in another tenant")
		held, err := f.b.Users().RoleIDs(f.ctx, u.ID)
		mustOK(t, err, "RoleIDs from another tenant")
		wantEqual(t, held, []string{}, "role ids seen from another tenant")

		for name, err := range map[string]error{
			"Update":         f.b.Users().Update(f.ctx, model.User{ID: u.ID, Username: ptr("stolen")}),
			"UpdatePassword": f.b.Users().UpdatePassword(f.ctx, u.ID, "x", model.PasswordMD5, 1),
			"SetSuspended":   f.b.Users().SetSuspended(f.ctx, u.ID, true, 1),
			"RecordSignIn":   f.b.Users().RecordSignIn(f.ctx, u.ID, 1),
			"RemoveRole":     f.b.Users().RemoveRole(f.ctx, u.ID, role.ID),
			"ReplaceRoles":   f.b.Users().ReplaceRoles(f.ctx, u.ID, nil),
			"Delete":         f.b.Users().Delete(f.ctx, u.ID),
		} {
			wantNotFound(t, err, name+" from another tenant")
		}
		got, err := f.a.Users().Get(f.ctx, u.ID)
		mustOK(t, err, "Get in its own tenant")
		wantSameUser(t, got, u, "user after another tenant's writes")
		held, _ = f.a.Users().RoleIDs(f.ctx, u.ID)
		wantEqual(t, held, []string{role.ID}, "role links after another tenant's writes")
	})

	t.Run("writes inside a transaction roll back together", func(t *testing.T) {
		f := newFixture(t, open)
		role := f.newRole(f.a, "member", model.RoleUser)
		id := ids.NewUserID()
		err := f.st.InTx(f.ctx, tenantA, func(tn store.Tenant) error {
			if err := tn.Users().Create(f.ctx, model.User{ID: id, Username: ptr("jack")}); err != nil {
				return err
			}
			if err := tn.Users().AddRoles(f.ctx, id, []string{role.ID}); err != nil {
				return err
			}
			// A refused write inside the transaction leaves it usable.
			wantConflict(t, tn.Users().Create(f.ctx, model.User{ID: ids.NewUserID(), Username: ptr("jack")}), store.UniqueUsername, "duplicate inside InTx")
			return store.ErrConflict // abort
		})
		if err == nil {
			t.Fatal("InTx returned nil for an aborted transaction")
		}
		_, err = f.a.Users().Get(f.ctx, id)
		wantNotFound(t, err, "user of a rolled-back transaction")
	})
}
