package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

func newApp(g *globals) *cobra.Command {
	appCmd := &cobra.Command{
		Use:     "app",
		Aliases: []string{"application"},
		Short:   "Manage applications (OAuth clients) without a browser",
		Args:    usageArgs(cobra.NoArgs),
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	appCmd.AddCommand(newAppCreate(g))
	return appCmd
}

// appCreateFlags are the flags of `app create`.
type appCreateFlags struct {
	tenantID, name, appType, description string
	roles, redirectURIs, postLogoutURIs  []string
	output                               string
}

func newAppCreate(g *globals) *cobra.Command {
	var f appCreateFlags
	create := &cobra.Command{
		Use:   "create --type <type> --name <name> [--role <role name>]...",
		Short: "Create an application and print {\"id\", \"secret\"} as JSON",
		Long: `Create an application (OAuth client) and print its client id and secret as JSON, so a script
can bootstrap without the console, e.g. a machine-to-machine client for the Management API:

  gatehouse app create --type MachineToMachine --name provisioner --role "Logto Management API access"

Types: MachineToMachine, Traditional, SPA, Native. Public types (SPA, Native) have no secret.

--output env prints shell assignments instead, for eval in a script:

  eval "$(gatehouse app create --type MachineToMachine --name provisioner --role "Logto Management API access" --output env)"
  # now $ID and $SECRET are set`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd, g) },
	}
	create.Flags().StringVar(&f.tenantID, "tenant-id", model.DefaultTenantID, "tenant to create the application in")
	create.Flags().StringVar(&f.name, "name", "", "application name (required)")
	create.Flags().StringVar(&f.appType, "type", "", "MachineToMachine, Traditional, SPA or Native (required)")
	create.Flags().StringVar(&f.description, "description", "", "description")
	create.Flags().StringArrayVar(&f.roles, "role", nil, "name of a machine-to-machine role to assign (repeatable)")
	create.Flags().StringArrayVar(&f.redirectURIs, "redirect-uri", nil, "allowed redirect URI (repeatable)")
	create.Flags().StringArrayVar(&f.postLogoutURIs, "post-logout-redirect-uri", nil, "allowed post-logout redirect URI (repeatable)")
	create.Flags().StringVar(&f.output, "output", "json", "json, or env for ID=… and SECRET=… shell assignments")
	return create
}

// run creates the application and prints its id and secret.
func (f *appCreateFlags) run(cmd *cobra.Command, g *globals) error {
	if f.name == "" {
		return usagef("--name is required")
	}
	if f.output != "json" && f.output != "env" {
		return usagef("--output %q: use json or env", f.output)
	}
	t := model.ApplicationType(f.appType)
	if !t.Valid() {
		return usagef("--type %q: use MachineToMachine, Traditional, SPA or Native", f.appType)
	}
	ctx := cmd.Context()
	return g.withStore(ctx, true, func(cfg *config.Config, db *sqlstore.DB) error {
		created, err := g.deps(cfg, db).Service.CreateApplicationWithRoles(ctx, f.tenantID, applications.CreateApplicationInput{
			Name:                   f.name,
			Type:                   t,
			Description:            f.description,
			RedirectURIs:           f.redirectURIs,
			PostLogoutRedirectURIs: f.postLogoutURIs,
		}, f.roles)
		if err != nil {
			return err
		}
		printApp(cmd.OutOrStdout(), f.output, created.ID, created.Secret)
		return nil
	})
}

// printApp prints a new application's id and secret as JSON, or as shell assignments (the
// values hold only URL-safe characters, quoted anyway).
func printApp(w io.Writer, output, id, secret string) {
	if output == "env" {
		fmt.Fprintf(w, "ID='%s'\nSECRET='%s'\n", id, secret)
		return
	}
	out := map[string]string{"id": id}
	if secret != "" {
		out["secret"] = secret
	}
	b, _ := json.Marshal(out)
	fmt.Fprintln(w, string(b))
}
