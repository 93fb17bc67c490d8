package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserConsole walks seed guide A through the console in Chromium: the welcome page
// creates the administrator, who signs in through the admin tenant's hosted page, creates a
// Traditional web app for a relying party, adds a generic OAuth 2.0 connector pointing at the
// local community provider, makes the sign-in page social-only with a logo, a primary colour
// and custom CSS — and a person then signs in to the relying party through that connector. The
// console is also seen in Chinese. Screenshots of each page are kept.
func TestBrowserConsole(t *testing.T) {
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts, _ = filepath.Abs("artifacts")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	idp := communityIdP(t)
	var before map[string]any
	api(t, http.MethodGet, "/sign-in-exp", nil, &before)
	t.Cleanup(func() {
		api(t, http.MethodPatch, "/sign-in-exp", map[string]any{"signIn": before["signIn"], "signUp": before["signUp"],
			"socialSignInConnectorTargets": []string{}, "customCss": before["customCss"], "color": before["color"], "branding": before["branding"]}, nil)
		// The person the relying party signed in goes too: the social test meets the same
		// provider account, and would otherwise be offered to link to this user.
		var users []struct{ ID string }
		api(t, http.MethodGet, "/users?search=%25mira%40community.example%25", nil, &users)
		for _, u := range users {
			api(t, http.MethodDelete, "/users/"+u.ID, nil, nil)
		}
		var conns []struct{ ID, Target string }
		api(t, http.MethodGet, "/connectors", nil, &conns)
		for _, c := range conns {
			if c.Target == "community" {
				api(t, http.MethodDelete, "/connectors/"+c.ID, nil, nil)
			}
		}
	})
	// The relying party's client is the one the console creates: its id and secret are read from
	// the console's page by the script and handed to the relying party started here on demand.
	var got struct {
		Home, App, HomeZh, SignedIn, BorderTop, Connector, Webhook, PreviewBorder, FirstFocus string
		Statuses                                                                              map[string]int
	}
	rp := newLazyRP(t)
	runScript(t, &got, "node", []string{"js/playwright-console.mjs"}, map[string]string{
		"ADMIN_URL": server.admin, "ARTIFACTS_DIR": artifacts, "ISSUER": issuer(), "IDP": idp,
		"RP_URL": rp.base, "RP_CONFIGURE": rp.base + "/configure",
	})
	if !strings.Contains(got.Home, "Get started") || !strings.Contains(got.Home, "Signed in as root") {
		t.Errorf("console home: %q", got.Home)
	}
	if !strings.Contains(got.App, "OPENID_ISSUER="+issuer()) || !strings.Contains(got.App, "OPENID_CLIENT_SECRET=") {
		t.Errorf("application page: %q", got.App)
	}
	if want := "Signed in as Mira Chen (mira@community.example)"; !strings.Contains(got.SignedIn, want) {
		t.Errorf("relying party after the social-only sign-in shows %q, want %q", got.SignedIn, want)
	}
	if got.BorderTop != "rgb(15, 118, 110) 6px" {
		t.Errorf("the console's custom CSS is not on the sign-in page: border-top %q", got.BorderTop)
	}
	if !strings.Contains(got.Connector, "/callback/") {
		t.Errorf("connector page lacks its callback URL: %q", got.Connector)
	}
	if strings.Contains(got.Connector, "community-secret") {
		t.Errorf("connector page shows the client secret")
	}
	if !strings.Contains(got.Webhook, "Signing key") || !strings.Contains(got.Webhook, "User.Data.Updated") {
		t.Errorf("webhook page: %q", got.Webhook)
	}
	if got.PreviewBorder != "6px" {
		t.Errorf("the preview does not show the unsaved custom CSS: border-top-width %q", got.PreviewBorder)
	}
	for name, status := range got.Statuses {
		if status != http.StatusOK {
			t.Errorf("console page %s answered %d", name, status)
		}
	}
	if got.FirstFocus != "Skip to content" {
		t.Errorf("first Tab stop is %q, want the skip link", got.FirstFocus)
	}
	if !strings.Contains(got.HomeZh, "开始使用") {
		t.Errorf("Chinese console home: %q", got.HomeZh)
	}
	for _, f := range []string{"console-welcome.png", "console-home.png", "console-apps.png", "console-app.png", "console-connectors.png",
		"console-sign-in-experience.png", "console-social-only-sign-in.png", "console-done.png", "console-home-zh.png", "console-apps-zh.png",
		"console-connector.png", "console-webhook.png", "console-users.png", "console-users-zh.png", "console-roles.png", "console-roles-zh.png",
		"console-audit.png", "console-audit-zh.png", "console-settings.png", "console-settings-zh.png", "console-resources.png",
		"console-resources-zh.png", "console-app-zh.png", "console-connector-zh.png", "console-webhook-zh.png", "console-home-dark.png"} {
		if st, err := os.Stat(filepath.Join(artifacts, f)); err != nil || st.Size() == 0 {
			t.Errorf("screenshot %s missing", f)
		}
	}
}
