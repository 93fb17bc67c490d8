package interaction

import (
	"slices"

	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/experience/codes"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
)

// State is the engine's part of an interaction (model.Interaction.Experience), shaped after
// Logto's interaction storage (routes/experience/types.ts): the event, the verification records,
// the profile of a registration and the identified user.
type State struct {
	InteractionEvent    string   `json:"interactionEvent"`
	UserID              string   `json:"userId,omitempty"`
	Profile             Profile  `json:"profile"`
	VerificationRecords []Record `json:"verificationRecords"`
	// AMR lists how the user proved who they are in this interaction (RFC 8176 values).
	AMR []string `json:"amr,omitempty"`
	// CSRF is the hosted pages' form token for this interaction. It survives a restart of the
	// interaction (PUT /api/experience) so an open page keeps working.
	CSRF string `json:"csrf,omitempty"`
}

// Profile is what a registration collects before the user is created. The password is only
// ever held as its hash.
type Profile struct {
	Username                 string `json:"username,omitempty"`
	PrimaryEmail             string `json:"primaryEmail,omitempty"`
	PasswordEncrypted        string `json:"passwordEncrypted,omitempty"`
	PasswordEncryptionMethod string `json:"passwordEncryptionMethod,omitempty"`
}

// Record is one proof collected in the interaction (Logto's
// PasswordVerificationRecordData, plus the user it proved, kept server-side so identification
// cannot pick up a different account than the one whose password was checked).
type Record struct {
	ID         string             `json:"id"`
	Type       string             `json:"type"`
	Identifier apibody.Identifier `json:"identifier"`
	Verified   bool               `json:"verified"`
	UserID     string             `json:"userId,omitempty"`
	// A social verification's connector, its session until the callback uses it, and the
	// account the provider vouched for.
	ConnectorID      string              `json:"connectorId,omitempty"`
	ConnectorSession *connector.Session  `json:"connectorSession,omitempty"`
	SocialUser       *connector.UserInfo `json:"socialUserInfo,omitempty"`
	// An email code's hash, attempts and times until it is verified.
	Code *codes.Code `json:"code,omitempty"`
}

// Started reports whether the interaction has an event (PUT /api/experience was called).
func (st *State) Started() bool { return st.InteractionEvent != "" }

// Record returns the verification record id.
func (st *State) Record(id string) (Record, bool) {
	for _, r := range st.VerificationRecords {
		if r.ID == id {
			return r, true
		}
	}
	return Record{}, false
}

// ReplaceVerification keeps rec as the interaction's only record of its type.
func (st *State) ReplaceVerification(rec Record) {
	st.VerificationRecords = slices.DeleteFunc(st.VerificationRecords, func(r Record) bool { return r.Type == rec.Type })
	st.VerificationRecords = append(st.VerificationRecords, rec)
}

// SignInAs makes userID the interaction's account, unless another one was identified before; amr
// is how they proved it (RFC 8176; "" for a provider's word, which has no value there).
func (st *State) SignInAs(userID, amr string) error {
	if st.UserID != "" && st.UserID != userID {
		return experr.IdentityConflict()
	}
	st.UserID = userID
	if amr != "" && !slices.Contains(st.AMR, amr) {
		st.AMR = append(st.AMR, amr)
	}
	return nil
}
