package model

// ConfigSignInExperience is the tenant config row (Configs) holding the SignInExperience as JSON.
const ConfigSignInExperience = "signInExperience"

// Sign-in identifiers (Logto's SignInIdentifier).
const (
	IdentifierUsername = "username"
	IdentifierEmail    = "email"
	IdentifierPhone    = "phone"
)

// Sign-in modes (Logto's sign_in_mode).
const (
	SignInModeSignIn            = "SignIn"
	SignInModeRegister          = "Register"
	SignInModeSignInAndRegister = "SignInAndRegister"
)

// SignInExperience is a tenant's sign-in page and policy (Logto's sign_in_experiences row, in its
// API shape). Fields Gatehouse does not act on yet are kept so a PATCH round-trips them.
type SignInExperience struct {
	TenantID                     string         `json:"tenantId"`
	ID                           string         `json:"id"` // always "default"
	Color                        Color          `json:"color"`
	Branding                     Branding       `json:"branding"`
	HideLogtoBranding            bool           `json:"hideLogtoBranding"`
	LanguageInfo                 LanguageInfo   `json:"languageInfo"`
	TermsOfUseURL                *string        `json:"termsOfUseUrl"`
	PrivacyPolicyURL             *string        `json:"privacyPolicyUrl"`
	AgreeToTermsPolicy           string         `json:"agreeToTermsPolicy"` // Automatic | ManualRegistrationOnly | Manual
	SignIn                       SignIn         `json:"signIn"`
	SignUp                       SignUp         `json:"signUp"`
	SocialSignIn                 SocialSignIn   `json:"socialSignIn"`
	SocialSignInConnectorTargets []string       `json:"socialSignInConnectorTargets"`
	SignInMode                   string         `json:"signInMode"`
	CustomCSS                    *string        `json:"customCss"`
	CustomContent                map[string]any `json:"customContent"`
	PasswordPolicy               PasswordPolicy `json:"passwordPolicy"`
	MFA                          MFA            `json:"mfa"`
	SingleSignOnEnabled          bool           `json:"singleSignOnEnabled"`
	SupportEmail                 *string        `json:"supportEmail"`
	SupportWebsiteURL            *string        `json:"supportWebsiteUrl"`
	UnknownSessionRedirectURL    *string        `json:"unknownSessionRedirectUrl"`
	SentinelPolicy               SentinelPolicy `json:"sentinelPolicy"`
	UsernamePolicy               UsernamePolicy `json:"usernamePolicy"`
}

// Color is the brand colours (hex, e.g. "#6139F6") and whether dark mode is offered.
type Color struct {
	PrimaryColor      string `json:"primaryColor"`
	IsDarkModeEnabled bool   `json:"isDarkModeEnabled"`
	DarkPrimaryColor  string `json:"darkPrimaryColor"`
}

// Branding is the logo and favicon URLs, each optional, with dark-mode variants.
type Branding struct {
	LogoURL     string `json:"logoUrl,omitempty"`
	DarkLogoURL string `json:"darkLogoUrl,omitempty"`
	Favicon     string `json:"favicon,omitempty"`
	DarkFavicon string `json:"darkFavicon,omitempty"`
}

// LanguageInfo chooses the page language: the browser's when AutoDetect, else FallbackLanguage.
type LanguageInfo struct {
	AutoDetect       bool   `json:"autoDetect"`
	FallbackLanguage string `json:"fallbackLanguage"` // e.g. "en", "zh-CN"
}

// SignIn lists the enabled sign-in methods; empty means social-only.
type SignIn struct {
	Methods []SignInMethod `json:"methods"`
}

// SignInMethod is one identifier usable to sign in, and how it is verified.
type SignInMethod struct {
	Identifier        string `json:"identifier"` // username | email | phone
	Password          bool   `json:"password"`
	VerificationCode  bool   `json:"verificationCode"`
	IsPasswordPrimary bool   `json:"isPasswordPrimary"`
}

// SignUp says what a new account must provide; empty Identifiers means no self-registration
// except through social connectors.
type SignUp struct {
	Identifiers          []string                  `json:"identifiers"`
	Password             bool                      `json:"password"`
	Verify               bool                      `json:"verify"`
	SecondaryIdentifiers []SecondaryIdentifierRule `json:"secondaryIdentifiers,omitempty"`
}

// SecondaryIdentifierRule is an extra identifier required at sign-up.
type SecondaryIdentifierRule struct {
	Identifier string `json:"identifier"` // username | email | phone | emailOrPhone
	Verify     *bool  `json:"verify,omitempty"`
}

// SocialSignIn tunes social sign-in.
type SocialSignIn struct {
	AutomaticAccountLinking *bool `json:"automaticAccountLinking,omitempty"`
	SkipRequiredIdentifiers *bool `json:"skipRequiredIdentifiers,omitempty"`
}

// PasswordPolicy is Logto's partial password policy; absent members take Logto's defaults
// (length 8–256, 1 character type, reject breached, repetition/sequence and user info).
type PasswordPolicy struct {
	Length         *PasswordLength  `json:"length,omitempty"`
	CharacterTypes *PasswordCharSet `json:"characterTypes,omitempty"`
	Rejects        *PasswordRejects `json:"rejects,omitempty"`
}

// PasswordLength bounds a password's length.
type PasswordLength struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// PasswordCharSet requires a number of character classes (lower, upper, digit, symbol).
type PasswordCharSet struct {
	Min int `json:"min"`
}

// PasswordRejects lists what a password may not be.
type PasswordRejects struct {
	Pwned                 bool     `json:"pwned"`
	RepetitionAndSequence bool     `json:"repetitionAndSequence"`
	UserInfo              bool     `json:"userInfo"`
	Words                 []string `json:"words"`
}

// MFA is the multi-factor policy (stored and validated; enforced by a later release).
type MFA struct {
	Factors []string `json:"factors"`
	Policy  string   `json:"policy"`
	// OrganizationRequiredMFAPolicy is NoPrompt or Mandatory for users of organizations that
	// require MFA; absent means NoPrompt (Logto's admin-tenant seed sets Mandatory).
	OrganizationRequiredMFAPolicy string `json:"organizationRequiredMfaPolicy,omitempty"`
}

// SentinelPolicy is the lockout rule: after MaxAttempts failed attempts on one identifier
// within the window, the identifier is locked for LockoutDuration minutes (Logto defaults 100
// and 60).
type SentinelPolicy struct {
	MaxAttempts     *int `json:"maxAttempts,omitempty"`
	LockoutDuration *int `json:"lockoutDuration,omitempty"` // minutes
}

// UsernamePolicy restricts usernames (Logto's defaultUsernamePolicy when absent).
type UsernamePolicy struct {
	CaseSensitive bool `json:"caseSensitive"`
	MinLength     int  `json:"minLength"`
	MaxLength     int  `json:"maxLength"`
	AllowedChars  struct {
		Lowercase  bool `json:"lowercase"`
		Uppercase  bool `json:"uppercase"`
		Numbers    bool `json:"numbers"`
		Underscore bool `json:"underscore"`
	} `json:"allowedChars"`
}
