package console

import (
	"bytes"
	"context"
	"crypto/subtle"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/console/text"
	"github.com/gatehouse-id/gatehouse/internal/experience/pagekit"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/faults"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/web"
)

// Backend is what the console needs of the use-cases.
type Backend interface {
	HasAdmin(ctx context.Context) (bool, error)
	CreateFirstAdmin(ctx context.Context, username, password string) (model.User, error)
	StartSession(ctx context.Context, userID, idToken string) (string, error)
	Session(ctx context.Context, token string) (model.ConsoleSession, model.User, error)
	EndSession(ctx context.Context, token string) (string, error)
	// AllowOrigin lets the console's client sign in at another origin of the admin listener.
	AllowOrigin(ctx context.Context, origin string) error
	GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error)
	// Checklist reports which of the seed guide's steps the default tenant has done.
	Checklist(ctx context.Context) (Checklist, error)
}

// Checklist is the default tenant's progress through the seed guide.
type Checklist struct{ App, Connector, SocialOnly, Webhook bool }

// Exchange redeems a code at the admin tenant's token endpoint (in process) and returns the ID
// token.
type Exchange func(ctx context.Context, form url.Values) (idToken string, err error)

// Options configure the console.
type Options struct {
	AdminURL string // the admin listener's public URL (ADMIN_ENDPOINT)
	// TrustProxy (TRUST_PROXY_HEADER): the console signs in at the origin the reverse proxy
	// presents (its scheme and host) when it differs from AdminURL, so a console reached
	// through a proxy works whatever ADMIN_ENDPOINT says.
	TrustProxy bool
	ClientID   string // the console's client in the admin tenant
	Backend    Backend
	Apps       Applications
	// AppSettings edits and deletes applications and their secrets.
	AppSettings AppSettings
	Conns       Connectors
	SIE         SignInExperiences
	Hooks       Hooks
	Users       Users
	Access      Access
	Audit       AuditLogs
	Keys        Keys
	// KeyGrace is PRIVATE_KEY_ROTATION_GRACE_PERIOD and SessionTTL how long a browser stays
	// signed in, shown on the settings page.
	KeyGrace, SessionTTL time.Duration
	// HookEvents are the events a webhook may subscribe to (webhook.Events).
	HookEvents []string
	// UserIssuer is the default tenant's issuer, which the apps are pointed at.
	UserIssuer string
	Exchange   Exchange
	Log        *slog.Logger
}

// Console serves the console's routes.
type Console struct {
	o     Options
	pages map[string]*template.Template
	text  text.Catalog
	// preview is the hosted sign-in page's template, for the sign-in experience's preview.
	preview *template.Template
}

// Cookie names: the session, the sign-in in progress, the welcome form's token.
const (
	sessionCookie = "gatehouse_console"
	loginCookie   = "gatehouse_console_login"
	welcomeCookie = "gatehouse_console_welcome"
)

// New returns the console.
func New(o Options) *Console {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Console{o: o, pages: parsePages(), text: text.NewCatalog(), preview: pagekit.ParsePages("sign-in")["sign-in"]}
}

// Mount registers the console on the admin listener's mux.
func (c *Console) Mount(mux *http.ServeMux) {
	cop := httpx.CrossOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusForbidden, "error.cross_origin")
	}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/console", http.StatusFound) })
	mux.Handle("GET /console/static/", pagekit.StaticFiles(web.Console, "static/console", "/console/static/"))
	mux.HandleFunc("GET /console", c.serveHome)
	mux.HandleFunc("GET /console/welcome", c.serveWelcome)
	mux.Handle("POST /console/welcome", cop.Handler(http.HandlerFunc(c.postWelcome)))
	mux.HandleFunc("GET /console/callback", c.serveCallback)
	mux.Handle("POST /console/logout", cop.Handler(http.HandlerFunc(c.postLogout)))
	c.mountApps(mux, cop)
	c.mountConnectors(mux, cop)
	c.mountPreview(mux, cop)
	mux.HandleFunc("GET /console/sign-in-experience", c.serveSIE)
	mux.Handle("POST /console/sign-in-experience", cop.Handler(http.HandlerFunc(c.postSIE)))
	c.mountHooks(mux, cop)
	c.mountUsers(mux, cop)
	c.mountAccess(mux, cop)
	c.mountAudit(mux, cop)
}

// section is a console area of records: its list (GET base) with the create form (POST base),
// each record's page (GET base/{id}), and the writes on a record (POST base/{id}<path>).
type section struct {
	list, create, record http.HandlerFunc
	writes               map[string]http.HandlerFunc
}

// showRecord serves a record's page: load fills the page's view, or answers itself (not found,
// the database away), and the page is rendered.
func showRecord[V any](c *Console, heading, name string, load func(w http.ResponseWriter, r *http.Request, d *page) (V, bool)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, ok := c.signedIn(w, r, heading)
		if !ok {
			return
		}
		if _, ok := load(w, r, d); ok {
			c.render(w, r, http.StatusOK, name, d)
		}
	}
}

// mountSection registers s under base, every write behind cross-origin protection.
func mountSection(mux *http.ServeMux, cop *http.CrossOriginProtection, base string, s section) {
	mux.HandleFunc("GET "+base, s.list)
	mux.Handle("POST "+base, cop.Handler(s.create))
	mux.HandleFunc("GET "+base+"/{id}", s.record)
	for path, h := range s.writes {
		mux.Handle("POST "+base+"/{id}"+path, cop.Handler(h))
	}
}

// parsePages parses each page template (every web/console/*.html but the layout) with the
// layout; a page is named by its file.
func parsePages() map[string]*template.Template {
	files, err := fs.Glob(web.Console, "console/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.New(name).Funcs(pageFuncs).ParseFS(web.Console, "console/layout.html", f))
	}
	return pages
}

// deleteFormArgs are what layout.html's "delete-form" shows: a deletion behind a ticked
// confirmation, posted to Action.
type deleteFormArgs struct {
	Page                 *page
	Action, Help, Button string
}

// pageAndView hands a partial of layout.html both the page and the data around the call.
type pageAndView struct {
	Page *page
	View any
}

// pageFuncs are the helpers every console template may call.
var pageFuncs = template.FuncMap{
	// withPage pairs the page with the data in scope, for partials that need both.
	"withPage": func(p *page, v any) pageAndView { return pageAndView{Page: p, View: v} },
	// deleteForm gathers a page's deletion form: where it posts, its help text and button (keys).
	"deleteForm": func(p *page, action, help, button string) deleteFormArgs {
		return deleteFormArgs{Page: p, Action: action, Help: help, Button: button}
	},
	// fieldError is a form field's server error, for the element after its input.
	"fieldError": func(fields map[string]string, name string) template.HTML {
		msg, ok := fields[name]
		if !ok {
			return ""
		}
		return template.HTML(`<p class="field-error" id="` + template.HTMLEscapeString(name) + `-error">` + template.HTMLEscapeString(msg) + `</p>`)
	},
	// invalid marks a field's input for assistive technology when it has an error.
	"invalid": func(fields map[string]string, name string) template.HTMLAttr {
		if _, ok := fields[name]; !ok {
			return ""
		}
		return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(name) + `-error"`)
	},
}

// page is what the console's templates see.
type page struct {
	Lang, Title, CSRF, Error, User, Username string
	// Notice confirms a change that succeeded ("Saved.").
	Notice    string
	MinLength int
	Msg       text.Messages
	// Fields holds server validation errors by form field name, shown next to the field.
	Fields map[string]string
	// View is the page's own data (each area's view type).
	View any
	// Nav is the console's menu, the current section marked.
	Nav            []navItem
	Steps          []step
	Apps           []model.Application
	Form           appForm
	App            model.Application
	Secret, Issuer string
	SIE            sieView
	Users          []userRow
	Search         string
	Total          int
}

type step struct {
	Title, How string
	Done       bool
}

func (c *Console) newPage(r *http.Request, titleKey string) *page {
	lang, m := c.text.For(r.Header.Get("Accept-Language"))
	d := &page{Lang: lang, Msg: m}
	d.Title = d.Msg.T(titleKey)
	return d
}

// render writes a console page: never cached, never framed, scripts only from the console's
// own files (htmx and console.js; every page works without them).
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, d *page) {
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout.html", d); err != nil {
		c.o.Log.ErrorContext(r.Context(), "console page", "page", name, "err", err)
		http.Error(w, "Internal server error.", http.StatusInternalServerError)
		return
	}
	httpx.PageHeaders(w, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self' "+c.o.AdminURL+"; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail shows an error page with a way back to the console.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, key string) {
	d := c.newPage(r, "title.error")
	d.Error = d.Msg.T(key)
	c.render(w, r, status, "message", d)
}

// internal answers a fault inside: logged, a friendly page.
func (c *Console) internal(w http.ResponseWriter, r *http.Request, err error) {
	c.o.Log.ErrorContext(r.Context(), "console: internal error", "request_id", httpx.RequestID(r.Context()), "err", err)
	if faults.DatabaseUnavailable(err) {
		w.Header().Set("Retry-After", faults.RetryAfterSeconds)
		c.fail(w, r, http.StatusServiceUnavailable, "error.unavailable")
		return
	}
	c.fail(w, r, http.StatusInternalServerError, "error.internal")
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: httpx.Scheme(r.Context()) == "https"})
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// serveHome shows the console to a signed-in admin; otherwise it sends the browser to the
// welcome page (no admin yet) or to the admin tenant's sign-in.
func (c *Console) serveHome(w http.ResponseWriter, r *http.Request) {
	has, err := c.o.Backend.HasAdmin(r.Context())
	if err != nil {
		c.internal(w, r, err)
		return
	}
	if !has {
		http.Redirect(w, r, "/console/welcome", http.StatusSeeOther)
		return
	}
	s, user, ok := c.session(r)
	if !ok && r.Header.Get("HX-Request") != "" {
		toConsole(w, r)
		return
	}
	if !ok {
		c.beginSignIn(w, r)
		return
	}
	list, err := c.o.Backend.Checklist(r.Context())
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := c.newPage(r, "console.get_started")
	d.User, d.CSRF, d.Nav = model.StringOf(user.Username), s.CSRF, navFor(r.URL.Path, d.Msg)
	d.Steps = []step{
		{"console.step_app", "console.step_app_how", list.App},
		{"console.step_connector", "console.step_connector_how", list.Connector},
		{"console.step_social_only", "console.step_social_only_how", list.SocialOnly},
		{"console.step_webhook", "console.step_webhook_how", list.Webhook},
	}
	c.render(w, r, http.StatusOK, "home", d)
}

// signedIn answers with the sign-in when the request has no console session; ok is false then.
func (c *Console) signedIn(w http.ResponseWriter, r *http.Request, titleKey string) (*page, bool) {
	s, user, ok := c.session(r)
	if !ok {
		toConsole(w, r)
		return nil, false
	}
	d := c.newPage(r, titleKey)
	d.User, d.CSRF = model.StringOf(user.Username), s.CSRF
	d.Nav = navFor(r.URL.Path, d.Msg)
	// A write answers 303 to its page with ?notice=saved|deleted (Post/Redirect/Get).
	switch r.URL.Query().Get("notice") {
	case "saved":
		d.Notice = d.Msg.T("console.saved")
	case "deleted":
		d.Notice = d.Msg.T("console.deleted")
	}
	return d, true
}

// navItem is one entry of the console's menu.
type navItem struct {
	Href, Label string
	Current     bool
}

// navFor is the menu with the section of path marked (aria-current).
func navFor(path string, m text.Messages) []navItem {
	sections := []struct{ href, key string }{{"/console", "console.get_started"}, {"/console/applications", "console.apps_heading"},
		{"/console/connectors", "console.conns_heading"}, {"/console/sign-in-experience", "console.sie_heading"},
		{"/console/webhooks", "console.hooks_heading"}, {"/console/users", "console.users_heading"},
		{"/console/api-resources", "console.resources_heading"}, {"/console/roles", "console.roles_heading"},
		{"/console/audit-logs", "console.audit_heading"}, {"/console/settings", "console.settings_heading"}}
	out := make([]navItem, 0, len(sections))
	for _, s := range sections {
		current := path == s.href || (s.href != "/console" && strings.HasPrefix(path, s.href+"/"))
		out = append(out, navItem{Href: s.href, Label: m.T(s.key), Current: current})
	}
	return out
}

// toConsole sends a browser without a session to /console (which signs it in). A request
// htmx made gets HX-Redirect instead, so the sign-in page loads as a page of its own rather
// than being swapped into the console's.
func toConsole(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", "/console")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/console", http.StatusSeeOther)
}

// session is the request's live console session, if any.
func (c *Console) session(r *http.Request) (model.ConsoleSession, model.User, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return model.ConsoleSession{}, model.User{}, false
	}
	s, u, err := c.o.Backend.Session(r.Context(), ck.Value)
	return s, u, err == nil
}

// minPasswordLength is the admin tenant's policy minimum, for the form's hint.
func (c *Console) minPasswordLength(ctx context.Context) int {
	exp, err := c.o.Backend.GetSignInExperience(ctx, model.AdminTenantID)
	if err != nil {
		return 8
	}
	return policy.ResolvePasswordPolicy(exp.PasswordPolicy).MinLength()
}

// errorText words a refusal of the welcome form.
func errorText(ms text.Messages, err error) (string, bool) {
	ae, ok := apperr.As(err)
	if !ok {
		return "", false
	}
	return ms.ErrorMessage(ae.Code, ae.Data), true
}
