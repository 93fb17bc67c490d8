// Package connectors is the connector use-cases: the factories on offer, and connector instances
// created, changed and deleted under Logto's rules, their configs checked by their factory and
// sealed at rest.
package connectors
