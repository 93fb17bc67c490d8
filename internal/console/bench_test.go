package console

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// BenchmarkConsolePages renders each list page, server side and over loopback HTTP, with
// 10,000 users and 500 applications in the store — and so 10,500 audit entries (issue 10's
// bound: under 50 ms each).
//
//	go test ./internal/console -run '^$' -bench ConsolePages -benchtime 50x
func BenchmarkConsolePages(b *testing.B) {
	h := newHarness(b)
	for i := range 10_000 {
		name, email := fmt.Sprintf("user_%05d", i), fmt.Sprintf("user%05d@example.com", i)
		if _, err := h.svc.CreateUser(h.ctx, model.DefaultTenantID, users.CreateUserInput{Username: &name, PrimaryEmail: &email}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 500 {
		if _, err := h.svc.CreateApplication(h.ctx, model.DefaultTenantID, applications.CreateApplicationInput{Name: fmt.Sprintf("App %03d", i),
			Type: model.AppTraditional, RedirectURIs: []string{"https://app.example.com/callback"}}); err != nil {
			b.Fatal(err)
		}
	}
	apps, _, _ := h.svc.ListApplications(h.ctx, model.DefaultTenantID, model.ApplicationFilter{}, model.Page{Limit: 1})
	someUsers, _, _ := h.svc.ListUsers(h.ctx, model.DefaultTenantID, model.UserFilter{}, model.Page{Limit: 1})
	for _, path := range []string{"/console", "/console/users", "/console/users?q=user_09", "/console/users?page=150",
		"/console/applications", "/console/applications?page=10", "/console/applications/" + apps[0].ID,
		"/console/connectors", "/console/sign-in-experience", "/console/webhooks", "/console/users/" + someUsers[0].ID,
		"/console/audit-logs", "/console/audit-logs?key=User.&page=100", "/console/api-resources", "/console/roles", "/console/settings"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				if status, _ := h.get(path); status != http.StatusOK {
					b.Fatalf("%s: %d", path, status)
				}
			}
		})
	}
}

// BenchmarkNew is what the console costs a process that never serves it: its parsed
// templates and wording (B/op), built once at start.
//
//	go test ./internal/console -run '^$' -bench '^BenchmarkNew$' -benchmem
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		_ = New(Options{})
	}
}
