// Package config reads Gatehouse's configuration from environment variables with Logto's names
// (DB_URL, ENDPOINT, ADMIN_ENDPOINT, PORT, TRUST_PROXY_HEADER, OIDC_PRIVATE_KEYS, ...) and its own
// (GATEHOUSE_MASTER_KEY, GATEHOUSE_MASTER_KEY_FILE), applies Logto's defaults and rejects bad
// values with one-line messages that name the variable.
package config
