package management

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/faults"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// KeySets gives a tenant's signing keys; *keys.Manager implements it.
type KeySets interface {
	Keys(ctx context.Context, tenantID string) (*keys.Set, error)
}

// Options configure one tenant's Management API.
type Options struct {
	TenantID string
	// Issuer is the tenant's OIDC issuer; AdminIssuer the admin tenant's. Logto's user tenants
	// accept Management API tokens from both (core/middleware/koa-auth), which is how the admin
	// console manages the default tenant.
	Issuer      string
	AdminIssuer string
	Service     Backend
	Keys        KeySets
	Clock       clock.Clock
	Log         *slog.Logger
}

// API is one tenant's Management API.
type API struct {
	tenantID string
	svc      Backend
	log      *slog.Logger
	clk      clock.Clock
	auth     *authenticator
	routes   []route
}

// New returns the Management API of o.TenantID.
func New(o Options) *API {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	a := &API{tenantID: o.TenantID, svc: o.Service, log: o.Log, clk: o.Clock,
		auth: newAuthenticator(o.TenantID, o.Issuer, o.AdminIssuer, o.Keys, o.Clock)}
	a.routes = a.routeTable()
	return a
}

// route is one operation of the API. The same table registers the handlers and generates
// /api/swagger.json, so the document describes exactly the routes that exist.
type route struct {
	method string
	path   string // Go ServeMux pattern path, e.g. /api/applications/{id}
	public bool   // served without a bearer token
	tag    string
	// summary is one line for the OpenAPI document.
	summary string
	status  int
	// paging is "" (not paginated), "optional" (all items unless page or page_size is given)
	// or "always" (koa-pagination, default page size 20).
	paging   string
	query    []queryParam
	body     any // zero value of the request body, for the document; nil = none
	response any // zero value of the response body, for the document; nil = none
	handle   func(w http.ResponseWriter, r *http.Request) error
}

type queryParam struct{ name, description string }

// routeTable lists every operation, one file per resource adding its part.
func (a *API) routeTable() []route {
	var rs []route
	rs = append(rs, a.statusRoutes()...)
	rs = append(rs, a.applicationRoutes()...)
	rs = append(rs, a.identityRoutes()...)
	rs = append(rs, a.resourceRoutes()...)
	rs = append(rs, a.roleRoutes()...)
	rs = append(rs, a.hookRoutes()...)
	rs = append(rs, a.logRoutes()...)
	rs = append(rs, a.connectorRoutes()...)
	rs = append(rs, a.configRoutes()...)
	rs = append(rs, a.userRoutes()...)
	rs = append(rs, a.signInExperienceRoutes()...)
	return rs
}

// Mount registers the API's routes on mux (Go 1.22 method patterns), and a catch-all that
// answers unknown /api paths with a Logto-shaped 404. More specific patterns registered by other
// packages (e.g. /api/experience) take precedence over the catch-all.
func (a *API) Mount(mux *http.ServeMux) {
	for _, rt := range a.routes {
		mux.Handle(rt.method+" "+rt.path, a.serve(rt))
	}
	mux.Handle("/api/", a.NotFound())
}

// NotFound answers a path no route serves with Logto's JSON 404.
func (a *API) NotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, apperr.New(http.StatusNotFound, "entity.not_found", "The resource does not exist."))
	})
}

// serve wraps a route with bearer auth (unless public) and error writing.
func (a *API) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := routeOrigin(rt, r)
		if !rt.public {
			c, err := a.auth.authenticate(r)
			if err != nil {
				a.writeError(w, r, err)
				return
			}
			o.ActorApplicationID = c.clientID
			if c.subject != c.clientID {
				o.ActorUserID = c.subject
			}
		}
		r = r.WithContext(model.WithOrigin(r.Context(), o))
		if err := rt.handle(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// routeOrigin is the request as Logto's ManagementApiContext names it (libraries/hook/utils.ts
// buildManagementApiContext): the path and the matched route without the /api prefix, the route's
// parameters in their order, and the status the route answers on success. Webhook payloads and
// audit entries of the changes the request makes carry it.
func routeOrigin(rt route, r *http.Request) model.Origin {
	o := model.OriginFrom(r.Context())
	o.IP, o.UserAgent = httpx.ClientIP(r.Context()), r.UserAgent()
	o.Path, o.Method, o.Status = strings.TrimPrefix(r.URL.Path, "/api"), r.Method, rt.status
	segments := strings.Split(strings.TrimPrefix(rt.path, "/api"), "/")
	for i, seg := range segments {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			o.Params = append(o.Params, model.Param{Name: name, Value: r.PathValue(name)})
			segments[i] = ":" + name
		}
	}
	o.MatchedRoute = strings.Join(segments, "/")
	return o
}

// writeError answers with Logto's error body {code, message, data?}; anything that is not a
// rule violation is logged with the request id and answered as a bare 500 without internals.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *apperr.Error
	if errors.As(err, &e) {
		body := map[string]any{"code": e.Code, "message": e.Message}
		if e.Data != nil {
			body["data"] = e.Data
		}
		if e.Status == http.StatusUnauthorized {
			// RFC 6750 §3: a protected resource answers 401 with a Bearer challenge.
			w.Header().Set("WWW-Authenticate", `Bearer realm="Management API"`)
		}
		httpx.WriteJSON(w, e.Status, body)
		return
	}
	a.log.ErrorContext(r.Context(), "management api: internal error",
		"request_id", httpx.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	if faults.DatabaseUnavailable(err) {
		httpx.WriteUnavailable(w)
		return
	}
	httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal server error."})
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	httpx.WriteJSON(w, status, v)
	return nil
}

// noContent answers 204.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
