package model

import "encoding/json"

// UserInfo is a user as Logto shows it outside the server: userInfoSelectFields
// (schemas/src/types/user.ts), in that order. It is the `user` of interaction webhook payloads
// and the start of every Management API user. Password hashes never leave the server.
type UserInfo struct {
	ID            string          `json:"id"`
	Username      *string         `json:"username"`
	PrimaryEmail  *string         `json:"primaryEmail"`
	PrimaryPhone  *string         `json:"primaryPhone"`
	Name          *string         `json:"name"`
	Avatar        *string         `json:"avatar"`
	CustomData    json.RawMessage `json:"customData"`
	Identities    json.RawMessage `json:"identities"`
	LastSignInAt  *int64          `json:"lastSignInAt"`
	CreatedAt     int64           `json:"createdAt"`
	UpdatedAt     int64           `json:"updatedAt"`
	Profile       UserProfile     `json:"profile"`
	ApplicationID *string         `json:"applicationId"`
	// CimdClientID is Logto's client-ID-metadata-document client; Gatehouse has none yet.
	CimdClientID *string `json:"cimdClientId"`
	IsSuspended  bool    `json:"isSuspended"`
}

// UserInfoOf is u's public fields.
func UserInfoOf(u User) UserInfo {
	return UserInfo{
		ID: u.ID, Username: u.Username, PrimaryEmail: u.PrimaryEmail, PrimaryPhone: u.PrimaryPhone,
		Name: u.Name, Avatar: u.Avatar, CustomData: ObjectOrEmpty(u.CustomData), Identities: ObjectOrEmpty(u.Identities),
		LastSignInAt: u.LastSignInAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Profile: u.Profile,
		ApplicationID: u.ApplicationID, IsSuspended: u.IsSuspended,
	}
}

// UserResponse is a user as Logto's Management API answers it: UserInfo plus hasPassword. It is
// also the `data` of the User.* webhook events the API's user routes cause.
type UserResponse struct {
	UserInfo
	HasPassword bool `json:"hasPassword"`
	// SsoIdentities is present only when asked for with includeSsoIdentities (always empty:
	// Gatehouse has no enterprise SSO yet).
	SsoIdentities *[]json.RawMessage `json:"ssoIdentities,omitempty"`
}

// UserResponseOf is u as the Management API answers it.
func UserResponseOf(u User) UserResponse {
	return UserResponse{UserInfo: UserInfoOf(u), HasPassword: u.HasPassword()}
}
