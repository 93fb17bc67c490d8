package blackbox

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeSteps is the README's "First steps" section: its sh blocks, in order.
func readmeSteps(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## First steps\n")
	if !ok {
		t.Fatal("README.md has no First steps section")
	}
	if next := strings.Index(section, "\n## "); next >= 0 {
		section = section[:next]
	}
	var blocks []string
	for {
		_, rest, found := strings.Cut(section, "```sh\n")
		if !found {
			break
		}
		block, after, _ := strings.Cut(rest, "```")
		blocks, section = append(blocks, block), after
	}
	if len(blocks) < 3 {
		t.Fatalf("only %d sh blocks in First steps", len(blocks))
	}
	return strings.Join(blocks, "\n")
}

// TestReadmeFirstSteps pastes the README's First steps, in order, into bash in a copy of the
// sources (as a fresh clone), and checks that every command works: the binary builds and lands
// on the PATH, the server starts, the token and the API call succeed, the user and the app are
// created, and the server stops.
func TestReadmeFirstSteps(t *testing.T) {
	if l, err := net.Listen("tcp", "127.0.0.1:3001"); err != nil {
		t.Fatalf("the README's commands use port 3001, which is taken: %v", err)
	} else {
		_ = l.Close()
	}
	dir := t.TempDir()
	for _, p := range []string{"go.mod", "go.sum", "cmd", "internal", "web"} {
		if out, err := exec.Command("cp", "-r", filepath.Join("..", "..", p), dir).CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v %s", p, err, out)
		}
	}
	// Only the harness's own lines: fail on the first error, and never leave the server running.
	script := "set -euo pipefail\ntrap 'kill %1 2>/dev/null || true' EXIT\n" + readmeSteps(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	log, _ := os.ReadFile(filepath.Join(dir, "gatehouse.log"))
	if err != nil {
		t.Fatalf("the README's First steps failed: %v\noutput:\n%s\nserver log:\n%s", err, out, log)
	}
	for _, want := range []string{`"name":"provisioner"`, `{"id":"`, `"secret":"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output lacks %s:\n%s", want, out)
		}
	}
}
