// Package eventrows is the SQL of hooks, the webhook outbox and the audit log, for both
// dialects, reached from sqlstore through the small Scope seam.
package eventrows
