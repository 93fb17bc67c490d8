package connectors

import (
	"encoding/json"

	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// FactoryMetadata is a factory's metadata, embedded in the views under its own name.
type FactoryMetadata = connector.Metadata

// FactoryView is a factory as GET /api/connector-factories shows it: its type and metadata.
type FactoryView struct {
	Type connector.Type `json:"type"`
	FactoryMetadata
	IsDemo bool `json:"isDemo"`
}

// View is a connector as the Management API answers it (Logto's transpileLogtoConnector): the
// type, the factory's metadata with a standard connector's overrides, then the row's id,
// factory id, syncProfile, metadata, enableTokenStorage and config.
type View struct {
	Type connector.Type `json:"type"`
	FactoryMetadata
	ID                 string          `json:"id"`
	ConnectorID        string          `json:"connectorId"`
	SyncProfile        bool            `json:"syncProfile"`
	Metadata           json.RawMessage `json:"metadata"`
	EnableTokenStorage bool            `json:"enableTokenStorage"`
	IsDemo             bool            `json:"isDemo"`
	Config             json.RawMessage `json:"config"`
}

// overrides is what the admin may set on a standard connector (Logto's
// ConfigurableConnectorMetadata).
type overrides struct {
	Target   string            `json:"target,omitempty"`
	Name     map[string]string `json:"name,omitempty"`
	Logo     string            `json:"logo,omitempty"`
	LogoDark *string           `json:"logoDark,omitempty"`
}

func parseOverrides(raw json.RawMessage) overrides {
	var o overrides
	_ = json.Unmarshal(raw, &o) // checked when written
	return o
}

// effective is the factory's metadata with the row's overrides for a standard connector.
func effective(f connector.Factory, c model.Connector) connector.Metadata {
	m := f.Metadata()
	if !m.IsStandard {
		return m
	}
	o := parseOverrides(c.Metadata)
	if o.Target != "" {
		m.Target = o.Target
	}
	if len(o.Name) > 0 {
		m.Name = o.Name
	}
	if o.Logo != "" {
		m.Logo = o.Logo
	}
	if o.LogoDark != nil {
		m.LogoDark = o.LogoDark
	}
	return m
}

func view(f connector.Factory, c model.Connector) View {
	return View{Type: f.Type(), FactoryMetadata: effective(f, c), ID: c.ID, ConnectorID: c.ConnectorID,
		SyncProfile: c.SyncProfile, Metadata: model.ObjectOrEmpty(c.Metadata), EnableTokenStorage: c.EnableTokenStorage,
		Config: model.ObjectOrEmpty(c.Config)}
}
