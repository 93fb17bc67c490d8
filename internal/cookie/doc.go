// Package cookie is the signed browser cookies the protocol and the sign-in pages share (the
// interaction and session cookies): written and read with the tenant's cookie keys, in Logto's
// cookie shapes.
package cookie
