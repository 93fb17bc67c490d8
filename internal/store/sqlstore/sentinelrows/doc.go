// Package sentinelrows is the sign-in attempt rows behind lockout (store.Sentinel, Logto's
// sentinel_activities).
package sentinelrows
