// Package applications is the use-cases of OAuth clients: create, read, update and delete
// applications, their named client secrets, and the roles machine-to-machine apps hold.
package applications
