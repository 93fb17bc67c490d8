package webhooks

import "github.com/gatehouse-id/gatehouse/internal/model"

// HookInput is POST /api/hooks: Events (non-empty; duplicates dropped) or the legacy Event is
// required; the server generates the id and the signing key.
type HookInput struct {
	Name    string
	Event   *string
	Events  []string
	Config  model.HookConfig
	Enabled *bool // default true
}

// HookPatch is PATCH /api/hooks/:id; nil members are left as they are. Event may be set to
// null (SetEvent true, Event nil).
type HookPatch struct {
	Name     *string
	SetEvent bool
	Event    *string
	Events   []string // nil: unchanged; when set it must be non-empty
	Config   *model.HookConfig
	Enabled  *bool
}
