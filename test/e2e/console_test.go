package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserConsole walks the console's first steps in Chromium, in English and in Chinese:
// the welcome page creates the administrator, who signs in through the admin tenant's hosted
// page, sees the Get started checklist, creates an application, and finds LibreChat's settings
// filled in on its page. Screenshots of each page are kept.
func TestBrowserConsole(t *testing.T) {
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts, _ = filepath.Abs("artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	var got struct{ Home, App, HomeZh string }
	runScript(t, &got, "node", []string{"js/playwright-console.mjs"}, map[string]string{
		"ADMIN_URL": server.admin, "ARTIFACTS_DIR": artifacts, "ISSUER": issuer(),
	})
	if !strings.Contains(got.Home, "Get started") || !strings.Contains(got.Home, "Signed in as root") {
		t.Errorf("console home: %q", got.Home)
	}
	if !strings.Contains(got.App, "OPENID_ISSUER="+issuer()) || !strings.Contains(got.App, "OPENID_CLIENT_SECRET=") {
		t.Errorf("application page: %q", got.App)
	}
	if !strings.Contains(got.HomeZh, "开始使用") {
		t.Errorf("Chinese console home: %q", got.HomeZh)
	}
	for _, f := range []string{"console-welcome.png", "console-home.png", "console-apps.png", "console-app.png", "console-home-zh.png", "console-apps-zh.png"} {
		if st, err := os.Stat(filepath.Join(artifacts, f)); err != nil || st.Size() == 0 {
			t.Errorf("screenshot %s missing", f)
		}
	}
}
