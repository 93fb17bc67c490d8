package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/console"
	"github.com/gatehouse-id/gatehouse/internal/cookie"
	"github.com/gatehouse-id/gatehouse/internal/experience"
	"github.com/gatehouse-id/gatehouse/internal/health"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/landing"
	"github.com/gatehouse-id/gatehouse/internal/management"
	"github.com/gatehouse-id/gatehouse/internal/metrics"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/adminconsole"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
	"github.com/gatehouse-id/gatehouse/internal/service/protocol"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/store"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse-id/gatehouse/internal/webhook"
)

// FreshnessInterval bounds how long a node may serve cached clients, roles and keys after another
// node (or the CLI) changed them in the shared database. Writes made through this process are
// seen at once.
const FreshnessInterval = time.Second

// OpenStore opens the database named by cfg.DBURL with the pool settings from cfg. With migrate
// set, pending migrations are applied first (under a lock on PostgreSQL, so many nodes can start
// at once). Secrets are sealed with cfg's master key, or on SQLite without one with the key file
// beside the database (masterkey.go); when that file is generated, notices (if not nil) is told
// where it is, once. A master key that does not open the database is a *config.Error.
func OpenStore(ctx context.Context, cfg *config.Config, migrate bool, notices io.Writer) (*sqlstore.DB, error) {
	mk, err := resolveMasterKey(cfg)
	if err != nil {
		return nil, err
	}
	db, err := sqlstore.Open(ctx, cfg.DBURL, sqlstore.Options{
		PoolSize:         cfg.DatabasePoolSize,
		ConnectTimeout:   cfg.DatabaseConnectionTimeout,
		StatementTimeout: cfg.DatabaseStatementTimeout,
		Migrate:          migrate,
		MasterKey:        mk.key,
	})
	if err != nil {
		err = mk.openError(err)
	}
	mk.announce(notices, cfg)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// Deps are the long-lived pieces shared by both listeners.
type Deps struct {
	Store     store.Store
	Clock     clock.Clock
	Log       *slog.Logger
	Fresh     *store.Freshness
	Keys      *keys.Manager
	Directory *directory.Directory
	Service   *service.Service
	Cookies   *cookie.Jar
	// Passwords is the one password hasher of the process: its concurrency bound covers every
	// sign-in and registration, whichever surface they come through.
	Passwords *password.Hasher
	// Deliveries drains the webhook outbox (every node runs one; claims keep them apart).
	Deliveries *webhook.Worker
	// LogRetention is how long audit entries and finished deliveries are kept (0: forever).
	LogRetention time.Duration
	// Metrics counts requests, tokens, sign-ins and deliveries; GET /metrics on the admin
	// listener serves them.
	Metrics *metrics.Metrics
}

// NewDeps wires the services over an open store.
func NewDeps(st store.Store, clk clock.Clock, log *slog.Logger, cfg *config.Config) *Deps {
	fresh := store.NewFreshness(st, clk, FreshnessInterval)
	hasher := password.New(password.Options{})
	dir := directory.New(st, fresh, clk)
	sender := webhook.NewSender(webhook.SenderOptions{})
	svc := service.New(st, fresh, clk, log, service.Options{
		KeyRotationGracePeriod: cfg.PrivateKeyRotationGracePeriod,
		Passwords:              hasher,
		WebhookSender:          sender,
	})
	worker := webhook.NewWorker(webhook.WorkerConfig{
		Queue:  svc.Webhooks,
		Sender: sender,
		Policy: webhook.Policy{MaxAttempts: cfg.WebhookMaxAttempts, Base: cfg.WebhookRetryBase, Max: time.Hour},
		Clock:  clk,
		Log:    log,
	})
	svc.Webhooks.SetWake(worker.Notify)
	m := metrics.New(svc.Webhooks.QueueDepth)
	svc.Core.SetObserver(m.Observe)
	return &Deps{
		Store:        st,
		Clock:        clk,
		Log:          log,
		Fresh:        fresh,
		Keys:         keys.NewManager(st, fresh, clk, log),
		Directory:    dir,
		Cookies:      cookie.NewJar(dir),
		Service:      svc,
		Passwords:    hasher,
		Deliveries:   worker,
		LogRetention: cfg.LogRetention,
		Metrics:      m,
	}
}

// Handler builds the HTTP handler of one tenant's listener.
func Handler(d *Deps, cfg *config.Config, tenantID string) http.Handler {
	mux := http.NewServeMux()
	op := oidc.New(oidc.Options{
		TenantID:  tenantID,
		Issuer:    cfg.Issuer(tenantID),
		Directory: d.Directory,
		Keys:      d.Keys,
		Service:   d.Service,
		Accounts:  d.Service,
		Cookies:   d.Cookies,
		Audit:     d.Service.Audit,
		Clock:     d.Clock,
		Log:       d.Log,
	})
	op.Mount(mux)
	experience.New(experience.Options{
		TenantID:  tenantID,
		Issuer:    cfg.Issuer(tenantID),
		Service:   d.Service,
		Passwords: d.Passwords,
		Cookies:   d.Cookies,
		Clock:     d.Clock,
		Log:       d.Log,
	}).Mount(mux)
	api := management.New(management.Options{
		TenantID:    tenantID,
		Issuer:      cfg.Issuer(tenantID),
		AdminIssuer: cfg.Issuer(model.AdminTenantID),
		Service:     d.Service,
		Keys:        d.Keys,
		Clock:       d.Clock,
		Log:         d.Log,
	})
	api.Mount(mux)
	health.Mount(mux, storeProbe{d.Store})
	if tenantID != model.AdminTenantID { // the admin listener's / is the console's
		mux.Handle("GET /{$}", landing.Handler(tenantID, cfg.Issuer(tenantID), d.Service, d.Log))
	}
	var h http.Handler
	if tenantID == model.AdminTenantID {
		// The node's metrics, on the operators' listener (every tenant's counters are the node's).
		mux.Handle("GET /metrics", d.Metrics.Handler())
		console.New(console.Options{AdminURL: strings.TrimSuffix(cfg.Issuer(tenantID), "/oidc"), TrustProxy: cfg.ProxyHops() > 0, ClientID: adminconsole.ClientID,
			Backend: consoleBackend{d.Service}, Apps: d.Service, AppSettings: d.Service, Conns: d.Service, SIE: d.Service, Hooks: d.Service, Users: d.Service, Access: d.Service, Audit: d.Service, Keys: d.Service, KeyGrace: cfg.PrivateKeyRotationGracePeriod, SessionTTL: protocol.DefaultSessionTTL, HookEvents: webhook.Events(), UserIssuer: cfg.Issuer(model.DefaultTenantID),
			Exchange: inProcessExchange(&h), Log: d.Log}).Mount(mux)
	}
	counted := d.Metrics.Wrap(tenantID, mux)
	h = httpx.Proxy(cfg.ProxyHops(), httpx.Middleware(d.Log, httpx.RequestOrigin(canonicalPaths(counted, api.NotFound(), op.Unrecognized()))))
	return h
}

// canonicalPaths answers a path that is not canonical ("//", "/./", "/../") with a 404 in the
// surface's own shape: Logto's JSON at /api (an API client expects JSON, not an HTML redirect),
// the OAuth error JSON at /oidc, a plain 404 elsewhere. ServeMux would redirect it to the cleaned
// path, with 307 for a POST, which re-sends a token request's body, credentials included, to a
// route the client did not name (RFC 9700 §4.12: no 307 redirects). A GET outside /api keeps
// ServeMux's redirect: it carries no body, and a browser or a discovery client that doubled a
// slash still gets where it meant to go.
func canonicalPaths(next, apiNotFound, oidcNotFound http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		clean := path.Clean(p)
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case clean == p || clean+"/" == p:
			next.ServeHTTP(w, r)
		case strings.HasPrefix(p, "/api/"):
			apiNotFound.ServeHTTP(w, r)
		case safe:
			next.ServeHTTP(w, r)
		case strings.HasPrefix(p, oidc.Prefix+"/"):
			oidcNotFound.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// listenerHandler is what a listener serves: its tenant, or — when both share PORT — the admin
// tenant for ADMIN_ENDPOINT's host and the user tenant for every other.
func listenerHandler(d *Deps, cfg *config.Config, tenantID string) http.Handler {
	if cfg.SharedPort() {
		return byHost(cfg.AdminURL().Hostname(), Handler(d, cfg, model.AdminTenantID), Handler(d, cfg, tenantID))
	}
	return Handler(d, cfg, tenantID)
}

// byHost sends requests for adminHost (the ADMIN_ENDPOINT's host name) to the admin tenant and
// every other to the user tenant, when both share PORT. The Host header decides, as the reverse
// proxy in front passes it on; an unknown host gets the user tenant, never the console.
func byHost(adminHost string, admin, user http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if strings.EqualFold(host, adminHost) {
			admin.ServeHTTP(w, r)
			return
		}
		user.ServeHTTP(w, r)
	})
}

// Listener is one bound tenant listener.
type Listener struct {
	TenantID string
	URL      string // the endpoint people open (ENDPOINT or http://localhost:PORT)
	Addr     net.Addr
	server   *http.Server
	ln       net.Listener
}

// Serve is a running Gatehouse: both listeners bound and serving.
type Serve struct {
	Listeners []*Listener
	deps      *Deps
	tls       bool
	certPath  string
	keyPath   string
	errs      chan error
}

// dropStartupGarbage collects what opening the store left behind before the first request.
// goose parses the migration files with 4 MiB buffers from a sync.Pool (16 MiB at once), which
// survive one collection in the pool's victim cache; a collection while they live sets the next
// heap goal at twice that, so the first burst of requests would grow the heap to ~30 MiB before
// the collector ran again. Two collections drop the buffers and reset the goal to the real
// live heap (a few MiB); FreeOSMemory then returns the pages. It costs a few milliseconds once.
func dropStartupGarbage() {
	runtime.GC()
	debug.FreeOSMemory()
}

// Start seeds the tenants on first start and binds the listeners without serving yet, so a caller
// can print the URLs before any request is answered; Run serves until shutdown.
func Start(ctx context.Context, cfg *config.Config, st store.Store, clk clock.Clock, log *slog.Logger) (*Serve, error) {
	dropStartupGarbage()
	d := NewDeps(st, clk, log, cfg)
	seeded, err := d.Service.Seed(ctx, seed.SeedOptions{
		PrivateKeys:    cfg.OIDCPrivateKeys,
		CookieKeys:     cfg.OIDCCookieKeys,
		SkipWhenExists: true,
	})
	if err != nil {
		return nil, fmt.Errorf("seed tenants: %w", err)
	}
	if seeded {
		log.Info("seeded tenants default and admin on first start")
	}
	if cfg.AdminEnabled() {
		if err := consoleClient(ctx, d.Service, strings.TrimSuffix(cfg.Issuer(model.AdminTenantID), "/oidc")); err != nil {
			return nil, fmt.Errorf("register the console's client: %w", err)
		}
	}
	if cfg.DBDialect() == "sqlite" {
		// One server per SQLite file: claims left by a previous run killed mid-delivery are its
		// own, and its deliveries are sent now rather than when the claims' lease runs out.
		if n, err := d.Service.Webhooks.ReleaseClaims(ctx); err != nil {
			return nil, fmt.Errorf("release webhook delivery claims: %w", err)
		} else if n > 0 {
			log.Info("released webhook deliveries claimed by the previous run", "deliveries", n)
		}
	}

	s := &Serve{deps: d, tls: cfg.HTTPSCertPath != "", certPath: cfg.HTTPSCertPath, keyPath: cfg.HTTPSKeyPath, errs: make(chan error, 2)}
	type spec struct {
		tenant string
		port   int
		url    string
	}
	specs := []spec{{model.DefaultTenantID, cfg.Port, cfg.UserEndpoint().String()}}
	if cfg.AdminEnabled() && !cfg.SharedPort() {
		specs = append(specs, spec{model.AdminTenantID, cfg.AdminPort, cfg.AdminURL().String()})
	}
	for _, sp := range specs {
		ln, err := net.Listen("tcp", fmt.Sprintf(":%d", sp.port))
		if err != nil {
			s.close()
			return nil, fmt.Errorf("listen on port %d for tenant %s: %w", sp.port, sp.tenant, err)
		}
		srv := &http.Server{
			Handler:           listenerHandler(d, cfg, sp.tenant),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		s.Listeners = append(s.Listeners, &Listener{TenantID: sp.tenant, URL: sp.url, Addr: ln.Addr(), server: srv, ln: ln})
	}
	return s, nil
}

// Run serves on the bound listeners and blocks until ctx is done (then shuts down gracefully,
// letting in-flight requests finish for up to grace) or a listener fails. Start binds without
// serving so that the caller can print the URLs before the first request is answered.
func (s *Serve) Run(ctx context.Context, grace time.Duration) error {
	go s.cleanExpired(ctx)
	stopBackground := s.startBackground()
	defer stopBackground()
	for _, l := range s.Listeners {
		go func(l *Listener) {
			var err error
			if s.tls {
				err = l.server.ServeTLS(l.ln, s.certPath, s.keyPath)
			} else {
				err = l.server.Serve(l.ln)
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.errs <- fmt.Errorf("tenant %s listener: %w", l.TenantID, err)
			}
		}(l)
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-s.errs:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	for _, l := range s.Listeners {
		if err := l.server.Shutdown(shutdownCtx); err != nil && runErr == nil {
			runErr = fmt.Errorf("shut down tenant %s listener: %w", l.TenantID, err)
		}
	}
	return runErr
}

// startBackground runs the webhook worker and the audit log's batch writer until the returned
// function is called. That function is called once the listeners have shut down, so the events
// and entries of the last requests are still written and sent: it waits for the worker's
// in-flight deliveries and the audit log's last batch.
func (s *Serve) startBackground() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.deps.Deliveries.Run(ctx) }()
	go func() { defer wg.Done(); s.deps.Service.Audit.Run(ctx) }()
	return func() {
		cancel()
		wg.Wait()
	}
}

// signInAttemptRetention is how long failed sign-in attempts are kept: far longer than any
// lockout window, so pruning never lifts a lock or forgets a failure that still counts.
const signInAttemptRetention = 24 * time.Hour

// cleanupInterval is how often expired interactions, sessions, codes and tokens are deleted.
const cleanupInterval = 10 * time.Minute

// cleanExpired deletes expired protocol artifacts now and then every cleanupInterval until ctx
// ends. On several nodes each one does it; the deletes are idempotent.
func (s *Serve) cleanExpired(ctx context.Context) {
	t := time.NewTicker(cleanupInterval)
	defer t.Stop()
	for {
		n, err := s.deps.Service.DeleteExpiredArtifacts(ctx)
		if err != nil && ctx.Err() == nil {
			s.deps.Log.Warn("delete expired protocol artifacts", "error", err)
		} else if n > 0 {
			s.deps.Log.Info("deleted expired protocol artifacts", "rows", n)
		}
		if err := s.deps.Service.DeleteOldSignInAttempts(ctx, s.deps.Clock.Now().Add(-signInAttemptRetention)); err != nil && ctx.Err() == nil {
			s.deps.Log.Warn("delete old sign-in attempts", "error", err)
		}
		if _, err := s.deps.Service.Console.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			s.deps.Log.Warn("delete expired console sessions", "error", err)
		}
		s.applyLogRetention(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// applyLogRetention deletes audit entries and finished webhook deliveries older than the
// retention (GATEHOUSE_LOG_RETENTION_DAYS); pending deliveries are never deleted.
func (s *Serve) applyLogRetention(ctx context.Context) {
	if s.deps.LogRetention <= 0 {
		return
	}
	cutoff := s.deps.Clock.Now().Add(-s.deps.LogRetention)
	if n, err := s.deps.Service.DeleteOldLogs(ctx, cutoff); err != nil && ctx.Err() == nil {
		s.deps.Log.Warn("delete old audit entries", "error", err)
	} else if n > 0 {
		s.deps.Log.Info("deleted audit entries past retention", "rows", n)
	}
	if n, err := s.deps.Service.DeleteOldDeliveries(ctx, cutoff); err != nil && ctx.Err() == nil {
		s.deps.Log.Warn("delete old webhook deliveries", "error", err)
	} else if n > 0 {
		s.deps.Log.Info("deleted webhook deliveries past retention", "rows", n)
	}
}

// printConsole says where the console is and, while no administrator exists, who creates one.
func (s *Serve) printConsole(w io.Writer, cfg *config.Config) {
	fmt.Fprintf(w, "  Admin console          %s/console\n", strings.TrimSuffix(cfg.Issuer(model.AdminTenantID), "/oidc"))
	if has, err := s.deps.Service.Console.HasAdmin(context.Background()); err == nil && !has {
		fmt.Fprintln(w, "                         no administrator yet: the first visit to the console creates one")
	}
}

func (s *Serve) close() {
	for _, l := range s.Listeners {
		_ = l.ln.Close()
	}
}

// PrintURLs writes where to go next, once the listeners are bound.
func (s *Serve) PrintURLs(w io.Writer, cfg *config.Config) {
	fmt.Fprintln(w, "Gatehouse is running.")
	for _, l := range s.Listeners {
		switch l.TenantID {
		case model.DefaultTenantID:
			fmt.Fprintf(w, "  Your apps sign in at   %s   (issuer %s, listening on %s)\n", l.URL, cfg.Issuer(l.TenantID), l.Addr)
			if cfg.SharedPort() {
				fmt.Fprintf(w, "  Admin tenant           %s   (issuer %s, on the same port, by host name)\n", cfg.AdminURL(), cfg.Issuer(model.AdminTenantID))
				s.printConsole(w, cfg)
			}
		case model.AdminTenantID:
			fmt.Fprintf(w, "  Admin tenant           %s   (issuer %s, listening on %s)\n", l.URL, cfg.Issuer(l.TenantID), l.Addr)
			s.printConsole(w, cfg)
		}
	}
	fmt.Fprintln(w, "  Management API         "+cfg.UserEndpoint().String()+"/api  (create an M2M app: gatehouse app create --type MachineToMachine --name my-script --role \""+model.ManagementAPIAccessRoleName+"\")")
}
