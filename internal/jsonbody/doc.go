// Package jsonbody is the one decoder of JSON request bodies: it reads a JSON object (or
// nothing) into a struct and, when it cannot, answers an *Error that says what was wrong and
// where (the key path), so each API words the refusal in its own Logto message. It imports
// nothing of Gatehouse.
package jsonbody
