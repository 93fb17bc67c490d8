// Package ids is Gatehouse's generator of Logto-shaped random identifiers and secrets, drawn from
// crypto/rand.
package ids
