package experience

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// FuzzExperienceBodies feeds arbitrary bytes to every Experience API body parser: none may
// panic, every refusal is a 400/413 Logto error, and what is accepted keeps the parsers' rules.
// The same bytes, taken as a password a user typed and JSON-encoded as the sign-in page or an
// SDK sends it, must be read back exactly unless the password itself breaks a rule (empty, too
// long, not UTF-8, NUL).
func FuzzExperienceBodies(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"interactionEvent":"SignIn"}`, `{"interactionEvent":"Register","captchaToken":"t"}`,
		`{"identifier":{"type":"username","value":"alice"},"password":"p"}`, `{"identifier":null,"password":7}`,
		`{"identifier":{"type":"email","value":"\u0000"},"password":"p"}`, `{"verificationId":"abc","linkSocialIdentity":true}`,
		`{"type":"username","value":"bob"}`, `{"type":"password","value":"x"}`, `{"type":"email","verificationId":"v"}`,
		`{"type":"extraProfile","values":{"a":1}}`, `{"type":"social"}`, `{"a":`, "\xff\xfe", `{"interactionEvent":"SignIn"} trailing`,
		`{"identifier":{"type":"email","value":"a@b.co"},"interactionEvent":"ForgotPassword"}`,
		`{"identifier":{"type":"email","value":"a@b.co"},"verificationId":"v","code":"123456"}`, `{"password":"N3w-Passw0rd!"}`,
		`{"state":"s","redirectUri":"https://a.example/callback/c"}`, `{"verificationId":"v","connectorData":{"code":"c","state":"s","n":1}}`,
	} {
		f.Add([]byte(seed))
	}
	refused := func(t *testing.T, parser string, err error) {
		t.Helper()
		ae, ok := apperr.As(err)
		if !ok || (ae.Status != 400 && ae.Status != 413) || ae.Code == "" {
			t.Fatalf("%s: refusal %v is not a 400/413 Logto error", parser, err)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if pw := string(raw); pw != "" && utf8.ValidString(pw) && strings.IndexByte(pw, 0) < 0 && utf8.RuneCountInString(pw) <= apibody.MaxPasswordLen {
			body, err := json.Marshal(map[string]any{"identifier": map[string]string{"type": "username", "value": "alice"}, "password": pw})
			if err != nil {
				t.Fatal(err)
			}
			if id, got, err := apibody.ParsePassword(body); err != nil || got != pw || id.Value != "alice" {
				t.Fatalf("password %q sent as %s read as %q (identifier %q): %v", pw, body, got, id.Value, err)
			}
		}
		if event, err := apibody.ParseEvent(raw); err != nil {
			refused(t, "event", err)
		} else if event != eventSignIn && event != eventRegister && event != eventForgotPassword {
			t.Fatalf("accepted event %q", event)
		}
		if id, pw, err := apibody.ParsePassword(raw); err != nil {
			refused(t, "password", err)
		} else if id.Value == "" || pw == "" || utf8.RuneCountInString(id.Value) > apibody.MaxIdentifierLen ||
			utf8.RuneCountInString(pw) > apibody.MaxPasswordLen || !utf8.ValidString(id.Value) {
			t.Fatalf("accepted identifier %+v / password of %d characters", id, len(pw))
		}
		if v, _, err := apibody.ParseIdentification(raw); err != nil {
			refused(t, "identification", err)
		} else if len(v) > 4*apibody.MaxIDLen {
			t.Fatalf("accepted a verificationId of %d bytes", len(v))
		}
		if id, event, err := apibody.ParseCodeSend(raw); err != nil {
			refused(t, "code send", err)
		} else if (id.Type != "email" && id.Type != "phone") || id.Value == "" || (event != "" && event != eventSignIn && event != eventRegister && event != eventForgotPassword) {
			t.Fatalf("accepted code send %+v %q", id, event)
		}
		if _, v, code, err := apibody.ParseCodeVerify(raw); err != nil {
			refused(t, "code verify", err)
		} else if v == "" || code == "" || len(code) > 64 {
			t.Fatalf("accepted code verify %q %q", v, code)
		}
		if pw, err := apibody.ParseNewPassword(raw); err != nil {
			refused(t, "new password", err)
		} else if pw == "" {
			t.Fatal("accepted an empty new password")
		}
		if in, err := apibody.ParseSocialStart(raw); err != nil {
			refused(t, "social start", err)
		} else if in.State == "" || !model.IsHTTPURL(in.RedirectURI) || len(in.RedirectURI) > 4*apibody.MaxURLLen {
			t.Fatalf("accepted social start %+v", in)
		}
		if id, params, err := apibody.ParseSocialVerify(raw); err != nil {
			refused(t, "social verify", err)
		} else if id == "" || params == nil {
			t.Fatalf("accepted social verify %q %v", id, params)
		}
		if in, err := apibody.ParseProfile(raw); err != nil {
			refused(t, "profile", err)
		} else {
			switch in.Type {
			case "username", "password":
				if in.Value == "" {
					t.Fatalf("accepted an empty %s", in.Type)
				}
			case "email":
				if in.Value == "" && in.VerificationID == "" {
					t.Fatal("accepted an email profile with neither value nor verificationId")
				}
			case "phone", "social":
				if in.VerificationID == "" {
					t.Fatalf("accepted %s without verificationId", in.Type)
				}
			default:
				t.Fatalf("accepted profile type %q", in.Type)
			}
		}
	})
}
