package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// socialTarget is the load scenario's social connector target.
const socialTarget = "loadsocial"

// socialSetup is the scenario's upstream OAuth 2.0 provider (run by this tool on the loopback, so
// the figures measure Gatehouse and not a remote provider) and the connector pointing at it.
type socialSetup struct {
	upstream    string
	connectorID string
	mu          sync.Mutex
	codes       map[string]string // code → account
}

// setUpSocial starts the upstream, creates the connector, and links each load user to its
// upstream account (acct-<worker>) through the Management API.
func (fs *flowSetup) setUpSocial() error {
	s := &fs.social
	s.codes = map[string]string{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.upstream = "http://" + l.Addr().String()
	go func() { _ = http.Serve(l, s.handler()) }()
	cfg := map[string]any{
		"authorizationEndpoint": s.upstream + "/authorize", "tokenEndpoint": s.upstream + "/token", "userInfoEndpoint": s.upstream + "/user",
		"clientId": "load", "clientSecret": "load-secret", "tokenEndpointResponseType": "json",
	}
	var conn struct{ ID string }
	if err := fs.api(http.MethodPost, "/api/connectors", map[string]any{"connectorId": "oauth2", "config": cfg,
		"metadata": map[string]any{"target": socialTarget}}, &conn); err != nil {
		return err
	}
	s.connectorID = conn.ID
	for w, id := range fs.userIDs {
		if err := fs.api(http.MethodPut, "/api/users/"+id+"/identities/"+socialTarget, map[string]any{"userId": fmt.Sprintf("acct-%d", w)}, nil); err != nil {
			return err
		}
	}
	return nil
}

// handler is the upstream: /authorize redirects at once with a code for the account the
// worker names (acct), /token trades it for a token naming the account, /user answers it.
func (s *socialSetup) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		code := hex.EncodeToString(b)
		s.mu.Lock()
		s.codes[code] = q.Get("acct")
		s.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		acct, ok := s.codes[r.PostFormValue("code")]
		delete(s.codes, r.PostFormValue("code"))
		s.mu.Unlock()
		if !ok {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "at." + acct, "token_type": "bearer"})
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		acct := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer at.")
		_ = json.NewEncoder(w).Encode(map[string]string{"id": acct, "name": "Load " + acct})
	})
	return mux
}

// socialSteps: start, get the provider's URL, pass the provider, verify its callback, identify.
func (fc *flowClient) socialSteps(ctx context.Context, c *http.Client, api, clientID string) error {
	s := &fc.fs.social
	if _, err := fc.call(ctx, c, http.MethodPut, api, clientID, map[string]any{"interactionEvent": "SignIn"}); err != nil {
		return err
	}
	start, err := fc.call(ctx, c, http.MethodPost, api+"/verification/social/"+s.connectorID+"/authorization-uri", clientID,
		map[string]any{"state": "load-state", "redirectUri": fc.fs.base + "/callback/" + s.connectorID})
	if err != nil {
		return err
	}
	authURL, _ := start["authorizationUri"].(string)
	if authURL == "" {
		return errors.New("no authorizationUri")
	}
	back, err := fc.hop(ctx, c, http.MethodGet, authURL+"&acct=acct-"+strings.TrimPrefix(fc.user, "load_user_"), nil)
	if err != nil {
		return err
	}
	cb, err := url.Parse(back)
	if err != nil {
		return err
	}
	data := map[string]string{}
	for k := range cb.Query() {
		data[k] = cb.Query().Get(k)
	}
	v, err := fc.call(ctx, c, http.MethodPost, api+"/verification/social/"+s.connectorID+"/verify", clientID,
		map[string]any{"verificationId": start["verificationId"], "connectorData": data})
	if err != nil {
		return err
	}
	_, err = fc.call(ctx, c, http.MethodPost, api+"/identification", clientID, map[string]any{"verificationId": v["verificationId"]})
	return err
}
