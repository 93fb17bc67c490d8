package model

import "encoding/json"

// Connector is a connector instance (Logto table `connectors`): ConnectorID names its factory
// ("oauth2", "github-universal", …), Config is the factory's config (stored sealed: it holds
// client secrets), Metadata the admin's overrides {target, name, logo, logoDark} of a standard
// connector.
type Connector struct {
	TenantID           string          `json:"tenantId"`
	ID                 string          `json:"id"`
	ConnectorID        string          `json:"connectorId"`
	Config             json.RawMessage `json:"config"`
	Metadata           json.RawMessage `json:"metadata"`
	SyncProfile        bool            `json:"syncProfile"`
	EnableTokenStorage bool            `json:"enableTokenStorage"`
	CreatedAt          int64           `json:"createdAt"`
}
