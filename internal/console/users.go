package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/console/pager"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/access"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// Users is what the console's user pages need (the Management API's user use-cases).
type Users interface {
	ListUsers(ctx context.Context, tenantID string, f model.UserFilter, p model.Page) ([]model.User, int, error)
	CreateUser(ctx context.Context, tenantID string, in users.CreateUserInput) (model.User, error)
	GetUser(ctx context.Context, tenantID, id string) (model.User, error)
	UpdateUser(ctx context.Context, tenantID, id string, p users.UserPatch) (model.User, error)
	SetUserPassword(ctx context.Context, tenantID, id, plain string) (model.User, error)
	SetUserSuspended(ctx context.Context, tenantID, id string, suspended bool) (model.User, error)
	DeleteUser(ctx context.Context, tenantID, id string) error
	UserRoles(ctx context.Context, tenantID, userID, search string, p model.Page) ([]model.Role, int, error)
	AssignUserRoles(ctx context.Context, tenantID, userID string, roleIDs []string) (users.UserRoleAssignment, error)
	RemoveUserRole(ctx context.Context, tenantID, userID, roleID string) error
	UnlinkSocialIdentity(ctx context.Context, tenantID, userID, target string) (model.User, error)
	ListRoles(ctx context.Context, tenantID string, f model.RoleFilter, p model.Page) ([]access.RoleSummary, int, error)
}

// usersPerPage is the user list's page size.
const usersPerPage = 50

// userRow is one user in the list.
type userRow struct {
	ID, Username, Name, Email string
	Suspended                 bool
}

func (c *Console) serveUsers(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.users_heading")
	if !ok {
		return
	}
	c.renderUsers(w, r, http.StatusOK, d)
}

// renderUsers lists the newest 50 users matching the search (a substring of any searchable
// field, as the Management API's search does).
func (c *Console) renderUsers(w http.ResponseWriter, r *http.Request, status int, d *page) {
	d.Search = strings.TrimSpace(r.URL.Query().Get("q"))
	f := model.UserFilter{}
	if d.Search != "" {
		escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(d.Search)
		f.Search.Matches = []model.UserMatch{{Mode: model.UserMatchLike, Values: []string{"%" + escaped + "%"}}}
	}
	n, window := pager.Window(r, usersPerPage)
	list, total, err := c.o.Users.ListUsers(r.Context(), model.DefaultTenantID, f, window)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d.Total, d.View = total, pager.New(r, n, total, usersPerPage)
	for _, u := range list {
		d.Users = append(d.Users, userRow{ID: u.ID, Username: model.StringOf(u.Username), Name: model.StringOf(u.Name),
			Email: model.StringOf(u.PrimaryEmail), Suspended: u.IsSuspended})
	}
	c.render(w, r, status, "users", d)
}

// postUser creates a user through the Management API's use-case (its identifier rules).
func (c *Console) postUser(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.users_heading")
	if !ok {
		return
	}
	if !c.readForm(w, r, d) {
		return
	}
	username, email := strings.TrimSpace(r.PostFormValue("username")), strings.TrimSpace(r.PostFormValue("email"))
	in := users.CreateUserInput{Password: r.PostFormValue("password")}
	if username != "" {
		in.Username = &username
	}
	if email != "" {
		in.PrimaryEmail = &email
	}
	err := c.checkPassword(r.Context(), in.Password, username, email)
	var created model.User
	if err == nil {
		created, err = c.o.Users.CreateUser(r.Context(), model.DefaultTenantID, in)
	}
	if err != nil {
		if !refuse(d, err, userFieldRules...) {
			c.internal(w, r, err)
			return
		}
		d.Form = appForm{Name: username, Redirect: email}
		c.renderUsers(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/users/"+created.ID+"?notice=saved", http.StatusSeeOther)
}

func (c *Console) mountUsers(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mountSection(mux, cop, "/console/users", section{list: c.serveUsers, create: c.postUser,
		record: showRecord(c, "console.users_heading", "user", c.loadUser),
		writes: map[string]http.HandlerFunc{"/profile": c.postUserProfile, "/custom-data": c.postUserCustomData,
			"/password": c.postUserPassword, "/suspension": c.postUserSuspension, "/roles": c.postUserRole,
			"/roles/{roleId}/remove": c.postUserRoleRemove, "/identities/{target}/unlink": c.postUserUnlink, "/delete": c.postUserDelete}})
}

// userFieldRules place the user use-cases' refusals on the forms' fields.
var userFieldRules = []fieldRule{
	{"username", []string{"username"}}, {"email", []string{"email"}}, {"phone", []string{"phone"}},
	{"password", []string{"password"}}, {"avatar", []string{"avatar"}}, {"name", []string{"name"}},
}
