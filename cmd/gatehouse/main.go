// Command gatehouse is a Logto-compatible OpenID Connect identity server in one binary.
package main

import (
	"os"

	"github.com/gatehouse-id/gatehouse/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Lookup:  os.LookupEnv,
		Version: version,
	}))
}
