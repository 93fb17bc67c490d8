// Package oautherr is the OAuth 2.0 error of every /oidc endpoint and its wire form: RFC 6749
// §5.2 JSON with the `code` and `message` fields Logto adds (koa-oidc-error-handler).
package oautherr
