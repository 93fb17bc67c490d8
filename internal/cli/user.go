package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// maxStdinPassword bounds what --password-stdin reads; no password is longer.
const maxStdinPassword = 4096

func newUser(g *globals) *cobra.Command {
	userCmd := &cobra.Command{
		Use:   "user",
		Short: "Manage users without a browser",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		tenantID, username, email, plain, name string
		fromStdin                              bool
	)
	create := &cobra.Command{
		Use:   "create --username <name> [--email <address>] [--password <password> | --password-stdin] [--name <name>]",
		Short: "Create a user and print {\"id\"} as JSON",
		Long: `Create a user, as POST /api/users does, and print its id as JSON, so a script can bootstrap a
first account without the console:

  printf '%s' "$ADMIN_PASSWORD" | gatehouse user create --username admin --email admin@example.com --password-stdin

The password is stored as an argon2id hash. Prefer --password-stdin: a --password value is visible to
other users of the machine in the process list and lands in shell history. The user gets the tenant's
default roles. The database must be seeded (gatehouse db seed, or one start of gatehouse serve).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if username == "" && email == "" {
				return usagef("--username or --email is required")
			}
			if cmd.Flags().Changed("password") && fromStdin {
				return usagef("--password and --password-stdin cannot be used together")
			}
			if cmd.Flags().Changed("password") && plain == "" {
				return usagef("--password must not be empty")
			}
			if fromStdin {
				var err error
				if plain, err = readPassword(cmd.InOrStdin()); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			cfg, db, err := g.open(ctx, true)
			if err != nil {
				return err
			}
			defer db.Close()
			tenants, err := db.Tenants(ctx)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(tenants, func(t model.Tenant) bool { return t.ID == tenantID }) {
				return fmt.Errorf("tenant %q does not exist; run `gatehouse db seed` first", tenantID)
			}
			deps := g.deps(cfg, db)
			// app.NewDeps gives the service no password hasher yet; once it does, deps.Service
			// serves here as it does for `app create`.
			svc := service.New(db, deps.Fresh, deps.Clock, deps.Log, service.Options{
				KeyRotationGracePeriod: cfg.PrivateKeyRotationGracePeriod,
				Passwords:              password.New(password.Options{}),
			})
			in := users.CreateUserInput{Password: plain}
			for _, f := range []struct {
				value string
				dst   **string
			}{{username, &in.Username}, {email, &in.PrimaryEmail}, {name, &in.Name}} {
				if f.value != "" {
					v := f.value
					*f.dst = &v
				}
			}
			u, err := svc.CreateUser(ctx, tenantID, in)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(map[string]string{"id": u.ID})
			fmt.Fprintln(cmd.OutOrStdout(), string(b))
			return nil
		},
	}
	create.Flags().StringVar(&tenantID, "tenant-id", model.DefaultTenantID, "tenant to create the user in")
	create.Flags().StringVar(&username, "username", "", "username: a letter or underscore, then letters, digits, underscores")
	create.Flags().StringVar(&email, "email", "", "primary email address")
	create.Flags().StringVar(&plain, "password", "", "password (visible in the process list; prefer --password-stdin)")
	create.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	create.Flags().StringVar(&name, "name", "", "display name")
	userCmd.AddCommand(create)
	return userCmd
}

// readPassword reads the first line of r, without its line ending, as `docker login
// --password-stdin` does.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxStdinPassword+1)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	if len(line) > maxStdinPassword {
		return "", usagef("the password on standard input is longer than %d bytes", maxStdinPassword)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("--password-stdin: standard input holds no password")
	}
	return line, nil
}
