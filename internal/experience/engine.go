package experience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/experience/interaction"
	"github.com/gatehouse-id/gatehouse/internal/experience/pagekit"
	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/experience/rules"
	"github.com/gatehouse-id/gatehouse/internal/experience/throttle"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// Interaction events (Logto's InteractionEvent).
const (
	eventSignIn         = rules.EventSignIn
	eventRegister       = rules.EventRegister
	eventForgotPassword = rules.EventForgotPassword
)

// missingProfile lists what the sign-up settings require that p lacks (rules.MissingProfile).
func missingProfile(exp model.SignInExperience, p profile) []string {
	return rules.MissingProfile(exp, rules.Have{Username: p.Username != "", Email: p.PrimaryEmail != "", Password: p.PasswordEncrypted != ""})
}

// Identifier kinds a password can be checked against (Logto's SignInIdentifier).
const (
	identifierUsername = model.IdentifierUsername
	identifierEmail    = model.IdentifierEmail
	identifierPhone    = model.IdentifierPhone
)

// verificationPassword is Logto's VerificationType.Password.
const verificationPassword = "Password"

// amrPassword is the RFC 8176 authentication method of a password.
const amrPassword = "pwd"

// The engine's state of an interaction, by the names the engine's code uses.
type (
	state              = interaction.State
	profile            = interaction.Profile
	verificationRecord = interaction.Record
	identifier         = apibody.Identifier
)

// session is one interaction loaded for a request, with its decoded engine state.
type session struct {
	in model.Interaction
	st state
	// exp is the tenant's sign-in experience, read once per request.
	exp model.SignInExperience
}

// load reads interaction uid and its engine state. An interaction that was already submitted
// answers 400 session.not_found, as Logto does for any Experience API call after a submit.
func (e *Experience) load(ctx context.Context, uid string) (*session, error) {
	in, err := e.svc.GetInteraction(ctx, e.tenantID, uid)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, err
		}
		if errors.Is(err, model.ErrNotFound) {
			return nil, experr.SessionNotFound()
		}
		return nil, fmt.Errorf("load interaction: %w", err)
	}
	if in.ExpiresAt != 0 && e.clk.Now().UnixMilli() >= in.ExpiresAt {
		return nil, experr.SessionNotFound()
	}
	exp, err := e.svc.GetSignInExperience(ctx, e.tenantID)
	if err != nil {
		return nil, fmt.Errorf("load sign-in experience: %w", err)
	}
	s := &session{in: in, exp: exp}
	if len(in.Experience) > 0 {
		// State this engine did not write (or cannot read) counts as not started: the client
		// starts again with PUT /api/experience instead of getting a 500.
		if err := json.Unmarshal(in.Experience, &s.st); err != nil {
			s.st = state{}
		}
	}
	return s, nil
}

// save writes the session's state back (optimistically: a concurrent change to the same
// interaction answers 409 session.interaction_conflict from the service).
func (e *Experience) save(ctx context.Context, s *session) error {
	raw, err := json.Marshal(s.st)
	if err != nil {
		return fmt.Errorf("encode interaction state: %w", err)
	}
	s.in.Experience = raw
	saved, err := e.svc.SaveInteraction(ctx, e.tenantID, s.in)
	if err != nil {
		return err
	}
	s.in = saved
	return nil
}

// start begins a new interaction event, dropping whatever an earlier one collected
// (PUT /api/experience). Unlike Logto, an event the sign-in mode forbids is refused here, at
// the first step, not only at identification.
func (e *Experience) start(s *session, event string) error {
	if err := rules.GuardEvent(s.exp, event); err != nil {
		return err
	}
	s.st = state{InteractionEvent: event, CSRF: s.st.CSRF}
	return nil
}

// setEvent switches between sign-in and registration (PUT /api/experience/interaction-event);
// a pending profile is dropped when the event changes, as in Logto.
func (e *Experience) setEvent(s *session, event string) error {
	if !s.st.Started() {
		return experr.InteractionNotStarted()
	}
	if err := rules.GuardEvent(s.exp, event); err != nil {
		return err
	}
	if s.st.InteractionEvent != event {
		s.st.Profile = profile{}
	}
	s.st.InteractionEvent = event
	return nil
}

// verifyPassword checks a password for an identifier (POST …/verification/password) and
// records the proof. In order: the method must be enabled (so a social-only tenant refuses
// at once), the address must be under its rate, the target must not be locked; then the
// password is checked — for an unknown account or one without a password the service spends a
// decoy hash, so the answer takes as long — and the attempt is reported to the lockout.
func (e *Experience) verifyPassword(ctx context.Context, s *session, id identifier, password, clientIP string) (verificationID string, err error) {
	var userID string // the account tried, when it exists: failed attempts show in its logs too
	defer func() { e.audit(ctx, s, "Verification.Password.Submit", userID, err) }()
	user, target, err := e.admitPasswordAttempt(ctx, s, id, clientIP)
	if err != nil {
		return "", err
	}
	if user != nil {
		userID = user.ID
	}
	ok, err := e.passwordMatches(ctx, user, password)
	if err != nil {
		return "", err
	}
	if err := e.settlePasswordAttempt(ctx, s, target, user, ok); err != nil {
		return "", err
	}
	rec := verificationRecord{ID: ids.New(), Type: verificationPassword, Identifier: id, Verified: true, UserID: user.ID}
	s.st.ReplaceVerification(rec)
	return rec.ID, nil
}

// admitPasswordAttempt lets a password check go ahead: the interaction is started, the method
// enabled, the address under its rate and the target not locked. It returns the account the
// identifier names (nil when none) and the lockout target of the attempt.
func (e *Experience) admitPasswordAttempt(ctx context.Context, s *session, id identifier, clientIP string) (*model.User, model.SentinelTarget, error) {
	if !s.st.Started() {
		return nil, model.SentinelTarget{}, experr.InteractionNotStarted()
	}
	if !rules.PasswordSignInEnabled(s.exp, id.Type) {
		return nil, model.SentinelTarget{}, experr.SignInMethodNotEnabled()
	}
	if !e.limiter.Allow(clientIP) {
		return nil, model.SentinelTarget{}, experr.RateLimited()
	}
	user, err := e.findUser(ctx, id.Type, id.Value)
	if err != nil {
		return nil, model.SentinelTarget{}, err
	}
	target := throttle.Target(user, id.Type, id.Value)
	if until, locked, err := e.lockout.LockedUntil(ctx, e.tenantID, target); err != nil {
		return nil, model.SentinelTarget{}, err
	} else if locked {
		return nil, model.SentinelTarget{}, experr.Locked(throttle.MinutesLeft(e.clk.Now(), until))
	}
	return user, target, nil
}

// passwordMatches checks password against user; for an unknown account (nil) the service
// verifies against nobody, which spends a decoy hash.
func (e *Experience) passwordMatches(ctx context.Context, user *model.User, password string) (bool, error) {
	candidate := model.User{}
	if user != nil {
		candidate = *user
	}
	ok, err := e.svc.VerifyUserPassword(ctx, e.tenantID, candidate, password)
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	return ok, nil
}

// settlePasswordAttempt reports the attempt to the lockout and answers its outcome: nil only
// when the password matched an account that may sign in. A suspended account counts as a
// failure, as in Logto, but is only revealed to someone who knows its password.
func (e *Experience) settlePasswordAttempt(ctx context.Context, s *session, target model.SentinelTarget, user *model.User, ok bool) error {
	success := ok && user != nil && !user.IsSuspended
	until, locked, err := e.lockout.Report(ctx, e.tenantID, target, success, throttle.ResolvePolicy(s.exp.SentinelPolicy))
	if err != nil {
		return err
	}
	switch {
	case locked:
		return experr.Locked(throttle.MinutesLeft(e.clk.Now(), until))
	case !ok || user == nil:
		return apperr.InvalidCredentials()
	case user.IsSuspended:
		return experr.Suspended()
	}
	return nil
}

// replaceVerification records rec: Logto keeps one record per verification type, so a new
// password check replaces the old.
// findUser looks an account up by identifier; nil when there is none.
func (e *Experience) findUser(ctx context.Context, kind, value string) (*model.User, error) {
	u, err := e.svc.FindUserByIdentifier(ctx, e.tenantID, kind, strings.TrimSpace(value))
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("find user by %s: %w", kind, err)
	}
	return &u, nil
}

// isNotFound reports whether err says the account does not exist (the store's ErrNotFound or a
// Logto 404).
func isNotFound(err error) bool {
	if errors.Is(err, model.ErrNotFound) {
		return true
	}
	ae, ok := apperr.As(err)
	return ok && ae.Status == http.StatusNotFound
}

// identify settles who the user is (POST …/identification): for a sign-in, the account a
// verification record proved; for a registration, a new account made from the profile. It
// reports whether an account was created (Logto answers 201 then, else 204).
func (e *Experience) identify(ctx context.Context, s *session, verificationID string, linkSocial bool) (created bool, err error) {
	defer func() { e.audit(ctx, s, "Identifier.Submit", s.st.UserID, err) }()
	if !s.st.Started() {
		return false, experr.InteractionNotStarted()
	}
	if rec, ok := s.st.Record(verificationID); ok && rec.Type == verificationSocial && s.st.InteractionEvent != eventForgotPassword {
		return e.identifySocial(ctx, s, rec, linkSocial)
	}
	if rec, ok := s.st.Record(verificationID); ok && rec.Type == verificationEmailCode {
		return e.identifyByCode(ctx, s, rec)
	}
	switch s.st.InteractionEvent {
	case eventRegister:
		return true, e.createUser(withInteraction(ctx, s), s, verificationID)
	case eventForgotPassword:
		return false, experr.VerificationNotFound() // a reset is identified by an email code only
	}
	rec, err := provenPasswordRecord(s, verificationID)
	if err != nil {
		return false, err
	}
	user, err := e.identifiedUser(ctx, rec)
	if err != nil {
		return false, err
	}
	return false, s.st.SignInAs(user.ID, amrPassword)
}

// provenPasswordRecord is the sign-in's verification record verificationID, which must be a
// verified password check of a method the sign-in experience (which may have changed since the
// password was checked) still enables.
func provenPasswordRecord(s *session, verificationID string) (verificationRecord, error) {
	if verificationID == "" {
		return verificationRecord{}, experr.InvalidInput("verificationId is missing.")
	}
	rec, ok := s.st.Record(verificationID)
	if !ok {
		return verificationRecord{}, experr.VerificationNotFound()
	}
	if err := rules.GuardEvent(s.exp, eventSignIn); err != nil {
		return verificationRecord{}, err
	}
	if rec.Type != verificationPassword || !rules.PasswordSignInEnabled(s.exp, rec.Identifier.Type) {
		return verificationRecord{}, experr.SignInMethodNotEnabled()
	}
	if !rec.Verified || rec.UserID == "" {
		return verificationRecord{}, experr.VerificationFailed()
	}
	return rec, nil
}

// identifiedUser loads the account rec proved, which must still exist and not be suspended.
func (e *Experience) identifiedUser(ctx context.Context, rec verificationRecord) (model.User, error) {
	user, err := e.svc.GetUser(ctx, e.tenantID, rec.UserID)
	if err != nil {
		if isNotFound(err) {
			return model.User{}, experr.UserNotExist(rec.Identifier.Value)
		}
		return model.User{}, fmt.Errorf("load identified user: %w", err)
	}
	if user.IsSuspended {
		return model.User{}, experr.Suspended()
	}
	return user, nil
}

// createUser registers the account the profile describes (experience-interaction.ts
// createUser). Verification records (email or phone codes, social identities) cannot supply a
// new identity yet.
func (e *Experience) createUser(ctx context.Context, s *session, verificationID string) error {
	if err := rules.GuardEvent(s.exp, eventRegister); err != nil {
		return err
	}
	if verificationID != "" {
		if _, ok := s.st.Record(verificationID); !ok {
			return experr.VerificationNotFound()
		}
		return experr.InvalidInput("A password verification cannot create an account; set the username, email and password with POST /api/experience/profile instead.")
	}
	if s.st.UserID != "" {
		return experr.IdentityConflict()
	}
	if missing := missingProfile(s.exp, s.st.Profile); len(missing) > 0 {
		return experr.MissingProfile(missing)
	}
	p := s.st.Profile
	if p.Username == "" && p.PrimaryEmail == "" {
		// Nothing to sign in with later: the sign-up settings ask for no identifier, which only
		// social registration can satisfy.
		return experr.SignUpMethodNotEnabled()
	}
	if err := e.checkAvailable(ctx, p); err != nil {
		return err
	}
	in := users.CreateUserInput{ApplicationID: s.in.ClientID}
	if p.Username != "" {
		in.Username = &p.Username
	}
	if p.PrimaryEmail != "" {
		in.PrimaryEmail = &p.PrimaryEmail
	}
	if p.PasswordEncrypted != "" {
		in.PasswordDigest, in.PasswordAlgorithm = p.PasswordEncrypted, p.PasswordEncryptionMethod
	}
	user, err := e.svc.CreateUser(ctx, e.tenantID, in)
	if err != nil {
		// The service answers a lost race for the username or email with Logto's 422 too.
		return err
	}
	s.st.UserID = user.ID
	if p.PasswordEncrypted != "" {
		s.st.AMR = []string{amrPassword}
	}
	s.st.Profile = profile{}
	return nil
}

// checkAvailable refuses a username or email another account already has (profile-validator.ts
// guardProfileUniquenessAcrossUsers).
func (e *Experience) checkAvailable(ctx context.Context, p profile) error {
	for _, c := range []struct {
		kind, value string
		inUse       func() *apperr.Error
	}{
		{identifierUsername, p.Username, apperr.UsernameInUse},
		{identifierEmail, p.PrimaryEmail, apperr.EmailInUse},
	} {
		if c.value == "" {
			continue
		}
		u, err := e.findUser(ctx, c.kind, c.value)
		if err != nil {
			return err
		}
		if u != nil {
			return c.inUse()
		}
	}
	return nil
}

// profileInput is one POST …/profile body.
type profileInput = apibody.ProfileInput

// emailPattern is Logto's emailRegEx (toolkit/core-kit/src/regex.ts).
var emailPattern = regexp.MustCompile(`^\S+@\S+\.\S+$`)

// setProfile adds to a registration's profile (POST …/profile). Only what the sign-up settings
// collect is accepted: a social-only tenant refuses a username at once, where Logto would let a
// script register one.
func (e *Experience) setProfile(ctx context.Context, s *session, in profileInput, clientIP string) error {
	if err := checkProfileStage(s); err != nil {
		return err
	}
	switch in.Type {
	case identifierUsername:
		return e.setProfileUsername(ctx, s, in.Value, clientIP)
	case identifierEmail:
		return e.setProfileEmail(ctx, s, in, clientIP)
	case identifierPhone, "social":
		if collected, _ := rules.SignUpRule(s.exp, in.Type); !collected && in.Type == identifierPhone {
			return experr.SignUpMethodNotEnabled()
		}
		// Phone codes and social identities arrive as verification records, which this
		// server cannot produce yet.
		return experr.VerificationNotFound()
	case "password":
		return e.setProfilePassword(ctx, s, in.Value)
	}
	return experr.InvalidInput("type must be username, email or password (%q is not supported).", in.Type)
}

// checkProfileStage refuses a profile update outside a registration that has no account yet.
func checkProfileStage(s *session) error {
	if !s.st.Started() {
		return experr.InteractionNotStarted()
	}
	switch s.st.InteractionEvent {
	case eventForgotPassword:
		return experr.NotForForgotPassword()
	case eventSignIn:
		// Completing an existing account's profile during sign-in needs user updates this
		// engine does not make yet.
		return experr.InvalidInteractionType()
	}
	if s.st.UserID != "" {
		return experr.IdentityConflict()
	}
	return nil
}

// setProfileUsername sets the username: collected by the sign-up settings, allowed by the
// username policy, and not another account's (checked under the address's rate limit).
func (e *Experience) setProfileUsername(ctx context.Context, s *session, username, clientIP string) error {
	if collected, _ := rules.SignUpRule(s.exp, identifierUsername); !collected {
		return experr.SignUpMethodNotEnabled()
	}
	if err := policy.CheckUsername(s.exp.UsernamePolicy, username); err != nil {
		return err
	}
	if err := e.checkAvailableUnderLimit(ctx, profile{Username: username}, clientIP); err != nil {
		return err
	}
	s.st.Profile.Username = username
	return nil
}

// setProfileEmail sets the primary email: collected by the sign-up settings, well formed, not
// needing a code, and not another account's (checked under the address's rate limit).
func (e *Experience) setProfileEmail(ctx context.Context, s *session, in profileInput, clientIP string) error {
	collected, verify := rules.SignUpRule(s.exp, identifierEmail)
	if !collected {
		return experr.SignUpMethodNotEnabled()
	}
	if in.VerificationID != "" {
		email, err := verifiedEmail(s, in.VerificationID)
		if err != nil {
			return err
		}
		if err := e.checkAvailable(ctx, profile{PrimaryEmail: email}); err != nil {
			return err
		}
		s.st.Profile.PrimaryEmail = email
		return nil
	}
	email := strings.ToLower(strings.TrimSpace(in.Value))
	if !emailPattern.MatchString(email) {
		return experr.InvalidEmail()
	}
	if verify {
		return experr.IdentifierNotVerified(email)
	}
	if err := e.checkAvailableUnderLimit(ctx, profile{PrimaryEmail: email}, clientIP); err != nil {
		return err
	}
	s.st.Profile.PrimaryEmail = email
	return nil
}

// checkAvailableUnderLimit spends one of the address's attempts, then checks that no other
// account has p's username or email: the rate limit keeps the check from being a cheap way to
// list accounts.
func (e *Experience) checkAvailableUnderLimit(ctx context.Context, p profile, clientIP string) error {
	if !e.limiter.Allow(clientIP) {
		return experr.RateLimited()
	}
	return e.checkAvailable(ctx, p)
}

// setProfilePassword sets the password, which the sign-up settings must collect and the
// password policy accept, stored hashed.
func (e *Experience) setProfilePassword(ctx context.Context, s *session, password string) error {
	if !s.exp.SignUp.Password {
		return experr.SignUpMethodNotEnabled()
	}
	p := s.st.Profile
	issues := policy.ResolvePasswordPolicy(s.exp.PasswordPolicy).Check(password, policy.PasswordUserInfo{Username: p.Username, Email: p.PrimaryEmail})
	if len(issues) > 0 {
		return experr.PasswordRejected(issues)
	}
	encrypted, method, err := e.passwords.Hash(ctx, password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	s.st.Profile.PasswordEncrypted, s.st.Profile.PasswordEncryptionMethod = encrypted, method
	return nil
}

// submit finishes the interaction (POST …/submit): it records the sign-in and hands the result
// to the protocol, which issues the code at <issuer>/auth/<uid>.
func (e *Experience) submit(ctx context.Context, s *session) (string, error) {
	if !s.st.Started() {
		return "", experr.InteractionNotStarted()
	}
	if s.st.InteractionEvent == eventForgotPassword {
		return "", e.submitReset(ctx, s) // no redirect: the person goes back to sign in
	}
	if s.st.UserID == "" {
		return "", experr.IdentifierNotFound()
	}
	user, err := e.svc.GetUser(ctx, e.tenantID, s.st.UserID)
	if err != nil {
		if _, ok := apperr.As(err); ok || errors.Is(err, model.ErrNotFound) {
			return "", experr.IdentifierNotFound()
		}
		return "", fmt.Errorf("load signed-in user: %w", err)
	}
	if user.IsSuspended {
		return "", experr.Suspended()
	}
	if err := e.svc.RecordSignIn(withInteraction(ctx, s), e.tenantID, user.ID); err != nil {
		return "", fmt.Errorf("record sign-in: %w", err)
	}
	s.in.Result = &model.InteractionResult{
		AccountID: user.ID,
		AuthTime:  e.clk.Now().Unix(),
		AMR:       slices.Clone(s.st.AMR),
		Event:     s.st.InteractionEvent,
	}
	// Nothing collected along the way is needed any more; keep only what identifies the result.
	s.st = state{InteractionEvent: s.st.InteractionEvent, UserID: s.st.UserID, AMR: s.st.AMR, CSRF: s.st.CSRF}
	return e.resumeURL(s.in.UID), nil
}

// audit records one step of the interaction under Logto's key Interaction.<event>.<step>
// (routes/experience: verification and identification entries), with its result. The entry
// holds the account it proved and the error's code and message, never the password or the
// identifier's secret parts.
func (e *Experience) audit(ctx context.Context, s *session, step, userID string, err error) {
	event := s.st.InteractionEvent
	if event == "" {
		event = eventSignIn
	}
	entry := model.AuditEntry{Key: "Interaction." + event + "." + step, UserID: userID,
		SessionID: s.in.UID, ApplicationID: s.in.ClientID}
	if err != nil {
		entry.Failed = true
		if ae, ok := apperr.As(err); ok {
			entry.Error = map[string]string{"code": ae.Code, "message": ae.Message}
		} else {
			entry.Error = "internal error"
		}
	}
	e.svc.Record(ctx, e.tenantID, entry)
}

// withInteraction adds the interaction to the request's origin (Logto's InteractionApiMetadata:
// the event, the interaction id as sessionId, the client), for the webhook payloads and audit
// entries of the changes the interaction causes.
func withInteraction(ctx context.Context, s *session) context.Context {
	o := model.OriginFrom(ctx)
	o.InteractionEvent, o.SessionID, o.ApplicationID = s.st.InteractionEvent, s.in.UID, s.in.ClientID
	return model.WithOrigin(ctx, o)
}

// resumeURL is where the protocol continues an interaction (Logto's <issuer>/auth/<uid>), as
// the Experience API's redirectTo names it.
func (e *Experience) resumeURL(uid string) string { return e.issuer + "/auth/" + uid }

// resumePath is resumeURL without its origin, for the hosted pages' redirects.
func (e *Experience) resumePath(uid string) string { return e.onPageOrigin(e.resumeURL(uid)) }

// onPageOrigin drops the tenant's own origin from u (pagekit.PathOnOrigin).
func (e *Experience) onPageOrigin(u string) string { return pagekit.PathOnOrigin(e.issuer, u) }
