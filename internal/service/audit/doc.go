// Package audit is the audit log: entries with Logto's keys (Interaction.*, ExchangeTokenBy.*,
// TriggerHook.*, and the Management API's data events), written in the transaction of the change
// they describe or, for the token hot path, in small batches; their queries and retention.
package audit
