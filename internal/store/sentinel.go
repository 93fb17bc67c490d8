package store

// Sentinel persists sign-in attempts for lockout (Logto's sentinel_activities). (Defined by the
// experience work of issue 3.)
type Sentinel interface{}
