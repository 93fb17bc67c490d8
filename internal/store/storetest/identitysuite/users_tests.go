package identitysuite

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	fx "github.com/gatehouse-id/gatehouse/internal/store/storetest/fixture"

	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// newUser creates a user in tn with the given username (nil for none); mods edit it first.
func (f *fixture) newUser(tn store.Tenant, username string, mods ...func(*model.User)) model.User {
	f.T.Helper()
	at := f.Tick()
	u := model.User{TenantID: tn.ID(), ID: ids.NewUserID(), CreatedAt: at, UpdatedAt: at}
	if username != "" {
		u.Username = fx.Ptr(username)
	}
	for _, m := range mods {
		m(&u)
	}
	if err := tn.Users().Create(f.Ctx, u); err != nil {
		f.T.Fatalf("create user %q: %v", username, err)
	}
	got, err := tn.Users().Get(f.Ctx, u.ID)
	if err != nil {
		f.T.Fatalf("get user %q: %v", username, err)
	}
	return got
}

// canonicalUser makes a user's raw JSON fields comparable.
func canonicalUser(t *testing.T, u model.User) model.User {
	t.Helper()
	u.Identities = fx.CanonicalJSON(t, u.Identities)
	u.CustomData = fx.CanonicalJSON(t, u.CustomData)
	u.LogtoConfig = fx.CanonicalJSON(t, u.LogtoConfig)
	return u
}

func wantSameUser(t *testing.T, got, want model.User, what string) {
	t.Helper()
	fx.WantEqual(t, canonicalUser(t, got), canonicalUser(t, want), what)
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

// Users is the conformance suite of its repository.
func Users(t *testing.T, open fx.Open) {
	t.Run("round trip and lookups", func(t *testing.T) {
		f := newFixture(t, open)
		at := f.Tick()
		want := model.User{
			TenantID: fx.TenantA, ID: "u1abcdefghij", Username: fx.Ptr("Alice_1"), PrimaryEmail: fx.Ptr("alice@example.com"),
			PrimaryPhone: fx.Ptr("8613800000000"), PasswordEncrypted: fx.Ptr("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
			PasswordEncryptionMethod: fx.Ptr(model.PasswordArgon2id), Name: fx.Ptr("Alice Ä"), Avatar: fx.Ptr("https://example.com/a.png"),
			Profile:       model.UserProfile{GivenName: "Alice", Address: &model.UserAddress{Country: "CN"}},
			ApplicationID: fx.Ptr("app-1"), Identities: json.RawMessage(`{"github":{"userId":"42","details":{}}}`),
			CustomData: json.RawMessage(`{"plan":"pro","n":1}`), LogtoConfig: json.RawMessage(`{"mfa":{"skipped":true}}`),
			IsSuspended: true, IsPasswordExpired: true, LastSignInAt: fx.Ptr(at - 5), PasswordUpdatedAt: fx.Ptr(at - 9),
			CreatedAt: at, UpdatedAt: at + 1,
		}
		fx.MustOK(t, f.A.Users().Create(f.Ctx, want), "Create")
		got, err := f.A.Users().Get(f.Ctx, want.ID)
		fx.MustOK(t, err, "Get")
		wantSameUser(t, got, want, "Get")

		for _, tc := range []struct {
			name string
			get  func() (model.User, error)
		}{
			{"username exact", func() (model.User, error) { return f.A.Users().GetByUsername(f.Ctx, "Alice_1", true) }},
			{"username ignoring case", func() (model.User, error) { return f.A.Users().GetByUsername(f.Ctx, "aLICE_1", false) }},
			{"email ignoring case", func() (model.User, error) { return f.A.Users().GetByEmail(f.Ctx, "ALICE@Example.COM") }},
			{"phone", func() (model.User, error) { return f.A.Users().GetByPhone(f.Ctx, "8613800000000") }},
		} {
			u, err := tc.get()
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, u.ID, want.ID, tc.name)
		}
		for _, tc := range []struct {
			name string
			get  func() (model.User, error)
		}{
			{"missing id", func() (model.User, error) { return f.A.Users().Get(f.Ctx, "missing") }},
			{"username in other case, case-sensitive", func() (model.User, error) { return f.A.Users().GetByUsername(f.Ctx, "alice_1", true) }},
			{"username with a LIKE wildcard", func() (model.User, error) { return f.A.Users().GetByUsername(f.Ctx, "Alice%", false) }},
			{"email prefix", func() (model.User, error) { return f.A.Users().GetByEmail(f.Ctx, "alice@example") }},
			{"phone with plus", func() (model.User, error) { return f.A.Users().GetByPhone(f.Ctx, "+8613800000000") }},
			{"NUL in the username", func() (model.User, error) { return f.A.Users().GetByUsername(f.Ctx, "Alice_1\x00", true) }},
			{"invalid UTF-8 email", func() (model.User, error) { return f.A.Users().GetByEmail(f.Ctx, "\xff@example.com") }},
		} {
			_, err := tc.get()
			fx.WantNotFound(t, err, tc.name)
		}

		// A user with nothing but an id reads back with empty JSON objects and no pointers.
		bare := f.newUser(f.A, "")
		fx.WantEqual(t, bare.Username == nil && bare.PrimaryEmail == nil && bare.PasswordEncrypted == nil && bare.LastSignInAt == nil, true, "bare user has no optional fields")
		fx.WantEqual(t, string(fx.CanonicalJSON(t, bare.CustomData))+string(fx.CanonicalJSON(t, bare.Identities)), "{}{}", "bare user JSON defaults")
		fx.WantEqual(t, bare.Profile, model.UserProfile{}, "bare profile")
	})

	t.Run("case-insensitive username lookup prefers the exact match, then the oldest", func(t *testing.T) {
		f := newFixture(t, open)
		older := f.newUser(f.A, "Bob")
		exact := f.newUser(f.A, "bob")
		got, err := f.A.Users().GetByUsername(f.Ctx, "bob", false)
		fx.MustOK(t, err, "GetByUsername bob")
		fx.WantEqual(t, got.ID, exact.ID, "exact match wins")
		got, err = f.A.Users().GetByUsername(f.Ctx, "BOB", false)
		fx.MustOK(t, err, "GetByUsername BOB")
		fx.WantEqual(t, got.ID, older.ID, "oldest wins without an exact match")
	})

	t.Run("lookup by social identity", func(t *testing.T) {
		f := newFixture(t, open)
		linked := f.newUser(f.A, "gh", func(u *model.User) {
			u.Identities = json.RawMessage(`{"github":{"userId":"42","details":{"id":"42"}},"my-oauth.x":{"userId":"a'b\"c"}}`)
		})
		f.newUser(f.A, "other", func(u *model.User) {
			u.Identities = json.RawMessage(`{"google":{"userId":"42"}}`)
		})
		f.newUser(f.B, "elsewhere", func(u *model.User) { u.Identities = json.RawMessage(`{"github":{"userId":"7"}}`) })
		got, err := f.A.Users().GetByIdentity(f.Ctx, "github", "42")
		fx.MustOK(t, err, "GetByIdentity github 42")
		fx.WantEqual(t, got.ID, linked.ID, "the user linked under github")
		got, err = f.A.Users().GetByIdentity(f.Ctx, "my-oauth.x", `a'b"c`)
		fx.MustOK(t, err, "GetByIdentity with a dotted target and quotes in the id")
		fx.WantEqual(t, got.ID, linked.ID, "dotted target")
		for _, c := range []struct{ target, id string }{
			{"github", "43"}, {"gitlab", "42"}, {"github", "7"}, {`github.userId`, "42"}, {`$`, "42"}, {"github", "\x00"},
		} {
			if _, err := f.A.Users().GetByIdentity(f.Ctx, c.target, c.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetByIdentity(%q, %q) = %v, want ErrNotFound", c.target, c.id, err)
			}
		}
	})

	t.Run("uniqueness per tenant, emails ignoring case", func(t *testing.T) {
		f := newFixture(t, open)
		first := f.newUser(f.A, "carol", func(u *model.User) {
			u.PrimaryEmail, u.PrimaryPhone = fx.Ptr("carol@example.com"), fx.Ptr("15550001")
		})
		for _, tc := range []struct {
			name, constraint string
			user             model.User
		}{
			{"same id", store.UniqueUserID, model.User{ID: first.ID}},
			{"same username", store.UniqueUsername, model.User{ID: ids.NewUserID(), Username: fx.Ptr("carol")}},
			{"same email", store.UniqueUserEmail, model.User{ID: ids.NewUserID(), PrimaryEmail: fx.Ptr("carol@example.com")}},
			{"same email in capitals", store.UniqueUserEmail, model.User{ID: ids.NewUserID(), PrimaryEmail: fx.Ptr("CAROL@EXAMPLE.COM")}},
			{"same phone", store.UniqueUserPhone, model.User{ID: ids.NewUserID(), PrimaryPhone: fx.Ptr("15550001")}},
		} {
			fx.WantConflict(t, f.A.Users().Create(f.Ctx, tc.user), tc.constraint, tc.name)
		}
		// Usernames are unique exactly (the policy's case folding is the service's lookup rule).
		f.newUser(f.A, "Carol")
		// Many users may have no username, email or phone.
		f.newUser(f.A, "")
		f.newUser(f.A, "")
		// The same identifiers in another tenant are another user.
		f.newUser(f.B, "carol", func(u *model.User) {
			u.ID, u.PrimaryEmail, u.PrimaryPhone = first.ID, fx.Ptr("carol@example.com"), fx.Ptr("15550001")
		})

		second := f.newUser(f.A, "dave", func(u *model.User) { u.PrimaryEmail = fx.Ptr("dave@example.com") })
		second.PrimaryEmail = fx.Ptr("Carol@Example.com")
		fx.WantConflict(t, f.A.Users().Update(f.Ctx, second), store.UniqueUserEmail, "Update onto another user's email")
		second.PrimaryEmail, second.Username = nil, fx.Ptr("carol")
		fx.WantConflict(t, f.A.Users().Update(f.Ctx, second), store.UniqueUsername, "Update onto another user's username")
		got, err := f.A.Users().Get(f.Ctx, second.ID)
		fx.MustOK(t, err, "Get after refused updates")
		fx.WantEqual(t, *got.Username+" "+*got.PrimaryEmail, "dave dave@example.com", "identifiers after refused updates")
	})

	t.Run("updates", func(t *testing.T) {
		f := newFixture(t, open)
		u := f.newUser(f.A, "erin", func(u *model.User) {
			u.PasswordEncrypted, u.PasswordEncryptionMethod = fx.Ptr("5f4dcc3b5aa765d61d8327deb882cf99"), fx.Ptr(model.PasswordMD5)
		})
		other := f.newUser(f.A, "erin_other")
		gen := f.Generation(fx.TenantA)

		changed := u
		changed.Username, changed.PrimaryEmail, changed.Name = fx.Ptr("erin2"), fx.Ptr("erin@example.com"), fx.Ptr("Erin")
		changed.Avatar, changed.PrimaryPhone = nil, fx.Ptr("123456789")
		changed.Profile = model.UserProfile{Nickname: "E"}
		changed.CustomData = json.RawMessage(`{"a":[1,2]}`)
		changed.Identities = json.RawMessage(`{}`)
		changed.IsPasswordExpired = true
		changed.UpdatedAt = u.UpdatedAt + 100
		// Update leaves the password, suspension, sign-in time and creation time alone.
		changed.PasswordEncrypted, changed.IsSuspended, changed.LastSignInAt, changed.CreatedAt = nil, true, fx.Ptr(int64(1)), 1
		fx.MustOK(t, f.A.Users().Update(f.Ctx, changed), "Update")
		got, err := f.A.Users().Get(f.Ctx, u.ID)
		fx.MustOK(t, err, "Get after Update")
		want := changed
		want.PasswordEncrypted, want.PasswordEncryptionMethod = u.PasswordEncrypted, u.PasswordEncryptionMethod
		want.IsSuspended, want.LastSignInAt, want.CreatedAt = false, nil, u.CreatedAt
		wantSameUser(t, got, want, "after Update")

		fx.MustOK(t, f.A.Users().UpdatePassword(f.Ctx, u.ID, "$argon2id$new", model.PasswordArgon2id, 5000), "UpdatePassword")
		fx.MustOK(t, f.A.Users().SetSuspended(f.Ctx, u.ID, true, 6000), "SetSuspended")
		// A rehash keeps the password's age and expiry; only the encoding changes.
		fx.MustOK(t, f.A.Users().UpdatePassword(f.Ctx, other.ID, "5f4dcc3b5aa765d61d8327deb882cf99", model.PasswordMD5, 4000), "UpdatePassword other")
		fx.MustOK(t, f.A.Users().Update(f.Ctx, func() model.User { o := other; o.IsPasswordExpired, o.UpdatedAt = true, 4100; return o }()), "expire other")
		fx.MustOK(t, f.A.Users().RehashPassword(f.Ctx, other.ID, "$argon2id$rehashed", model.PasswordArgon2id, 4200), "RehashPassword")
		rehashed, err := f.A.Users().Get(f.Ctx, other.ID)
		fx.MustOK(t, err, "Get after RehashPassword")
		fx.WantEqual(t, []any{*rehashed.PasswordEncrypted, *rehashed.PasswordEncryptionMethod, *rehashed.PasswordUpdatedAt, rehashed.IsPasswordExpired, rehashed.UpdatedAt},
			[]any{"$argon2id$rehashed", model.PasswordArgon2id, int64(4000), true, int64(4200)}, "after RehashPassword")
		fx.WantInvalid(t, f.A.Users().RehashPassword(f.Ctx, other.ID, "x", "", 1), "RehashPassword without a method")
		fx.MustOK(t, f.A.Users().RecordSignIn(f.Ctx, u.ID, 7000), "RecordSignIn")
		got, err = f.A.Users().Get(f.Ctx, u.ID)
		fx.MustOK(t, err, "Get after the flag writes")
		want.PasswordEncrypted, want.PasswordEncryptionMethod, want.PasswordUpdatedAt = fx.Ptr("$argon2id$new"), fx.Ptr(model.PasswordArgon2id), fx.Ptr(int64(5000))
		want.IsPasswordExpired = false // a new password is not expired
		want.IsSuspended, want.LastSignInAt, want.UpdatedAt = true, fx.Ptr(int64(7000)), 7000
		wantSameUser(t, got, want, "after UpdatePassword, SetSuspended, RecordSignIn")
		fx.MustOK(t, f.A.Users().SetSuspended(f.Ctx, u.ID, false, 8000), "unsuspend")
		got, _ = f.A.Users().Get(f.Ctx, u.ID)
		fx.WantEqual(t, got.IsSuspended, false, "after unsuspend")

		fx.WantEqual(t, f.Generation(fx.TenantA), gen, "generation after user writes (users are not cached)")

		for name, err := range map[string]error{
			"Update":         f.A.Users().Update(f.Ctx, model.User{ID: "missing"}),
			"UpdatePassword": f.A.Users().UpdatePassword(f.Ctx, "missing", "x", model.PasswordMD5, 1),
			"RehashPassword": f.A.Users().RehashPassword(f.Ctx, "missing", "x", model.PasswordMD5, 1),
			"SetSuspended":   f.A.Users().SetSuspended(f.Ctx, "missing", true, 1),
			"RecordSignIn":   f.A.Users().RecordSignIn(f.Ctx, "missing", 1),
			"Delete":         f.A.Users().Delete(f.Ctx, "missing"),
		} {
			fx.WantNotFound(t, err, name+" of a missing user")
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
			{"username longer than 128", model.User{ID: "u1", Username: fx.Ptr(strings.Repeat("a", 129))}},
			{"avatar longer than 2048", model.User{ID: "u1", Avatar: fx.Ptr("https://x/" + strings.Repeat("a", 2040))}},
			{"NUL in the name", model.User{ID: "u1", Name: fx.Ptr("a\x00b")}},
			{"invalid UTF-8 email", model.User{ID: "u1", PrimaryEmail: fx.Ptr("\xff@x.io")}},
			{"unknown password method", model.User{ID: "u1", PasswordEncrypted: fx.Ptr("x"), PasswordEncryptionMethod: fx.Ptr("ROT13")}},
			{"hash without method", model.User{ID: "u1", PasswordEncrypted: fx.Ptr("x")}},
			{"hash longer than 256", model.User{ID: "u1", PasswordEncrypted: fx.Ptr(strings.Repeat("a", 257)), PasswordEncryptionMethod: fx.Ptr(model.PasswordMD5)}},
			{"customData not an object", model.User{ID: "u1", CustomData: json.RawMessage(`[1]`)}},
			{"identities not JSON", model.User{ID: "u1", Identities: json.RawMessage(`{`)}},
		} {
			fx.WantInvalid(t, f.A.Users().Create(f.Ctx, tc.user), tc.name)
		}
		_, total, err := f.A.Users().List(f.Ctx, store.UserFilter{}, store.Page{})
		fx.MustOK(t, err, "List")
		fx.WantEqual(t, total, 0, "users after refused creates")
		u := f.newUser(f.A, "frank")
		fx.WantInvalid(t, f.A.Users().UpdatePassword(f.Ctx, u.ID, "x", "ROT13", 1), "UpdatePassword with an unknown method")
	})

	t.Run("list: order, pages, filters and search", func(t *testing.T) {
		f := newFixture(t, open)
		mk := func(username, email, phone, name string) model.User {
			return f.newUser(f.A, username, func(u *model.User) {
				if email != "" {
					u.PrimaryEmail = fx.Ptr(email)
				}
				if phone != "" {
					u.PrimaryPhone = fx.Ptr(phone)
				}
				if name != "" {
					u.Name = fx.Ptr(name)
				}
			})
		}
		tom := mk("tom_scott", "tom@gmail.com", "13108050000", "Tom Scott")
		mk("tom_scott_2", "tom2@foo.bar", "13108050001", "Tom Scott")
		jerry := mk("jerry_swift", "jerry@geek.best", "13108050002", "Jerry Swift")
		mk("jerryXswift", "JX@Gmail.com", "", "jerry swift")
		pct := mk("ops100%", "", "", "100% ops")
		f.newUser(f.B, "tom_other_tenant")
		role := f.NewRole(f.A, "member", model.RoleUser)
		fx.MustOK(t, f.A.Users().AddRoles(f.Ctx, tom.ID, []string{role.ID}), "AddRoles tom")
		fx.MustOK(t, f.A.Users().AddRoles(f.Ctx, jerry.ID, []string{role.ID}), "AddRoles jerry")

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
			got, total, err := f.A.Users().List(f.Ctx, tc.filter, tc.page)
			fx.MustOK(t, err, tc.name)
			fx.WantEqual(t, usernames(got), tc.want, tc.name)
			fx.WantEqual(t, total, tc.total, tc.name+": total")
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
			_, _, err := f.A.Users().List(f.Ctx, search(tc.match), store.Page{})
			fx.WantInvalid(t, err, tc.name)
		}
	})

	t.Run("roles: add, replace, remove, names and scopes", func(t *testing.T) {
		f := newFixture(t, open)
		u := f.newUser(f.A, "gina")
		other := f.newUser(f.A, "hank")
		viewer := f.NewRole(f.A, "viewer", model.RoleUser)
		editor := f.NewRole(f.A, "editor", model.RoleUser)
		admin := f.NewRole(f.A, "admin", model.RoleUser)
		m2m := f.NewRole(f.A, "robot", model.RoleMachineToMachine)
		foreign := f.NewRole(f.B, "foreign", model.RoleUser)
		api := f.NewResource(f.A, "https://api.example.com")
		otherAPI := f.NewResource(f.A, "https://other.example.com")
		read, write := f.NewScope(f.A, api.ID, "read"), f.NewScope(f.A, api.ID, "write")
		elsewhere := f.NewScope(f.A, otherAPI.ID, "read")
		fx.MustOK(t, f.A.Roles().AddScopes(f.Ctx, viewer.ID, []string{read.ID, elsewhere.ID}), "AddScopes viewer")
		fx.MustOK(t, f.A.Roles().AddScopes(f.Ctx, editor.ID, []string{read.ID, write.ID}), "AddScopes editor")
		gen := f.Generation(fx.TenantA)

		fx.MustOK(t, f.A.Users().AddRoles(f.Ctx, u.ID, []string{editor.ID, viewer.ID}), "AddRoles")
		fx.MustOK(t, f.A.Users().AddRoles(f.Ctx, u.ID, nil), "AddRoles of none")
		roleIDs, err := f.A.Users().RoleIDs(f.Ctx, u.ID)
		fx.MustOK(t, err, "RoleIDs")
		fx.WantEqual(t, roleIDs, []string{viewer.ID, editor.ID}, "RoleIDs in the roles' creation order")
		names, err := f.A.Users().RoleNames(f.Ctx, u.ID)
		fx.MustOK(t, err, "RoleNames")
		fx.WantEqual(t, names, []string{"editor", "viewer"}, "RoleNames sorted")
		scopes, err := f.A.Users().ScopeNames(f.Ctx, u.ID, api.ID)
		fx.MustOK(t, err, "ScopeNames")
		fx.WantEqual(t, scopes, []string{"read", "write"}, "ScopeNames of api, distinct")
		scopes, err = f.A.Users().ScopeNames(f.Ctx, other.ID, api.ID)
		fx.MustOK(t, err, "ScopeNames of a user without roles")
		fx.WantEqual(t, scopes, []string{}, "no scopes without roles")

		// All or none: one bad role leaves the good ones unlinked.
		fx.WantConflict(t, f.A.Users().AddRoles(f.Ctx, u.ID, []string{admin.ID, viewer.ID}), store.UniqueUserRole, "AddRoles with a held role")
		fx.WantNotFound(t, f.A.Users().AddRoles(f.Ctx, u.ID, []string{admin.ID, "missing"}), "AddRoles with a missing role")
		fx.WantNotFound(t, f.A.Users().AddRoles(f.Ctx, u.ID, []string{foreign.ID}), "AddRoles with another tenant's role")
		fx.WantNotFound(t, f.A.Users().AddRoles(f.Ctx, "missing", []string{admin.ID}), "AddRoles to a missing user")
		fx.WantInvalid(t, f.A.Users().AddRoles(f.Ctx, u.ID, []string{admin.ID, m2m.ID}), "AddRoles with a machine-to-machine role")
		roleIDs, _ = f.A.Users().RoleIDs(f.Ctx, u.ID)
		fx.WantEqual(t, roleIDs, []string{viewer.ID, editor.ID}, "RoleIDs after refused adds")

		fx.MustOK(t, f.A.Users().ReplaceRoles(f.Ctx, u.ID, []string{admin.ID, viewer.ID}), "ReplaceRoles")
		roleIDs, _ = f.A.Users().RoleIDs(f.Ctx, u.ID)
		fx.WantEqual(t, roleIDs, []string{viewer.ID, admin.ID}, "RoleIDs after ReplaceRoles")
		fx.WantInvalid(t, f.A.Users().ReplaceRoles(f.Ctx, u.ID, []string{editor.ID, m2m.ID}), "ReplaceRoles with a machine-to-machine role")
		roleIDs, _ = f.A.Users().RoleIDs(f.Ctx, u.ID)
		fx.WantEqual(t, roleIDs, []string{viewer.ID, admin.ID}, "RoleIDs after a refused replace")
		fx.WantNotFound(t, f.A.Users().ReplaceRoles(f.Ctx, "missing", nil), "ReplaceRoles of a missing user")
		fx.MustOK(t, f.A.Users().ReplaceRoles(f.Ctx, other.ID, []string{editor.ID}), "ReplaceRoles of other")

		fx.MustOK(t, f.A.Users().RemoveRole(f.Ctx, u.ID, viewer.ID), "RemoveRole")
		fx.WantNotFound(t, f.A.Users().RemoveRole(f.Ctx, u.ID, viewer.ID), "RemoveRole twice")
		fx.WantNotFound(t, f.A.Users().RemoveRole(f.Ctx, u.ID, editor.ID), "RemoveRole never linked")
		fx.WantEqual(t, f.Generation(fx.TenantA), gen, "generation after role links of users")

		// Deleting a role unlinks it; deleting a user removes its links, not the roles.
		fx.MustOK(t, f.A.Roles().Delete(f.Ctx, admin.ID), "delete role admin")
		roleIDs, _ = f.A.Users().RoleIDs(f.Ctx, u.ID)
		fx.WantEqual(t, roleIDs, []string{}, "RoleIDs after the role was deleted")
		fx.MustOK(t, f.A.Users().Delete(f.Ctx, other.ID), "delete user hank")
		_, total, err := f.A.Users().List(f.Ctx, store.UserFilter{RoleID: editor.ID}, store.Page{})
		fx.MustOK(t, err, "List holders of editor")
		fx.WantEqual(t, total, 0, "holders of editor after its holder was deleted")
		_, err = f.A.Roles().Get(f.Ctx, editor.ID)
		fx.MustOK(t, err, "role survives its holder")
		_, err = f.A.Users().Get(f.Ctx, other.ID)
		fx.WantNotFound(t, err, "Get deleted user")

		// A role's users are not another role's, nor excluded from the roles list.
		roles, _, err := f.A.Roles().List(f.Ctx, store.RoleFilter{Type: model.RoleUser, ExcludeUserID: u.ID}, store.Page{})
		fx.MustOK(t, err, "roles not held by gina")
		fx.WantEqual(t, fx.RoleNames(roles), []string{"viewer", "editor"}, "roles excluding gina's (none left)")
		fx.MustOK(t, f.A.Users().AddRoles(f.Ctx, u.ID, []string{editor.ID}), "AddRoles editor")
		roles, _, err = f.A.Roles().List(f.Ctx, store.RoleFilter{Type: model.RoleUser, ExcludeUserID: u.ID}, store.Page{})
		fx.MustOK(t, err, "roles not held by gina")
		fx.WantEqual(t, fx.RoleNames(roles), []string{"viewer"}, "roles excluding gina's editor")
	})

	t.Run("tenant isolation", func(t *testing.T) {
		f := newFixture(t, open)
		u := f.newUser(f.A, "ivy", func(u *model.User) { u.PrimaryEmail, u.PrimaryPhone = fx.Ptr("ivy@example.com"), fx.Ptr("1999") })
		role := f.NewRole(f.A, "member", model.RoleUser)
		fx.MustOK(t, f.A.Users().AddRoles(f.Ctx, u.ID, []string{role.ID}), "AddRoles")

		_, err := f.B.Users().Get(f.Ctx, u.ID)
		fx.WantNotFound(t, err, "Get from another tenant")
		_, err = f.B.Users().GetByUsername(f.Ctx, "ivy", false)
		fx.WantNotFound(t, err, "GetByUsername from another tenant")
		_, err = f.B.Users().GetByEmail(f.Ctx, "ivy@example.com")
		fx.WantNotFound(t, err, "GetByEmail from another tenant")
		_, err = f.B.Users().GetByPhone(f.Ctx, "1999")
		fx.WantNotFound(t, err, "GetByPhone from another tenant")
		_, total, err := f.B.Users().List(f.Ctx, store.UserFilter{}, store.Page{})
		fx.MustOK(t, err, "List in another tenant")
		fx.WantEqual(t, total, 0, "users listed in another tenant")
		_, total, err = f.B.Users().List(f.Ctx, store.UserFilter{RoleID: role.ID}, store.Page{})
		fx.MustOK(t, err, "List holders in another tenant")
		fx.WantEqual(t, total, 0, "holders listed in another tenant")
		held, err := f.B.Users().RoleIDs(f.Ctx, u.ID)
		fx.MustOK(t, err, "RoleIDs from another tenant")
		fx.WantEqual(t, held, []string{}, "role ids seen from another tenant")

		for name, err := range map[string]error{
			"Update":         f.B.Users().Update(f.Ctx, model.User{ID: u.ID, Username: fx.Ptr("stolen")}),
			"UpdatePassword": f.B.Users().UpdatePassword(f.Ctx, u.ID, "x", model.PasswordMD5, 1),
			"SetSuspended":   f.B.Users().SetSuspended(f.Ctx, u.ID, true, 1),
			"RecordSignIn":   f.B.Users().RecordSignIn(f.Ctx, u.ID, 1),
			"RemoveRole":     f.B.Users().RemoveRole(f.Ctx, u.ID, role.ID),
			"ReplaceRoles":   f.B.Users().ReplaceRoles(f.Ctx, u.ID, nil),
			"Delete":         f.B.Users().Delete(f.Ctx, u.ID),
		} {
			fx.WantNotFound(t, err, name+" from another tenant")
		}
		got, err := f.A.Users().Get(f.Ctx, u.ID)
		fx.MustOK(t, err, "Get in its own tenant")
		wantSameUser(t, got, u, "user after another tenant's writes")
		held, _ = f.A.Users().RoleIDs(f.Ctx, u.ID)
		fx.WantEqual(t, held, []string{role.ID}, "role links after another tenant's writes")
	})

	t.Run("writes inside a transaction roll back together", func(t *testing.T) {
		f := newFixture(t, open)
		role := f.NewRole(f.A, "member", model.RoleUser)
		id := ids.NewUserID()
		err := f.St.InTx(f.Ctx, fx.TenantA, func(tn store.Tenant) error {
			if err := tn.Users().Create(f.Ctx, model.User{ID: id, Username: fx.Ptr("jack")}); err != nil {
				return err
			}
			if err := tn.Users().AddRoles(f.Ctx, id, []string{role.ID}); err != nil {
				return err
			}
			// A refused write inside the transaction leaves it usable.
			fx.WantConflict(t, tn.Users().Create(f.Ctx, model.User{ID: ids.NewUserID(), Username: fx.Ptr("jack")}), store.UniqueUsername, "duplicate inside InTx")
			return store.ErrConflict // abort
		})
		if err == nil {
			t.Fatal("InTx returned nil for an aborted transaction")
		}
		_, err = f.A.Users().Get(f.Ctx, id)
		fx.WantNotFound(t, err, "user of a rolled-back transaction")
	})
}
