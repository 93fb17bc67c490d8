package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
)

func (h *harness) createApp(name string, typ model.ApplicationType) applications.CreatedApplication {
	h.t.Helper()
	created, err := h.svc.CreateApplication(h.ctx, model.DefaultTenantID, applications.CreateApplicationInput{Name: name, Type: typ,
		RedirectURIs: []string{"https://chat.example.com/oauth/openid/callback"}})
	if err != nil {
		h.t.Fatalf("create app: %v", err)
	}
	return created
}

func settingsForm(name, redirects string) url.Values {
	return url.Values{"name": {name}, "redirects": {redirects}, "post_logout": {"https://chat.example.com/"},
		"cors": {"https://chat.example.com"}, "id_token_ttl": {"600"}, "refresh_days": {"30"}, "rotate_refresh": {"on"}}
}

// The settings form saves through the application use-case: what the API reads back is what
// the form said.
func TestAppSettingsSave(t *testing.T) {
	h := newHarness(t)
	app := h.createApp("LibreChat", model.AppTraditional)
	status, loc, body := h.post("/console/applications/"+app.ID+"/settings",
		settingsForm("LibreChat prod", "https://chat.example.com/oauth/openid/callback\n  https://chat2.example.com/oauth/openid/callback \n"))
	if status != http.StatusSeeOther || loc != "/console/applications/"+app.ID+"?notice=saved" {
		t.Fatalf("status %d, location %q: %s", status, loc, body)
	}
	got, err := h.svc.GetApplication(h.ctx, model.DefaultTenantID, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	cm := got.CustomClientMetadata
	if got.Name != "LibreChat prod" || len(got.OIDCClientMetadata.RedirectURIs) != 2 || got.OIDCClientMetadata.RedirectURIs[1] != "https://chat2.example.com/oauth/openid/callback" ||
		*cm.IDTokenTTL != 600 || *cm.RefreshTokenTTLInDays != 30 || !*cm.RotateRefreshToken || *cm.AlwaysIssueRefreshToken ||
		len(cm.CORSAllowedOrigins) != 1 {
		t.Fatalf("saved %+v / %+v", got.OIDCClientMetadata, cm)
	}
	if _, page := h.get(loc); !strings.Contains(page, `role="status"`) || !strings.Contains(page, "chat2.example.com") {
		t.Fatalf("page after save lacks the notice or the new URI")
	}
}

// A redirect URI the use-case refuses is shown next to the redirect field, and nothing changes.
func TestAppSettingsRefusalIsShownOnTheField(t *testing.T) {
	h := newHarness(t)
	app := h.createApp("LibreChat", model.AppTraditional)
	status, _, body := h.post("/console/applications/"+app.ID+"/settings", settingsForm("Renamed", "not a url"))
	if status != http.StatusBadRequest {
		t.Fatalf("status %d", status)
	}
	if fe := fieldErrors(body); fe["redirects"] == "" {
		t.Fatalf("no field error on redirects: %v\n%s", fe, body)
	}
	if !strings.Contains(body, "not a url") {
		t.Fatal("the typed value was not kept")
	}
	form := settingsForm("Renamed", "https://ok.example.com/cb")
	form.Set("id_token_ttl", "ten")
	if _, _, body = h.post("/console/applications/"+app.ID+"/settings", form); fieldErrors(body)["id_token_ttl"] == "" {
		t.Fatalf("no field error on a non-number TTL")
	}
	got, _ := h.svc.GetApplication(h.ctx, model.DefaultTenantID, app.ID)
	if got.Name != "LibreChat" {
		t.Fatalf("a refused form changed the name to %q", got.Name)
	}
}

// A secret is added (and shown), then the old one deleted only with the box ticked.
func TestAppSecretRotation(t *testing.T) {
	h := newHarness(t)
	app := h.createApp("Open WebUI", model.AppTraditional)
	before, _ := h.svc.ListSecrets(h.ctx, model.DefaultTenantID, app.ID)
	if status, _, body := h.post("/console/applications/"+app.ID+"/secrets", url.Values{"secret_name": {"2027"}, "expires_days": {"90"}}); status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", status, body)
	}
	after, _ := h.svc.ListSecrets(h.ctx, model.DefaultTenantID, app.ID)
	if len(after) != len(before)+1 {
		t.Fatalf("secrets %d → %d", len(before), len(after))
	}
	var added model.ApplicationSecret
	for _, s := range after {
		if s.Name == "2027" {
			added = s
		}
	}
	if added.ExpiresAt == nil {
		t.Fatal("expiry not set")
	}
	if _, page := h.get("/console/applications/" + app.ID); !strings.Contains(page, added.Value) {
		t.Fatal("new secret not shown")
	}
	if _, _, body := h.post("/console/applications/"+app.ID+"/secrets", url.Values{"secret_name": {"x"}, "expires_days": {"0"}}); fieldErrors(body)["expires_days"] == "" {
		t.Fatal("0 days accepted")
	}
	old := before[0].Name
	if status, _, _ := h.post("/console/applications/"+app.ID+"/secrets/delete", url.Values{"secret_name": {old}}); status != http.StatusBadRequest {
		t.Fatalf("delete without confirmation: %d", status)
	}
	if status, _, _ := h.post("/console/applications/"+app.ID+"/secrets/delete", url.Values{"secret_name": {old}, "confirm": {"yes"}}); status != http.StatusSeeOther {
		t.Fatalf("delete: %d", status)
	}
	left, _ := h.svc.ListSecrets(h.ctx, model.DefaultTenantID, app.ID)
	if len(left) != 1 || left[0].Name != "2027" {
		t.Fatalf("left %+v", left)
	}
}

// Deleting an application needs the box ticked; then its page is gone.
func TestAppDelete(t *testing.T) {
	h := newHarness(t)
	app := h.createApp("LobeChat", model.AppTraditional)
	status, _, body := h.post("/console/applications/"+app.ID+"/delete", url.Values{})
	if status != http.StatusBadRequest || fieldErrors(body)["confirm_delete"] == "" {
		t.Fatalf("unconfirmed delete: %d %v", status, fieldErrors(body))
	}
	if status, _ := h.get("/console/applications/" + app.ID); status != http.StatusOK {
		t.Fatal("deleted without confirmation")
	}
	if status, loc, _ := h.post("/console/applications/"+app.ID+"/delete", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther || loc != "/console/applications?notice=deleted" {
		t.Fatalf("delete: %d %s", status, loc)
	}
	if status, _ := h.get("/console/applications/" + app.ID); status != http.StatusNotFound {
		t.Fatalf("after delete: %d", status)
	}
}

// A creation the use-case refuses names the field; a missing name too.
func TestAppCreateFieldErrors(t *testing.T) {
	h := newHarness(t)
	status, _, body := h.post("/console/applications", url.Values{"name": {"Chat"}, "type": {"Traditional"}, "redirect_uri": {"javascript:alert(1)"}})
	if status != http.StatusBadRequest || fieldErrors(body)["redirect_uri"] == "" {
		t.Fatalf("bad redirect: %d %v", status, fieldErrors(body))
	}
	status, _, body = h.post("/console/applications", url.Values{"name": {"Pay"}, "type": {"MachineToMachine"}, "third_party": {"on"}})
	if status != http.StatusBadRequest || fieldErrors(body)["third_party"] == "" {
		t.Fatalf("third-party M2M: %d %v %s", status, fieldErrors(body), body[:0])
	}
	if _, n, _ := h.svc.ListApplications(h.ctx, model.DefaultTenantID, model.ApplicationFilter{}, model.Page{Limit: 10}); n != 0 {
		t.Fatalf("%d apps created by refused forms", n)
	}
}
