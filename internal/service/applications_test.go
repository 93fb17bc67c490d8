package service

import (
	"net/http"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/applications"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
)

func TestCheckRedirectURI(t *testing.T) {
	tests := []struct {
		uri string
		ok  bool
	}{
		{"https://app.example.com/callback", true},
		{"http://localhost:3000/api/auth/callback/logto", true},
		{"io.logto.app:/callback", true},
		{"com.example.app://callback", true},
		{"https://*.example.com/callback", true},
		{"https://app.example.com/callback#frag", false},
		{"/relative/callback", false},
		{"app.example.com/callback", false},
		{"https:///no-host", false},
		{"https://app.example.com/a/../b", false},
		{"*://app.example.com/cb", false},
		{"https://app.example.com/cb?x=*", false},
		{"javascript:alert(1)", false},
		{"data:text/html,x", false},
		{"HTTP://upper.example.com", true}, // the scheme is case-insensitive (RFC 3986 §3.1), as in Logto
		{"", false},
		{"https://app.example.com/ cb", false},
	}
	for _, tc := range tests {
		err := core.CheckRedirectURI(tc.uri)
		if (err == nil) != tc.ok {
			t.Errorf("core.CheckRedirectURI(%q) = %v; want ok=%v", tc.uri, err, tc.ok)
		}
	}
}

func TestCreateApplicationWithRoles(t *testing.T) {
	env := newEnv(t, Options{})
	ctx := env.ctx

	created, err := env.svc.CreateApplicationWithRoles(ctx, model.DefaultTenantID, applications.CreateApplicationInput{
		Name: "provisioner", Type: model.AppMachineToMachine}, []string{model.ManagementAPIAccessRoleName})
	mustNoErr(t, err)
	if len(created.Secret) != 32 {
		t.Fatalf("secret %q; want 32 characters", created.Secret)
	}
	roles, total, err := env.svc.ApplicationRoles(ctx, model.DefaultTenantID, created.ID, "", model.Page{})
	mustNoErr(t, err)
	if total != 1 || roles[0].Name != model.ManagementAPIAccessRoleName {
		t.Errorf("roles = %+v (%d)", roles, total)
	}
	secrets, err := env.svc.ListSecrets(ctx, model.DefaultTenantID, created.ID)
	mustNoErr(t, err)
	if len(secrets) != 1 || secrets[0].Name != applications.DefaultSecretName || secrets[0].Value != created.Secret {
		t.Errorf("secrets = %+v", secrets)
	}

	// An unknown role rolls the whole creation back.
	_, err = env.svc.CreateApplicationWithRoles(ctx, model.DefaultTenantID, applications.CreateApplicationInput{
		Name: "orphan", Type: model.AppMachineToMachine}, []string{"no such role"})
	wantCode(t, err, http.StatusNotFound, "entity.not_exists")
	apps, _, err := env.svc.ListApplications(ctx, model.DefaultTenantID, model.ApplicationFilter{Search: "orphan"}, model.Page{})
	mustNoErr(t, err)
	if len(apps) != 0 {
		t.Errorf("application created despite the failed role assignment: %+v", apps)
	}

	// Roles are for machine-to-machine applications only.
	_, err = env.svc.CreateApplicationWithRoles(ctx, model.DefaultTenantID, applications.CreateApplicationInput{
		Name: "spa", Type: model.AppSPA}, []string{model.ManagementAPIAccessRoleName})
	wantCode(t, err, http.StatusUnprocessableEntity, "application.invalid_type")

	// Public clients get no secret.
	spa, err := env.svc.CreateApplication(ctx, model.DefaultTenantID, applications.CreateApplicationInput{Name: "web", Type: model.AppSPA,
		RedirectURIs: []string{"https://app.example.com/cb"}})
	mustNoErr(t, err)
	if spa.Secret != "" {
		t.Errorf("SPA secret = %q; want none", spa.Secret)
	}
}
