package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
)

func newApp(g *globals) *cobra.Command {
	appCmd := &cobra.Command{
		Use:     "app",
		Aliases: []string{"application"},
		Short:   "Manage applications (OAuth clients) without a browser",
		Args:    usageArgs(cobra.NoArgs),
		RunE:    func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		tenantID, name, appType, description string
		roles, redirectURIs, postLogoutURIs  []string
	)
	create := &cobra.Command{
		Use:   "create --type <type> --name <name> [--role <role name>]...",
		Short: "Create an application and print {\"id\", \"secret\"} as JSON",
		Long: `Create an application (OAuth client) and print its client id and secret as JSON, so a script
can bootstrap without the console, e.g. a machine-to-machine client for the Management API:

  gatehouse app create --type MachineToMachine --name provisioner --role "Logto Management API access"

Types: MachineToMachine, Traditional, SPA, Native. Public types (SPA, Native) have no secret.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return usagef("--name is required")
			}
			t := model.ApplicationType(appType)
			if !t.Valid() {
				return usagef("--type %q: use MachineToMachine, Traditional, SPA or Native", appType)
			}
			ctx := cmd.Context()
			cfg, db, err := g.open(ctx, true)
			if err != nil {
				return err
			}
			defer db.Close()
			created, err := g.deps(cfg, db).Service.CreateApplicationWithRoles(ctx, tenantID, applications.CreateApplicationInput{
				Name:                   name,
				Type:                   t,
				Description:            description,
				RedirectURIs:           redirectURIs,
				PostLogoutRedirectURIs: postLogoutURIs,
			}, roles)
			if err != nil {
				return err
			}
			out := map[string]string{"id": created.ID}
			if created.Secret != "" {
				out["secret"] = created.Secret
			}
			b, _ := json.Marshal(out)
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		},
	}
	create.Flags().StringVar(&tenantID, "tenant-id", model.DefaultTenantID, "tenant to create the application in")
	create.Flags().StringVar(&name, "name", "", "application name (required)")
	create.Flags().StringVar(&appType, "type", "", "MachineToMachine, Traditional, SPA or Native (required)")
	create.Flags().StringVar(&description, "description", "", "description")
	create.Flags().StringArrayVar(&roles, "role", nil, "name of a machine-to-machine role to assign (repeatable)")
	create.Flags().StringArrayVar(&redirectURIs, "redirect-uri", nil, "allowed redirect URI (repeatable)")
	create.Flags().StringArrayVar(&postLogoutURIs, "post-logout-redirect-uri", nil, "allowed post-logout redirect URI (repeatable)")
	appCmd.AddCommand(create)
	return appCmd
}
