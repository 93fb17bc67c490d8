// Package experience is the sign-in interaction: one engine (identify, verify, register,
// submit, lockout) behind both Logto's Experience API (/api/experience) and the hosted
// sign-in, registration, consent and unknown-session pages.
package experience
