// Package app is the composition root: it turns a Config into an open store, the services, and
// the two HTTP listeners (user tenant and admin tenant), and shuts them down gracefully.
package app
