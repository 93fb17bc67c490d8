package console

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/connectors"
)

// Connectors is what the console's connector page needs.
type Connectors interface {
	ListConnectors(ctx context.Context, tenantID, target string) ([]connectors.View, error)
	CreateConnector(ctx context.Context, tenantID string, in connectors.CreateInput) (connectors.View, error)
}

// connRow is one connector in the list, with the callback URL to register at the provider.
type connRow struct{ ID, Name, Type, Target, Callback string }

func (c *Console) serveConns(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok {
		return
	}
	c.renderConns(w, r, http.StatusOK, d)
}

func (c *Console) renderConns(w http.ResponseWriter, r *http.Request, status int, d *page) {
	list, err := c.o.Conns.ListConnectors(r.Context(), model.DefaultTenantID, "")
	if err != nil {
		c.internal(w, r, err)
		return
	}
	for _, v := range list {
		name := v.Name["en"]
		if n := v.Name[d.Lang]; n != "" {
			name = n
		}
		d.Conns = append(d.Conns, connRow{ID: v.ID, Name: name, Type: string(v.Type), Target: v.Target,
			Callback: strings.TrimSuffix(c.o.UserIssuer, "/oidc") + "/callback/" + v.ID})
	}
	c.render(w, r, status, "connectors", d)
}

// connectorInput turns one of the page's forms into the Management API's create input: the
// generic OAuth 2.0 form (with its target and name as metadata) or GitHub's.
func connectorInput(r *http.Request) (connectors.CreateInput, error) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	cfg := map[string]any{"clientId": f("clientId"), "clientSecret": f("clientSecret")}
	in := connectors.CreateInput{ConnectorID: f("factory")}
	if in.ConnectorID == "oauth2" {
		for _, k := range []string{"authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint", "scope", "tokenEndpointResponseType"} {
			if v := f(k); v != "" {
				cfg[k] = v
			}
		}
		if pm := f("profileMap"); pm != "" {
			cfg["profileMap"] = json.RawMessage(pm)
		}
		meta, err := json.Marshal(map[string]any{"target": f("target"), "name": map[string]string{"en": f("name")}})
		if err != nil {
			return in, err
		}
		in.Metadata = meta
	}
	raw, err := json.Marshal(cfg)
	in.Config = raw
	return in, err
}

// postConn adds a connector through the Management API's use-case (its rules and messages).
func (c *Console) postConn(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.conns_heading")
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if r.ParseForm() != nil || !sameToken(d.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	in, err := connectorInput(r)
	if err == nil {
		_, err = c.o.Conns.CreateConnector(r.Context(), model.DefaultTenantID, in)
	}
	if err != nil {
		if json.Valid([]byte(r.PostFormValue("profileMap"))) || r.PostFormValue("profileMap") == "" {
			d.Error = apiMessage(err)
		} else {
			d.Error = d.Msg.T("console.conn_bad_map")
		}
		if d.Error == "" {
			c.internal(w, r, err)
			return
		}
		c.renderConns(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/connectors", http.StatusSeeOther)
}
