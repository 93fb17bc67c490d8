package oidc

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/oidc/oautherr"
)

// Response modes (OAuth 2.0 Multiple Response Type Encoding Practices §2.1, Form Post Response
// Mode §2). Logto's provider serves all three; query is the default of response_type=code.
const (
	ModeQuery    = "query"
	ModeFragment = "fragment"
	ModeFormPost = "form_post"
)

func supportedResponseMode(mode string) bool {
	return mode == ModeQuery || mode == ModeFragment || mode == ModeFormPost
}

// defaultResponseMode is oidc-provider's resolveResponseMode: fragment for response types that
// return a token from the authorization endpoint, query otherwise.
func defaultResponseMode(responseType string) string {
	if strings.Contains(responseType, "token") {
		return ModeFragment
	}
	return ModeQuery
}

// responseTarget is where an authorization response goes once the redirect URI is trusted.
type responseTarget struct {
	redirectURI string
	mode        string
	state       string
}

// param is one member of an authorization response; responses keep oidc-provider's order
// (code or error first, then state, then iss).
type param struct{ name, value string }

// authzError is an authorization endpoint error. With a target the client gets it at its redirect
// URI (RFC 6749 §4.1.2.1); without one (no trusted redirect URI yet) the browser gets a JSON 400,
// so an attacker can never bounce errors off Gatehouse to an unregistered URI.
type authzError struct {
	err *oautherr.Error
	to  *responseTarget
}

func jsonError(e *oautherr.Error) *authzError { return &authzError{err: e} }

func (t *responseTarget) fail(e *oautherr.Error) *authzError { return &authzError{err: e, to: t} }

// writeAuthzError answers an authorization error as its target says.
func (p *Provider) writeAuthzError(w http.ResponseWriter, r *http.Request, e *authzError) {
	if e.err.Status >= 500 {
		p.opts.Log.ErrorContext(r.Context(), "authorization request failed",
			"request_id", httpx.RequestID(r.Context()), "err", e.err)
	}
	noStore(w)
	if e.to == nil {
		oautherr.Write(w, r, e.err)
		return
	}
	out := []param{{"error", e.err.Code}}
	if e.err.Description != "" {
		out = append(out, param{"error_description", e.err.Description})
	}
	if e.err.Scope != "" {
		out = append(out, param{"scope", e.err.Scope})
	}
	p.respond(w, r, *e.to, out)
}

// respond sends an authorization response: state (OIDC Core §3.1.2.5) and iss (RFC 9207 §2, so a
// client talking to several providers can tell which one answered) follow the members, in the
// response mode of t. Query and fragment responses are 303 redirects; form_post is a page that
// posts the members to the redirect URI at once.
func (p *Provider) respond(w http.ResponseWriter, r *http.Request, t responseTarget, members []param) {
	if t.state != "" {
		members = append(members, param{"state", t.state})
	}
	members = append(members, param{"iss", p.opts.Issuer})
	noStore(w)
	switch t.mode {
	case ModeFormPost:
		status := http.StatusOK
		if members[0].name == "error" {
			status = http.StatusBadRequest // as oidc-provider's form_post answers errors
		}
		writeAutoPostForm(w, status, t.redirectURI, members)
	case ModeFragment:
		base, _, _ := strings.Cut(t.redirectURI, "#")
		redirect(w, base+"#"+encodeParams(members))
	default:
		redirect(w, withQuery(t.redirectURI, members))
	}
}

// withQuery adds members to uri's query. The registered URI's own query is kept as it is (RFC
// 6749 §3.1.2: it "MUST be retained"); only a parameter of the same name as a member is replaced.
func withQuery(uri string, members []param) string {
	if len(members) == 0 {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil { // registered URIs parse; keep going with a plain append regardless
		return uri + "?" + encodeParams(members)
	}
	q := u.RawQuery
	if existing := u.Query(); len(existing) > 0 {
		for _, m := range members {
			if existing.Has(m.name) {
				for _, m := range members {
					existing.Del(m.name)
				}
				q = existing.Encode()
				break
			}
		}
	}
	if q != "" {
		q += "&"
	}
	u.RawQuery = q + encodeParams(members)
	return u.String()
}

func encodeParams(members []param) string {
	var b strings.Builder
	for i, m := range members {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(m.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(m.value))
	}
	return b.String()
}

// redirect answers 303 See Other, as Logto's provider does for every authorization hop.
func redirect(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusSeeOther)
}

// noStore keeps authorization responses out of caches: they carry codes and one-time state.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// autoPostForm is the page of form_post responses and of the logout confirmation: a form that
// submits itself on load, with a button for browsers without JavaScript. It loads nothing from
// anywhere, and html/template escapes every value.
var autoPostForm = template.Must(template.New("form").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
</head>
<body onload="document.forms[0].submit()">
<form id="{{.ID}}" method="post" action="{{.Action}}">
{{- range .Fields}}
<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{- end}}
<noscript><button type="submit" autofocus>Continue</button></noscript>
</form>
</body>
</html>
`))

type formField struct{ Name, Value string }

type autoPostPage struct {
	Title, ID string
	Action    template.URL // a registered or our own URI, never one from the request alone
	Fields    []formField
}

func writeAutoPostForm(w http.ResponseWriter, status int, action string, members []param) {
	if scriptScheme(action) {
		// A registered redirect URI that a browser would run as script, not navigate to: refuse
		// rather than put it in a form action, where html/template's own check is bypassed.
		http.Error(w, "invalid redirect_uri", http.StatusBadRequest)
		return
	}
	page := autoPostPage{Title: "Submitting Callback", ID: "form", Action: template.URL(action)}
	for _, m := range members {
		page.Fields = append(page.Fields, formField{m.name, m.value})
	}
	writePage(w, status, page)
}

// scriptScheme reports whether uri uses a scheme browsers execute or render inline.
func scriptScheme(uri string) bool {
	scheme, _, ok := strings.Cut(uri, ":")
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(scheme)) {
	case "javascript", "vbscript", "data", "file", "blob":
		return true
	}
	return false
}

func writePage(w http.ResponseWriter, status int, page autoPostPage) {
	var b strings.Builder
	if err := autoPostForm.Execute(&b, page); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page runs one inline handler and loads nothing. form-action stays open: a native app's
	// redirect URI may use its own scheme, which no source expression matches. The other headers
	// are the hosted pages' own: the fields carry a code or the logout secret, which must not
	// leak through Referer or a cache.
	httpx.PageHeaders(w, "default-src 'none'; script-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
