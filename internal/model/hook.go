package model

import "encoding/json"

// Hook is a webhook subscription (Logto table `hooks`). SigningKey is stored sealed and is
// returned by the Management API, as Logto does.
type Hook struct {
	TenantID   string     `json:"tenantId"`
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Event      *string    `json:"event"`  // Logto's legacy single event; matched only when Events is empty
	Events     []string   `json:"events"` // never nil
	Config     HookConfig `json:"config"`
	SigningKey string     `json:"signingKey"`
	Enabled    bool       `json:"enabled"`
	CreatedAt  int64      `json:"createdAt"` // epoch ms
}

// HookConfig is where and how a hook's requests go.
type HookConfig struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	// Retries is Logto's deprecated 0..3 setting, kept for compatibility; Gatehouse's delivery
	// retries every event until its attempt limit whatever it says.
	Retries *int `json:"retries,omitempty"`
}

// Subscribes reports whether the hook is enabled and wants event (Logto: `events` wins when
// non-empty, otherwise the legacy `event` is compared).
func (h Hook) Subscribes(event string) bool {
	if !h.Enabled {
		return false
	}
	if len(h.Events) > 0 {
		for _, e := range h.Events {
			if e == event {
				return true
			}
		}
		return false
	}
	return h.Event != nil && *h.Event == event
}

// HookExecutionStats is Logto's executionStats: deliveries attempted and succeeded in the last
// 24 hours.
type HookExecutionStats struct {
	RequestCount int `json:"requestCount"`
	SuccessCount int `json:"successCount"`
}

// DeliveryStatus is where a webhook delivery stands in the outbox.
type DeliveryStatus string

// The delivery states: pending (waiting for its next attempt), delivered (a 2xx answer), dead
// (the attempt limit was reached; only a manual redeliver sends it again).
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryDead      DeliveryStatus = "dead"
)

// Delivery is one event for one hook in the outbox: the exact body is fixed when the change
// commits, so every attempt sends the same bytes (signed with the hook's key at send time).
type Delivery struct {
	TenantID      string          `json:"tenantId"`
	ID            string          `json:"id"`
	HookID        string          `json:"hookId"`
	Event         string          `json:"event"`
	Body          json.RawMessage `json:"-"` // the exact request body
	Status        DeliveryStatus  `json:"status"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt int64           `json:"nextAttemptAt"` // epoch ms; meaningful while pending
	LastStatus    *int            `json:"lastResponseStatus"`
	LastError     *string         `json:"lastError"`
	CreatedAt     int64           `json:"createdAt"`
	UpdatedAt     int64           `json:"updatedAt"`
	// ClaimToken is set by ClaimDeliveries: only the worker holding it may record the outcome.
	ClaimToken string `json:"-"`
}

// DeliveryOutcome is the result of one attempt, written back by the worker that claimed it.
type DeliveryOutcome struct {
	Status        DeliveryStatus // delivered, pending (retry at NextAttemptAt) or dead
	NextAttemptAt int64
	ResponseCode  *int    // nil when no HTTP answer came
	Error         *string // nil on success; never holds a secret
	At            int64
	// NotAttempted records a decision taken without a request (the hook was disabled since the
	// delivery was queued): the attempt count and the last answer stay as they were.
	NotAttempted bool
}

// DeliveryFilter narrows Deliveries.List; zero values do not filter.
type DeliveryFilter struct {
	HookID string
	Status DeliveryStatus
}

// LogResult is Logto's log payload `result`.
const (
	LogSuccess = "Success"
	LogError   = "Error"
)

// Log is an audit log entry (Logto table `logs`): Key is Logto's log key
// ("Interaction.SignIn.Submit", "ExchangeTokenBy.ClientCredentials", "TriggerHook.<event>", …)
// and Payload a JSON object with at least `key` and `result`, and where known `ip`,
// `userAgent`, `userId`, `applicationId`, `sessionId`. Payloads never hold a secret.
type Log struct {
	TenantID  string          `json:"tenantId"`
	ID        string          `json:"id"`
	Key       string          `json:"key"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt int64           `json:"createdAt"` // epoch ms
}

// LogFilter narrows Logs.List and Logs.Count (Logto's LogCondition); zero values do not
// filter. Start and End are inclusive epoch-ms bounds.
type LogFilter struct {
	Key           string   // exact key
	KeyPrefixes   []string // the key starts with one of these
	UserID        string   // payload.userId
	ApplicationID string   // payload.applicationId
	HookID        string   // payload.hookId
	Result        string   // payload.result, "Success" or "Error" (the console's filter; Logto's API has none)
	Start, End    *int64
}

// LogQuery is the filters and paging of GET /api/logs, GET /api/users/:id/logs and GET
// /api/hooks/:id/recent-logs (Logto's logKey, userId, applicationId, start_time, end_time,
// enableCap, page and page_size).
type LogQuery struct {
	Filter LogFilter
	Capped bool // count at most 10,000 entries and say whether there were more
	Page   Page
}

// The hook events Gatehouse raises (Logto's hookEvents; webhook.Events lists every event a hook
// may subscribe to).
const (
	EventPostRegister      = "PostRegister"
	EventPostSignIn        = "PostSignIn"
	EventPostResetPassword = "PostResetPassword"

	EventUserCreated           = "User.Created"
	EventUserDeleted           = "User.Deleted"
	EventUserDataUpdated       = "User.Data.Updated"
	EventUserSuspensionUpdated = "User.SuspensionStatus.Updated"

	EventRoleCreated       = "Role.Created"
	EventRoleDeleted       = "Role.Deleted"
	EventRoleDataUpdated   = "Role.Data.Updated"
	EventRoleScopesUpdated = "Role.Scopes.Updated"

	EventScopeCreated     = "Scope.Created"
	EventScopeDeleted     = "Scope.Deleted"
	EventScopeDataUpdated = "Scope.Data.Updated"
)

// AuditEntry is an audit log entry a handler records outside a change's transaction (a token
// exchange, a failed password check): its key and the payload members Logto sets. The client
// address and agent come from the context's Origin. No member may hold a secret, a password or
// a token.
type AuditEntry struct {
	Key           string
	Failed        bool   // result Error instead of Success
	Error         any    // what went wrong: a string or a small object such as {error, error_description}
	UserID        string //
	ApplicationID string //
	SessionID     string // the interaction id
	Params        map[string]any
	TokenTypes    []string // token exchanges: the kinds issued (AccessToken, RefreshToken, IdToken)
	Scope         string   // token exchanges: the access token's scope
}
