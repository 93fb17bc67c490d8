package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/app"
	"github.com/gatehouse-id/gatehouse/internal/clock"
)

// shutdownGrace is how long in-flight requests may finish after SIGTERM.
const shutdownGrace = 10 * time.Second

func newServe(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the identity server (user tenant on PORT, admin tenant on ADMIN_PORT)",
		Long: `Run Gatehouse. On start it opens DB_URL (creating ./data/gatehouse.db when nothing is set), applies
pending database migrations (under a lock, so several nodes may start at once), seeds the default and
admin tenants if the database is empty, and listens on PORT (3001) and ADMIN_PORT (3002).

Unlike Logto, no separate "db seed" or "db alteration deploy" step is needed before start; both
still exist for scripts that call them.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cfg, db, err := g.open(ctx, true)
			if err != nil {
				return err
			}
			log := g.logger()
			defer db.Close()
			srv, err := app.Start(ctx, cfg, db, clock.System{}, log)
			if err != nil {
				return err
			}
			srv.PrintURLs(cmd.OutOrStdout(), cfg)
			if err := srv.Run(ctx, shutdownGrace); err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "Gatehouse stopped.")
			return nil
		},
	}
}
