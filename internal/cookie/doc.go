// Package cookie signs and reads the browser cookies the protocol and the sign-in pages share
// (the interaction and session cookies), with the tenant's cookie keys, in Logto's cookie shapes.
package cookie
