package model

import "encoding/json"

// Password encryption methods (Logto's users_password_encryption_method enum).
const (
	PasswordArgon2i  = "Argon2i"
	PasswordArgon2id = "Argon2id"
	PasswordArgon2d  = "Argon2d"
	PasswordSHA1     = "SHA1"
	PasswordSHA256   = "SHA256"
	PasswordMD5      = "MD5"
	PasswordBcrypt   = "Bcrypt"
	PasswordLegacy   = "Legacy"
)

// User is an end user of a tenant (Logto table `users`). Password fields never leave the server.
type User struct {
	TenantID                 string          `json:"tenantId"`
	ID                       string          `json:"id"` // 12-char [0-9a-z]
	Username                 *string         `json:"username"`
	PrimaryEmail             *string         `json:"primaryEmail"` // stored lower-cased; unique per tenant
	PrimaryPhone             *string         `json:"primaryPhone"`
	PasswordEncrypted        *string         `json:"-"`
	PasswordEncryptionMethod *string         `json:"-"`
	Name                     *string         `json:"name"`
	Avatar                   *string         `json:"avatar"`
	Profile                  UserProfile     `json:"profile"`
	ApplicationID            *string         `json:"applicationId"` // the app the user registered through
	Identities               json.RawMessage `json:"identities"`    // {"<target>":{"userId","details"}}, {} by default
	CustomData               json.RawMessage `json:"customData"`    // JSON object, {} by default
	LogtoConfig              json.RawMessage `json:"-"`             // JSON object, {} by default
	IsSuspended              bool            `json:"isSuspended"`
	IsPasswordExpired        bool            `json:"-"`
	LastSignInAt             *int64          `json:"lastSignInAt"` // epoch ms
	PasswordUpdatedAt        *int64          `json:"-"`            // epoch ms
	CreatedAt                int64           `json:"createdAt"`    // epoch ms
	UpdatedAt                int64           `json:"updatedAt"`    // epoch ms
}

// HasPassword reports whether the user can sign in with a password.
func (u User) HasPassword() bool { return u.PasswordEncrypted != nil && *u.PasswordEncrypted != "" }

// UserProfile holds the OpenID Connect standard claims that are not user columns (Logto's
// users.profile); every member is optional.
type UserProfile struct {
	FamilyName        string       `json:"familyName,omitempty"`
	GivenName         string       `json:"givenName,omitempty"`
	MiddleName        string       `json:"middleName,omitempty"`
	Nickname          string       `json:"nickname,omitempty"`
	PreferredUsername string       `json:"preferredUsername,omitempty"`
	Profile           string       `json:"profile,omitempty"`
	Website           string       `json:"website,omitempty"`
	Gender            string       `json:"gender,omitempty"`
	Birthdate         string       `json:"birthdate,omitempty"`
	Zoneinfo          string       `json:"zoneinfo,omitempty"`
	Locale            string       `json:"locale,omitempty"`
	Address           *UserAddress `json:"address,omitempty"`
}

// UserAddress is the OIDC address claim (OpenID Connect Core §5.1.1).
type UserAddress struct {
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"streetAddress,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	Country       string `json:"country,omitempty"`
}
