package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/app"
	"github.com/gatehouse-id/gatehouse/internal/clock"
	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// Exit codes: 2 for a usage or configuration mistake (fix the command or env and retry),
// 1 for a failure while running.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// Env is what the command line reads from and writes to; tests pass their own.
type Env struct {
	Stdout, Stderr io.Writer
	Lookup         func(string) (string, bool)
	Version        string
	// Context, when set, replaces the signal-cancelled context (tests stop `serve` with it).
	Context context.Context
}

// usageError marks mistakes in how the command was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Main runs the command line with args and returns the process exit code.
func Main(args []string, env Env) int {
	ctx := env.Context
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	root := newRoot(&env)
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(env.Stderr, "gatehouse: "+err.Error())
	var cfgErr *config.Error
	var uErr usageError
	if errors.As(err, &cfgErr) || errors.As(err, &uErr) || isCobraUsage(err) {
		return exitUsage
	}
	return exitFailed
}

// isCobraUsage recognises cobra's unknown-command error, which it returns unwrapped.
func isCobraUsage(err error) bool {
	return strings.HasPrefix(err.Error(), "unknown command")
}

// usageArgs wraps a cobra positional-argument check so its failures exit with the usage code.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// globals are the flags every verb accepts.
type globals struct {
	env   *Env
	dbURL string
}

// config loads the configuration from the environment, with --db overriding DB_URL as in Logto's CLI.
func (g *globals) config() (*config.Config, error) {
	lookup := g.env.Lookup
	if g.dbURL != "" {
		base := lookup
		lookup = func(k string) (string, bool) {
			if k == "DB_URL" {
				return g.dbURL, true
			}
			return base(k)
		}
	}
	return config.FromEnv(lookup)
}

// open loads the configuration and opens its database (applying pending migrations when
// migrate is set), for the verbs that work on the database. Every one of them gets the master
// key the same way (GATEHOUSE_MASTER_KEY, GATEHOUSE_MASTER_KEY_FILE, or master.key beside an
// SQLite database, generated on first use and announced on stderr). The caller closes the store.
func (g *globals) open(ctx context.Context, migrate bool) (*config.Config, *sqlstore.DB, error) {
	cfg, err := g.config()
	if err != nil {
		return nil, nil, err
	}
	db, err := app.OpenStore(ctx, cfg, migrate, g.env.Stderr)
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

// withStore opens the database as open does, runs fn with the configuration and the database,
// and closes the database.
func (g *globals) withStore(ctx context.Context, migrate bool, fn func(cfg *config.Config, db *sqlstore.DB) error) error {
	cfg, db, err := g.open(ctx, migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(cfg, db)
}

// deps wires the services over db, for verbs that write through them (seed, rotate, app create).
func (g *globals) deps(cfg *config.Config, db *sqlstore.DB) *app.Deps {
	return app.NewDeps(db, clock.System{}, g.logger(), cfg)
}

func (g *globals) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(g.env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func newRoot(env *Env) *cobra.Command {
	g := &globals{env: env}
	root := &cobra.Command{
		Use:   "gatehouse",
		Short: "Gatehouse: a Logto-compatible OpenID Connect identity server in one binary",
		Long: `Gatehouse is an OpenID Connect / OAuth 2.0 identity server that speaks Logto's protocol,
Management API, environment variables and CLI verbs.

Configuration comes from the environment with Logto's names: DB_URL (default sqlite:./data/gatehouse.db),
ENDPOINT, ADMIN_ENDPOINT, PORT (3001), ADMIN_PORT (3002), TRUST_PROXY_HEADER, HTTPS_CERT_PATH,
HTTPS_KEY_PATH, DATABASE_POOL_SIZE, DATABASE_CONNECTION_TIMEOUT, DATABASE_STATEMENT_TIMEOUT,
OIDC_PRIVATE_KEYS, OIDC_PRIVATE_KEY_PATHS, OIDC_COOKIE_KEYS, PRIVATE_KEY_ROTATION_GRACE_PERIOD; and
GATEHOUSE_MASTER_KEY or GATEHOUSE_MASTER_KEY_FILE, the master key that seals secrets at rest (required
on PostgreSQL; on SQLite it defaults to master.key beside the database, generated on first start).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.dbURL, "db", "", "database URL, overriding DB_URL (postgres://…, sqlite:<path>)")
	root.PersistentFlags().StringVar(&g.dbURL, "db-url", "", "alias of --db")
	root.PersistentFlags().StringVar(&g.dbURL, "database-url", "", "alias of --db")
	_ = root.PersistentFlags().MarkHidden("db-url")
	_ = root.PersistentFlags().MarkHidden("database-url")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })

	root.AddCommand(newServe(g), newDB(g), newApp(g), newUser(g), newAdmin(g), newKeys(g), newVersion(g))
	return root
}

func newVersion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the Gatehouse version",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "gatehouse "+versionString(g.env.Version))
			return nil
		},
	}
}

// versionString prefers the -ldflags version, then the module version, then the VCS revision.
func versionString(v string) string {
	if v != "" {
		return v
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "dev-" + s.Value[:12]
		}
	}
	return "dev"
}
