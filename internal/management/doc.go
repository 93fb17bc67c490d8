// Package management serves Logto's Management API under /api: bearer-token auth, JSON bodies,
// pagination headers and Logto's error bodies, with one file per resource; every write goes
// through package service.
package management
