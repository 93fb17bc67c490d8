// Package webhooks is the webhook use-cases: hooks and their signing keys, the outbox written in
// the transaction of every change that emits an event, the queue the delivery workers drain,
// test sends, delivery history and redelivery.
package webhooks
