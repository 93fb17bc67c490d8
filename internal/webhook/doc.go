// Package webhook sends Logto-compatible webhooks: the events a hook may subscribe to, the
// payload shapes, the signature, the HTTP sender, the retry policy and the delivery worker that
// drains an outbox it reaches through the Queue interface.
package webhook
