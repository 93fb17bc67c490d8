package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/gatehouse-id/gatehouse"

// handlerPackages are the packages that serve HTTP (or sign its cookies). They reach data only
// through the service's interfaces (ARCHITECTURE.md, "The dependency rule"), so the store can
// change, and every write can carry its events, without touching them.
var handlerPackages = []string{"oidc", "experience", "management", "cookie", "health", "landing", "console"}

// TestHandlersDoNotImportTheStore fails when a handler package, or a package below one, imports
// a store package in its non-test code.
func TestHandlersDoNotImportTheStore(t *testing.T) {
	checked := 0
	for _, pkg := range handlerPackages {
		root := filepath.Join("..", pkg)
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			checked++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == module+"/internal/store" || strings.HasPrefix(p, module+"/internal/store/") {
					t.Errorf("%s imports %s: handlers reach data through the service's interfaces", path, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d files: are the handler packages where this test looks?", checked)
	}
}
