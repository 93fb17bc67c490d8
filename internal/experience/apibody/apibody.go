package apibody

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

// MaxBodyBytes bounds an Experience API body: the largest real one is a password check, a
// few hundred bytes.
const MaxBodyBytes = 16 << 10

// Length limits of body strings: identifiers fit Logto's varchar(128) columns with room to
// spare, and no password policy allows more than 256 characters; longer input is refused
// before it reaches the database or the hasher.
const (
	MaxIdentifierLen = 256
	MaxPasswordLen   = 1024
	MaxIDLen         = 64
	// MaxURLLen bounds a callback URL and each provider callback parameter (codes, states).
	MaxURLLen = 2048
)

// ReadBody reads r's body within MaxBodyBytes.
func ReadBody(r *http.Request) ([]byte, error) {
	raw, err := httpx.ReadBody(r, MaxBodyBytes)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return nil, experr.BodyTooLarge(MaxBodyBytes)
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

// CheckString refuses a string that is missing (when required) or too long.
func CheckString(key, value string, required bool, limit int) error {
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

// ParseEvent reads {interactionEvent, captchaToken?} (PUT /api/experience and
// PUT /api/experience/interaction-event).
func ParseEvent(raw []byte) (string, error) {
	var body struct {
		InteractionEvent string `json:"interactionEvent"`
		CaptchaToken     string `json:"captchaToken"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return "", err
	}
	switch body.InteractionEvent {
	case "SignIn", "Register", "ForgotPassword":
		return body.InteractionEvent, nil
	case "":
		return "", experr.InvalidInput("interactionEvent is required.")
	}
	return "", experr.InvalidInput("interactionEvent must be SignIn, Register or ForgotPassword.")
}

// ParsePassword reads {identifier: {type, value}, password}
// (POST /api/experience/verification/password).
func ParsePassword(raw []byte) (Identifier, string, error) {
	var body struct {
		Identifier *Identifier `json:"Identifier"`
		Password   string      `json:"password"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return Identifier{}, "", err
	}
	if body.Identifier == nil {
		return Identifier{}, "", experr.InvalidInput("Identifier is required.")
	}
	id := *body.Identifier
	switch id.Type {
	case model.IdentifierUsername, model.IdentifierEmail, model.IdentifierPhone:
	default:
		return Identifier{}, "", experr.InvalidInput("Identifier.type must be username, email or phone.")
	}
	if err := CheckString("Identifier.value", id.Value, true, MaxIdentifierLen); err != nil {
		return Identifier{}, "", err
	}
	if err := CheckString("password", body.Password, true, MaxPasswordLen); err != nil {
		return Identifier{}, "", err
	}
	return id, body.Password, nil
}

// ParseIdentification reads {verificationId?, linkSocialIdentity?}
// (POST /api/experience/identification).
func ParseIdentification(raw []byte) (verificationID string, linkSocial bool, err error) {
	var body struct {
		VerificationID     string `json:"verificationId"`
		LinkSocialIdentity bool   `json:"linkSocialIdentity"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return "", false, err
	}
	if err := CheckString("verificationId", body.VerificationID, false, MaxIDLen); err != nil {
		return "", false, err
	}
	return body.VerificationID, body.LinkSocialIdentity, nil
}

// SocialStart is POST …/verification/social/:connectorId/authorization-uri.
type SocialStart struct {
	State       string `json:"state"`
	RedirectURI string `json:"redirectUri"`
	Scope       string `json:"scope"`
}

// ParseSocialStart reads {state, redirectUri, scope?}: the state the client will check,
// and an absolute http(s) callback URL the provider sends the browser back to.
func ParseSocialStart(raw []byte) (SocialStart, error) {
	var body SocialStart
	if err := decodeBody(raw, &body); err != nil {
		return body, err
	}
	if err := CheckString("state", body.State, true, MaxIDLen*4); err != nil {
		return body, err
	}
	if err := CheckString("redirectUri", body.RedirectURI, true, MaxURLLen); err != nil {
		return body, err
	}
	if !model.IsHTTPURL(body.RedirectURI) {
		return body, experr.InvalidInput("redirectUri must be an absolute http(s) URL.")
	}
	return body, CheckString("scope", body.Scope, false, MaxURLLen)
}

// ParseSocialVerify reads {connectorData, verificationId}: connectorData is the provider's
// callback parameters, each a string (Logto's connectorData record).
func ParseSocialVerify(raw []byte) (string, url.Values, error) {
	var body struct {
		VerificationID string         `json:"verificationId"`
		ConnectorData  map[string]any `json:"connectorData"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return "", nil, err
	}
	if err := CheckString("verificationId", body.VerificationID, true, MaxIDLen); err != nil {
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
		if err := CheckString("connectorData."+k, str, false, MaxURLLen); err != nil {
			return "", nil, err
		}
		params.Set(k, str)
	}
	return body.VerificationID, params, nil
}

// ParseProfile reads one of Logto's profile payloads (POST /api/experience/profile):
// {type: username|password, value}, {type: email|phone|social, verificationId} — and, for a
// tenant that does not require email verification, {type: email, value}.
func ParseProfile(raw []byte) (ProfileInput, error) {
	var body struct {
		Type           string          `json:"type"`
		Value          string          `json:"value"`
		VerificationID string          `json:"verificationId"`
		Values         json.RawMessage `json:"values"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return ProfileInput{}, err
	}
	in := ProfileInput{Type: body.Type, Value: body.Value, VerificationID: body.VerificationID}
	switch body.Type {
	case model.IdentifierUsername:
		return in, CheckString("value", in.Value, true, MaxIdentifierLen)
	case "password":
		return in, CheckString("value", in.Value, true, MaxPasswordLen)
	case model.IdentifierEmail:
		if in.Value == "" && in.VerificationID == "" {
			return ProfileInput{}, experr.InvalidInput("value or verificationId is required.")
		}
		if err := CheckString("value", in.Value, false, MaxIdentifierLen); err != nil {
			return ProfileInput{}, err
		}
		return in, CheckString("verificationId", in.VerificationID, false, MaxIDLen)
	case model.IdentifierPhone, "social":
		return in, CheckString("verificationId", in.VerificationID, true, MaxIDLen)
	case "extraProfile":
		return ProfileInput{}, experr.InvalidInput("extraProfile is not supported yet.")
	case "":
		return ProfileInput{}, experr.InvalidInput("type is required.")
	}
	return ProfileInput{}, experr.InvalidInput("%s", fmt.Sprintf("type %q is not one of username, password, email, phone, social or extraProfile.", body.Type))
}

// Identifier is Logto's VerificationIdentifier.
type Identifier struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// ProfileInput is one POST …/profile body (Logto's updateProfileApiPayloadGuard).
type ProfileInput struct {
	Type           string
	Value          string
	VerificationID string
}

// ParseCodeSend reads {identifier: {type, value}, interactionEvent}
// (POST /api/experience/verification/verification-code).
func ParseCodeSend(raw []byte) (Identifier, string, error) {
	var body struct {
		Identifier       *Identifier `json:"identifier"`
		InteractionEvent string      `json:"interactionEvent"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return Identifier{}, "", err
	}
	id, err := checkCodeIdentifier(body.Identifier)
	if err != nil {
		return Identifier{}, "", err
	}
	switch body.InteractionEvent {
	case "SignIn", "Register", "ForgotPassword", "":
		return id, body.InteractionEvent, nil
	}
	return Identifier{}, "", experr.InvalidInput("interactionEvent must be SignIn, Register or ForgotPassword.")
}

// ParseCodeVerify reads {identifier, verificationId, code}
// (POST /api/experience/verification/verification-code/verify).
func ParseCodeVerify(raw []byte) (id Identifier, verificationID, code string, err error) {
	var body struct {
		Identifier     *Identifier `json:"identifier"`
		VerificationID string      `json:"verificationId"`
		Code           string      `json:"code"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return Identifier{}, "", "", err
	}
	if id, err = checkCodeIdentifier(body.Identifier); err != nil {
		return Identifier{}, "", "", err
	}
	if err := CheckString("verificationId", body.VerificationID, true, MaxIDLen); err != nil {
		return Identifier{}, "", "", err
	}
	if err := CheckString("code", body.Code, true, 16); err != nil {
		return Identifier{}, "", "", err
	}
	return id, body.VerificationID, body.Code, nil
}

// checkCodeIdentifier checks the identifier a code goes to: an email or a phone number.
func checkCodeIdentifier(id *Identifier) (Identifier, error) {
	if id == nil {
		return Identifier{}, experr.InvalidInput("identifier is required.")
	}
	if id.Type != model.IdentifierEmail && id.Type != model.IdentifierPhone {
		return Identifier{}, experr.InvalidInput("identifier.type must be email or phone.")
	}
	return *id, CheckString("identifier.value", id.Value, true, MaxIdentifierLen)
}

// ParseNewPassword reads {password} (PUT /api/experience/profile/password).
func ParseNewPassword(raw []byte) (string, error) {
	var body struct {
		Password string `json:"password"`
	}
	if err := decodeBody(raw, &body); err != nil {
		return "", err
	}
	return body.Password, CheckString("password", body.Password, true, MaxPasswordLen)
}
