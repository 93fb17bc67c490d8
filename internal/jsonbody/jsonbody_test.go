package jsonbody

import (
	"errors"
	"reflect"
	"testing"
)

type body struct {
	Name    *string `json:"name"`
	TTL     int64   `json:"ttl"`
	Profile struct {
		Given string   `json:"given"`
		Tags  []string `json:"tags"`
	} `json:"profile"`
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		unknown   UnknownKeys
		want      *Error // nil: accepted
		text      string
	}{
		{"empty", "  ", Refuse, nil, ""},
		{"object", `{"name":"a","ttl":3,"profile":{"given":"g","tags":["x"]}}`, Refuse, nil, ""},
		{"NUL escape", `{"name":"a\u0000"}`, Refuse, &Error{Problem: NUL}, "Strings must not contain NUL characters."},
		{"raw NUL", "{\"name\":\"a\x00\"}", Ignore, &Error{Problem: NUL}, "Strings must not contain NUL characters."},
		{"literal backslash-u0000 is text", `{"name":"a\\u0000"}`, Refuse, nil, ""},
		{"escaped quote then NUL escape", `{"name":"\"\u0000"}`, Refuse, &Error{Problem: NUL}, "Strings must not contain NUL characters."},
		{"invalid", `{"name":`, Refuse, &Error{Problem: NotJSON}, "It is not valid JSON."},
		{"trailing data", `{} {}`, Refuse, &Error{Problem: NotJSON}, "It is not valid JSON."},
		{"array", `[1]`, Refuse, &Error{Problem: NotObject, Received: "array"}, "Expected object but received array."},
		{"null", `null`, Ignore, &Error{Problem: NotObject, Received: "null"}, "Expected object but received null."},
		{"unknown refused", `{"zz":1,"name":"a"}`, Refuse, &Error{Problem: UnknownKey, Key: "zz"}, `Unrecognized key "zz".`},
		{"unknown ignored", `{"zz":1,"name":"a"}`, Ignore, nil, ""},
		{"case refused", `{"NAME":"a"}`, Refuse, &Error{Problem: UnknownKey, Key: "NAME"}, `Unrecognized key "NAME".`},
		{"nested unknown", `{"profile":{"zz":1}}`, Refuse, &Error{Problem: UnknownKey, Path: "profile", Key: "zz"},
			`Error in key path "profile": Unrecognized key "zz".`},
		{"wrong type", `{"name":1}`, Refuse, &Error{Problem: WrongType, Path: "name", Received: "number"},
			`Error in key path "name": Expected string but received number.`},
		{"nested wrong type", `{"profile":{"tags":[1]}}`, Ignore, &Error{Problem: WrongType, Path: "profile.tags", Received: "number"},
			`Error in key path "profile.tags": Expected string but received number.`},
		{"first key in order", `{"ttl":"x","name":1}`, Refuse, &Error{Problem: WrongType, Path: "name", Received: "number"},
			`Error in key path "name": Expected string but received number.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b body
			err := Decode([]byte(tc.raw), &b, Options{UnknownKeys: tc.unknown})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Decode(%s) = %v, want nil", tc.raw, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode(%s) = %v, want an *Error", tc.raw, err)
			}
			if e.Problem != tc.want.Problem || e.Path != tc.want.Path || e.Key != tc.want.Key || e.Received != tc.want.Received {
				t.Errorf("Decode(%s) = %+v, want %+v", tc.raw, e, tc.want)
			}
			if e.Error() != tc.text {
				t.Errorf("Decode(%s) says %q, want %q", tc.raw, e.Error(), tc.text)
			}
		})
	}
}

func TestDecodeValuePath(t *testing.T) {
	var v struct {
		Min *int `json:"min"`
	}
	err := DecodeValue([]byte(`{"min":"x"}`), &v, "passwordPolicy.length")
	var e *Error
	if !errors.As(err, &e) || e.Problem != WrongType || e.Path != "passwordPolicy.length.min" || e.Expected != reflect.TypeFor[int]() {
		t.Fatalf("DecodeValue = %+v", err)
	}
	if err := DecodeValue([]byte(`{"max":1}`), &v, "length"); err == nil || err.Error() != `Error in key path "length": Unrecognized key "max".` {
		t.Fatalf("DecodeValue unknown = %v", err)
	}
}
