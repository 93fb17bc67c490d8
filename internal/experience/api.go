package experience

import (
	"errors"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/faults"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
)

// apiHandler handles one Experience API call on the request's interaction.
type apiHandler func(w http.ResponseWriter, r *http.Request, s *session, body []byte) error

// api finds the request's interaction (the _interaction cookie, entry picked by the
// Logto-App-Id header or the last one started), refuses one already submitted, reads the body,
// and writes the handler's error in Logto's shape.
func (e *Experience) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := e.serveAPI(w, r, h); err != nil {
			e.writeAPIError(w, r, err)
		}
	})
}

func (e *Experience) serveAPI(w http.ResponseWriter, r *http.Request, h apiHandler) error {
	if err := httpx.RequireJSON(r); err != nil {
		return experr.NotJSON()
	}
	uid, ok := e.cookies.InteractionUID(r, e.tenantID, "")
	if !ok {
		return experr.SessionNotFound()
	}
	s, err := e.load(r.Context(), uid)
	if err != nil {
		return err
	}
	if s.in.Result != nil {
		return experr.SessionNotFound()
	}
	body, err := apibody.ReadBody(r)
	if err != nil {
		return err
	}
	return h(w, r, s, body)
}

// writeAPIError answers with Logto's error body {code, message, data?}; a fault inside is
// logged with the request id and answered as a bare 500.
func (e *Experience) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		body := map[string]any{"code": ae.Code, "message": ae.Message}
		if ae.Data != nil {
			body["data"] = ae.Data
		}
		if ae.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		httpx.WriteJSON(w, ae.Status, body)
		return
	}
	e.internalError(r, err)
	if faults.DatabaseUnavailable(err) {
		httpx.WriteUnavailable(w)
		return
	}
	httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"message": "Internal server error."})
}

// serveAPICrossOriginDenied answers an Experience API write sent from another origin: Logto's
// 403 auth.forbidden shape, so Logto's sign-in UI shows it like any refusal.
func (e *Experience) serveAPICrossOriginDenied(w http.ResponseWriter, r *http.Request) {
	e.writeAPIError(w, r, experr.CrossOrigin())
}

func (e *Experience) internalError(r *http.Request, err error) {
	e.log.ErrorContext(r.Context(), "experience: internal error",
		"request_id", httpx.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
}

// PUT /api/experience {interactionEvent} → 204. Starts the interaction afresh.
func (e *Experience) handleStart(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	event, err := apibody.ParseEvent(body)
	if err != nil {
		return err
	}
	if err := e.forgotPasswordAvailable(r.Context(), event); err != nil {
		return err
	}
	if err := e.start(s, event); err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// PUT /api/experience/interaction-event {interactionEvent} → 204.
func (e *Experience) handleSetEvent(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	event, err := apibody.ParseEvent(body)
	if err != nil {
		return err
	}
	if err := e.forgotPasswordAvailable(r.Context(), event); err != nil {
		return err
	}
	if err := e.setEvent(s, event); err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sanitizedRecord is a verification record as GET …/interaction shows it.
type sanitizedRecord struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Identifier identifier `json:"identifier"`
	Verified   bool       `json:"verified"`
}

// GET /api/experience/interaction → 200 the interaction without secrets (Logto's
// toSanitizedJson: no password hash, no internal ids).
func (e *Experience) handleGetInteraction(w http.ResponseWriter, r *http.Request, s *session, _ []byte) error {
	if !s.st.Started() {
		return experr.InteractionNotStarted()
	}
	records := make([]sanitizedRecord, 0, len(s.st.VerificationRecords))
	for _, rec := range s.st.VerificationRecords {
		records = append(records, sanitizedRecord{ID: rec.ID, Type: rec.Type, Identifier: rec.Identifier, Verified: rec.Verified})
	}
	prof := map[string]string{}
	if s.st.Profile.Username != "" {
		prof["username"] = s.st.Profile.Username
	}
	if s.st.Profile.PrimaryEmail != "" {
		prof["primaryEmail"] = s.st.Profile.PrimaryEmail
	}
	out := map[string]any{
		"interactionEvent":    s.st.InteractionEvent,
		"profile":             prof,
		"verificationRecords": records,
		"mfa":                 map[string]any{},
		"captcha":             map[string]bool{"verified": false, "skipped": false},
	}
	if s.st.UserID != "" {
		out["userId"] = s.st.UserID
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// POST /api/experience/verification/password {identifier, password} → 200 {verificationId}.
func (e *Experience) handleVerifyPassword(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	id, password, err := apibody.ParsePassword(body)
	if err != nil {
		return err
	}
	verificationID, err := e.verifyPassword(r.Context(), s, id, password, httpx.ClientIP(r.Context()))
	if err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"verificationId": verificationID})
	return nil
}

// POST /api/experience/identification {verificationId?} → 204 (sign-in) or 201 (registered).
func (e *Experience) handleIdentification(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	verificationID, linkSocial, err := apibody.ParseIdentification(body)
	if err != nil {
		return err
	}
	created, err := e.identify(r.Context(), s, verificationID, linkSocial)
	if err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	if created {
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// POST /api/experience/profile {type, value | verificationId} → 204.
func (e *Experience) handleProfile(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	in, err := apibody.ParseProfile(body)
	if err != nil {
		return err
	}
	if err := e.setProfile(r.Context(), s, in, httpx.ClientIP(r.Context())); err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// POST /api/experience/submit → 200 {redirectTo: "<issuer>/auth/<uid>"}.
func (e *Experience) handleSubmit(w http.ResponseWriter, r *http.Request, s *session, _ []byte) error {
	redirectTo, err := e.submit(r.Context(), s)
	if err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	if redirectTo == "" { // a password reset: Logto answers 204
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"redirectTo": redirectTo})
	return nil
}

// POST /api/experience/verification/social/:connectorId/authorization-uri {state, redirectUri}
// → 200 {authorizationUri, verificationId}.
func (e *Experience) handleSocialStart(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	in, err := apibody.ParseSocialStart(body)
	if err != nil {
		return err
	}
	uri, verificationID, err := e.startSocial(r.Context(), s, r.PathValue("connectorId"), in)
	if err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"authorizationUri": uri, "verificationId": verificationID})
	return nil
}

// POST /api/experience/verification/social/:connectorId/verify {connectorData, verificationId}
// → 200 {verificationId}.
func (e *Experience) handleSocialVerify(w http.ResponseWriter, r *http.Request, s *session, body []byte) error {
	verificationID, params, err := apibody.ParseSocialVerify(body)
	if err != nil {
		return err
	}
	if err := e.verifySocial(r.Context(), s, r.PathValue("connectorId"), verificationID, params); err != nil {
		return err
	}
	if err := e.save(r.Context(), s); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"verificationId": verificationID})
	return nil
}
