// Package health is the liveness and readiness endpoints a load balancer or an orchestrator
// polls: /healthz (the process answers) and /readyz (the database answers and its schema is
// current).
package health
