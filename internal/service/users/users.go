package users

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Column limits of Logto's users table (varchar(n)) and of an imported digest
// (POST /users passwordDigest: z.string().max(256)).
const (
	maxUsernameLen       = 128
	maxEmailLen          = 128
	maxPhoneLen          = 128
	maxUserNameLen       = 128
	maxAvatarLen         = 2048
	maxPasswordDigestLen = 256
	maxApplicationIDLen  = 21
)

// E.164 numbers have at most 15 digits; the shortest numbers in use (country code plus
// subscriber number) have 7. Logto asks libphonenumber whether a number is valid and answers
// 422 user.invalid_phone when not; Gatehouse checks the length E.164 allows.
const (
	minPhoneDigits = 7
	maxPhoneDigits = 15
)

// Identifier formats of Logto's core-kit (regex.ts): usernameRegEx, emailRegEx, phoneRegEx, and
// phoneInputRegEx for what people type into a phone field.
var (
	usernamePattern   = regexp.MustCompile(`^[A-Z_a-z]\w*$`)
	emailPattern      = regexp.MustCompile(`^\S+@\S+\.\S+$`)
	phonePattern      = regexp.MustCompile(`^\d+$`)
	phoneInputPattern = regexp.MustCompile(`^\+?[\d\-( )]+$`)
)

// CreateUserInput creates a user (POST /api/users, `gatehouse user create`, registration).
// Password and PasswordDigest are exclusive; a digest needs its PasswordAlgorithm.
type CreateUserInput struct {
	Username, PrimaryEmail, PrimaryPhone, Name, Avatar *string
	Password                                           string
	PasswordDigest, PasswordAlgorithm                  string
	Profile                                            *model.UserProfile
	CustomData                                         json.RawMessage // a JSON object; nil = {}
	ApplicationID                                      string          // the app the user registered through
}

// UserPatch changes a user (PATCH /api/users/:id). A nil field keeps its value; a field
// pointing at nil clears it. CustomData and Profile replace the stored values, as Logto's
// PATCH does (jsonbMode 'replace').
type UserPatch struct {
	Username, PrimaryEmail, PrimaryPhone, Name, Avatar **string
	CustomData                                         json.RawMessage
	Profile                                            *model.UserProfile
}

// UserRoleAssignment answers POST /api/users/:id/roles: the ids asked for and those newly linked.
type UserRoleAssignment struct {
	RoleIDs      []string `json:"roleIds"`
	AddedRoleIDs []string `json:"addedRoleIds"`
}

func errUserNotFound() *apperr.Error {
	// Logto's findUserById fails with slonik's NotFoundError: 404 entity.not_found
	// (logto-observed.md), unlike applications and roles (entity.not_exists_with_id).
	return apperr.New(http.StatusNotFound, "entity.not_found", "The resource does not exist.")
}

func errInvalidUserRoleType(roleID string) *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "user.invalid_role_type",
		"Invalid role type, can not assign machine-to-machine role to user.").WithData(map[string]string{"roleId": roleID})
}

// mapUserErr turns the store's answers about users into Logto's: a missing user is Logto's
// 404 entity.not_found (not the entity.not_exists_with_id of other tables); the rest as
// core.MapStoreErr maps every table.
func mapUserErr(err error, id string) error {
	if errors.Is(err, model.ErrNotFound) {
		if _, ok := apperr.As(err); !ok {
			return errUserNotFound()
		}
	}
	return core.MapStoreErr(err, "user", id)
}

func (s *Users) hasher() (core.PasswordHasher, error) {
	if s.passwords == nil {
		return nil, errors.New("service: no password hasher configured (Options.Passwords)")
	}
	return s.passwords, nil
}

// normalizeUsername checks a username against Logto's hard floor (usernameRegEx: a letter or
// underscore, then letters, digits and underscores; at most 128 characters).
func normalizeUsername(v string) (string, error) {
	if !usernamePattern.MatchString(v) {
		return "", core.InvalidBody("username: must start with a letter or underscore and hold only letters, digits and underscores.")
	}
	if len(v) > maxUsernameLen {
		return "", core.InvalidBody("username: must be at most %d characters.", maxUsernameLen)
	}
	return v, nil
}

// normalizeEmail checks an email against Logto's emailRegEx and lower-cases it: emails are
// compared ignoring case everywhere (queries/user.ts looks them up with lower()), so one form is
// stored.
func normalizeEmail(v string) (string, error) {
	if err := core.CheckText("primaryEmail", v, maxEmailLen); err != nil {
		return "", err
	}
	if !emailPattern.MatchString(v) {
		return "", core.InvalidBody("primaryEmail: %q is not an email address.", v)
	}
	return strings.ToLower(v), nil
}

// normalizePhone checks a phone number: digits only (Logto's phoneRegEx, 400), of a length
// E.164 allows (Logto's 422 user.invalid_phone).
func normalizePhone(v string) (string, error) {
	if !phonePattern.MatchString(v) {
		return "", core.InvalidBody("primaryPhone: must hold digits only (the country code included, no +).")
	}
	if len(v) < minPhoneDigits || len(v) > maxPhoneDigits {
		return "", apperr.New(http.StatusUnprocessableEntity, "user.invalid_phone", "Invalid phone number.")
	}
	return v, nil
}

// checkAvatar accepts an absolute http(s) URL or "" (Logto: z.string().url().or(literal(”))).
// The avatar becomes the `picture` claim relying parties render, so other schemes are refused.
func checkAvatar(v string) error {
	if v == "" {
		return nil
	}
	if err := core.CheckText("avatar", v, maxAvatarLen); err != nil {
		return err
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return core.InvalidBody("avatar: %q is not an absolute http(s) URL.", v)
	}
	return nil
}

func checkProfile(p model.UserProfile) error {
	fields := []struct{ name, value string }{
		{"familyName", p.FamilyName}, {"givenName", p.GivenName}, {"middleName", p.MiddleName},
		{"nickname", p.Nickname}, {"preferredUsername", p.PreferredUsername}, {"profile", p.Profile},
		{"website", p.Website}, {"gender", p.Gender}, {"birthdate", p.Birthdate}, {"zoneinfo", p.Zoneinfo},
		{"locale", p.Locale},
	}
	if a := p.Address; a != nil {
		fields = append(fields, []struct{ name, value string }{
			{"address.formatted", a.Formatted}, {"address.streetAddress", a.StreetAddress},
			{"address.locality", a.Locality}, {"address.region", a.Region},
			{"address.postalCode", a.PostalCode}, {"address.country", a.Country},
		}...)
	}
	for _, f := range fields {
		if err := core.CheckText("profile."+f.name, f.value, 0); err != nil {
			return err
		}
	}
	return nil
}

// normalizeIdentifiers validates the identifier and display fields a create or patch sets,
// normalising email case. "" clears an identifier, so that "no username" is one value (NULL)
// and never collides with another user's "".
func normalizeIdentifiers(username, email, phone, name, avatar **string) error {
	for _, f := range []struct {
		v    **string
		norm func(string) (string, error)
	}{
		{username, normalizeUsername}, {email, normalizeEmail}, {phone, normalizePhone},
	} {
		if f.v == nil || *f.v == nil {
			continue
		}
		if **f.v == "" {
			*f.v = nil
			continue
		}
		v, err := f.norm(**f.v)
		if err != nil {
			return err
		}
		*f.v = &v
	}
	if name != nil && *name != nil {
		if err := core.CheckText("name", **name, maxUserNameLen); err != nil {
			return err
		}
	}
	if avatar != nil && *avatar != nil {
		if err := checkAvatar(**avatar); err != nil {
			return err
		}
	}
	return nil
}

// usernameCaseSensitive reads the tenant's username policy (Logto's getUsernameCaseSensitive):
// case-sensitive unless the sign-in experience's usernamePolicy says otherwise.
func usernameCaseSensitive(ctx context.Context, t store.Tenant) (bool, error) {
	raw, err := t.Configs().Get(ctx, model.ConfigSignInExperience)
	if errors.Is(err, model.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read sign-in experience: %w", err)
	}
	var sie struct {
		UsernamePolicy *struct {
			CaseSensitive *bool `json:"caseSensitive"`
			MaxLength     int   `json:"maxLength"`
		} `json:"usernamePolicy"`
	}
	if err := json.Unmarshal(raw, &sie); err != nil {
		return false, fmt.Errorf("decode sign-in experience: %w", err)
	}
	// A policy with maxLength 0 was never set (Logto requires 1–128): defaultUsernamePolicy.
	p := sie.UsernamePolicy
	if p == nil || p.CaseSensitive == nil || p.MaxLength == 0 {
		return true, nil
	}
	return *p.CaseSensitive, nil
}

// checkIdentifierCollision answers Logto's 422 codes before a write, in Logto's order (email,
// phone, username; libraries/user.ts checkIdentifierCollision); excludeID is the user being
// changed. The unique indexes still catch a concurrent writer.
func checkIdentifierCollision(ctx context.Context, t store.Tenant, username, email, phone *string, excludeID string) error {
	if email != nil {
		u, err := t.Users().GetByEmail(ctx, *email)
		if err := refuseTaken(u, err, excludeID, apperr.EmailInUse()); err != nil {
			return err
		}
	}
	if phone != nil {
		u, err := t.Users().GetByPhone(ctx, *phone)
		if err := refuseTaken(u, err, excludeID, apperr.PhoneInUse()); err != nil {
			return err
		}
	}
	if username != nil {
		return checkUsernameCollision(ctx, t, *username, excludeID)
	}
	return nil
}

// checkUsernameCollision refuses a username another user holds under the tenant's username case
// policy.
func checkUsernameCollision(ctx context.Context, t store.Tenant, username, excludeID string) error {
	caseSensitive, err := usernameCaseSensitive(ctx, t)
	if err != nil {
		return err
	}
	u, err := t.Users().GetByUsername(ctx, username, caseSensitive)
	if err := refuseTaken(u, err, excludeID, apperr.UsernameInUse()); err != nil || caseSensitive {
		return err
	}
	// Several users may differ only in case (written under a case-sensitive policy);
	// GetByUsername returned the preferred one, so check the exact one as well.
	u, err = t.Users().GetByUsername(ctx, username, true)
	return refuseTaken(u, err, excludeID, apperr.UsernameInUse())
}

// refuseTaken reads the result of a lookup by identifier: inUse when it found a user other than
// excludeID, nil when it found nobody (or excludeID itself), the lookup's error otherwise.
func refuseTaken(u model.User, err error, excludeID string, inUse *apperr.Error) error {
	switch {
	case errors.Is(err, model.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("check identifiers: %w", err)
	case u.ID != excludeID:
		return inUse
	}
	return nil
}

// CreateUser creates a user with Logto's validation and codes, hashing Password with the
// configured hasher or storing an imported PasswordDigest after checking it parses. The tenant's
// default User roles are given to the new user in the same transaction (Logto's insertUser).
func (s *Users) CreateUser(ctx context.Context, tenantID string, in CreateUserInput) (model.User, error) {
	if err := checkCreateUserInput(&in); err != nil {
		return model.User{}, err
	}
	now := s.core.NowMs()
	u := newUserRecord(tenantID, in, now)
	// Hash before the transaction: it is the slow part and must not hold the writer.
	if err := s.setInitialPassword(ctx, &u, in, now); err != nil {
		return model.User{}, err
	}
	return s.insertUser(ctx, tenantID, u)
}

// checkCreateUserInput checks in and normalizes its identifiers, in Logto's order: the password
// members, the identifiers and values, then the application id.
func checkCreateUserInput(in *CreateUserInput) error {
	if in.Password != "" && in.PasswordDigest != "" {
		return apperr.New(http.StatusBadRequest, "user.password_and_digest",
			"You cannot set both plain text password and password digest.")
	}
	if in.PasswordDigest != "" && in.PasswordAlgorithm == "" {
		return apperr.New(http.StatusBadRequest, "user.password_algorithm_required", "Password algorithm is required.")
	}
	if len(in.PasswordDigest) > maxPasswordDigestLen {
		return core.InvalidBody("passwordDigest: must be at most %d characters.", maxPasswordDigestLen)
	}
	if err := checkUserValues(&in.Username, &in.PrimaryEmail, &in.PrimaryPhone, &in.Name, &in.Avatar, in.CustomData, in.Profile); err != nil {
		return err
	}
	if len(in.ApplicationID) > maxApplicationIDLen {
		return core.InvalidBody("applicationId: must be at most %d characters.", maxApplicationIDLen)
	}
	return nil
}

// checkUserValues normalizes the identifiers and names a create or patch sets and checks its
// customData and profile (each nil when not set).
func checkUserValues(username, email, phone, name, avatar **string, customData json.RawMessage, profile *model.UserProfile) error {
	if err := normalizeIdentifiers(username, email, phone, name, avatar); err != nil {
		return err
	}
	if customData != nil {
		if err := core.CheckJSONObject("customData", customData); err != nil {
			return err
		}
	}
	if profile != nil {
		return checkProfile(*profile)
	}
	return nil
}

// newUserRecord is the row of a new user created from in, without its password.
func newUserRecord(tenantID string, in CreateUserInput, now int64) model.User {
	u := model.User{
		TenantID: tenantID, ID: ids.NewUserID(), Username: in.Username, PrimaryEmail: in.PrimaryEmail,
		PrimaryPhone: in.PrimaryPhone, Name: in.Name, Avatar: in.Avatar, CustomData: in.CustomData,
		CreatedAt: now, UpdatedAt: now,
	}
	if in.Profile != nil {
		u.Profile = *in.Profile
	}
	if in.ApplicationID != "" {
		u.ApplicationID = &in.ApplicationID
	}
	return u
}

// setInitialPassword sets u's password from in: Password hashed with the configured hasher, or
// PasswordDigest after checking it parses under PasswordAlgorithm; neither leaves u without one.
func (s *Users) setInitialPassword(ctx context.Context, u *model.User, in CreateUserInput, now int64) error {
	switch {
	case in.Password != "":
		h, err := s.hasher()
		if err != nil {
			return err
		}
		encrypted, method, err := h.Hash(ctx, in.Password)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		u.PasswordEncrypted, u.PasswordEncryptionMethod, u.PasswordUpdatedAt = &encrypted, &method, &now
	case in.PasswordDigest != "":
		if err := password.ValidateDigest(in.PasswordAlgorithm, in.PasswordDigest); err != nil {
			return err
		}
		u.PasswordEncrypted, u.PasswordEncryptionMethod, u.PasswordUpdatedAt = &in.PasswordDigest, &in.PasswordAlgorithm, &now
	}
	return nil
}

// insertUser writes u after the identifier checks and gives it the tenant's default User roles,
// in one transaction, and returns the user as stored.
func (s *Users) insertUser(ctx context.Context, tenantID string, u model.User) (model.User, error) {
	return s.insertUserChecked(ctx, tenantID, u, nil)
}

// insertUserChecked is insertUser with one more check (nil for none) inside the transaction.
func (s *Users) insertUserChecked(ctx context.Context, tenantID string, u model.User, check func(context.Context, store.Tenant) error) (model.User, error) {
	var created model.User
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		if err := checkIdentifierCollision(ctx, t, u.Username, u.PrimaryEmail, u.PrimaryPhone, ""); err != nil {
			return err
		}
		if check != nil {
			if err := check(ctx, t); err != nil {
				return err
			}
		}
		if err := t.Users().Create(ctx, u); err != nil {
			return mapUserErr(err, u.ID)
		}
		if err := giveDefaultRoles(ctx, t, u.ID); err != nil {
			return err
		}
		var err error
		if created, err = t.Users().Get(ctx, u.ID); err != nil {
			return mapUserErr(err, u.ID)
		}
		t.EmitEvent(core.Event{Name: model.EventUserCreated, Data: created, UserID: created.ID})
		return nil
	})
	if err != nil {
		return model.User{}, err
	}
	return created, nil
}

// giveDefaultRoles links userID to the tenant's User roles marked default.
func giveDefaultRoles(ctx context.Context, t store.Tenant, userID string) error {
	roles, _, err := t.Roles().List(ctx, model.RoleFilter{Type: model.RoleUser}, model.Page{})
	if err != nil {
		return fmt.Errorf("list roles: %w", err)
	}
	var defaults []string
	for _, r := range roles {
		if r.IsDefault {
			defaults = append(defaults, r.ID)
		}
	}
	if err := t.Users().AddRoles(ctx, userID, defaults); err != nil {
		return fmt.Errorf("give default roles to user %s: %w", userID, err)
	}
	return nil
}

// GetUser returns one user (404 entity.not_found when absent).
func (s *Users) GetUser(ctx context.Context, tenantID, id string) (model.User, error) {
	u, err := s.core.Store().Tenant(tenantID).Users().Get(ctx, id)
	if err != nil {
		return model.User{}, mapUserErr(err, id)
	}
	return u, nil
}

// ListUsers returns a page of users, newest first, matching f, and the total.
func (s *Users) ListUsers(ctx context.Context, tenantID string, f model.UserFilter, p model.Page) ([]model.User, int, error) {
	users, total, err := s.core.Store().Tenant(tenantID).Users().List(ctx, f, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return users, total, nil
}

// FindUserByIdentifier finds the user a person identifies as, kind being one of
// model.IdentifierUsername, IdentifierEmail and IdentifierPhone: by username (following the
// tenant's username case policy), email (ignoring case) or phone (digits; a leading + and
// separators are dropped). errors.Is(err, model.ErrNotFound) holds when nobody matches.
func (s *Users) FindUserByIdentifier(ctx context.Context, tenantID, kind, value string) (model.User, error) {
	t := s.core.Store().Tenant(tenantID)
	var (
		u   model.User
		err error
	)
	switch kind {
	case model.IdentifierUsername:
		// The cached sign-in experience, not a database read: this is every sign-in's path.
		sie, cerr := s.signIn.GetSignInExperience(ctx, tenantID)
		if cerr != nil {
			return model.User{}, cerr
		}
		u, err = t.Users().GetByUsername(ctx, value, sie.UsernamePolicy.CaseSensitive)
	case model.IdentifierEmail:
		u, err = t.Users().GetByEmail(ctx, strings.ToLower(value))
	case model.IdentifierPhone:
		if phoneInputPattern.MatchString(value) {
			value = strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, value)
		}
		u, err = t.Users().GetByPhone(ctx, value)
	default:
		return model.User{}, core.InvalidRequest("identifier type %q is not username, email or phone.", kind)
	}
	if err != nil {
		return model.User{}, fmt.Errorf("find user by %s: %w", kind, err)
	}
	return u, nil
}

// VerifyUserPassword checks password against u's stored hash of any Logto format. When it
// matches a legacy or weaker format, the password is rehashed to argon2id and stored, which is
// how every imported user moves to argon2id on their next sign-in (Logto does the same in
// libraries/user.ts verifyUserPassword). A user without a password spends a decoy verification,
// so the answer takes as long as for a real one.
func (s *Users) VerifyUserPassword(ctx context.Context, tenantID string, u model.User, plain string) (bool, error) {
	h, err := s.hasher()
	if err != nil {
		return false, err
	}
	if !u.HasPassword() || u.PasswordEncryptionMethod == nil {
		h.Decoy(ctx, plain)
		return false, nil
	}
	ok, rehash, err := h.Verify(ctx, plain, *u.PasswordEncrypted, *u.PasswordEncryptionMethod)
	if errors.Is(err, password.ErrMalformed) || errors.Is(err, password.ErrUnsupported) {
		// The stored digest can never match; the user needs a new password, not a 500.
		s.core.Log().WarnContext(ctx, "user password digest cannot be verified",
			"tenant", tenantID, "user", u.ID, "method", *u.PasswordEncryptionMethod, "err", err)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("verify password of user %s: %w", u.ID, err)
	}
	if !ok || !rehash {
		return ok, nil
	}
	encrypted, method, err := h.Hash(ctx, plain)
	if err == nil {
		err = s.core.Store().Tenant(tenantID).Users().RehashPassword(ctx, u.ID, encrypted, method, s.core.NowMs())
	}
	if err != nil {
		// The password was right; failing to upgrade its hash must not fail the sign-in.
		s.core.Log().ErrorContext(ctx, "rehash user password", "tenant", tenantID, "user", u.ID, "err", err)
	}
	return true, nil
}

// CheckUserPassword is POST /users/:id/password/verify: nil when password is the user's, 422
// session.invalid_credentials when not, 404 when the user does not exist.
func (s *Users) CheckUserPassword(ctx context.Context, tenantID, id, plain string) error {
	u, err := s.GetUser(ctx, tenantID, id)
	if err != nil {
		return err
	}
	ok, err := s.VerifyUserPassword(ctx, tenantID, u, plain)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.InvalidCredentials()
	}
	return nil
}

// RecordSignIn stamps the user's last_sign_in_at at the submit of an interaction and, in the
// same transaction, emits PostSignIn, or PostRegister when the interaction (model.Origin in
// ctx) was a registration, audited as Interaction.<event>.Submit as Logto logs the submit.
func (s *Users) RecordSignIn(ctx context.Context, tenantID, userID string) error {
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		if err := t.Users().RecordSignIn(ctx, userID, s.core.NowMs()); err != nil {
			return err
		}
		u, err := t.Users().Get(ctx, userID)
		if err != nil {
			return err
		}
		event, key := model.EventPostSignIn, "Interaction.SignIn.Submit"
		if model.OriginFrom(ctx).InteractionEvent == "Register" {
			event, key = model.EventPostRegister, "Interaction.Register.Submit"
		}
		t.EmitEvent(core.Event{Name: event, Data: u, UserID: u.ID, AuditKey: key})
		return nil
	})
	return mapUserErr(err, userID)
}

// UserRoleNames returns the names of the user's roles (the `roles` claim), sorted.
func (s *Users) UserRoleNames(ctx context.Context, tenantID, userID string) ([]string, error) {
	names, err := s.core.Store().Tenant(tenantID).Users().RoleNames(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("role names of user %s: %w", userID, err)
	}
	return names, nil
}

// UserScopeNames returns the names of resourceID's scopes the user holds through roles, sorted.
func (s *Users) UserScopeNames(ctx context.Context, tenantID, userID, resourceID string) ([]string, error) {
	names, err := s.core.Store().Tenant(tenantID).Users().ScopeNames(ctx, userID, resourceID)
	if err != nil {
		return nil, fmt.Errorf("scope names of user %s: %w", userID, err)
	}
	return names, nil
}

// UpdateUser applies p (PATCH /api/users/:id). An empty patch is Logto's 422 entity.invalid_input.
func (s *Users) UpdateUser(ctx context.Context, tenantID, id string, p UserPatch) (model.User, error) {
	if p.empty() {
		return model.User{}, apperr.New(http.StatusUnprocessableEntity, "entity.invalid_input",
			"Invalid input. Value list must not be empty.")
	}
	if err := checkUserValues(p.Username, p.PrimaryEmail, p.PrimaryPhone, p.Name, p.Avatar, p.CustomData, p.Profile); err != nil {
		return model.User{}, err
	}
	return s.changeUser(ctx, tenantID, id, func(ctx context.Context, t store.Tenant, u *model.User) error {
		p.applyTo(u)
		return checkIdentifierCollision(ctx, t, deref(p.Username), deref(p.PrimaryEmail), deref(p.PrimaryPhone), id)
	}, wholeUser)
}

// empty reports whether p sets nothing.
func (p UserPatch) empty() bool {
	return p.Username == nil && p.PrimaryEmail == nil && p.PrimaryPhone == nil && p.Name == nil &&
		p.Avatar == nil && p.CustomData == nil && p.Profile == nil
}

// applyTo sets the members of u that p sets.
func (p UserPatch) applyTo(u *model.User) {
	set := func(dst **string, v **string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.Username, p.Username)
	set(&u.PrimaryEmail, p.PrimaryEmail)
	set(&u.PrimaryPhone, p.PrimaryPhone)
	set(&u.Name, p.Name)
	set(&u.Avatar, p.Avatar)
	if p.CustomData != nil {
		u.CustomData = p.CustomData
	}
	if p.Profile != nil {
		u.Profile = *p.Profile
	}
}

func deref(p **string) *string {
	if p == nil {
		return nil
	}
	return *p
}

// wholeUser is the data of a User.Data.Updated event whose route answers with the user.
func wholeUser(u model.User) any { return u }

// changeUser reads the user, lets edit change it, and writes it back with a new updated_at, in
// one transaction that also emits User.Data.Updated with data(the updated user): Logto sends
// the route's response body, which is the user for PATCH /users/:id but only the custom data or
// the profile for their own routes.
func (s *Users) changeUser(ctx context.Context, tenantID, id string,
	edit func(ctx context.Context, t store.Tenant, u *model.User) error, data func(model.User) any) (model.User, error) {
	var updated model.User
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		u, err := t.Users().Get(ctx, id)
		if err != nil {
			return mapUserErr(err, id)
		}
		if err := edit(ctx, t, &u); err != nil {
			return err
		}
		u.UpdatedAt = s.core.NowMs()
		if err := t.Users().Update(ctx, u); err != nil {
			return mapUserErr(err, id)
		}
		if updated, err = t.Users().Get(ctx, id); err != nil {
			return mapUserErr(err, id)
		}
		t.EmitEvent(core.Event{Name: model.EventUserDataUpdated, Data: data(updated), UserID: id})
		return nil
	})
	return updated, err
}

// SetUserPassword hashes and stores a new password (PATCH /api/users/:id/password).
func (s *Users) SetUserPassword(ctx context.Context, tenantID, id, plain string) (model.User, error) {
	if plain == "" {
		return model.User{}, core.InvalidBody("password: must not be empty.")
	}
	if _, err := s.GetUser(ctx, tenantID, id); err != nil {
		return model.User{}, err
	}
	h, err := s.hasher()
	if err != nil {
		return model.User{}, err
	}
	encrypted, method, err := h.Hash(ctx, plain)
	if err != nil {
		return model.User{}, fmt.Errorf("set password of user %s: %w", id, err)
	}
	var updated model.User
	err = s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		if err := t.Users().UpdatePassword(ctx, id, encrypted, method, s.core.NowMs()); err != nil {
			return err
		}
		if updated, err = t.Users().Get(ctx, id); err != nil {
			return err
		}
		t.EmitEvent(core.Event{Name: model.EventUserDataUpdated, Data: updated, UserID: id})
		return nil
	})
	return updated, mapUserErr(err, id)
}

// SetUserSuspended sets or clears the suspension flag (PATCH /api/users/:id/is-suspended).
// Suspending also ends the user's sessions and revokes their grants and tokens in the same
// transaction, so a suspended user is signed out everywhere at once rather than when their tokens
// expire; the protocol also refuses suspended users at sign-in and token issuance.
func (s *Users) SetUserSuspended(ctx context.Context, tenantID, id string, suspended bool) (model.User, error) {
	var updated model.User
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		if err := t.Users().SetSuspended(ctx, id, suspended, s.core.NowMs()); err != nil {
			return err
		}
		if suspended {
			if err := t.OIDC().RevokeAccount(ctx, id); err != nil {
				return err
			}
		}
		var err error
		if updated, err = t.Users().Get(ctx, id); err != nil {
			return err
		}
		t.EmitEvent(core.Event{Name: model.EventUserSuspensionUpdated, Data: updated, UserID: id})
		return nil
	})
	if err != nil {
		return model.User{}, mapUserErr(err, id)
	}
	return updated, nil
}

// UserCustomData returns the user's customData object.
func (s *Users) UserCustomData(ctx context.Context, tenantID, id string) (json.RawMessage, error) {
	u, err := s.GetUser(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	return u.CustomData, nil
}

// PatchUserCustomData merges patch's top-level keys into the user's customData and returns the
// result (Logto's PATCH /users/:id/custom-data updates with jsonb `||`, jsonbMode 'merge').
func (s *Users) PatchUserCustomData(ctx context.Context, tenantID, id string, patch json.RawMessage) (json.RawMessage, error) {
	if err := core.CheckJSONObject("customData", patch); err != nil {
		return nil, err
	}
	u, err := s.changeUser(ctx, tenantID, id, func(_ context.Context, _ store.Tenant, u *model.User) error {
		merged, err := mergeObjects(u.CustomData, patch)
		u.CustomData = merged
		return err
	}, func(u model.User) any { return model.ObjectOrEmpty(u.CustomData) })
	if err != nil {
		return nil, err
	}
	return u.CustomData, nil
}

// mergeObjects is jsonb's `base || patch` for two objects: patch's keys replace base's.
func mergeObjects(base, patch json.RawMessage) (json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if len(base) > 0 {
		if err := json.Unmarshal(base, &out); err != nil {
			return nil, fmt.Errorf("decode stored object: %w", err)
		}
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("decode patch: %w", err)
	}
	for k, v := range p {
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode merged object: %w", err)
	}
	return b, nil
}

// PatchUserProfile sets the profile claims present in patch, keeping the others (Logto's PATCH
// /users/:id/profile merges top-level keys; an address replaces the stored address whole).
func (s *Users) PatchUserProfile(ctx context.Context, tenantID, id string, patch model.UserProfile) (model.UserProfile, error) {
	if err := checkProfile(patch); err != nil {
		return model.UserProfile{}, err
	}
	u, err := s.changeUser(ctx, tenantID, id, func(_ context.Context, _ store.Tenant, u *model.User) error {
		p := &u.Profile
		for _, f := range []struct {
			dst *string
			v   string
		}{
			{&p.FamilyName, patch.FamilyName}, {&p.GivenName, patch.GivenName}, {&p.MiddleName, patch.MiddleName},
			{&p.Nickname, patch.Nickname}, {&p.PreferredUsername, patch.PreferredUsername}, {&p.Profile, patch.Profile},
			{&p.Website, patch.Website}, {&p.Gender, patch.Gender}, {&p.Birthdate, patch.Birthdate},
			{&p.Zoneinfo, patch.Zoneinfo}, {&p.Locale, patch.Locale},
		} {
			if f.v != "" {
				*f.dst = f.v
			}
		}
		if patch.Address != nil {
			p.Address = patch.Address
		}
		return nil
	}, func(u model.User) any { return u.Profile })
	if err != nil {
		return model.UserProfile{}, err
	}
	return u.Profile, nil
}

// DeleteUser removes a user with its role links.
func (s *Users) DeleteUser(ctx context.Context, tenantID, id string) error {
	// The user's sessions, grants and tokens go with them (they reference the account by id only).
	// Logto sends User.Deleted with the user as it was before deletion.
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		u, err := t.Users().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := t.Users().Delete(ctx, id); err != nil {
			return err
		}
		if err := t.OIDC().RevokeAccount(ctx, id); err != nil {
			return err
		}
		t.EmitEvent(core.Event{Name: model.EventUserDeleted, Data: u, UserID: id})
		return nil
	})
	return mapUserErr(err, id)
}

// UserRoles lists the user's roles (GET /api/users/:id/roles), filtered by search (a
// case-insensitive substring of id, name or description), in creation order.
func (s *Users) UserRoles(ctx context.Context, tenantID, userID, search string, p model.Page) ([]model.Role, int, error) {
	t := s.core.Store().Tenant(tenantID)
	if _, err := t.Users().Get(ctx, userID); err != nil {
		return nil, 0, mapUserErr(err, userID)
	}
	roleIDs, err := t.Users().RoleIDs(ctx, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("roles of user %s: %w", userID, err)
	}
	roles, total, err := t.Roles().List(ctx, model.RoleFilter{IDs: roleIDs, Type: model.RoleUser, Search: search}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("roles of user %s: %w", userID, err)
	}
	return core.NonNil(roles), total, nil
}

// checkUserRoles checks every role exists (404 entity.not_exists_with_id) and is a User role
// (422 user.invalid_role_type), as Logto's POST /users/:id/roles does.
func checkUserRoles(ctx context.Context, t store.Tenant, roleIDs []string) error {
	for _, id := range roleIDs {
		r, err := t.Roles().Get(ctx, id)
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, id)
		}
		if r.Type != model.RoleUser {
			return errInvalidUserRoleType(id)
		}
	}
	return nil
}

// AssignUserRoles gives roles to a user, ignoring those it holds already (POST
// /api/users/:id/roles).
func (s *Users) AssignUserRoles(ctx context.Context, tenantID, userID string, roleIDs []string) (UserRoleAssignment, error) {
	if err := core.CheckIDList("roleIds", roleIDs); err != nil {
		return UserRoleAssignment{}, err
	}
	out := UserRoleAssignment{RoleIDs: core.NonNil(roleIDs), AddedRoleIDs: []string{}}
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		if _, err := t.Users().Get(ctx, userID); err != nil {
			return mapUserErr(err, userID)
		}
		held, err := t.Users().RoleIDs(ctx, userID)
		if err != nil {
			return fmt.Errorf("roles of user %s: %w", userID, err)
		}
		for _, id := range core.Dedupe(roleIDs) {
			if !slices.Contains(held, id) {
				out.AddedRoleIDs = append(out.AddedRoleIDs, id)
			}
		}
		if err := checkUserRoles(ctx, t, out.AddedRoleIDs); err != nil {
			return err
		}
		return mapUserErr(t.Users().AddRoles(ctx, userID, out.AddedRoleIDs), userID)
	})
	return out, err
}

// ReplaceUserRoles makes roleIDs exactly the user's roles (PUT /api/users/:id/roles) and returns
// them without duplicates.
func (s *Users) ReplaceUserRoles(ctx context.Context, tenantID, userID string, roleIDs []string) ([]string, error) {
	if err := core.CheckIDList("roleIds", roleIDs); err != nil {
		return nil, err
	}
	wanted := core.NonNil(core.Dedupe(roleIDs))
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		if _, err := t.Users().Get(ctx, userID); err != nil {
			return mapUserErr(err, userID)
		}
		if err := checkUserRoles(ctx, t, wanted); err != nil {
			return err
		}
		return mapUserErr(t.Users().ReplaceRoles(ctx, userID, wanted), userID)
	})
	return wanted, err
}

// RemoveUserRole takes a role from a user (404 entity.not_found when the user does not hold it).
func (s *Users) RemoveUserRole(ctx context.Context, tenantID, userID, roleID string) error {
	err := s.core.Store().Tenant(tenantID).Users().RemoveRole(ctx, userID, roleID)
	if errors.Is(err, model.ErrNotFound) {
		return core.RelationNotFound()
	}
	return mapUserErr(err, userID)
}

// RoleUsers lists the users holding a role (GET /api/roles/:id/users), newest first, with
// Logto's user search.
func (s *Users) RoleUsers(ctx context.Context, tenantID, roleID string, search model.UserSearch, p model.Page) ([]model.User, int, error) {
	t := s.core.Store().Tenant(tenantID)
	if _, err := t.Roles().Get(ctx, roleID); err != nil {
		return nil, 0, core.MapStoreErr(err, core.TableRoles, roleID)
	}
	users, total, err := t.Users().List(ctx, model.UserFilter{RoleID: roleID, Search: search}, p)
	if err != nil {
		return nil, 0, fmt.Errorf("users of role %s: %w", roleID, err)
	}
	return users, total, nil
}

// AddRoleUsers gives a role to users (POST /api/roles/:id/users). Like Logto: a user holding the
// role already is 422 role.user_exists, a missing user 404 entity.not_found, and a
// machine-to-machine role 422 entity.db_constraint_violated (its users_roles check constraint).
func (s *Users) AddRoleUsers(ctx context.Context, tenantID, roleID string, userIDs []string) error {
	if err := core.RequireIDs("userIds", "user id", userIDs); err != nil {
		return err
	}
	return s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		r, err := t.Roles().Get(ctx, roleID)
		if err != nil {
			return core.MapStoreErr(err, core.TableRoles, roleID)
		}
		unique := core.Dedupe(userIDs)
		for _, id := range unique {
			held, err := t.Users().RoleIDs(ctx, id)
			if err != nil {
				return fmt.Errorf("roles of user %s: %w", id, err)
			}
			if slices.Contains(held, roleID) {
				return apperr.New(http.StatusUnprocessableEntity, "role.user_exists",
					"The user id %s is already been added to this role", id).WithData(map[string]string{"userId": id})
			}
		}
		for _, id := range unique {
			if _, err := t.Users().Get(ctx, id); err != nil {
				return mapUserErr(err, id)
			}
		}
		if r.Type != model.RoleUser {
			return apperr.New(http.StatusUnprocessableEntity, "entity.db_constraint_violated", "Database constraint violated.")
		}
		for _, id := range unique {
			if err := t.Users().AddRoles(ctx, id, []string{roleID}); err != nil {
				return mapUserErr(err, id)
			}
		}
		return nil
	})
}

// RemoveRoleUser takes a role from a user (DELETE /api/roles/:id/users/:userId).
func (s *Users) RemoveRoleUser(ctx context.Context, tenantID, roleID, userID string) error {
	return s.RemoveUserRole(ctx, tenantID, userID, roleID)
}
