// Package metrics is the Prometheus metrics of a node: requests by route and status with their
// latency, tokens issued by grant, sign-in results, webhook deliveries and the outbox's depth.
package metrics
