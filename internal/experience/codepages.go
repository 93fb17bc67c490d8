package experience

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/experience/rules"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// signInAfterReset is the sign-in page telling the person their password was changed.
func signInAfterReset(clientID string) string {
	q := url.Values{"reset": {"done"}}
	if clientID != "" {
		q.Set("app_id", clientID)
	}
	return "/sign-in?" + q.Encode()
}

// The email-code pages: signing in (or up) with a code, and resetting a password.
const (
	pathEmailCode     = "/email-code"
	pathResetPassword = "/reset-password"
)

// codeEvent is the interaction event of an email-code page.
func codeEvent(path string) string {
	if path == pathResetPassword {
		return eventForgotPassword
	}
	return eventSignIn
}

// serveCodePage shows the first step, or explains that no email can be sent.
func (e *Experience) serveCodePage(path string) http.HandlerFunc {
	unavailable := e.serveUnavailable("reset_password")
	return func(w http.ResponseWriter, r *http.Request) {
		if !e.svc.HasEmailConnector(r.Context(), e.tenantID) {
			unavailable(w, r)
			return
		}
		if s, ok := e.formSession(w, r, "", "/sign-in"); ok {
			e.renderCode(w, r, s, path, http.StatusOK, "", codeView{Step: "email"})
		}
	}
}

func (e *Experience) renderCode(w http.ResponseWriter, r *http.Request, s *session, path string, status int, errText string, v codeView) {
	title := "title.email_code"
	if path == pathResetPassword {
		title = "title.reset_password"
	}
	d, ok := e.formPage(w, r, s, title, path, errText, false)
	if !ok {
		return
	}
	v.MinLength = policy.ResolvePasswordPolicy(s.exp.PasswordPolicy).MinLength()
	v.SignInURL = pageURL("/sign-in", s.in.ClientID)
	d.Code = v
	e.render(w, r, status, pageCode, d)
}

// postCodePage runs one step of an email-code page and shows the next.
func (e *Experience) postCodePage(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var v codeView
		e.postForm(w, r, func(s *session, ms i18n.Messages) (string, error) {
			v = codeView{Step: r.PostFormValue("step"), Email: strings.TrimSpace(r.PostFormValue("email")), Verification: r.PostFormValue("verification")}
			if err := checkCSRF(s, r.PostFormValue("csrf")); err != nil {
				return "", err
			}
			next, redirectTo, err := e.codeStep(r, s, ms, path, v)
			if err == nil && next.Step != "" {
				v = next
				err = errShowStep
			}
			return redirectTo, err
		}, func(s *session, status int, text string) {
			if text == "" {
				status = http.StatusOK
			}
			e.renderCode(w, r, s, path, status, text, v)
		})
	}
}

// errShowStep tells postCodePage to show the next step rather than redirect.
var errShowStep = &apperr.Error{Status: http.StatusOK, Code: "page.next_step", Data: pageMessageKey("")}

// codeStep carries out one step: it answers the next step to show, or where to go.
func (e *Experience) codeStep(r *http.Request, s *session, ms i18n.Messages, path string, v codeView) (codeView, string, error) {
	ctx, event := r.Context(), codeEvent(path)
	switch v.Step {
	case "email":
		if err := e.start(s, event); err != nil {
			return v, "", err
		}
		id, err := e.sendCode(ctx, s, identifier{Type: identifierEmail, Value: v.Email}, event, clientIP(r))
		if err != nil {
			return v, "", err
		}
		return codeView{Step: "code", Email: strings.ToLower(v.Email), Verification: id}, "", e.save(ctx, s)
	case "code":
		if err := e.verifyCode(ctx, s, identifier{Type: identifierEmail, Value: v.Email}, v.Verification, r.PostFormValue("code")); err != nil {
			return v, "", err
		}
		if event == eventForgotPassword {
			if _, err := e.identify(ctx, s, v.Verification, false); err != nil {
				return v, "", err
			}
			v.Step = "password"
			return v, "", e.save(ctx, s)
		}
		redirectTo, err := e.signInByCode(ctx, s, v.Verification)
		return codeView{}, redirectTo, err
	case "password":
		if r.PostFormValue("password") != r.PostFormValue("confirm_password") {
			return v, "", pageRefusal(ms, "error.passwords_mismatch")
		}
		if err := e.resetPassword(ctx, s, r.PostFormValue("password")); err != nil {
			return v, "", err
		}
		if _, err := e.submit(ctx, s); err != nil {
			return v, "", err
		}
		return codeView{}, signInAfterReset(s.in.ClientID), e.save(ctx, s)
	}
	return v, "", experr.InvalidInput("Unknown step.")
}

// signInByCode signs in the account of a verified code; without one, and when the sign-up
// settings take an email, it registers that address (Logto's page offers the same).
func (e *Experience) signInByCode(ctx context.Context, s *session, verificationID string) (string, error) {
	_, err := e.identify(ctx, s, verificationID, false)
	if ae, ok := apperr.As(err); ok && ae.Code == "user.user_not_exist" && s.exp.SignInMode != model.SignInModeSignIn {
		if collected, _ := rules.SignUpRule(s.exp, identifierEmail); collected {
			if err = e.setEvent(s, eventRegister); err == nil {
				_, err = e.identify(ctx, s, verificationID, false)
			}
		}
	}
	if err != nil {
		return "", err
	}
	redirectTo, err := e.submit(ctx, s)
	if err != nil {
		return "", err
	}
	return redirectTo, e.save(ctx, s)
}
