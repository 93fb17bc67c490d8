package keyring

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/core"
	"github.com/gatehouse-id/gatehouse/internal/store"
)

// Key types of /api/configs/oidc/:keyType (Logto's LogtoOidcConfigKeyType).
const (
	KeyTypePrivateKeys = "private-keys"
	KeyTypeCookieKeys  = "cookie-keys"
)

// maxCookieKeys is how many cookie keys Logto keeps after a rotation (the new one and the last).
const maxCookieKeys = 2

// KeyInfo is a key as the Management API lists it: never its material. Private keys carry
// their status and algorithm family ("EC" or "RSA", the JWK kty), and a staged Next key the
// time it takes over (epoch ms); cookie keys only {id, createdAt} (Logto's
// getRedactedOidcKeyResponse).
type KeyInfo struct {
	ID                  string `json:"id"`
	CreatedAt           int64  `json:"createdAt"` // unix seconds, as stored
	Status              string `json:"status,omitempty"`
	SigningKeyAlgorithm string `json:"signingKeyAlgorithm,omitempty"`
	EffectiveAt         *int64 `json:"effectiveAt,omitempty"`
}

func checkKeyType(keyType string) error {
	if keyType != KeyTypePrivateKeys && keyType != KeyTypeCookieKeys {
		return apperr.New(http.StatusBadRequest, "guard.invalid_input",
			"The request params is invalid. keyType: must be %q or %q.", KeyTypePrivateKeys, KeyTypeCookieKeys)
	}
	return nil
}

// ListKeys lists a tenant's signing or cookie keys without their material.
func (s *Keyring) ListKeys(ctx context.Context, tenantID, keyType string) ([]KeyInfo, error) {
	if err := checkKeyType(keyType); err != nil {
		return nil, err
	}
	c := s.core.Store().Tenant(tenantID).Configs()
	if keyType == KeyTypeCookieKeys {
		cookies, err := loadCookieKeys(ctx, c)
		if err != nil {
			return nil, err
		}
		return cookieKeyInfos(cookies), nil
	}
	private, err := loadPrivateKeys(ctx, c)
	if err != nil {
		return nil, err
	}
	state, err := loadRotationState(ctx, c)
	if err != nil {
		return nil, err
	}
	if s.rotationDue(private, state) {
		// Persist the promotion the key manager already applies in memory, so the listing
		// shows the statuses that are in force.
		err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
			private, state, err = s.promoteIfDue(ctx, t.Configs())
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return privateKeyInfos(private, state)
}

// rotationDue reports whether a staged Next key's time to take over has come.
func (s *Keyring) rotationDue(private []model.PrivateKey, state model.SigningKeyRotationState) bool {
	at, ok := keys.RotationTime(state)
	return ok && !s.core.Clock().Now().Before(at) && hasStatus(keys.Normalize(private), model.KeyNext)
}

// promoteIfDue stores the promotion of a staged Next key whose time has come (Logto's
// promoteScheduledSigningKeyRotation) and returns the keys and rotation state in force.
func (s *Keyring) promoteIfDue(ctx context.Context, c store.Configs) ([]model.PrivateKey, model.SigningKeyRotationState, error) {
	private, err := loadPrivateKeys(ctx, c)
	if err != nil {
		return nil, model.SigningKeyRotationState{}, err
	}
	state, err := loadRotationState(ctx, c)
	if err != nil {
		return nil, state, err
	}
	if !s.rotationDue(private, state) {
		return private, state, nil
	}
	private = keys.Promote(private)
	state = model.SigningKeyRotationState{}
	if err := core.PutConfig(ctx, c, model.ConfigPrivateKeys, private); err != nil {
		return nil, state, err
	}
	if err := core.PutConfig(ctx, c, model.ConfigSigningKeyRotationState, state); err != nil {
		return nil, state, err
	}
	return private, state, nil
}

// RotateKeys rotates a tenant's signing keys (algorithm "ec" — the default — or "rsa", any case)
// honouring the configured grace period, or its cookie keys.
func (s *Keyring) RotateKeys(ctx context.Context, tenantID, keyType, algorithm string) ([]KeyInfo, error) {
	return s.RotateKeysWithGrace(ctx, tenantID, keyType, algorithm, nil)
}

// RotateKeysWithGrace is RotateKeys with a grace period for this rotation (nil = the configured
// one), as POST /configs/oidc/private-keys/rotate accepts `rotationGracePeriod` (seconds).
//
// With no grace period the new key signs at once and the old Current stays published as
// Previous; Logto refuses this while a Next key is staged (422 oidc.invalid_request). With a
// grace period the new key is staged as Next and signingKeyRotationState records when it takes
// over. Cookie keys: the new key goes first and only the previous one is kept.
func (s *Keyring) RotateKeysWithGrace(ctx context.Context, tenantID, keyType, algorithm string, grace *time.Duration) ([]KeyInfo, error) {
	if err := checkKeyType(keyType); err != nil {
		return nil, err
	}
	now := s.core.Clock().Now()
	if keyType == KeyTypeCookieKeys {
		if grace != nil {
			return nil, apperr.New(http.StatusUnprocessableEntity, "oidc.invalid_request", "Request is invalid.")
		}
		return s.rotateCookieKeys(ctx, tenantID, now)
	}
	kind, err := keyKind(algorithm)
	if err != nil {
		return nil, err
	}
	period, err := s.gracePeriod(grace)
	if err != nil {
		return nil, err
	}
	// Generate outside the transaction: an RSA-4096 key takes seconds and SQLite has one writer.
	fresh, err := keys.Generate(kind, now)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return s.rotateSigningKeys(ctx, tenantID, fresh, now, period)
}

// rotateCookieKeys puts a new cookie key first and keeps only the previous one.
func (s *Keyring) rotateCookieKeys(ctx context.Context, tenantID string, now time.Time) ([]KeyInfo, error) {
	var out []KeyInfo
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		existing, err := loadCookieKeys(ctx, t.Configs())
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		updated := append([]model.CookieKey{keys.GenerateCookieKey(now)}, existing...)
		if len(updated) > maxCookieKeys {
			updated = updated[:maxCookieKeys]
		}
		if err := core.PutConfig(ctx, t.Configs(), model.ConfigCookieKeys, updated); err != nil {
			return err
		}
		out = cookieKeyInfos(updated)
		return nil
	})
	return out, err
}

// gracePeriod is the grace period of a rotation: grace, or the configured one when nil; never
// negative.
func (s *Keyring) gracePeriod(grace *time.Duration) (time.Duration, error) {
	period := s.grace
	if grace != nil {
		period = *grace
	}
	if period < 0 {
		return 0, core.InvalidBody("rotationGracePeriod: must not be negative.")
	}
	return period, nil
}

// rotateSigningKeys adds fresh to the signing keys, after promoting a staged key whose time has
// come: signing at once when period is 0 (refused while a Next key is staged), else staged as
// Next with its takeover scheduled period after now.
func (s *Keyring) rotateSigningKeys(ctx context.Context, tenantID string, fresh model.PrivateKey, now time.Time, period time.Duration) ([]KeyInfo, error) {
	var out []KeyInfo
	err := s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		c := t.Configs()
		existing, _, err := s.promoteIfDue(ctx, c)
		if err != nil {
			return err
		}
		existing = keys.Normalize(existing)
		staged := period > 0
		if !staged && hasStatus(existing, model.KeyNext) {
			return apperr.New(http.StatusUnprocessableEntity, "oidc.invalid_request",
				"Request is invalid. A staged Next signing key is waiting to take over; rotate again after it does.")
		}
		updated := keys.Rotate(existing, fresh, staged)
		if err := core.PutConfig(ctx, c, model.ConfigPrivateKeys, updated); err != nil {
			return err
		}
		state, err := scheduleIfStaged(ctx, c, staged, now, period)
		if err != nil {
			return err
		}
		out, err = privateKeyInfos(updated, state)
		return err
	})
	return out, err
}

// scheduleIfStaged records when a staged key takes over and returns the rotation state in force.
func scheduleIfStaged(ctx context.Context, c store.Configs, staged bool, now time.Time, period time.Duration) (model.SigningKeyRotationState, error) {
	state, err := loadRotationState(ctx, c)
	if err != nil || !staged {
		return state, err
	}
	state = keys.ScheduleRotation(now, period)
	return state, core.PutConfig(ctx, c, model.ConfigSigningKeyRotationState, state)
}

// DeleteKey removes a key. A signing key can only be deleted while it is Previous (Logto's
// oidc.only_previous_key_can_be_deleted), and the last key of either kind never.
func (s *Keyring) DeleteKey(ctx context.Context, tenantID, keyType, keyID string) error {
	if err := checkKeyType(keyType); err != nil {
		return err
	}
	return s.core.Write(ctx, tenantID, func(t *core.Tx) error {
		c := t.Configs()
		if keyType == KeyTypeCookieKeys {
			existing, err := loadCookieKeys(ctx, c)
			if err != nil {
				return err
			}
			if len(existing) <= 1 {
				return errKeyRequired()
			}
			kept := make([]model.CookieKey, 0, len(existing))
			for _, k := range existing {
				if k.ID != keyID {
					kept = append(kept, k)
				}
			}
			if len(kept) == len(existing) {
				return errKeyNotFound(keyID)
			}
			return core.PutConfig(ctx, c, model.ConfigCookieKeys, kept)
		}
		existing, _, err := s.promoteIfDue(ctx, c)
		if err != nil {
			return err
		}
		existing = keys.Normalize(existing)
		if len(existing) <= 1 {
			return errKeyRequired()
		}
		var found *model.PrivateKey
		kept := make([]model.PrivateKey, 0, len(existing))
		for i, k := range existing {
			if k.ID == keyID {
				found = &existing[i]
				continue
			}
			kept = append(kept, k)
		}
		if found == nil {
			return errKeyNotFound(keyID)
		}
		if found.Status != model.KeyPrevious {
			return apperr.New(http.StatusUnprocessableEntity, "oidc.only_previous_key_can_be_deleted",
				"Only a previous key can be deleted.")
		}
		return core.PutConfig(ctx, c, model.ConfigPrivateKeys, kept)
	})
}

func keyKind(algorithm string) (string, error) {
	switch strings.ToLower(algorithm) {
	case "", keys.KindEC:
		return keys.KindEC, nil
	case keys.KindRSA:
		return keys.KindRSA, nil
	}
	return "", core.InvalidBody("signingKeyAlgorithm: must be \"EC\" or \"RSA\".")
}

func hasStatus(list []model.PrivateKey, status string) bool {
	for _, k := range list {
		if k.Status == status {
			return true
		}
	}
	return false
}

func errKeyRequired() *apperr.Error {
	return apperr.New(http.StatusUnprocessableEntity, "oidc.key_required", "At least one key is required.")
}

func errKeyNotFound(id string) *apperr.Error {
	return apperr.New(http.StatusNotFound, "oidc.key_not_found", "Key with ID %s is not found.", id)
}

func cookieKeyInfos(list []model.CookieKey) []KeyInfo {
	out := make([]KeyInfo, len(list))
	for i, k := range list {
		out[i] = KeyInfo{ID: k.ID, CreatedAt: k.CreatedAt}
	}
	return out
}

func privateKeyInfos(list []model.PrivateKey, state model.SigningKeyRotationState) ([]KeyInfo, error) {
	list = keys.Normalize(list)
	out := make([]KeyInfo, len(list))
	for i, k := range list {
		alg, err := keyFamily(k.Value)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", k.ID, err)
		}
		info := KeyInfo{ID: k.ID, CreatedAt: k.CreatedAt, Status: k.Status, SigningKeyAlgorithm: alg}
		if k.Status == model.KeyNext && state.SigningKeyRotationAt > 0 {
			at := state.SigningKeyRotationAt
			info.EffectiveAt = &at
		}
		out[i] = info
	}
	return out, nil
}

// keyFamily returns the JWK kty of a PKCS#8 PEM private key, which Logto reports as
// signingKeyAlgorithm.
func keyFamily(value string) (string, error) {
	block, _ := pem.Decode([]byte(value))
	if block == nil {
		return "", errors.New("stored key is not a PEM")
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("parse stored key: %w", err)
	}
	switch priv.(type) {
	case *ecdsa.PrivateKey:
		return "EC", nil
	case *rsa.PrivateKey:
		return "RSA", nil
	case ed25519.PrivateKey:
		return "OKP", nil
	}
	return "", fmt.Errorf("unsupported stored key type %T", priv)
}

func loadPrivateKeys(ctx context.Context, c store.Configs) ([]model.PrivateKey, error) {
	var list []model.PrivateKey
	if err := core.GetConfig(ctx, c, model.ConfigPrivateKeys, &list); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return []model.PrivateKey{}, nil
		}
		return nil, err
	}
	return list, nil
}

func loadCookieKeys(ctx context.Context, c store.Configs) ([]model.CookieKey, error) {
	var list []model.CookieKey
	if err := core.GetConfig(ctx, c, model.ConfigCookieKeys, &list); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return []model.CookieKey{}, nil
		}
		return nil, err
	}
	return list, nil
}

func loadRotationState(ctx context.Context, c store.Configs) (model.SigningKeyRotationState, error) {
	var st model.SigningKeyRotationState
	if err := core.GetConfig(ctx, c, model.ConfigSigningKeyRotationState, &st); err != nil && !errors.Is(err, model.ErrNotFound) {
		return st, err
	}
	return st, nil
}
