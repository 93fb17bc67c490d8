// Package interaction is the sign-in engine's state of one interaction, shaped after Logto's
// interaction storage (routes/experience/types.ts): the event, the verification records, the
// profile of a registration and the identified user.
package interaction
