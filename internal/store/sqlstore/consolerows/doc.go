// Package consolerows is the admin console's session rows (store.ConsoleSessions).
package consolerows
