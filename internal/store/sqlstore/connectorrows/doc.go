// Package connectorrows is the SQL of connector instances for both dialects, their configs
// sealed at rest, reached from sqlstore through sqlx.TenantScope.
package connectorrows
