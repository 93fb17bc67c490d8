// Package openapi describes Go types as OpenAPI 3.0 schemas by their JSON encoding, for the
// Management API's generated /api/swagger.json.
package openapi
