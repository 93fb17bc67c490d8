package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/seed"
	"github.com/gatehouse-id/gatehouse/internal/store/migrations"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

func newDB(g *globals) *cobra.Command {
	db := &cobra.Command{
		Use:     "db",
		Aliases: []string{"database"},
		Short:   "Database commands: seed, alteration (migrations), config, copy",
		Args:    usageArgs(cobra.NoArgs),
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	db.AddCommand(newSeed(g), newAlteration(g), newDBConfig(g), newDBCopy(g))
	return db
}

func newSeed(g *globals) *cobra.Command {
	var swe, encryptBaseRole bool
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Create the schema and seed the default and admin tenants",
		Long: `Apply all migrations and seed the tenants "default" and "admin": signing and cookie keys (from
OIDC_PRIVATE_KEYS / OIDC_PRIVATE_KEY_PATHS / OIDC_COOKIE_KEYS when set, else freshly generated EC P-384
keys), the Management API resource https://default.logto.app/api with scope "all", and the
machine-to-machine role "Logto Management API access".

"gatehouse serve" does this by itself on first start; this verb exists for scripts written for Logto.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if encryptBaseRole {
				fmt.Fprintln(out, "Note: --encrypt-base-role has nothing to do here: Gatehouse uses the one database user in DB_URL and creates no per-tenant role (no CREATE ROLE needed).")
			}
			ctx := cmd.Context()
			return g.withStore(ctx, true, func(cfg *config.Config, db *sqlstore.DB) error {
				seeded, err := g.deps(cfg, db).Service.Seed(ctx, seed.SeedOptions{
					PrivateKeys:    cfg.OIDCPrivateKeys,
					CookieKeys:     cfg.OIDCCookieKeys,
					SkipWhenExists: swe,
				})
				if errors.Is(err, seed.ErrAlreadySeeded) {
					return fmt.Errorf("the database is already seeded; pass --swe to skip seeding when it is")
				}
				if err != nil {
					return err
				}
				if seeded {
					fmt.Fprintln(out, "Seeded tenants default and admin.")
				} else {
					fmt.Fprintln(out, "The database is already seeded; skipped (--swe).")
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&swe, "swe", false, "skip when the database is already seeded")
	cmd.Flags().BoolVar(&swe, "skip-when-exists", false, "alias of --swe")
	cmd.Flags().BoolVar(&encryptBaseRole, "encrypt-base-role", false, "accepted for Logto compatibility; Gatehouse creates no database role")
	return cmd
}

func newAlteration(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "alteration <list|deploy|rollback> [target]",
		Aliases: []string{"alt", "alter"},
		Short:   "List, apply or roll back database migrations (Logto's alterations)",
		Long: `Database migrations ("alterations" in Logto's words).

  list               show every migration and whether it is applied
  deploy [target]    apply pending migrations up to target (a version number; default: latest);
                     a Logto version (deploy 1.22.0, as Logto's upgrade guides write it) applies
                     every pending migration and says so
  rollback <target>  roll back migrations newer than target (a version number; 0 = all)

"gatehouse serve" applies pending migrations by itself at start; deploy exists for scripts
written for Logto.`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			action, version, err := parseAlteration(args)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			return g.withStore(ctx, false, func(_ *config.Config, db *sqlstore.DB) error {
				out := cmd.OutOrStdout()
				switch action {
				case "list":
					return listMigrations(ctx, out, db)
				case "deploy":
					defer noteLogtoTarget(cmd.ErrOrStderr(), args)
					return deployMigrations(ctx, out, db, version)
				}
				return rollbackMigrations(ctx, out, db, version)
			})
		},
	}
	return cmd
}

// logtoVersion is a Logto release number as upgrade guides give it (1.22.0, v1.22, 1.22.0-rc.1).
var logtoVersion = regexp.MustCompile(`^v?\d+\.\d+(\.\d+)?(-[0-9A-Za-z.]+)?$`)

// parseAlteration reads `db alteration`'s arguments: the action (list, deploy, or rollback and
// its alias r) and the target version, -1 for none or latest.
func parseAlteration(args []string) (action string, version int64, err error) {
	action, target := args[0], ""
	if len(args) == 2 {
		target = args[1]
	}
	version = -1
	if action == "deploy" && logtoVersion.MatchString(target) {
		// Logto's upgrade lines name a Logto release (`db alteration deploy 1.22.0 && npm start`);
		// Gatehouse's migrations are its own, so the same line brings the database up to date.
		target = ""
	}
	if target != "" && target != "latest" {
		v, err := strconv.ParseInt(target, 10, 64)
		if err != nil || v < 0 {
			return "", 0, usagef("target %q is not a migration version (a whole number from 'gatehouse db alteration list', or latest)", target)
		}
		version = v
	}
	switch action {
	case "list", "deploy":
	case "rollback", "r":
		if version < 0 {
			return "", 0, usagef("rollback needs a target version (0 rolls back everything)")
		}
		action = "rollback"
	default:
		return "", 0, usagef("unknown action %q: use list, deploy or rollback", action)
	}
	return action, version, nil
}

// listMigrations prints every migration and whether it is applied.
func listMigrations(ctx context.Context, out io.Writer, db *sqlstore.DB) error {
	ms, err := migrations.List(ctx, db.SQL(), db.Dialect())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE")
	for _, m := range ms {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, m.Name, state)
	}
	return tw.Flush()
}

// deployMigrations applies the pending migrations up to version (all when negative).
func deployMigrations(ctx context.Context, out io.Writer, db *sqlstore.DB, version int64) error {
	var (
		applied []migrations.Migration
		err     error
	)
	if version < 0 {
		applied, err = migrations.Up(ctx, db.SQL(), db.Dialect())
	} else {
		applied, err = migrations.UpTo(ctx, db.SQL(), db.Dialect(), version)
	}
	if err != nil {
		return err
	}
	printMigrations(out, applied, "Applied", "Nothing to deploy: the database is up to date.")
	return nil
}

// noteLogtoTarget tells someone who gave a Logto version what happened instead.
func noteLogtoTarget(errOut io.Writer, args []string) {
	if len(args) == 2 && args[0] == "deploy" && logtoVersion.MatchString(args[1]) {
		fmt.Fprintf(errOut, "gatehouse: %s is a Logto version; Gatehouse's migrations are its own and apply themselves at start, so every pending one was applied.\n", args[1])
	}
}

// rollbackMigrations rolls back the migrations newer than version.
func rollbackMigrations(ctx context.Context, out io.Writer, db *sqlstore.DB, version int64) error {
	rolled, err := migrations.DownTo(ctx, db.SQL(), db.Dialect(), version)
	if err != nil {
		return err
	}
	printMigrations(out, rolled, "Rolled back", "Nothing to roll back.")
	return nil
}

// printMigrations prints one "<done> <version> <name>" line per migration, or none when there
// are none.
func printMigrations(out io.Writer, ms []migrations.Migration, done, none string) {
	if len(ms) == 0 {
		fmt.Fprintln(out, none)
	}
	for _, m := range ms {
		fmt.Fprintf(out, "%s %d %s\n", done, m.Version, m.Name)
	}
}

func newDBConfig(g *globals) *cobra.Command {
	var tenantID string
	cfgCmd := &cobra.Command{
		Use:   "config",
		Short: "Read or rotate per-tenant configuration (signing keys, cookie keys …)",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cfgCmd.PersistentFlags().StringVar(&tenantID, "tenant-id", model.DefaultTenantID, "tenant whose configuration to use")
	cfgCmd.PersistentFlags().StringVar(&tenantID, "tenantId", model.DefaultTenantID, "alias of --tenant-id (Logto's spelling)")
	_ = cfgCmd.PersistentFlags().MarkHidden("tenantId")
	cfgCmd.AddCommand(newDBConfigGet(g, &tenantID), newDBConfigRotate(g, &tenantID))
	return cfgCmd
}

// newDBConfigGet is `db config get`; *tenantID is the --tenant-id of `db config`.
func newDBConfigGet(g *globals, tenantID *string) *cobra.Command {
	return &cobra.Command{
		Use:   "get <key> [keys...]",
		Short: "Print configuration values as JSON (e.g. oidc.privateKeys, oidc.cookieKeys)",
		Long: `Print the stored value of each key as JSON, one "key: value" line each.
Keys: oidc.privateKeys, oidc.cookieKeys, signingKeyRotationState. Values of key rows hold private
material: treat the output as a secret.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.withStore(ctx, true, func(_ *config.Config, db *sqlstore.DB) error {
				for _, key := range args {
					v, err := db.Tenant(*tenantID).Configs().Get(ctx, key)
					if errors.Is(err, model.ErrNotFound) {
						return fmt.Errorf("no config %q in tenant %q", key, *tenantID)
					}
					if err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", key, compactJSON(v))
				}
				return nil
			})
		},
	}
}

// newDBConfigRotate is `db config rotate`; *tenantID is the --tenant-id of `db config`.
func newDBConfigRotate(g *globals, tenantID *string) *cobra.Command {
	var keyType string
	rotate := &cobra.Command{
		Use:   "rotate <oidc.privateKeys|oidc.cookieKeys>",
		Short: "Add a new signing or cookie key and retire the oldest (staged rotation)",
		Long: `Rotate a tenant's keys.

oidc.privateKeys: generate a signing key (--type ec: P-384/ES384, the default; --type rsa: RSA). With
PRIVATE_KEY_ROTATION_GRACE_PERIOD > 0 the new key is published as "Next" first and signs only after
the grace period, so relying parties caching the JWKS see it before it is used; otherwise it signs at
once. The previous signing key stays published as "Previous", so tokens it signed still verify.
oidc.cookieKeys: add a new cookie key in front; older ones keep verifying existing cookies.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := rotatedKeyType(args[0])
			if err != nil {
				return err
			}
			if keyType != "ec" && keyType != "rsa" {
				return usagef("--type %q: use ec or rsa", keyType)
			}
			ctx := cmd.Context()
			return g.withStore(ctx, true, func(cfg *config.Config, db *sqlstore.DB) error {
				list, err := g.deps(cfg, db).Service.RotateKeys(ctx, *tenantID, kind, keyType)
				if err != nil {
					return err
				}
				b, _ := json.MarshalIndent(list, "", "  ")
				fmt.Fprintf(cmd.OutOrStdout(), "Rotated %s of tenant %s:\n%s\n", args[0], *tenantID, b)
				return nil
			})
		},
	}
	rotate.Flags().StringVar(&keyType, "type", "ec", "signing key type: ec (P-384, ES384) or rsa")
	return rotate
}

// rotatedKeyType is the Management API's key type of the config key `db config rotate` takes.
func rotatedKeyType(configKey string) (string, error) {
	switch configKey {
	case model.ConfigPrivateKeys:
		return "private-keys", nil
	case model.ConfigCookieKeys:
		return "cookie-keys", nil
	}
	return "", usagef("cannot rotate %q: use %s or %s", configKey, model.ConfigPrivateKeys, model.ConfigCookieKeys)
}

func compactJSON(v []byte) string {
	var out []byte
	var anyV any
	if json.Unmarshal(v, &anyV) == nil {
		out, _ = json.Marshal(anyV)
		return string(out)
	}
	return string(v)
}
