package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/password"
	"github.com/gatehouse-id/gatehouse/internal/service"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
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
	userCmd.AddCommand(newUserCreate(g))
	return userCmd
}

// userCreateFlags are the flags of `user create`.
type userCreateFlags struct {
	tenantID, username, email, plain, name string
	fromStdin                              bool
}

func newUserCreate(g *globals) *cobra.Command {
	var f userCreateFlags
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
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd, g) },
	}
	create.Flags().StringVar(&f.tenantID, "tenant-id", model.DefaultTenantID, "tenant to create the user in")
	create.Flags().StringVar(&f.username, "username", "", "username: a letter or underscore, then letters, digits, underscores")
	create.Flags().StringVar(&f.email, "email", "", "primary email address")
	create.Flags().StringVar(&f.plain, "password", "", "password (visible in the process list; prefer --password-stdin)")
	create.Flags().BoolVar(&f.fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	create.Flags().StringVar(&f.name, "name", "", "display name")
	return create
}

// run creates the user and prints its id.
func (f *userCreateFlags) run(cmd *cobra.Command, g *globals) error {
	if err := f.check(cmd); err != nil {
		return err
	}
	if f.fromStdin {
		var err error
		if f.plain, err = readPassword(cmd.InOrStdin()); err != nil {
			return err
		}
	}
	ctx := cmd.Context()
	return g.withStore(ctx, true, func(cfg *config.Config, db *sqlstore.DB) error {
		if err := requireTenant(ctx, db, f.tenantID); err != nil {
			return err
		}
		svc := userService(g, cfg, db)
		if err := f.checkPasswordPolicy(ctx, svc); err != nil {
			return err
		}
		u, err := svc.CreateUser(ctx, f.tenantID, f.input())
		if err != nil {
			return err
		}
		b, _ := json.Marshal(map[string]string{"id": u.ID})
		fmt.Fprintln(cmd.OutOrStdout(), string(b))
		return nil
	})
}

// checkPasswordPolicy refuses a password the tenant's password policy refuses on the hosted
// pages and the Experience API: an admin account made from the CLI is no weaker than one made
// by registering.
func (f *userCreateFlags) checkPasswordPolicy(ctx context.Context, svc *service.Service) error {
	if f.plain == "" {
		return nil
	}
	return checkPasswordPolicy(ctx, svc, f.tenantID, f.plain, f.username, f.email)
}

// checkPasswordPolicy refuses plain when tenantID's password policy does.
func checkPasswordPolicy(ctx context.Context, svc *service.Service, tenantID, plain, username, email string) error {
	sie, err := svc.GetSignInExperience(ctx, tenantID)
	if err != nil {
		return err
	}
	issues := policy.ResolvePasswordPolicy(sie.PasswordPolicy).Check(plain, policy.PasswordUserInfo{Username: username, Email: email})
	if len(issues) == 0 {
		return nil
	}
	var words []string
	for _, is := range issues {
		w := strings.TrimPrefix(is.Code, "password_rejected.")
		for k, v := range is.Interpolation {
			w += fmt.Sprintf(" (%s %d)", k, v)
		}
		words = append(words, w)
	}
	return usagef("the password does not meet the tenant's password policy: %s", strings.Join(words, ", "))
}

// check refuses flags that do not go together.
func (f *userCreateFlags) check(cmd *cobra.Command) error {
	if f.username == "" && f.email == "" {
		return usagef("--username or --email is required")
	}
	if cmd.Flags().Changed("password") && f.fromStdin {
		return usagef("--password and --password-stdin cannot be used together")
	}
	if cmd.Flags().Changed("password") && f.plain == "" {
		return usagef("--password must not be empty")
	}
	return nil
}

// input is the user the flags describe; empty flags leave their member unset.
func (f *userCreateFlags) input() users.CreateUserInput {
	in := users.CreateUserInput{Password: f.plain}
	for _, m := range []struct {
		value string
		dst   **string
	}{{f.username, &in.Username}, {f.email, &in.PrimaryEmail}, {f.name, &in.Name}} {
		if m.value != "" {
			v := m.value
			*m.dst = &v
		}
	}
	return in
}

// requireTenant refuses a tenant that does not exist (the database is not seeded).
func requireTenant(ctx context.Context, db *sqlstore.DB, tenantID string) error {
	tenants, err := db.Tenants(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(tenants, func(t model.Tenant) bool { return t.ID == tenantID }) {
		return fmt.Errorf("tenant %q does not exist; run `gatehouse db seed` first", tenantID)
	}
	return nil
}

// userService is the service over db with a password hasher. app.NewDeps gives the service no
// password hasher yet; once it does, deps.Service serves here as it does for `app create`.
func userService(g *globals, cfg *config.Config, db *sqlstore.DB) *service.Service {
	deps := g.deps(cfg, db)
	return service.New(db, deps.Fresh, deps.Clock, deps.Log, service.Options{
		KeyRotationGracePeriod: cfg.PrivateKeyRotationGracePeriod,
		Passwords:              password.New(password.Options{}),
	})
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
