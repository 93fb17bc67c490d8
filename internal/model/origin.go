package model

import "context"

// Origin is who and what caused a change: the request's address and agent, and, for the
// Management API, its route (Logto's ManagementApiContext), or, for the Experience API, its
// interaction. Handlers put it in the request context; the event sink reads it when a change
// emits events, so webhook payloads and audit entries carry it without every use-case passing
// it along.
type Origin struct {
	IP        string
	UserAgent string

	// Management API: path relative to /api ("/users/abc"), method, the route pattern
	// ("/users/:userId"), its path parameters in pattern order, and the success status.
	Path         string
	Method       string
	MatchedRoute string
	Params       []Param
	Status       int

	// Experience API and sign-in: the interaction and its client.
	InteractionEvent string // SignIn, Register, ForgotPassword
	SessionID        string // the interaction id
	ApplicationID    string

	// Actor is the caller of the Management API: the M2M application or user the access token
	// was issued to, when known.
	ActorApplicationID string
	ActorUserID        string
}

// Param is one path parameter of a Management API route.
type Param struct {
	Name, Value string
}

type originKey struct{}

// WithOrigin returns ctx carrying o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the Origin ctx carries, or a zero Origin.
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
