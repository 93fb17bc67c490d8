package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse-id/gatehouse/internal/app"
	"github.com/gatehouse-id/gatehouse/internal/config"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
	"github.com/gatehouse-id/gatehouse/internal/store/sqlstore"
)

// newMasterKeyEnv names the variable rotate-master reads the new master key from.
const newMasterKeyEnv = "GATEHOUSE_NEW_MASTER_KEY"

func newKeys(g *globals) *cobra.Command {
	keys := &cobra.Command{
		Use:   "keys",
		Short: "Master key commands: generate-master, rotate-master",
		Long: `The master key seals the secrets Gatehouse stores (client secrets, signing keys, cookie keys):
it wraps the data keys that encrypt them. It comes from GATEHOUSE_MASTER_KEY (base64 or 64 hex
characters) or GATEHOUSE_MASTER_KEY_FILE (a file holding that); on SQLite with neither set it is
master.key beside the database, generated on first start. PostgreSQL needs one set, the same on
every node. Signing and cookie keys themselves rotate with "gatehouse db config rotate".`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	keys.AddCommand(newGenerateMaster(), newRotateMaster(g))
	return keys
}

func newGenerateMaster() *cobra.Command {
	return &cobra.Command{
		Use:   "generate-master",
		Short: "Print a new random master key (base64)",
		Long: `Print 32 random bytes as base64: a value for GATEHOUSE_MASTER_KEY, for the file named by
GATEHOUSE_MASTER_KEY_FILE, or for GATEHOUSE_NEW_MASTER_KEY / --new-key-file of rotate-master.

  gatehouse keys generate-master > /etc/gatehouse/master.key && chmod 600 /etc/gatehouse/master.key

The key is secret: whoever holds it and a copy of the database can read every stored secret.
Keep it apart from database backups, but never lose it: without it they cannot be read.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), secretbox.GenerateMasterKey().Encode())
			return nil
		},
	}
}

func newRotateMaster(g *globals) *cobra.Command {
	var (
		newKeyFile             string
		newDataKey, writeToKey bool
	)
	cmd := &cobra.Command{
		Use:   "rotate-master (--new-key-file PATH | GATEHOUSE_NEW_MASTER_KEY=<key>) [--new-data-key] [--write-key-file]",
		Short: "Rewrap the data keys under a new master key",
		Long: `Replace the master key. The current key comes from the usual place (GATEHOUSE_MASTER_KEY,
GATEHOUSE_MASTER_KEY_FILE or the SQLite master.key); the new one from --new-key-file or
GATEHOUSE_NEW_MASTER_KEY (make one with "gatehouse keys generate-master").

Every data key is rewrapped under the new master key in one transaction; the sealed values are
not re-encrypted, so this is quick whatever the size of the database. Nodes already running keep
working (they hold the data keys in memory); restart each with the new key. The old key no longer
opens the database.

  --new-data-key    also create a new data key and re-seal every value with it, in the same
                    transaction. Stop every node first (or restart them all at once afterwards):
                    a running node cannot read values sealed with a data key it does not hold.
  --write-key-file  write the new key into the key file the current one was read from (the
                    SQLite default master.key or GATEHOUSE_MASTER_KEY_FILE), atomically, mode 0600.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			next, err := g.newMasterKey(newKeyFile)
			if err != nil {
				return err
			}
			return g.withStore(cmd.Context(), true, func(cfg *config.Config, db *sqlstore.DB) error {
				var keyFile string
				if writeToKey {
					if keyFile, err = currentKeyFile(cfg); err != nil {
						return err
					}
				}
				rep, err := rotateMaster(cmd, db, next, newDataKey, keyFile)
				if err != nil {
					return err
				}
				printRotation(cmd.OutOrStdout(), cfg, rep, keyFile)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&newKeyFile, "new-key-file", "", "file holding the new master key (else "+newMasterKeyEnv+")")
	cmd.Flags().BoolVar(&newDataKey, "new-data-key", false, "also create a new data key and re-seal every value with it (stop the nodes first)")
	cmd.Flags().BoolVar(&writeToKey, "write-key-file", false, "write the new key into the current key file")
	return cmd
}

// newMasterKey reads the new master key from --new-key-file or GATEHOUSE_NEW_MASTER_KEY.
func (g *globals) newMasterKey(path string) (*secretbox.MasterKey, error) {
	inline, _ := g.env.Lookup(newMasterKeyEnv)
	inline = strings.TrimSpace(inline)
	switch {
	case path != "" && inline != "":
		return nil, usagef("give the new master key once: --new-key-file or %s, not both", newMasterKeyEnv)
	case path != "":
		k, err := secretbox.ReadKeyFile(path)
		if err != nil {
			return nil, usagef("--new-key-file: %v", err)
		}
		return k, nil
	case inline != "":
		k, err := secretbox.ParseMasterKey(inline)
		if err != nil {
			return nil, usagef("%s: %v", newMasterKeyEnv, err)
		}
		return k, nil
	}
	return nil, usagef("no new master key: give --new-key-file PATH or set %s (make one with \"gatehouse keys generate-master\")", newMasterKeyEnv)
}

// currentKeyFile is the file the current master key was read from, for --write-key-file.
func currentKeyFile(cfg *config.Config) (string, error) {
	if cfg.MasterKeyFile != "" {
		return cfg.MasterKeyFile, nil
	}
	if path, ok := app.DefaultMasterKeyPath(cfg); ok {
		return path, nil
	}
	return "", usagef("--write-key-file: the current master key comes from GATEHOUSE_MASTER_KEY, not from a file; put the new key there yourself")
}

// rotateMaster rotates the database's master key. With keyFile, the new key is first written
// beside it and moved into place only once the database committed, so the file never holds a
// key the database does not take (and a failed rotation leaves it untouched).
func rotateMaster(cmd *cobra.Command, db *sqlstore.DB, next *secretbox.MasterKey, newDataKey bool, keyFile string) (sqlstore.RotateReport, error) {
	staged := ""
	if keyFile != "" {
		staged = keyFile + ".new"
		if err := secretbox.WriteKeyFile(staged, next); err != nil {
			return sqlstore.RotateReport{}, fmt.Errorf("stage the new key file: %w", err)
		}
	}
	rep, err := db.RotateMasterKey(cmd.Context(), next, newDataKey)
	if err != nil {
		if staged != "" {
			_ = os.Remove(staged)
		}
		return rep, err
	}
	if staged != "" {
		if err := os.Rename(staged, keyFile); err != nil {
			return rep, errors.Join(fmt.Errorf("the database is now sealed with the new master key, which is in %s: "+
				"move it to %s before the next start", staged, keyFile), err)
		}
	}
	return rep, nil
}

// printRotation says what was done and what the operator must do next.
func printRotation(w io.Writer, cfg *config.Config, rep sqlstore.RotateReport, keyFile string) {
	fmt.Fprintf(w, "Rewrapped %d data key(s) under the new master key; sealed values were not re-encrypted.\n", rep.DataKeys)
	if rep.NewDataKey != "" {
		fmt.Fprintf(w, "Created data key %s and re-sealed %d value(s) with it.\n", rep.NewDataKey, rep.Resealed)
	}
	if keyFile != "" {
		fmt.Fprintf(w, "Wrote the new master key to %s.\n", keyFile)
	}
	fmt.Fprintln(w, "Next:")
	switch {
	case keyFile != "" && cfg.MasterKeyFile != "":
		fmt.Fprintf(w, "  - Put the new key in GATEHOUSE_MASTER_KEY_FILE (%s) on every other node too.\n", keyFile)
	case keyFile != "":
	case cfg.MasterKeyFile != "":
		fmt.Fprintf(w, "  - Replace the key in GATEHOUSE_MASTER_KEY_FILE (%s) with the new key, on every node.\n", cfg.MasterKeyFile)
	case cfg.MasterKey != nil:
		fmt.Fprintln(w, "  - Set GATEHOUSE_MASTER_KEY to the new key on every node.")
	default:
		path, _ := app.DefaultMasterKeyPath(cfg)
		fmt.Fprintf(w, "  - Replace the key in %s with the new key (or set GATEHOUSE_MASTER_KEY to it).\n", path)
	}
	if rep.NewDataKey != "" {
		fmt.Fprintln(w, "  - Restart every node now with the new key: a node still running cannot read the re-sealed values.")
	} else {
		fmt.Fprintln(w, "  - Restart the nodes with it; running nodes keep working until then. The old key is refused from now on.")
	}
	fmt.Fprintln(w, "  - Keep the new key safe; backups of the database taken before now still need the old one.")
}
