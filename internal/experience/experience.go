package experience

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/experience/codes"
	"github.com/gatehouse-id/gatehouse/internal/experience/pagekit"
	"github.com/gatehouse-id/gatehouse/internal/experience/throttle"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// Backend is what the experience needs from the use-case layer; *service.Service implements
// it. Interactions come from the protocol side, users and the sign-in experience from their
// own use-cases.
type Backend interface {
	GetInteraction(ctx context.Context, tenantID, uid string) (model.Interaction, error)
	SaveInteraction(ctx context.Context, tenantID string, in model.Interaction) (model.Interaction, error)
	GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error)
	GetApplication(ctx context.Context, tenantID, id string) (model.Application, error)
	GetUser(ctx context.Context, tenantID, id string) (model.User, error)
	FindUserByIdentifier(ctx context.Context, tenantID, kind, value string) (model.User, error)
	VerifyUserPassword(ctx context.Context, tenantID string, u model.User, password string) (bool, error)
	CreateUser(ctx context.Context, tenantID string, in users.CreateUserInput) (model.User, error)
	RecordSignIn(ctx context.Context, tenantID, userID string) error
	SocialBackend
	EmailBackend
	// Record queues an audit entry (package audit); it never blocks and never fails the request.
	Record(ctx context.Context, tenantID string, e model.AuditEntry)
	throttle.AttemptLog
}

// SocialBackend is what social sign-in needs: the tenant's social connectors and the users
// they identify.
type SocialBackend interface {
	SocialConnector(ctx context.Context, tenantID, id string) (connectors.SocialConnector, error)
	SocialConnectorsForSignIn(ctx context.Context, tenantID string, targets []string) ([]connectors.SocialConnector, error)
	SocialConnectorByTarget(ctx context.Context, tenantID, target string) (connectors.SocialConnector, error)
	FindUserByIdentity(ctx context.Context, tenantID, target, accountID string) (model.User, error)
	RegisterSocialUser(ctx context.Context, tenantID string, a users.SocialAccount) (model.User, error)
	SignInSocialUser(ctx context.Context, tenantID, userID string, a users.SocialAccount) (model.User, error)
	LinkSocialIdentity(ctx context.Context, tenantID, userID string, a users.SocialAccount) (model.User, error)
}

// EmailBackend is what email codes need: the tenant's email connector, and the password reset.
type EmailBackend interface {
	HasEmailConnector(ctx context.Context, tenantID string) bool
	SendEmail(ctx context.Context, tenantID string, msg connector.EmailMessage) error
	ResetUserPassword(ctx context.Context, tenantID, userID, encrypted, method string) error
}

// Options configure one tenant's experience.
type Options struct {
	TenantID string
	// Issuer is the tenant's OIDC issuer (<endpoint>/oidc); a finished interaction continues at
	// <issuer>/auth/<uid>.
	Issuer  string
	Service Backend
	// Passwords is the service's own hasher (service.Options.Passwords). It hashes a new
	// account's password when the registration profile is set, before the account exists, so
	// the interaction never holds the password in clear.
	Passwords core.PasswordHasher
	// Cookies reads the _interaction cookie the protocol set.
	Cookies *cookie.Jar
	// RateLimit tunes the per-address filter in front of credential checks.
	RateLimit RateLimit
	Clock     clock.Clock
	Log       *slog.Logger
}

// RateLimit tunes the per-address filter in front of credential checks (package throttle).
type RateLimit = throttle.RateLimit

// Experience serves one tenant's Experience API and hosted pages.
type Experience struct {
	tenantID  string
	issuer    string
	svc       Backend
	passwords core.PasswordHasher
	cookies   *cookie.Jar
	clk       clock.Clock
	log       *slog.Logger
	lockout   *throttle.Lockout
	limiter   *throttle.AddressLimiter
	codeSends *codes.Sends // the per-address resend cooldown of email codes
	pages     map[string]*template.Template
}

// New returns the experience of o.TenantID.
func New(o Options) *Experience {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Experience{
		tenantID:  o.TenantID,
		issuer:    o.Issuer,
		svc:       o.Service,
		passwords: o.Passwords,
		cookies:   o.Cookies,
		clk:       o.Clock,
		log:       o.Log,
		lockout:   throttle.NewLockout(o.Service, o.Clock),
		limiter:   throttle.NewAddressLimiter(o.RateLimit, o.Clock),
		codeSends: &codes.Sends{},
		pages:     pagekit.ParsePages(pageSignIn, pageRegister, pageConsent, pageMessage, pageSocial, pageCode),
	}
}

// API routes (Logto's experienceRoutes, core/routes/experience/const.ts).
const apiPrefix = "/api/experience"

// Mount registers the Experience API, the hosted pages and their static assets on mux. Every
// state-changing route passes through Go's cross-origin protection (Sec-Fetch-Site / Origin)
// first: the pages' form posts before their own per-interaction token is checked, the API's JSON
// calls before their content type is (httpx.CrossOrigin says why both are needed).
func (e *Experience) Mount(mux *http.ServeMux) {
	apiGuard := httpx.CrossOrigin(http.HandlerFunc(e.serveAPICrossOriginDenied))
	api := func(h apiHandler) http.Handler { return apiGuard.Handler(e.api(h)) }
	mux.Handle("PUT "+apiPrefix, api(e.handleStart))
	mux.Handle("PUT "+apiPrefix+"/interaction-event", api(e.handleSetEvent))
	mux.Handle("GET "+apiPrefix+"/interaction", api(e.handleGetInteraction))
	mux.Handle("POST "+apiPrefix+"/verification/password", api(e.handleVerifyPassword))
	mux.Handle("POST "+apiPrefix+"/verification/social/{connectorId}/authorization-uri", api(e.handleSocialStart))
	mux.Handle("POST "+apiPrefix+"/verification/social/{connectorId}/verify", api(e.handleSocialVerify))
	mux.Handle("POST "+apiPrefix+"/verification/verification-code", api(e.handleCodeSend))
	mux.Handle("POST "+apiPrefix+"/verification/verification-code/verify", api(e.handleCodeVerify))
	mux.Handle("PUT "+apiPrefix+"/profile/password", api(e.handleResetPassword))
	mux.Handle("POST "+apiPrefix+"/identification", api(e.handleIdentification))
	mux.Handle("POST "+apiPrefix+"/profile", api(e.handleProfile))
	mux.Handle("POST "+apiPrefix+"/submit", api(e.handleSubmit))

	cop := httpx.CrossOrigin(http.HandlerFunc(e.serveCrossOriginDenied))
	mux.HandleFunc("GET /sign-in", e.serveSignIn)
	mux.Handle("POST /sign-in", cop.Handler(http.HandlerFunc(e.postSignIn)))
	mux.HandleFunc("GET /register", e.serveRegister)
	mux.Handle("POST /register", cop.Handler(http.HandlerFunc(e.postRegister)))
	mux.HandleFunc("GET /consent", e.serveConsent)
	mux.Handle("POST /consent", cop.Handler(http.HandlerFunc(e.postConsent)))
	mux.HandleFunc("GET /unknown-session", e.serveUnknownSession)
	mux.Handle("POST /social", cop.Handler(http.HandlerFunc(e.postSocial)))
	mux.Handle("POST /social/continue", cop.Handler(http.HandlerFunc(e.postSocialContinue)))
	mux.HandleFunc("GET /callback/{connectorId}", e.serveCallback)
	// A provider's form_post comes from its own origin: this answer only redirects to the GET.
	mux.HandleFunc("POST /callback/{connectorId}", e.postCallback)
	// Other first screens the protocol may send the browser to (first_screen, direct_sign_in).
	mux.HandleFunc("GET /identifier-sign-in", e.serveSignIn)
	mux.HandleFunc("GET /identifier-register", e.serveRegister)
	mux.HandleFunc("GET "+pathResetPassword, e.serveCodePage(pathResetPassword))
	mux.Handle("POST "+pathResetPassword, cop.Handler(e.postCodePage(pathResetPassword)))
	mux.HandleFunc("GET "+pathEmailCode, e.serveCodePage(pathEmailCode))
	mux.Handle("POST "+pathEmailCode, cop.Handler(e.postCodePage(pathEmailCode)))
	mux.HandleFunc("GET /single-sign-on", e.serveUnavailable("single_sign_on"))
	mux.HandleFunc("GET /direct/{method}/{target}", e.serveDirect)
	mux.Handle("GET "+staticPrefix, pagekit.StaticHandler(staticPrefix))
}

// The service is the Backend the binary wires in.
var _ Backend = (*service.Service)(nil)
