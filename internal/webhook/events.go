package webhook

import "slices"

// Events are the events a hook may subscribe to: Logto's hookEvents
// (schemas/src/foundations/jsonb-types/hooks.ts) without the dev-feature-gated TrustedDevice
// ones. Gatehouse accepts every one so a Logto hook configuration carries over, and sends those
// it raises (docs/webhooks.md lists them).
var events = []string{
	"PostRegister", "PostSignIn", "PostSignInAdaptiveMfaTriggered", "PostResetPassword",
	"User.Created", "User.Deleted", "User.Data.Updated", "User.SuspensionStatus.Updated",
	"Role.Created", "Role.Deleted", "Role.Data.Updated", "Role.Scopes.Updated",
	"Scope.Created", "Scope.Deleted", "Scope.Data.Updated",
	"Organization.Created", "Organization.Deleted", "Organization.Data.Updated", "Organization.Membership.Updated",
	"OrganizationRole.Created", "OrganizationRole.Deleted", "OrganizationRole.Data.Updated", "OrganizationRole.Scopes.Updated",
	"OrganizationScope.Created", "OrganizationScope.Deleted", "OrganizationScope.Data.Updated",
	"Identifier.Lockout", "Message.RateLimited", "Grant.LimitExceeded",
}

// Events returns the events a hook may subscribe to, in Logto's order.
func Events() []string { return slices.Clone(events) }

// ValidEvent reports whether a hook may subscribe to event.
func ValidEvent(event string) bool { return slices.Contains(events, event) }

// IsInteractionEvent reports whether event is one of Logto's InteractionHookEvent values, whose
// payload describes an interaction rather than a data change.
func IsInteractionEvent(event string) bool {
	switch event {
	case "PostRegister", "PostSignIn", "PostSignInAdaptiveMfaTriggered", "PostResetPassword":
		return true
	}
	return false
}
