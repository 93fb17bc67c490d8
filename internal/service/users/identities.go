package users

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// SocialAccount is the account a social provider vouched for: the identity to store under the
// connector's target and the profile it offers (Logto's SocialUserInfo). Email is set only when
// the connector trusts it (connector.UserInfo).
type SocialAccount struct {
	Target    string
	AccountID string
	// Details is stored as the identity's details: the mapped profile and the provider's raw
	// answer, as Logto keeps them (toUserSocialIdentityData).
	Details       json.RawMessage
	Username      string // a registration's username, when the sign-up settings ask for one
	Email, Phone  string
	Name, Avatar  string
	ApplicationID string // the app the person signs up through
	SyncProfile   bool   // the connector's syncProfile: name and avatar follow the provider
}

// identity is one member of a user's identities object.
type identity struct {
	UserID  string          `json:"userId"`
	Details json.RawMessage `json:"details,omitempty"`
}

// errIdentityNotExist is Logto's 404 user.identity_not_exist.
func errIdentityNotExist() *apperr.Error {
	return apperr.New(http.StatusNotFound, "user.identity_not_exist", "The social account has not been registered yet.")
}

// errIdentityInUse is Logto's 422 user.identity_already_in_use.
func errIdentityInUse() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "user.identity_already_in_use", "The social account has been associated with an existing user.")
}

// FindUserByIdentity finds the user linked to a provider account under target;
// errors.Is(err, model.ErrNotFound) holds when nobody is.
func (s *Users) FindUserByIdentity(ctx context.Context, tenantID, target, accountID string) (model.User, error) {
	u, err := s.core.Store().Tenant(tenantID).Users().GetByIdentity(ctx, target, accountID)
	if err != nil {
		return model.User{}, fmt.Errorf("find user by %s identity: %w", target, err)
	}
	return u, nil
}

// withIdentity returns identities with target set to id.
func withIdentity(identities json.RawMessage, target string, id identity) (json.RawMessage, error) {
	all := map[string]json.RawMessage{}
	if len(identities) > 0 {
		if err := json.Unmarshal(identities, &all); err != nil {
			return nil, fmt.Errorf("decode identities: %w", err)
		}
	}
	raw, err := json.Marshal(id)
	if err != nil {
		return nil, fmt.Errorf("encode identity: %w", err)
	}
	all[target] = raw
	return json.Marshal(all)
}

// clip cuts v to at most n characters (a provider's name can be longer than Logto's column).
func clip(v string, n int) string {
	if utf8.RuneCountInString(v) <= n {
		return v
	}
	return string([]rune(v)[:n])
}

// profileValue is v as an optional profile member: nil when empty.
func profileValue(v string) *string {
	if v = strings.TrimSpace(v); v == "" {
		return nil
	}
	return &v
}

// RegisterSocialUser creates the user of a first social sign-in (Logto's toSyncedProfile for a
// new user): the identity, the name and avatar, and the email and phone only when no other user
// has them — an email that is taken is left out, never an error, so the person still gets an
// account and the existing one is untouched.
func (s *Users) RegisterSocialUser(ctx context.Context, tenantID string, a SocialAccount) (model.User, error) {
	identities, err := withIdentity(nil, a.Target, identity{UserID: a.AccountID, Details: a.Details})
	if err != nil {
		return model.User{}, err
	}
	now := s.core.NowMs()
	in := CreateUserInput{Name: profileValue(clip(a.Name, maxUserNameLen)), ApplicationID: a.ApplicationID,
		Username: profileValue(a.Username)}
	if avatar := profileValue(a.Avatar); avatar != nil && checkAvatar(*avatar) == nil {
		in.Avatar = avatar
	}
	u := newUserRecord(tenantID, in, now)
	u.Identities = identities
	t := s.core.Store().Tenant(tenantID)
	if email, err := normalizeEmail(strings.TrimSpace(a.Email)); err == nil {
		if _, err := t.Users().GetByEmail(ctx, email); errors.Is(err, store.ErrNotFound) {
			u.PrimaryEmail = &email
		}
	}
	if phone, err := normalizePhone(strings.TrimPrefix(strings.TrimSpace(a.Phone), "+")); err == nil {
		if _, err := t.Users().GetByPhone(ctx, phone); errors.Is(err, store.ErrNotFound) {
			u.PrimaryPhone = &phone
		}
	}
	return s.insertUserChecked(ctx, tenantID, u, func(ctx context.Context, t store.Tenant) error {
		// Two first sign-ins of one account racing (a double click) must not make two users.
		if _, err := t.Users().GetByIdentity(ctx, a.Target, a.AccountID); err == nil {
			return errIdentityInUse()
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("find identity owner: %w", err)
		}
		return nil
	})
}

// SignInSocialUser updates the user found by a social sign-in: the identity's details always,
// the name and avatar only when the connector syncs profiles (Logto never re-syncs the email).
// User.Data.Updated is emitted only when the name or avatar changed, as Logto does.
func (s *Users) SignInSocialUser(ctx context.Context, tenantID, userID string, a SocialAccount) (model.User, error) {
	var updated model.User
	err := s.core.WriteUncached(ctx, tenantID, func(t *core.Tx) error {
		u, err := t.Users().Get(ctx, userID)
		if err != nil {
			return mapUserErr(err, userID)
		}
		if u.Identities, err = withIdentity(u.Identities, a.Target, identity{UserID: a.AccountID, Details: a.Details}); err != nil {
			return err
		}
		changed := a.SyncProfile && syncNameAndAvatar(&u, a)
		u.UpdatedAt = s.core.NowMs()
		if err := t.Users().Update(ctx, u); err != nil {
			return mapUserErr(err, userID)
		}
		if updated, err = t.Users().Get(ctx, userID); err != nil {
			return mapUserErr(err, userID)
		}
		if changed {
			t.EmitEvent(core.Event{Name: model.EventUserDataUpdated, Data: updated, UserID: userID})
		}
		return nil
	})
	return updated, err
}

// syncNameAndAvatar copies the provider's name and avatar onto u and reports whether either
// changed. An empty or unusable value leaves the stored one.
func syncNameAndAvatar(u *model.User, a SocialAccount) bool {
	changed := false
	if name := profileValue(clip(a.Name, maxUserNameLen)); name != nil && model.StringOf(u.Name) != *name {
		u.Name, changed = name, true
	}
	if avatar := profileValue(a.Avatar); avatar != nil && checkAvatar(*avatar) == nil && model.StringOf(u.Avatar) != *avatar {
		u.Avatar, changed = avatar, true
	}
	return changed
}

// LinkSocialIdentity adds a social identity to an existing user (Logto's account linking during
// sign-in). An identity already linked to another user is 422 user.identity_already_in_use.
func (s *Users) LinkSocialIdentity(ctx context.Context, tenantID, userID string, a SocialAccount) (model.User, error) {
	u, _, err := s.linkIdentity(ctx, tenantID, userID, a.Target, identity{UserID: a.AccountID, Details: a.Details}, wholeUser)
	return u, err
}

// PutUserIdentity sets the identity under target (PUT /api/users/:id/identities/:target and
// POST /api/users/:id/identities) and reports whether it is new (Logto answers 201 then).
// User.Data.Updated carries the identities, the route's answer.
func (s *Users) PutUserIdentity(ctx context.Context, tenantID, userID, target, accountID string, details json.RawMessage) (model.User, bool, error) {
	if err := checkIdentityInput(target, accountID, details); err != nil {
		return model.User{}, false, err
	}
	return s.linkIdentity(ctx, tenantID, userID, target, identity{UserID: accountID, Details: details}, identitiesOf)
}

// identitiesOf is the data of an event whose route answers with the user's identities.
func identitiesOf(u model.User) any { return model.ObjectOrEmpty(u.Identities) }

// checkIdentityInput checks an identity the Management API sets: a target and an id within
// Logto's column sizes, and details that are a JSON object when given.
func checkIdentityInput(target, accountID string, details json.RawMessage) error {
	if err := core.CheckText("target", target, maxIdentityLen); err != nil {
		return err
	}
	if accountID == "" {
		return core.InvalidBody("userId: is required.")
	}
	if err := core.CheckText("userId", accountID, maxIdentityLen); err != nil {
		return err
	}
	if details != nil {
		return core.CheckJSONObject("details", details)
	}
	return nil
}

// maxIdentityLen bounds a target and a provider account id.
const maxIdentityLen = 256

func (s *Users) linkIdentity(ctx context.Context, tenantID, userID, target string, id identity, data func(model.User) any) (model.User, bool, error) {
	created := false
	u, err := s.changeUser(ctx, tenantID, userID, func(ctx context.Context, t store.Tenant, u *model.User) error {
		other, err := t.Users().GetByIdentity(ctx, target, id.UserID)
		switch {
		case err == nil && other.ID != u.ID:
			return errIdentityInUse()
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("find identity owner: %w", err)
		}
		_, has, err := identityOf(u.Identities, target)
		if err != nil {
			return err
		}
		created = !has
		u.Identities, err = withIdentity(u.Identities, target, id)
		return err
	}, data)
	return u, created, err
}

// identityOf is the member target of identities, and whether it exists.
func identityOf(identities json.RawMessage, target string) (json.RawMessage, bool, error) {
	all := map[string]json.RawMessage{}
	if len(identities) > 0 {
		if err := json.Unmarshal(identities, &all); err != nil {
			return nil, false, fmt.Errorf("decode identities: %w", err)
		}
	}
	raw, ok := all[target]
	return raw, ok, nil
}

// UserIdentity is the identity under target (GET /api/users/:id/identities/:target): 404
// user.identity_not_exist when there is none.
func (s *Users) UserIdentity(ctx context.Context, tenantID, userID, target string) (json.RawMessage, error) {
	u, err := s.GetUser(ctx, tenantID, userID)
	if err != nil {
		return nil, err
	}
	raw, ok, err := identityOf(u.Identities, target)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errIdentityNotExist()
	}
	return raw, nil
}

// UnlinkSocialIdentity removes the identity under target (DELETE
// /api/users/:id/identities/:target): 404 user.identity_not_exist when there is none.
func (s *Users) UnlinkSocialIdentity(ctx context.Context, tenantID, userID, target string) (model.User, error) {
	return s.changeUser(ctx, tenantID, userID, func(_ context.Context, _ store.Tenant, u *model.User) error {
		all := map[string]json.RawMessage{}
		if len(u.Identities) > 0 {
			if err := json.Unmarshal(u.Identities, &all); err != nil {
				return fmt.Errorf("decode identities: %w", err)
			}
		}
		if _, ok := all[target]; !ok {
			return errIdentityNotExist()
		}
		delete(all, target)
		raw, err := json.Marshal(all)
		u.Identities = raw
		return err
	}, wholeUser)
}

// errNotFirst refuses a first-user creation when the tenant already has users.
func errNotFirst() *apperr.Error {
	return apperr.New(http.StatusForbidden, "auth.forbidden", "An account already exists; sign in instead.")
}

// CreateFirstUser creates the tenant's first user (the admin console's welcome page): the
// password must meet the tenant's password policy, and the check that no user exists runs in
// the insert's transaction, so two first visitors cannot both become admins.
func (s *Users) CreateFirstUser(ctx context.Context, tenantID string, in CreateUserInput) (model.User, error) {
	if err := checkCreateUserInput(&in); err != nil {
		return model.User{}, err
	}
	sie, err := s.signIn.GetSignInExperience(ctx, tenantID)
	if err != nil {
		return model.User{}, err
	}
	info := policy.PasswordUserInfo{Username: model.StringOf(in.Username), Email: model.StringOf(in.PrimaryEmail)}
	if issues := policy.ResolvePasswordPolicy(sie.PasswordPolicy).Check(in.Password, info); len(issues) > 0 {
		return model.User{}, apperr.New(http.StatusUnprocessableEntity, "password.rejected", "The password does not meet the password policy.").WithData(issues)
	}
	now := s.core.NowMs()
	u := newUserRecord(tenantID, in, now)
	if err := s.setInitialPassword(ctx, &u, in, now); err != nil {
		return model.User{}, err
	}
	return s.insertUserChecked(ctx, tenantID, u, func(ctx context.Context, t store.Tenant) error {
		if _, total, err := t.Users().List(ctx, model.UserFilter{}, model.Page{Limit: 1}); err != nil {
			return fmt.Errorf("count users: %w", err)
		} else if total > 0 {
			return errNotFirst()
		}
		return nil
	})
}
