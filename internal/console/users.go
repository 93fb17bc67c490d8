package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// Users is what the console's user page needs.
type Users interface {
	ListUsers(ctx context.Context, tenantID string, f model.UserFilter, p model.Page) ([]model.User, int, error)
	CreateUser(ctx context.Context, tenantID string, in users.CreateUserInput) (model.User, error)
}

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
	list, total, err := c.o.Users.ListUsers(r.Context(), model.DefaultTenantID, f, model.Page{Limit: 50})
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d.Total = total
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
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if r.ParseForm() != nil || !sameToken(d.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
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
	if _, err := c.o.Users.CreateUser(r.Context(), model.DefaultTenantID, in); err != nil {
		if d.Error = apiMessage(err); d.Error == "" {
			c.internal(w, r, err)
			return
		}
		d.Form = appForm{Name: username, Redirect: email}
		c.renderUsers(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/users", http.StatusSeeOther)
}

func (c *Console) mountUsers(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mux.HandleFunc("GET /console/users", c.serveUsers)
	mux.Handle("POST /console/users", cop.Handler(http.HandlerFunc(c.postUser)))
}
