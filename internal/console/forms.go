package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// maxForm bounds a console form's body.
const maxForm = 64 << 10

// readForm parses a console form and checks its CSRF token (a double submit of the session's
// token, on top of the cross-origin check on every console write). It answers 403 and returns
// false when the token is missing or wrong.
func (c *Console) readForm(w http.ResponseWriter, r *http.Request, d *page) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if r.ParseForm() != nil || !sameToken(d.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
		return false
	}
	return true
}

// fieldRule names the form field a refusal belongs to: the first rule one of whose hints occurs
// in the error's code or message (the Management API's messages name the field they refuse,
// e.g. "`redirectUris`" or "clientSecret").
type fieldRule struct {
	Field string
	Hints []string
}

// refuse shows the service's refusal on the form: next to the field it names, otherwise at
// the form's top. It returns false for a fault inside (not a refusal), which the caller answers
// with c.internal.
func refuse(d *page, err error, rules ...fieldRule) bool {
	ae, ok := apperr.As(err)
	if !ok {
		return false
	}
	text := ae.Message
	// The hosted pages' wording when they know the code (password rules, identifiers in use),
	// the API's own message otherwise.
	if localized := d.Msg.ErrorMessage(ae.Code, ae.Data); localized != d.Msg.T("error.generic") {
		text = localized
	}
	if ae.Code == formHasErrors { // the console's own check: its fields are already set
		rules = nil
	}
	for _, rule := range rules {
		for _, h := range rule.Hints {
			if strings.Contains(ae.Code, h) || strings.Contains(ae.Message, h) {
				if d.Fields == nil {
					d.Fields = map[string]string{}
				}
				d.Fields[rule.Field] = text
				d.Error = d.Msg.T("console.form_has_errors")
				return true
			}
		}
	}
	d.Error = text
	return true
}

// confirmed reports whether a destructive form's confirmation box was ticked; the forms carry
// a required checkbox, so this holds without JavaScript too.
func confirmed(r *http.Request) bool { return r.PostFormValue("confirm") == "yes" }

// refusal is a form-level refusal for a check the console makes itself (its field errors are
// already in d.Fields): refuse shows it at the top of the form.
func refusal(d *page) error {
	return apperr.New(http.StatusBadRequest, formHasErrors, "%s", d.Msg.T(formHasErrors))
}

// formHasErrors is the code (and wording key) of the console's own refusals.
const formHasErrors = "console.form_has_errors"

// missing answers a loader's failure: the friendly 404 page (key) when the use-case says the
// record does not exist, the fault page otherwise — a database that cannot be reached must not
// look like "no such user".
func (c *Console) missing(w http.ResponseWriter, r *http.Request, err error, key string) {
	if ae, ok := apperr.As(err); (ok && ae.Status == http.StatusNotFound) || errors.Is(err, model.ErrNotFound) {
		c.fail(w, r, http.StatusNotFound, key)
		return
	}
	c.internal(w, r, fmt.Errorf("console: load %s: %w", r.URL.Path, err))
}

// writeOn runs a detail page's write: the signed-in form with its CSRF token, the record
// (load answers 404 or the fault itself), then run. A refusal from run is shown on the page
// (tmpl, 400) next to the field rules name; next "" shows the page again (run set a notice);
// otherwise the browser goes to next (Post/Redirect/Get).
func writeOn[V any](c *Console, w http.ResponseWriter, r *http.Request, titleKey, tmpl string,
	load func(http.ResponseWriter, *http.Request, *page) (V, bool), rules []fieldRule, run func(d *page, v V) (next string, err error)) {
	d, ok := c.signedIn(w, r, titleKey)
	if !ok || !c.readForm(w, r, d) {
		return
	}
	v, ok := load(w, r, d)
	if !ok {
		return
	}
	next, err := run(d, v)
	switch {
	case err != nil && !refuse(d, err, rules...):
		c.internal(w, r, err)
	case err != nil:
		c.render(w, r, http.StatusBadRequest, tmpl, d)
	case next == "":
		c.render(w, r, http.StatusOK, tmpl, d)
	default:
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

// confirm refuses a destructive form whose confirmation box is not ticked: next to field, or
// at the form's top when field is "".
func confirm(d *page, r *http.Request, field string) error {
	if confirmed(r) {
		return nil
	}
	if field == "" {
		return apperr.New(http.StatusBadRequest, formHasErrors, "%s", d.Msg.T("console.confirm_needed"))
	}
	d.Fields = map[string]string{field: d.Msg.T("console.confirm_needed")}
	return refusal(d)
}

// fieldRefusal refuses the form with msg next to field.
func fieldRefusal(d *page, field, msg string) error {
	d.Fields = map[string]string{field: msg}
	return refusal(d)
}

// afterWrite is where a detail page's write goes: "deleted" to the list, "saved" back to the
// page, both with their notice; any other notice is shown on the page at once ("").
func afterWrite(d *page, notice, list, page string) string {
	switch notice {
	case "deleted":
		return list + "?notice=deleted"
	case "saved":
		return page + "?notice=saved"
	}
	d.Notice = notice
	return ""
}
