// Package connforms is the console's guided add forms for connectors, one per factory, and
// how a submitted form becomes the Management API's create input (Logto's config keys).
package connforms
