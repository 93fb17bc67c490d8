// Package keyring is the use-cases of a tenant's keys: the OIDC signing keys with their staged
// rotation (Next, Current, Previous) and the cookie keys (Logto's /api/configs/oidc/:keyType).
package keyring
