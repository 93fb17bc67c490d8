package experience

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/jsonbody"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// maxAPIBodyBytes bounds an Experience API body: the largest real one is a password check, a
// few hundred bytes.
const maxAPIBodyBytes = 16 << 10

// Length limits of body strings: identifiers fit Logto's varchar(128) columns with room to
// spare, and no password policy allows more than 256 characters; longer input is refused
// before it reaches the database or the hasher.
const (
	maxIdentifierLen = 256
	maxPasswordLen   = 1024
	maxIDLen         = 64
	// maxURLLen bounds a callback URL and each provider callback parameter (codes, states).
	maxURLLen = 2048
)

// readAPIBody reads r's body within maxAPIBodyBytes.
func readAPIBody(r *http.Request) ([]byte, error) {
	raw, err := httpx.ReadBody(r, maxAPIBodyBytes)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return nil, experr.BodyTooLarge(maxAPIBodyBytes)
	}
	if err != nil {
		return nil, experr.InvalidInput("It could not be read.")
	}
	return raw, nil
}

// decodeBody decodes raw, a JSON object or nothing, into dst (a pointer to a struct). Keys dst
// does not name are ignored, as Logto's zod guards strip them; anything that is not an object,
// values of the wrong type and NUL characters are refused with 400 guard.invalid_input.
func decodeBody(raw []byte, dst any) error {
	err := jsonbody.Decode(raw, dst, jsonbody.Options{UnknownKeys: jsonbody.Ignore})
	var e *jsonbody.Error
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Problem == jsonbody.NUL || e.Problem == jsonbody.NotJSON:
		return experr.InvalidInput("%s", e.Error())
	case e.Problem == jsonbody.NotObject:
		return experr.InvalidInput("Expected an object.")
	case e.Problem == jsonbody.WrongType && e.Path != "":
		return experr.InvalidInput("Expected %s at key %q but received %s.", goTypeName(e.Expected.Kind().String()), e.Path, e.Received)
	}
	return experr.InvalidInput("It does not have the expected shape.")
}

// goTypeName names a Go kind in the Experience API's messages ("int", "string", "object"…).
func goTypeName(kind string) string {
	switch kind {
	case "struct", "map":
		return "object"
	case "slice":
		return "array"
	case "bool":
		return "boolean"
	}
	return kind
}

// checkString refuses a string that is missing (when required) or too long.
func checkString(key, value string, required bool, limit int) error {
	if required && value == "" {
		return experr.InvalidInput("%s is required.", key)
	}
	if utf8.RuneCountInString(value) > limit {
		return experr.InvalidInput("%s is longer than %d characters.", key, limit)
	}
	if !utf8.ValidString(value) {
		return experr.InvalidInput("%s is not valid UTF-8.", key)
	}
	// Form posts can carry a NUL that JSON bodies cannot; PostgreSQL refuses it in text.
	if strings.IndexByte(value, 0) >= 0 {
		return experr.InvalidInput("%s must not contain NUL characters.", key)
	}
	return nil
}

// parseEventBody reads {interactionEvent, captchaToken?} (PUT /api/experience and
// PUT /api/experience/interaction-event).
func parseEventBody(raw []byte) (string, error) {
	var body struct {
		InteractionEvent string `json:"interactionEvent"`
		CaptchaToken     string `json:"captchaToken"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return "", err
	}
	switch body.InteractionEvent {
	case eventSignIn, eventRegister, eventForgotPassword:
		return body.InteractionEvent, nil
	case "":
		return "", experr.InvalidInput("interactionEvent is required.")
	}
	return "", experr.InvalidInput("interactionEvent must be SignIn, Register or ForgotPassword.")
}

// parsePasswordBody reads {identifier: {type, value}, password}
// (POST /api/experience/verification/password).
func parsePasswordBody(raw []byte) (identifier, string, error) {
	var body struct {
		Identifier *identifier `json:"identifier"`
		Password   string      `json:"password"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return identifier{}, "", err
	}
	if body.Identifier == nil {
		return identifier{}, "", experr.InvalidInput("identifier is required.")
	}
	id := *body.Identifier
	switch id.Type {
	case identifierUsername, identifierEmail, identifierPhone:
	default:
		return identifier{}, "", experr.InvalidInput("identifier.type must be username, email or phone.")
	}
	if err := checkString("identifier.value", id.Value, true, maxIdentifierLen); err != nil {
		return identifier{}, "", err
	}
	if err := checkString("password", body.Password, true, maxPasswordLen); err != nil {
		return identifier{}, "", err
	}
	return id, body.Password, nil
}

// parseIdentificationBody reads {verificationId?, linkSocialIdentity?}
// (POST /api/experience/identification).
func parseIdentificationBody(raw []byte) (verificationID string, linkSocial bool, err error) {
	var body struct {
		VerificationID     string `json:"verificationId"`
		LinkSocialIdentity bool   `json:"linkSocialIdentity"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return "", false, err
	}
	if err := checkString("verificationId", body.VerificationID, false, maxIDLen); err != nil {
		return "", false, err
	}
	return body.VerificationID, body.LinkSocialIdentity, nil
}

// socialStartBody is POST …/verification/social/:connectorId/authorization-uri.
type socialStartBody struct {
	State       string `json:"state"`
	RedirectURI string `json:"redirectUri"`
	Scope       string `json:"scope"`
}

// parseSocialStartBody reads {state, redirectUri, scope?}: the state the client will check,
// and an absolute http(s) callback URL the provider sends the browser back to.
func parseSocialStartBody(raw []byte) (socialStartBody, error) {
	var body socialStartBody
	if err := decodeBody(raw, &body); err != nil {
		return body, err
	}
	if err := checkString("state", body.State, true, maxIDLen*4); err != nil {
		return body, err
	}
	if err := checkString("redirectUri", body.RedirectURI, true, maxURLLen); err != nil {
		return body, err
	}
	if !model.IsHTTPURL(body.RedirectURI) {
		return body, experr.InvalidInput("redirectUri must be an absolute http(s) URL.")
	}
	return body, checkString("scope", body.Scope, false, maxURLLen)
}

// parseSocialVerifyBody reads {connectorData, verificationId}: connectorData is the provider's
// callback parameters, each a string (Logto's connectorData record).
func parseSocialVerifyBody(raw []byte) (string, url.Values, error) {
	var body struct {
		VerificationID string         `json:"verificationId"`
		ConnectorData  map[string]any `json:"connectorData"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return "", nil, err
	}
	if err := checkString("verificationId", body.VerificationID, true, maxIDLen); err != nil {
		return "", nil, err
	}
	if body.ConnectorData == nil {
		return "", nil, experr.InvalidInput("connectorData is required.")
	}
	params := url.Values{}
	for k, v := range body.ConnectorData {
		str, ok := v.(string)
		if !ok {
			continue // Logto's connectors read only string parameters
		}
		if err := checkString("connectorData."+k, str, false, maxURLLen); err != nil {
			return "", nil, err
		}
		params.Set(k, str)
	}
	return body.VerificationID, params, nil
}

// parseProfileBody reads one of Logto's profile payloads (POST /api/experience/profile):
// {type: username|password, value}, {type: email|phone|social, verificationId} — and, for a
// tenant that does not require email verification, {type: email, value}.
func parseProfileBody(raw []byte) (profileInput, error) {
	var body struct {
		Type           string          `json:"type"`
		Value          string          `json:"value"`
		VerificationID string          `json:"verificationId"`
		Values         json.RawMessage `json:"values"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return profileInput{}, err
	}
	in := profileInput{Type: body.Type, Value: body.Value, VerificationID: body.VerificationID}
	switch body.Type {
	case identifierUsername:
		return in, checkString("value", in.Value, true, maxIdentifierLen)
	case "password":
		return in, checkString("value", in.Value, true, maxPasswordLen)
	case identifierEmail:
		if in.Value == "" && in.VerificationID == "" {
			return profileInput{}, experr.InvalidInput("value or verificationId is required.")
		}
		if err := checkString("value", in.Value, false, maxIdentifierLen); err != nil {
			return profileInput{}, err
		}
		return in, checkString("verificationId", in.VerificationID, false, maxIDLen)
	case identifierPhone, "social":
		return in, checkString("verificationId", in.VerificationID, true, maxIDLen)
	case "extraProfile":
		return profileInput{}, experr.InvalidInput("extraProfile is not supported yet.")
	case "":
		return profileInput{}, experr.InvalidInput("type is required.")
	}
	return profileInput{}, experr.InvalidInput("%s", fmt.Sprintf("type %q is not one of username, password, email, phone, social or extraProfile.", body.Type))
}
