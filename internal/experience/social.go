package experience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/connector"
	"github.com/gatehouse-id/gatehouse/internal/experience/apibody"
	"github.com/gatehouse-id/gatehouse/internal/experience/experr"
	"github.com/gatehouse-id/gatehouse/internal/experience/rules"
	"github.com/gatehouse-id/gatehouse/internal/experience/throttle"
	"github.com/gatehouse-id/gatehouse/internal/ids"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/users"
)

// verificationSocial is Logto's VerificationType.Social.
const verificationSocial = "Social"

// connectorFailure turns a connector's failure into Logto's 400 connector.<code>; anything else
// (a store failure) passes through.
func connectorFailure(err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return apperr.New(http.StatusBadRequest, "connector."+ce.Code, "%s", ce.Message)
	}
	return err
}

// startSocial begins a social verification (POST …/verification/social/:connectorId/
// authorization-uri): the connector builds the provider's URL, and the state, nonce and PKCE
// verifier it made are kept in the interaction, on the server.
func (e *Experience) startSocial(ctx context.Context, s *session, connectorID string, in apibody.SocialStart) (uri, verificationID string, err error) {
	defer func() { e.audit(ctx, s, "Verification.Social.Create", "", err) }()
	if !s.st.Started() {
		return "", "", experr.InteractionNotStarted()
	}
	sc, err := e.svc.SocialConnector(ctx, e.tenantID, connectorID)
	if err != nil {
		return "", "", connectorFailure(err)
	}
	uri, sess, err := sc.Social.AuthorizationURI(ctx, connector.AuthRequest{RedirectURI: in.RedirectURI, State: in.State, Scope: in.Scope})
	if err != nil {
		return "", "", connectorFailure(err)
	}
	rec := verificationRecord{ID: ids.New(), Type: verificationSocial, ConnectorID: connectorID, ConnectorSession: &sess}
	s.st.ReplaceVerification(rec)
	return uri, rec.ID, nil
}

// verifySocial completes a social verification with the provider's callback parameters
// (POST …/verify). The connector session is used once, whatever the outcome: a replayed
// callback answers 400 session.connector_validation_session_not_found, as in Logto.
func (e *Experience) verifySocial(ctx context.Context, s *session, connectorID, verificationID string, params url.Values) (err error) {
	defer func() { e.audit(ctx, s, "Verification.Social.Submit", "", err) }()
	i := s.recordIndex(verificationID)
	if i < 0 || s.st.VerificationRecords[i].Type != verificationSocial || s.st.VerificationRecords[i].ConnectorID != connectorID {
		return experr.VerificationNotFound()
	}
	rec := &s.st.VerificationRecords[i]
	if rec.ConnectorSession == nil {
		return experr.ConnectorSessionNotFound()
	}
	sess := *rec.ConnectorSession
	rec.ConnectorSession = nil
	if err := e.save(ctx, s); err != nil {
		return err
	}
	sc, err := e.svc.SocialConnector(ctx, e.tenantID, connectorID)
	if err != nil {
		return connectorFailure(err)
	}
	info, err := sc.Social.UserInfo(ctx, sess, params)
	if err != nil {
		return connectorFailure(err)
	}
	if info.ID == "" {
		return connectorFailure(connector.Errorf(connector.CodeInvalidResponse, "the provider's profile has no user id"))
	}
	rec = &s.st.VerificationRecords[s.recordIndex(verificationID)]
	rec.Verified, rec.SocialUser = true, &info
	return nil
}

// recordIndex is the position of record id, or -1.
func (s *session) recordIndex(id string) int {
	for i, r := range s.st.VerificationRecords {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// socialAccount is what a verified social record tells the user use-cases.
func (e *Experience) socialAccount(ctx context.Context, s *session, rec verificationRecord) (users.SocialAccount, error) {
	if !rec.Verified || rec.SocialUser == nil {
		return users.SocialAccount{}, experr.VerificationFailed()
	}
	sc, err := e.svc.SocialConnector(ctx, e.tenantID, rec.ConnectorID)
	if err != nil {
		return users.SocialAccount{}, connectorFailure(err)
	}
	info := *rec.SocialUser
	details, err := json.Marshal(info)
	if err != nil {
		return users.SocialAccount{}, fmt.Errorf("encode social profile: %w", err)
	}
	return users.SocialAccount{Target: sc.Target, AccountID: info.ID, Details: details, Email: info.Email, Phone: info.Phone,
		Name: info.Name, Avatar: info.Avatar, ApplicationID: s.in.ClientID, SyncProfile: sc.SyncProfile}, nil
}

// identifySocial identifies the person by a verified social record: the user linked to the
// provider account signs in (profile synced when the connector says so); without one, a
// registration creates the user, and a sign-in answers 404 user.identity_not_exist naming the
// account that has the same email, which link (or the sign-in experience's automatic account
// linking) attaches the identity to.
func (e *Experience) identifySocial(ctx context.Context, s *session, rec verificationRecord, link bool) (created bool, err error) {
	a, err := e.socialAccount(ctx, s, rec)
	if err != nil {
		return false, err
	}
	existing, err := e.svc.FindUserByIdentity(ctx, e.tenantID, a.Target, a.AccountID)
	switch {
	case err == nil:
		return false, e.signInSocial(ctx, s, existing, a)
	case !isNotFound(err):
		return false, fmt.Errorf("find user by identity: %w", err)
	}
	if s.st.InteractionEvent == eventRegister {
		return true, e.registerSocial(ctx, s, a)
	}
	related, err := e.relatedUser(ctx, a)
	if err != nil {
		return false, err
	}
	if related == nil {
		return false, experr.IdentityNotExist("")
	}
	autoLink := model.BoolOf(s.exp.SocialSignIn.AutomaticAccountLinking)
	if !link && !autoLink {
		return false, experr.IdentityNotExist(a.Email)
	}
	if !autoLink && !s.provedAccount(related.ID) {
		// Unlike Logto, linking on request needs the account's own proof: a provider's word for
		// an email address (which a generic OAuth 2.0 provider may not even have checked) must not
		// be enough to enter someone's account.
		return false, experr.LinkNeedsProof()
	}
	if related.IsSuspended {
		return false, experr.Suspended()
	}
	if _, err := e.svc.LinkSocialIdentity(withInteraction(ctx, s), e.tenantID, related.ID, a); err != nil {
		return false, err
	}
	return false, s.st.SignInAs(related.ID, "")
}

// provedAccount reports whether the interaction holds a verified password check of userID.
func (s *session) provedAccount(userID string) bool {
	return slices.ContainsFunc(s.st.VerificationRecords, func(r verificationRecord) bool {
		return r.Type == verificationPassword && r.Verified && r.UserID == userID
	})
}

// proveAccount checks the password of the account a social sign-in asks to be linked to, with
// the rate limit and the lockout of a sign-in, and records the proof. It does not need password
// sign-in to be enabled: it proves ownership, it does not sign in.
func (e *Experience) proveAccount(ctx context.Context, s *session, user model.User, password, clientIP string) error {
	if !e.limiter.Allow(clientIP) {
		return experr.RateLimited()
	}
	target := throttle.Target(&user, identifierEmail, model.StringOf(user.PrimaryEmail))
	if until, locked, err := e.lockout.LockedUntil(ctx, e.tenantID, target); err != nil {
		return err
	} else if locked {
		return experr.Locked(throttle.MinutesLeft(e.clk.Now(), until))
	}
	ok, err := e.passwordMatches(ctx, &user, password)
	if err != nil {
		return err
	}
	if err := e.settlePasswordAttempt(ctx, s, target, &user, ok); err != nil {
		return err
	}
	s.st.ReplaceVerification(verificationRecord{ID: ids.New(), Type: verificationPassword,
		Identifier: identifier{Type: identifierEmail, Value: model.StringOf(user.PrimaryEmail)}, Verified: true, UserID: user.ID})
	return nil
}

// relatedUser is the account whose email the provider vouched for, if any (Logto's
// findRelatedUser); nil when none.
func (e *Experience) relatedUser(ctx context.Context, a users.SocialAccount) (*model.User, error) {
	if a.Email == "" {
		return nil, nil
	}
	return e.findUser(ctx, identifierEmail, a.Email)
}

// signInSocial signs in the user linked to the provider account.
func (e *Experience) signInSocial(ctx context.Context, s *session, u model.User, a users.SocialAccount) error {
	if s.st.InteractionEvent == eventRegister {
		return experr.IdentityInUse()
	}
	if u.IsSuspended {
		return experr.Suspended()
	}
	synced, err := e.svc.SignInSocialUser(withInteraction(ctx, s), e.tenantID, u.ID, a)
	if err != nil {
		return err
	}
	return s.st.SignInAs(synced.ID, "")
}

// registerSocial creates the user of a first social sign-in. The sign-up settings still apply:
// a username they require must be in the profile first (422 user.missing_profile, which the
// page asks for), and an email they require must come from the provider. No password is asked:
// the person signs in with the provider.
func (e *Experience) registerSocial(ctx context.Context, s *session, a users.SocialAccount) error {
	if err := rules.GuardEvent(s.exp, eventRegister); err != nil {
		return err
	}
	if s.st.UserID != "" {
		return experr.IdentityConflict()
	}
	p := s.st.Profile
	if p.PrimaryEmail == "" {
		if related, err := e.relatedUser(ctx, a); err != nil {
			return err
		} else if related == nil {
			p.PrimaryEmail = a.Email
		}
	}
	p.PasswordEncrypted = "social" // a social account has no password to ask for
	if missing := missingProfile(s.exp, p); len(missing) > 0 {
		return experr.MissingProfile(missing)
	}
	a.Username, a.Email = s.st.Profile.Username, p.PrimaryEmail
	if err := e.checkAvailable(ctx, profile{Username: a.Username}); err != nil {
		return err
	}
	user, err := e.svc.RegisterSocialUser(withInteraction(ctx, s), e.tenantID, a)
	if err != nil {
		return err
	}
	s.st.UserID = user.ID
	s.st.Profile = profile{}
	return nil
}
