// Package model is Gatehouse's plain data types (applications, resources, scopes, roles, keys …)
// in Logto's wire shapes, so the Management API can encode them directly; it imports nothing internal.
package model
