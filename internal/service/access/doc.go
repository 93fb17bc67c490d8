// Package access is the use-cases of API resources, their scopes (permissions) and the roles
// that bundle scopes for users and machine-to-machine applications (Logto's RBAC).
package access
