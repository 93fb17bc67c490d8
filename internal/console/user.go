package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// userView is one user's page.
type userView struct {
	User                                 model.User
	Username, Email, Phone, Name, Avatar string
	CustomData, Created, LastSignIn      string
	Roles                                []model.Role
	Assignable                           []model.Role // user roles the user does not hold
	Identities                           []identityRow
	HasPassword                          bool
}

type identityRow struct{ Target, AccountID string }

// loadUser reads the path's user, its roles and identities into d.View; it answers 404 or the
// fault itself otherwise.
func (c *Console) loadUser(w http.ResponseWriter, r *http.Request, d *page) (*userView, bool) {
	ctx := r.Context()
	u, err := c.o.Users.GetUser(ctx, model.DefaultTenantID, r.PathValue("id"))
	if err != nil {
		c.missing(w, r, err, "console.user_not_found")
		return nil, false
	}
	v := &userView{User: u, Username: model.StringOf(u.Username), Email: model.StringOf(u.PrimaryEmail), Phone: model.StringOf(u.PrimaryPhone),
		Name: model.StringOf(u.Name), Avatar: model.StringOf(u.Avatar), Created: timeText(u.CreatedAt), HasPassword: u.HasPassword()}
	if u.LastSignInAt != nil {
		v.LastSignIn = timeText(*u.LastSignInAt)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, u.CustomData, "", "  ") == nil {
		v.CustomData = pretty.String()
	}
	if v.Roles, _, err = c.o.Users.UserRoles(ctx, model.DefaultTenantID, u.ID, "", model.Page{Limit: 100}); err != nil {
		c.internal(w, r, fmt.Errorf("roles of user %s: %w", u.ID, err))
		return nil, false
	}
	others, _, err := c.o.Users.ListRoles(ctx, model.DefaultTenantID, model.RoleFilter{Type: model.RoleUser, ExcludeUserID: u.ID}, model.Page{Limit: 100})
	if err != nil {
		c.internal(w, r, fmt.Errorf("roles assignable to user %s: %w", u.ID, err))
		return nil, false
	}
	for _, o := range others {
		v.Assignable = append(v.Assignable, o.Role)
	}
	var ids map[string]struct {
		UserID string `json:"userId"`
	}
	_ = json.Unmarshal(u.Identities, &ids)
	for target, id := range ids {
		v.Identities = append(v.Identities, identityRow{Target: target, AccountID: id.UserID})
	}
	sort.Slice(v.Identities, func(i, j int) bool { return v.Identities[i].Target < v.Identities[j].Target })
	d.View, d.Title = v, strings.Join(strings.Fields(v.Name+" "+v.Username), " · ")
	if d.Title == "" {
		d.Title = u.ID
	}
	return v, true
}

// userWrite is a write of the user page (see writeOn and afterWrite).
func (c *Console) userWrite(w http.ResponseWriter, r *http.Request, run func(d *page, v *userView) (notice string, err error)) {
	writeOn(c, w, r, "console.users_heading", "user", c.loadUser, userFieldRules, func(d *page, v *userView) (string, error) {
		notice, err := run(d, v)
		return afterWrite(d, notice, "/console/users", "/console/users/"+v.User.ID), err
	})
}

// postUserProfile saves the profile (PATCH /api/users/:id): an emptied field is cleared (null).
func (c *Console) postUserProfile(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		field := func(k string) **string {
			s := strings.TrimSpace(r.PostFormValue(k))
			var p *string
			if s != "" {
				p = &s
			}
			return &p
		}
		p := users.UserPatch{Username: field("username"), PrimaryEmail: field("email"), PrimaryPhone: field("phone"),
			Name: field("name"), Avatar: field("avatar")}
		v.Username, v.Email, v.Phone, v.Name, v.Avatar = r.PostFormValue("username"), r.PostFormValue("email"),
			r.PostFormValue("phone"), r.PostFormValue("name"), r.PostFormValue("avatar")
		_, err := c.o.Users.UpdateUser(r.Context(), model.DefaultTenantID, v.User.ID, p)
		return "saved", err
	})
}

// postUserCustomData replaces the custom data with the JSON object the page shows, edited
// (PATCH /api/users/:id with customData, which Logto replaces whole): what the admin sees is
// what is stored.
func (c *Console) postUserCustomData(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		v.CustomData = r.PostFormValue("custom_data")
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(v.CustomData), &obj); err != nil || obj == nil {
			d.Fields = map[string]string{"custom_data": d.Msg.T("console.user_bad_custom_data")}
			return "", refusal(d)
		}
		_, err := c.o.Users.UpdateUser(r.Context(), model.DefaultTenantID, v.User.ID, users.UserPatch{CustomData: json.RawMessage(v.CustomData)})
		return "saved", err
	})
}

// postUserPassword sets a new password under the tenant's password policy.
func (c *Console) postUserPassword(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		plain := r.PostFormValue("password")
		if err := c.checkPassword(r.Context(), plain, v.Username, v.Email); err != nil {
			return "", err
		}
		_, err := c.o.Users.SetUserPassword(r.Context(), model.DefaultTenantID, v.User.ID, plain)
		return "saved", err
	})
}

// postUserSuspension suspends (sessions and tokens revoked at once) or restores the user.
func (c *Console) postUserSuspension(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		_, err := c.o.Users.SetUserSuspended(r.Context(), model.DefaultTenantID, v.User.ID, r.PostFormValue("suspend") == "yes")
		return "saved", err
	})
}

// postUserRole assigns a user role (POST /api/users/:id/roles).
func (c *Console) postUserRole(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		_, err := c.o.Users.AssignUserRoles(r.Context(), model.DefaultTenantID, v.User.ID, []string{r.PostFormValue("role")})
		return "saved", err
	})
}

// postUserRoleRemove takes a role away (DELETE /api/users/:id/roles/:roleId).
func (c *Console) postUserRoleRemove(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		return "saved", c.o.Users.RemoveUserRole(r.Context(), model.DefaultTenantID, v.User.ID, r.PathValue("roleId"))
	})
}

// postUserUnlink removes a social identity once the box is ticked: the user can no longer sign
// in with that provider unless they link it again.
func (c *Console) postUserUnlink(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		if err := confirm(d, r, "confirm_unlink"); err != nil {
			return "", err
		}
		_, err := c.o.Users.UnlinkSocialIdentity(r.Context(), model.DefaultTenantID, v.User.ID, r.PathValue("target"))
		return "saved", err
	})
}

// postUserDelete deletes the user (sessions and tokens go with them) once the box is ticked.
func (c *Console) postUserDelete(w http.ResponseWriter, r *http.Request) {
	c.userWrite(w, r, func(d *page, v *userView) (string, error) {
		if err := confirm(d, r, "confirm_delete"); err != nil {
			return "", err
		}
		return "deleted", c.o.Users.DeleteUser(r.Context(), model.DefaultTenantID, v.User.ID)
	})
}

// checkPassword applies the tenant's password policy to a password the admin types, as the
// hosted pages and the CLI do: the Management API, like Logto's, takes any password, but an
// account set up in the console is no weaker than one made by registering.
func (c *Console) checkPassword(ctx context.Context, plain, username, email string) error {
	if plain == "" {
		return nil
	}
	exp, err := c.o.SIE.GetSignInExperience(ctx, model.DefaultTenantID)
	if err != nil {
		return fmt.Errorf("read the password policy: %w", err)
	}
	if issues := policy.ResolvePasswordPolicy(exp.PasswordPolicy).Check(plain, policy.PasswordUserInfo{Username: username, Email: email}); len(issues) > 0 {
		return experr.PasswordRejected(issues)
	}
	return nil
}
