package oidc

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/oidc/claims"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oauth"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
	"github.com/gatehouse-id/gatehouse/internal/service/directory"
)

// Size limits of an authorization request. A browser sends the whole request in a URL, so real
// requests stay far below these; anything larger is refused before it is parsed further, stored in
// an interaction or echoed anywhere.
const (
	maxAuthorizeRequestBytes = 32 << 10 // the whole query or form body
	maxAuthorizeParamBytes   = 8 << 10  // any one value (state, nonce, login_hint …)
)

// Prompt values (OIDC Core §3.1.2.1) the provider supports, as Logto's policy (login, consent)
// plus none.
const (
	promptNone    = "none"
	promptLogin   = "login"
	promptConsent = "consent"
)

// authorization is a validated authorization request: the client, the normalized parameters the
// interaction stores, and what only the first hop needs.
type authorization struct {
	client *directory.Client
	params model.AuthParams
	// hintSubject is the `sub` of a valid id_token_hint: the user the client expects.
	hintSubject string
	// identifier and oneTimeToken are Logto extra parameters passed on to the sign-in page.
	identifier, oneTimeToken string
}

func (a *authorization) target() *responseTarget { return targetOf(a.params) }

func targetOf(p model.AuthParams) *responseTarget {
	return &responseTarget{redirectURI: p.RedirectURI, mode: p.ResponseMode, state: p.State}
}

func (a *authorization) hasPrompt(p string) bool { return slices.Contains(a.params.Prompt, p) }

// readAuthorizeParams reads the authorization request's parameters: the query of a GET, the form
// body of a POST (OIDC Core §3.1.2.1; Logto's koa-oidc-post-to-get).
func readAuthorizeParams(r *http.Request) (url.Values, *oautherr.Error) {
	if r.Method != http.MethodPost {
		return parseAuthorizeParams(r.URL.RawQuery)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oautherr.BadRequest("only application/x-www-form-urlencoded content-type bodies are supported on POST /auth")
	}
	body, err := httpx.ReadBody(r, maxAuthorizeRequestBytes)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return nil, requestTooLarge()
	}
	if err != nil {
		return nil, oautherr.BadRequest("could not read the request body")
	}
	return parseAuthorizeParams(string(body))
}

func requestTooLarge() *oautherr.Error {
	return oautherr.BadRequest("the authorization request is too large")
}

// parseAuthorizeParams decodes an urlencoded parameter string and refuses what no legitimate
// client sends: more than maxAuthorizeRequestBytes, a value over maxAuthorizeParamBytes, NUL bytes
// or invalid UTF-8, and a parameter given twice (RFC 6749 §3.1), `resource` excepted (RFC 8707
// §2). A comma-separated resource is split into several, as Logto's koa-resource-param does.
// These refusals are answered as JSON, never redirected: nothing of such a request is trusted.
func parseAuthorizeParams(raw string) (url.Values, *oautherr.Error) {
	if len(raw) > maxAuthorizeRequestBytes {
		return nil, requestTooLarge()
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, oautherr.BadRequest("the authorization request parameters are not valid application/x-www-form-urlencoded")
	}
	var repeated []string
	for name, values := range v {
		if oerr := checkAuthorizeParam(name, values); oerr != nil {
			return nil, oerr
		}
		if len(values) > 1 && name != "resource" {
			repeated = append(repeated, name)
		}
	}
	if len(repeated) > 0 {
		sort.Strings(repeated)
		return nil, oautherr.BadRequest("'" + apperr.Clip(repeated[0], 32) + "' parameter must not be provided twice")
	}
	if resources := v["resource"]; len(resources) > 0 {
		v["resource"] = splitResources(resources)
	}
	return v, nil
}

// checkAuthorizeParam refuses a parameter name or value that is not valid UTF-8, holds a NUL
// byte, or is longer than maxAuthorizeParamBytes.
func checkAuthorizeParam(name string, values []string) *oautherr.Error {
	if !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
		return oautherr.BadRequest("parameter names must be valid UTF-8")
	}
	for _, value := range values {
		if len(value) > maxAuthorizeParamBytes {
			return oautherr.BadRequest("'" + apperr.Clip(name, 32) + "' parameter is too long")
		}
		if strings.IndexByte(value, 0) >= 0 || !utf8.ValidString(value) {
			return oautherr.BadRequest("'" + apperr.Clip(name, 32) + "' parameter must be valid UTF-8 without NUL bytes")
		}
	}
	return nil
}

// splitResources splits comma-separated resource values, as Logto's koa-resource-param does.
func splitResources(resources []string) []string {
	var split []string
	for _, r := range resources {
		for part := range strings.SplitSeq(r, ",") {
			if part != "" {
				split = append(split, part)
			}
		}
	}
	return split
}

// validateAuthorize checks an authorization request in the order oidc-provider does, so that
// clients see Logto's answers. Until the client and its redirect URI are known, errors are JSON;
// after that they go to the redirect URI (RFC 6749 §4.1.2.1).
func (p *Provider) validateAuthorize(ctx context.Context, v url.Values) (*authorization, *authzError) {
	client, aerr := p.authorizeClient(ctx, v.Get("client_id"))
	if aerr != nil {
		return nil, aerr
	}
	redirectURI, aerr := authorizeRedirectURI(client, v.Get("redirect_uri"))
	if aerr != nil {
		return nil, aerr
	}
	a := newAuthorization(client, redirectURI, v)
	to := a.target()
	fail := func(e *oautherr.Error) (*authorization, *authzError) { return nil, to.fail(e) }

	if oerr := checkResponseType(v, a.params.ResponseType, client); oerr != nil {
		return fail(oerr)
	}
	prompts, oerr := parsePrompt(v.Get("prompt"))
	if oerr != nil {
		return fail(oerr)
	}
	a.params.Prompt = prompts
	if oerr := a.setScopes(v); oerr != nil {
		return fail(oerr)
	}
	if oerr := checkPKCERequest(v, client); oerr != nil {
		return fail(oerr)
	}
	a.params.CodeChallenge = v.Get("code_challenge")
	a.params.CodeChallengeMethod = v.Get("code_challenge_method")
	if a.params.Resource, aerr = p.checkResources(ctx, v["resource"], to); aerr != nil {
		return nil, aerr
	}
	if !a.requestsOpenID() && len(a.params.Resource) == 0 {
		// Nothing could be granted: no ID token, no API. Logto fails such a request only after
		// the user signed in (access_denied); saying so up front spares them the sign-in.
		return fail(oautherr.New(http.StatusBadRequest, oautherr.InvalidScope,
			"openid scope must be requested when no resource is requested"))
	}
	if oerr := a.setMaxAge(v.Get("max_age")); oerr != nil {
		return fail(oerr)
	}
	if hint := v.Get("id_token_hint"); hint != "" {
		sub, ok := p.verifyIDTokenHint(ctx, hint, client.ID)
		if !ok {
			return fail(oautherr.BadRequest("could not validate id_token_hint"))
		}
		a.hintSubject = sub
	}
	a.setPassThrough(v)
	return a, nil
}

// authorizeClient finds the client of an authorization request; errors are JSON, as no redirect
// URI is trusted yet.
func (p *Provider) authorizeClient(ctx context.Context, clientID string) (*directory.Client, *authzError) {
	if clientID == "" {
		return nil, jsonError(oautherr.MissingParams("client_id"))
	}
	client, err := p.opts.Directory.Client(ctx, p.opts.TenantID, clientID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, jsonError(oautherr.New(http.StatusBadRequest, oautherr.InvalidClient, "client is invalid"))
	}
	if err != nil {
		return nil, internalAuthzError(err)
	}
	return client, nil
}

// authorizeRedirectURI is the request's redirect URI, which must be registered exactly (RFC 9700
// §4.1.3); errors are JSON, never sent to an unregistered URI.
func authorizeRedirectURI(client *directory.Client, redirectURI string) (string, *authzError) {
	if redirectURI == "" && len(client.OIDCClientMetadata.RedirectURIs) == 1 {
		// oidc-provider's allowOmittingSingleRegisteredRedirectUri (on by default).
		redirectURI = client.OIDCClientMetadata.RedirectURIs[0]
	}
	if redirectURI == "" {
		return "", jsonError(oautherr.MissingParams("redirect_uri"))
	}
	if !redirectURIAllowed(&client.Application, redirectURI) {
		return "", jsonError(oautherr.New(http.StatusBadRequest, oautherr.InvalidRedirectURI,
			"redirect_uri did not match any of the client's registered redirect_uris"))
	}
	return redirectURI, nil
}

// newAuthorization starts the validated request with what its error responses need: where and
// how to answer, and the state to echo.
func newAuthorization(client *directory.Client, redirectURI string, v url.Values) *authorization {
	responseType := normalizeResponseType(v.Get("response_type"))
	a := &authorization{client: client, params: model.AuthParams{
		ResponseType: responseType,
		RedirectURI:  redirectURI,
		State:        v.Get("state"),
		ResponseMode: v.Get("response_mode"),
	}}
	if !supportedResponseMode(a.params.ResponseMode) {
		a.params.ResponseMode = defaultResponseMode(responseType)
	}
	return a
}

// checkResponseType refuses request objects and dynamic registration (not supported), an
// unknown response_mode, and every response_type but code for a client that may use it.
func checkResponseType(v url.Values, responseType string, client *directory.Client) *oautherr.Error {
	switch {
	case v.Has("request"):
		return oautherr.New(http.StatusBadRequest, oautherr.RequestNotSupported, "")
	case v.Has("request_uri"):
		return oautherr.New(http.StatusBadRequest, oautherr.RequestURINotSupported, "")
	case v.Has("registration"):
		return oautherr.New(http.StatusBadRequest, oautherr.RegistrationNotSupported, "")
	case v.Get("response_mode") != "" && !supportedResponseMode(v.Get("response_mode")):
		return oautherr.New(http.StatusBadRequest, oautherr.UnsupportedResponseMode, "unsupported response_mode requested")
	case responseType == "":
		return oautherr.MissingParams("response_type")
	case responseType != "code":
		// Only the authorization code flow: RFC 9700 §2.1.2 retires the implicit grant.
		return oautherr.New(http.StatusBadRequest, oautherr.UnsupportedResponseType, "unsupported response_type requested")
	case !oauth.GrantAllowed(&client.Application, oauth.GrantAuthorizationCode):
		return oautherr.BadRequest("requested response_type is not allowed for this client")
	}
	return nil
}

// setScopes keeps the requested scopes (syntax checked, duplicates dropped, offline_access only
// where it may be granted) and refuses the OIDC-only parameters without the openid scope.
func (a *authorization) setScopes(v url.Values) *oautherr.Error {
	scope := v.Get("scope")
	if !validScopeSyntax(scope) {
		return oautherr.New(http.StatusBadRequest, oautherr.InvalidScope, "scope contains invalid characters")
	}
	var scopes []string
	for s := range strings.SplitSeq(scope, " ") {
		if s == "" || slices.Contains(scopes, s) {
			continue
		}
		// OIDC Core §11: offline_access is granted only with explicit consent (prompt=consent),
		// and only to a client that may refresh; otherwise it is dropped silently, as Logto does.
		if s == claims.OfflineAccess && (!a.hasPrompt(promptConsent) ||
			!oauth.GrantAllowed(&a.client.Application, oauth.GrantRefreshToken)) {
			continue
		}
		scopes = append(scopes, s)
	}
	a.params.Scope = strings.Join(scopes, " ")
	if a.requestsOpenID() {
		return nil
	}
	for _, gated := range []string{"acr_values", "claims_locales", "id_token_hint", "max_age", "nonce"} {
		if v.Has(gated) {
			return oautherr.BadRequest("openid scope must be requested when using the " + gated + " parameter")
		}
	}
	return nil
}

func (a *authorization) requestsOpenID() bool {
	return slices.Contains(strings.Fields(a.params.Scope), claims.OpenID)
}

// setMaxAge reads max_age (OIDC Core §3.1.2.1): seconds since the last authentication, where 0
// means prompt=login.
func (a *authorization) setMaxAge(raw string) *oautherr.Error {
	if raw == "" {
		return nil
	}
	maxAge, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || maxAge < 0 || maxAge > 1<<53-1 {
		return oautherr.BadRequest("invalid max_age parameter value")
	}
	if maxAge > 0 {
		a.params.MaxAge = &maxAge
	} else if !a.hasPrompt(promptLogin) {
		a.params.Prompt = append(a.params.Prompt, promptLogin)
	}
	return nil
}

// setPassThrough keeps the parameters the sign-in experience reads: nonce, hints, the first
// screen and Logto's extra parameters, each only in a form Logto accepts.
func (a *authorization) setPassThrough(v url.Values) {
	a.params.Nonce = v.Get("nonce")
	a.params.LoginHint = v.Get("login_hint")
	a.params.UILocales = v.Get("ui_locales")
	if screen := v.Get("first_screen"); experienceRoutes[screen] != "" {
		a.params.FirstScreen = screen
	}
	if mode := v.Get("interaction_mode"); mode == "signIn" || mode == "signUp" {
		a.params.InteractionMode = mode
	}
	if method, target, ok := strings.Cut(v.Get("direct_sign_in"), ":"); ok && (method == "social" || method == "sso") && target != "" {
		a.params.DirectSignIn = method + ":" + target
	}
	a.identifier, a.oneTimeToken = v.Get("identifier"), v.Get("one_time_token")
}

func normalizeResponseType(raw string) string {
	parts := strings.Fields(raw)
	sort.Strings(parts)
	return strings.Join(slices.Compact(parts), " ")
}

// parsePrompt reads the prompt parameter: known values only, and none alone (OIDC Core §3.1.2.1).
func parsePrompt(raw string) ([]string, *oautherr.Error) {
	var out []string
	for _, p := range strings.Fields(raw) {
		switch p {
		case promptNone, promptLogin, promptConsent:
		default:
			return nil, oautherr.BadRequest("unsupported prompt value requested")
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if slices.Contains(out, promptNone) && len(out) > 1 {
		return nil, oautherr.BadRequest("prompt none must only be used alone")
	}
	return out, nil
}

// validScopeSyntax is RFC 6749 §3.3: scope tokens of NQCHAR (%x21 / %x23-5B / %x5D-7E) separated by
// single spaces. An absent scope is valid.
func validScopeSyntax(scope string) bool {
	if scope == "" {
		return true
	}
	for _, token := range strings.Split(scope, " ") {
		if token == "" {
			return false
		}
		for i := 0; i < len(token); i++ {
			c := token[i]
			if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
				return false
			}
		}
	}
	return true
}

// checkPKCERequest is the authorization endpoint's half of PKCE (RFC 7636 §4.3, RFC 9700 §2.1.1):
// S256 is the only method (plain is refused), a method needs a challenge and a challenge a method,
// and public clients (SPA, Native) must use it. Confidential clients may, and then the token
// endpoint checks it too (Logto: pkce.required unless client_secret_basic), unless their
// customClientMetadata.requirePkce makes it mandatory for them as well.
func checkPKCERequest(v url.Values, client *directory.Client) *oautherr.Error {
	challenge, method := v.Get("code_challenge"), v.Get("code_challenge_method")
	switch {
	case method == "" && challenge != "":
		return oautherr.BadRequest("code_challenge_method must be provided")
	case method != "" && method != oauth.PKCEMethodS256:
		return oautherr.BadRequest("not supported value of code_challenge_method")
	case method != "" && challenge == "":
		return oautherr.BadRequest("code_challenge must be provided with code_challenge_method")
	case challenge == "" && client.PKCERequired():
		return oautherr.BadRequest("Authorization Server policy requires PKCE to be used for this request")
	case challenge != "":
		return oauth.CheckPKCEFormat(challenge, "code_challenge")
	}
	return nil
}

// checkResources resolves the RFC 8707 resource indicators: each an absolute URI without fragment
// (§2) naming one of the tenant's API resources. Without any, the tenant's default resource
// applies, as in Logto.
func (p *Provider) checkResources(ctx context.Context, indicators []string, to *responseTarget) ([]string, *authzError) {
	if len(indicators) == 0 {
		def, err := p.opts.Directory.DefaultResource(ctx, p.opts.TenantID)
		if errors.Is(err, model.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, internalAuthzError(err)
		}
		return []string{def.Indicator}, nil
	}
	var out []string
	for _, ind := range indicators {
		u, err := url.Parse(ind)
		if err != nil || u.Scheme == "" {
			return nil, to.fail(oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget, "resource indicator must be an absolute URI"))
		}
		if strings.Contains(ind, "#") {
			return nil, to.fail(oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget, "resource indicator must not contain a fragment component"))
		}
		if _, err := p.opts.Directory.Resource(ctx, p.opts.TenantID, ind); errors.Is(err, model.ErrNotFound) {
			return nil, to.fail(oautherr.New(http.StatusBadRequest, oautherr.InvalidTarget, "resource indicator is missing, or unknown"))
		} else if err != nil {
			return nil, internalAuthzError(err)
		}
		if !slices.Contains(out, ind) {
			out = append(out, ind)
		}
	}
	return out, nil
}

// verifyIDTokenHint checks an id_token_hint is an ID token this provider issued to the client
// (signature, iss, aud) and returns its subject. Expiry is not checked: a hint names a user, it
// grants nothing, and RP-initiated flows routinely send old ID tokens.
func (p *Provider) verifyIDTokenHint(ctx context.Context, hint, clientID string) (string, bool) {
	sub, aud, ok := p.idTokenHintClaims(ctx, hint)
	if !ok || sub == "" || !slices.Contains(aud, clientID) {
		return "", false
	}
	return sub, true
}

func internalAuthzError(err error) *authzError {
	e := oautherr.Fault(err)
	e.Detail = err.Error()
	return jsonError(e)
}
