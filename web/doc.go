// Package web is the server-rendered page templates and static assets, embedded into the binary.
package web
