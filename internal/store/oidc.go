package store

// OIDC persists protocol artifacts: interactions, sessions, grants, authorization codes, opaque
// access tokens and refresh tokens. (Defined by the protocol work of issue 3.)
type OIDC interface{}
