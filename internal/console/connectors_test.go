package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

func oauth2Form() url.Values {
	return url.Values{"factory": {"oauth2"}, "target": {"community"}, "buttonName": {"Community"},
		"authorizationEndpoint": {"https://idp.example.com/oauth2/authorize"}, "tokenEndpoint": {"https://idp.example.com/oauth2/token"},
		"userInfoEndpoint": {"https://idp.example.com/api/user"}, "clientId": {"gatehouse"}, "clientSecret": {"community-secret"},
		"tokenEndpointResponseType": {"json"}, "profileMap": {`{"id":"id","name":"name"}`}}
}

var connPath = regexp.MustCompile(`^/console/connectors/([A-Za-z0-9]+)\?notice=saved$`)

// addConnector adds the generic OAuth 2.0 connector through the page and returns its id.
func (h *harness) addConnector() string {
	h.t.Helper()
	status, loc, body := h.post("/console/connectors", oauth2Form())
	m := connPath.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		h.t.Fatalf("add: %d %q %s", status, loc, body)
	}
	return m[1]
}

// Refusals of the add form land on the field they concern, in the form that was sent, and the
// typed values stay (secrets excepted).
func TestConnectorAddFieldErrors(t *testing.T) {
	h := newHarness(t)
	form := oauth2Form()
	form.Set("profileMap", "{not json")
	status, _, body := h.post("/console/connectors", form)
	if fe := fieldErrors(body); status != http.StatusBadRequest || fe["oauth2_profileMap"] == "" {
		t.Fatalf("bad profile map: %d %v", status, fe)
	}
	if !strings.Contains(body, `value="https://idp.example.com/api/user"`) || strings.Contains(body, "community-secret") {
		t.Fatal("typed values lost, or the secret echoed back")
	}
	form = url.Values{"factory": {"github-universal"}, "clientId": {"gh-id"}}
	if _, _, body = h.post("/console/connectors", form); fieldErrors(body)["github_universal_clientSecret"] == "" {
		t.Fatalf("GitHub without a secret: %v", fieldErrors(body))
	}
	form = url.Values{"factory": {"simple-mail-transfer-protocol"}, "host": {"smtp.example.com"}, "port": {"seven"}, "fromEmail": {"a@example.com"}}
	if _, _, body = h.post("/console/connectors", form); fieldErrors(body)["simple_mail_transfer_protocol_port"] == "" {
		t.Fatalf("SMTP port: %v", fieldErrors(body))
	}
	if list, _ := h.svc.ListConnectors(h.ctx, model.DefaultTenantID, ""); len(list) != 0 {
		t.Fatalf("%d connectors created by refused forms", len(list))
	}
}

// The connector page never shows a stored secret; saving the page as shown keeps the secret,
// and the admin's edits to other members are saved.
func TestConnectorEditKeepsSecretHidden(t *testing.T) {
	h := newHarness(t)
	id := h.addConnector()
	_, page := h.get("/console/connectors/" + id)
	if strings.Contains(page, "community-secret") || !strings.Contains(page, "/callback/"+id) {
		t.Fatal("the page shows the secret or lacks the callback URL")
	}
	m := regexp.MustCompile(`(?s)<textarea id="config"[^>]*>(.*?)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no config editor")
	}
	shown := strings.NewReplacer("&#34;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(m[1])
	edited := strings.Replace(shown, `"read"`, `"read write"`, 1)
	if !strings.Contains(shown, `"scope"`) {
		edited = strings.Replace(shown, `"clientId"`, `"scope": "read write", "clientId"`, 1)
	}
	status, _, body := h.post("/console/connectors/"+id, url.Values{"config": {edited}, "buttonName": {"Community Login"}, "syncProfile": {"on"}})
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", status, body)
	}
	got, _ := h.svc.GetConnector(h.ctx, model.DefaultTenantID, id)
	var cfg map[string]any
	_ = json.Unmarshal(got.Config, &cfg)
	if cfg["clientSecret"] != "community-secret" || cfg["scope"] != "read write" || got.Name["en"] != "Community Login" || !got.SyncProfile {
		t.Fatalf("saved config %v, name %v, sync %v", cfg, got.Name, got.SyncProfile)
	}
	if _, _, body = h.post("/console/connectors/"+id, url.Values{"config": {"{oops"}, "buttonName": {"X"}}); fieldErrors(body)["config"] == "" {
		t.Fatal("bad JSON not refused on the field")
	}
}

// The placeholder is in the admin's language, and a config shown in one language and saved in
// another still keeps the stored secret.
func TestConnectorSecretPlaceholderInEveryLanguage(t *testing.T) {
	h := newHarness(t)
	id := h.addConnector()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/console/connectors/"+id, nil)
	req.Header.Set("Accept-Language", "zh-CN")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`(?s)<textarea id="config"[^>]*>(.*?)</textarea>`).FindStringSubmatch(string(b))
	if m == nil || !strings.Contains(m[1], "已加密保存") || strings.Contains(m[1], "community-secret") {
		t.Fatalf("the Chinese page's config does not hold the Chinese placeholder:\n%v", m)
	}
	shown := strings.NewReplacer("&#34;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(m[1])
	if status, _, body := h.post("/console/connectors/"+id, url.Values{"config": {shown}, "buttonName": {"Community"}}); status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", status, body)
	}
	got, _ := h.svc.GetConnector(h.ctx, model.DefaultTenantID, id)
	var cfg map[string]any
	_ = json.Unmarshal(got.Config, &cfg)
	if cfg["clientSecret"] != "community-secret" {
		t.Fatalf("saving the Chinese placeholder from an English request changed the secret to %v", cfg["clientSecret"])
	}
}

// Show/hide edits the sign-in experience's social targets; delete needs the box ticked.
func TestConnectorSignInToggleAndDelete(t *testing.T) {
	h := newHarness(t)
	id := h.addConnector()
	targets := func() []string {
		exp, _ := h.svc.GetSignInExperience(h.ctx, model.DefaultTenantID)
		return exp.SocialSignInConnectorTargets
	}
	h.post("/console/connectors/"+id+"/sign-in", url.Values{"show": {"yes"}})
	if !slices.Contains(targets(), "community") {
		t.Fatalf("not shown: %v", targets())
	}
	h.post("/console/connectors/"+id+"/sign-in", url.Values{"show": {"no"}})
	if slices.Contains(targets(), "community") {
		t.Fatalf("not hidden: %v", targets())
	}
	if status, _, body := h.post("/console/connectors/"+id+"/delete", url.Values{}); status != http.StatusBadRequest || fieldErrors(body)["confirm_delete"] == "" {
		t.Fatalf("unconfirmed delete: %d", status)
	}
	if status, loc, _ := h.post("/console/connectors/"+id+"/delete", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther || loc != "/console/connectors?notice=deleted" {
		t.Fatalf("delete: %d %s", status, loc)
	}
	if status, _ := h.get("/console/connectors/" + id); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
}

// A test email through an SMTP server that is not there shows the failure on the page, not a 500.
func TestConnectorTestEmailFailureIsShown(t *testing.T) {
	h := newHarness(t)
	status, loc, body := h.post("/console/connectors", url.Values{"factory": {"simple-mail-transfer-protocol"}, "host": {"127.0.0.1"},
		"port": {"1"}, "fromEmail": {"auth@example.com"}})
	m := connPath.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("add SMTP: %d %s", status, body)
	}
	status, _, body = h.post("/console/connectors/"+m[1]+"/test", url.Values{"email": {"someone@example.com"}})
	if status != http.StatusBadRequest || fieldErrors(body)["email"] == "" {
		t.Fatalf("test send: %d %v", status, fieldErrors(body))
	}
}
