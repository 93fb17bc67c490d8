package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/app"
	"github.com/gatehouse-id/gatehouse/internal/store/dbcopy"
)

func newDBCopy(g *globals) *cobra.Command {
	var to string
	var overwrite bool
	cmd := &cobra.Command{
		Use:   "copy --to <database URL>",
		Short: "Copy every table of this database (DB_URL) into another, e.g. from SQLite to PostgreSQL",
		Long: `Copy every table of the database named by DB_URL (or --db) into the database --to names, across
SQLite and PostgreSQL: users, applications and their secrets, roles, connectors, keys, sessions,
webhooks and their queue, audit logs. Both are migrated to this binary's schema first; the copy
runs in one transaction on the destination, so a failure leaves it as it was.

Stop every server using the source first: writes made during the copy would not be copied.

Secrets stay sealed as they are, so the destination must be run with the source's master key. The
copy opens the destination with it; start the new servers with GATEHOUSE_MASTER_KEY set to it (for
an SQLite source without GATEHOUSE_MASTER_KEY, that is the content of master.key beside the
database file).

A destination that already has users or applications is refused unless --overwrite is given.

Example (SQLite to PostgreSQL):
  GATEHOUSE_MASTER_KEY=$(cat data/master.key) gatehouse db copy --db sqlite:./data/gatehouse.db \
    --to postgres://gatehouse:secret@db.example.com:5432/gatehouse`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return usagef("--to is required: the database URL to copy into")
			}
			return runDBCopy(cmd, g, to, overwrite)
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the destination database URL (postgres://… or sqlite:<path>)")
	cmd.Flags().BoolVar(&overwrite, "overwrite", false, "replace a destination that already has users or applications")
	return cmd
}

func runDBCopy(cmd *cobra.Command, g *globals, to string, overwrite bool) error {
	ctx := cmd.Context()
	cfg, src, err := g.open(ctx, true)
	if err != nil {
		return err
	}
	defer src.Close()
	key, keySource, err := app.MasterKeyOf(cfg)
	if err != nil {
		return err
	}
	if to == cfg.DBURL {
		return usagef("--to names the source database itself")
	}
	dstCfg := *cfg
	dstCfg.DBURL, dstCfg.MasterKey, dstCfg.MasterKeyFile = to, key, ""
	dst, err := app.OpenStore(ctx, &dstCfg, true, g.env.Stderr)
	if err != nil {
		return fmt.Errorf("open the destination: %w", err)
	}
	defer dst.Close()
	srcSQL, dstSQL := src.SQL(), dst.SQL()
	tables, err := dbcopy.Copy(ctx, srcSQL, src.Dialect(), dstSQL, dst.Dialect(), dbcopy.Options{Overwrite: overwrite})
	if errors.Is(err, dbcopy.ErrNotEmpty) {
		return usagef("%v; pass --overwrite to replace its contents", err)
	}
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	var total int64
	for _, t := range tables {
		fmt.Fprintf(tw, "%s\t%d\n", t.Name, t.Rows)
		total += t.Rows
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "Copied %d rows in %d tables. Run the new servers with the same master key (%s).\n", total, len(tables), keySource)
	return nil
}
