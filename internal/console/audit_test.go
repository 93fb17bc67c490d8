package console

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// A change's audit entry (written in its transaction) is listed, filtered by key, and shown
// with its payload; bad filter values never fail the page.
func TestAuditLogs(t *testing.T) {
	h := newHarness(t)
	name := "ada"
	u, err := h.svc.CreateUser(h.ctx, model.DefaultTenantID, users.CreateUserInput{Username: &name})
	if err != nil {
		t.Fatal(err)
	}
	other := "bob"
	bob, err := h.svc.CreateUser(h.ctx, model.DefaultTenantID, users.CreateUserInput{Username: &other})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.DeleteUser(h.ctx, model.DefaultTenantID, bob.ID); err != nil {
		t.Fatal(err)
	}
	_, list := h.get("/console/audit-logs")
	if !strings.Contains(list, "<code>User.Created</code>") || !strings.Contains(list, "<code>User.Deleted</code>") {
		t.Fatalf("entries not listed:\n%s", list)
	}
	_, filtered := h.get("/console/audit-logs?key=User.Created")
	if !strings.Contains(filtered, "<code>User.Created</code>") || strings.Contains(filtered, "<code>User.Deleted</code>") {
		t.Fatal("the key filter does not narrow the list")
	}
	if _, prefixed := h.get("/console/audit-logs?key=User."); !strings.Contains(prefixed, "<code>User.Deleted</code>") {
		t.Fatal("a key prefix does not match")
	}
	_, byUser := h.get("/console/audit-logs?user=" + u.ID)
	if !strings.Contains(byUser, "User.Created") || strings.Contains(byUser, bob.ID) {
		t.Fatal("the user filter does not narrow the list to the user's entries")
	}
	id := regexp.MustCompile(`href="/console/audit-logs/([^"]+)"`).FindStringSubmatch(byUser)
	if id == nil {
		t.Fatal("no link to an entry")
	}
	status, entry := h.get("/console/audit-logs/" + id[1])
	if status != http.StatusOK || !strings.Contains(entry, u.ID) || !strings.Contains(entry, "&#34;key&#34;") {
		t.Fatalf("entry page %d:\n%s", status, entry)
	}
	if status, _ := h.get("/console/audit-logs/no-such-entry"); status != http.StatusNotFound {
		t.Fatalf("unknown entry: %d", status)
	}
	for _, q := range []string{"page=-3", "page=abc", "key=" + strings.Repeat("x", 5000), "result=%00", "user=%27%3B--"} {
		if status, _ := h.get("/console/audit-logs?" + q); status != http.StatusOK {
			t.Errorf("?%s: %d", q, status)
		}
	}
}

// Rotations need the box ticked; then a new key signs and the old one stays listed.
func TestSettingsKeyRotation(t *testing.T) {
	h := newHarness(t)
	ids := func(keyType string) []string {
		keys, err := h.svc.ListKeys(h.ctx, model.DefaultTenantID, keyType)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range keys {
			out = append(out, k.ID)
		}
		return out
	}
	before := ids(keyring.KeyTypePrivateKeys)
	if _, page := h.get("/console/settings"); !strings.Contains(page, before[0]) || !strings.Contains(page, "14 days") {
		t.Fatal("the settings page lacks the signing key or the session lifetime")
	}
	if status, _, body := h.post("/console/settings/rotate-signing-keys", url.Values{"algorithm": {"EC"}}); status != http.StatusBadRequest || fieldErrors(body)["confirm_signing"] == "" {
		t.Fatalf("unconfirmed rotation: %d", status)
	}
	if got := ids(keyring.KeyTypePrivateKeys); !slices.Equal(got, before) {
		t.Fatal("rotated without confirmation")
	}
	if status, loc, _ := h.post("/console/settings/rotate-signing-keys", url.Values{"algorithm": {"EC"}, "confirm": {"yes"}}); status != http.StatusSeeOther || loc != "/console/settings?notice=saved" {
		t.Fatalf("rotation: %d %s", status, loc)
	}
	after := ids(keyring.KeyTypePrivateKeys)
	if len(after) != 2 || after[0] == before[0] || !slices.Contains(after, before[0]) {
		t.Fatalf("signing keys %v → %v (want a new current key and the old one kept)", before, after)
	}
	cookies := ids(keyring.KeyTypeCookieKeys)
	h.post("/console/settings/rotate-cookie-keys", url.Values{"confirm": {"yes"}})
	if got := ids(keyring.KeyTypeCookieKeys); got[0] == cookies[0] || !slices.Contains(got, cookies[0]) {
		t.Fatalf("cookie keys %v → %v", cookies, got)
	}
	if status, _, _ := h.post("/console/settings/rotate-cookie-keys", url.Values{"confirm": {"yes"}, "csrf": {"forged"}}); status != http.StatusForbidden {
		t.Fatalf("forged token: %d", status)
	}
}

// The result filter is the query's: 60 successes newer than 3 errors still show the 3 errors on
// the first page (filtering a fetched page of 50 would show none).
func TestAuditResultFilterPagesMatches(t *testing.T) {
	h := newHarness(t)
	var batch []model.Log
	now := time.Now().UnixMilli()
	for i := range 63 {
		result, key := "Success", "ExchangeTokenBy.ClientCredentials"
		if i < 3 {
			result, key = "Error", "Interaction.SignIn.Submit"
		}
		batch = append(batch, model.Log{TenantID: model.DefaultTenantID, ID: fmt.Sprintf("log%02d", i), Key: key,
			Payload: []byte(`{"result":"` + result + `"}`), CreatedAt: now + int64(i)})
	}
	if err := h.st.Tenant(model.DefaultTenantID).Logs().Append(h.ctx, batch); err != nil {
		t.Fatal(err)
	}
	_, errors := h.get("/console/audit-logs?result=error")
	if n := strings.Count(errors, "<code>Interaction.SignIn.Submit</code>"); n != 3 || strings.Contains(errors, "<code>ExchangeTokenBy") {
		t.Fatalf("result=error lists %d errors (want 3) or lists successes:\n%s", n, errors)
	}
	if !strings.Contains(errors, `<option value="Error" selected>`) {
		t.Error("the filter does not show Error as chosen")
	}
}
