// Package httpx is the HTTP plumbing every surface shares: request ids, request logging, panic
// recovery, body limits and JSON writing. It knows nothing about OAuth or Logto error shapes.
package httpx
