package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

func newAdmin(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Manage the admin console's accounts",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAdminResetPassword(g))
	return cmd
}

func newAdminResetPassword(g *globals) *cobra.Command {
	var username, plain string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "reset-password --username <name> (--password-stdin | --password <password>)",
		Short: "Set a new password for an admin console account (a lost admin password)",
		Long: `Set a new password for an account of the admin tenant, the one the admin console signs in, when
its password is lost. The password must meet the admin tenant's password policy.

  printf '%s' "$NEW_PASSWORD" | gatehouse admin reset-password --username admin --password-stdin`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if username == "" {
				return usagef("--username is required")
			}
			if fromStdin == cmd.Flags().Changed("password") {
				return usagef("give exactly one of --password-stdin and --password")
			}
			if fromStdin {
				var err error
				if plain, err = readPassword(cmd.InOrStdin()); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			return g.withStore(ctx, true, func(cfg *config.Config, db *sqlstore.DB) error {
				if err := requireTenant(ctx, db, model.AdminTenantID); err != nil {
					return err
				}
				svc := userService(g, cfg, db)
				u, err := svc.FindUserByIdentifier(ctx, model.AdminTenantID, model.IdentifierUsername, username)
				if err != nil {
					return fmt.Errorf("no admin account %q", username)
				}
				if err := checkPasswordPolicy(ctx, svc, model.AdminTenantID, plain, username, model.StringOf(u.PrimaryEmail)); err != nil {
					return err
				}
				if _, err := svc.SetUserPassword(ctx, model.AdminTenantID, u.ID, plain); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "The password of admin %s was changed.\n", username)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "the admin account's username")
	cmd.Flags().StringVar(&plain, "password", "", "new password (visible in the process list; prefer --password-stdin)")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the new password from the first line of standard input")
	return cmd
}
