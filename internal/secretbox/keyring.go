package secretbox

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
)

// Prefix starts every sealed value: "gh1:<data key id>:<base64url(nonce || ciphertext)>". The
// version lets a later format live beside this one; the id names the data key that opens it.
const Prefix = "gh1:"

// version is authenticated with every sealed value and wrapped key, so a value of one format
// can never be read as another.
const version = "gatehouse/secretbox/v1"

var (
	// ErrKeyMismatch: a data key does not unwrap with the master key given, i.e. the database was
	// sealed with another master key (or its data key row was altered).
	ErrKeyMismatch = errors.New("the master key does not match the one this database was sealed with")
	// ErrNotSealed: Open was given a value without Prefix.
	ErrNotSealed = errors.New("secretbox: value is not sealed")
	// ErrUnknownDataKey: the value names a data key this keyring does not hold.
	ErrUnknownDataKey = errors.New("secretbox: sealed with a data key this process does not hold")
	// ErrOpen: the value does not authenticate: tampered with, corrupted, or copied from another
	// place (row, column or tenant).
	ErrOpen = errors.New("secretbox: sealed value does not open (altered, or copied from another row)")
)

// Place is where a sealed value is stored. It is the AES-GCM associated data of the value, so a
// sealed value copied into another row, column or tenant does not open there: whoever can
// write to the database cannot move one application's secret to another.
type Place struct {
	Table, Column string
	Tenant        string
	Row           string // the row's key within the tenant
}

// ad encodes the place unambiguously: every field is length-prefixed.
func (p Place) ad() []byte {
	b := make([]byte, 0, len(version)+len(p.Table)+len(p.Column)+len(p.Tenant)+len(p.Row)+8)
	b = append(b, version...)
	for _, f := range []string{p.Table, p.Column, p.Tenant, p.Row} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// Sealer seals secrets before they are stored and opens them after they are read. Every secret
// Gatehouse keeps at rest goes through it: client secrets and the signing and cookie keys today;
// connector configs (client secrets, SMTP passwords, API keys) and TOTP secrets must go through
// it too when they are added, with a Place naming their table, column, tenant and row.
// Implementations are safe for concurrent use.
type Sealer interface {
	// Seal encrypts plaintext for place p and returns text safe to store (Prefix, then ASCII).
	Seal(p Place, plaintext []byte) (string, error)
	// Open decrypts a value Seal returned for the same place.
	Open(p Place, sealed string) ([]byte, error)
}

// IsSealed reports whether a stored value is sealed (rather than a legacy plaintext value).
func IsSealed(stored string) bool { return strings.HasPrefix(stored, Prefix) }

// DataKey is a data key (DEK) as stored: its id, the key wrapped by the master key, and whether
// new values are sealed with it (exactly one is active).
type DataKey struct {
	ID        string
	Wrapped   string
	Active    bool
	CreatedAt int64 // epoch milliseconds
}

// NewDataKey generates a data key and wraps it with kek. It is not active until the caller
// marks it so.
func NewDataKey(kek *MasterKey, createdAt int64) DataKey {
	var id [8]byte
	_, _ = rand.Read(id[:])
	var raw [KeySize]byte
	_, _ = rand.Read(raw[:])
	k := DataKey{ID: hex.EncodeToString(id[:]), CreatedAt: createdAt}
	k.Wrapped = kek.wrap(k.ID, raw[:])
	return k
}

// Rewrap returns k wrapped by to instead of from; the data key itself, and so every value sealed
// with it, is unchanged. It fails with ErrKeyMismatch when from does not unwrap k.
func Rewrap(from, to *MasterKey, k DataKey) (DataKey, error) {
	raw, err := from.unwrap(k)
	if err != nil {
		return DataKey{}, err
	}
	k.Wrapped = to.wrap(k.ID, raw)
	return k, nil
}

// wrapAD binds a wrapped data key to its id, so wrapped keys cannot be swapped between rows.
func wrapAD(id string) []byte { return []byte(version + "\x00data key\x00" + id) }

func (k *MasterKey) wrap(id string, raw []byte) string {
	return Prefix + base64.RawURLEncoding.EncodeToString(seal(k.aead, raw, wrapAD(id)))
}

func (k *MasterKey) unwrap(d DataKey) ([]byte, error) {
	body, ok := strings.CutPrefix(d.Wrapped, Prefix)
	if !ok {
		return nil, fmt.Errorf("data key %s: unknown wrapping format: %w", d.ID, ErrKeyMismatch)
	}
	raw, err := open(k.aead, body, wrapAD(d.ID))
	if err != nil || len(raw) != KeySize {
		return nil, fmt.Errorf("data key %s does not unwrap: %w", d.ID, ErrKeyMismatch)
	}
	return raw, nil
}

// seal encrypts with a fresh random nonce and returns nonce || ciphertext. Random 96-bit nonces
// are safe far beyond the number of values one data key will ever seal (NIST SP 800-38D: 2^32).
func seal(aead cipher.AEAD, plaintext, ad []byte) []byte {
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(out)
	return aead.Seal(out, out, plaintext, ad)
}

func open(aead cipher.AEAD, body string, ad []byte) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	n := aead.NonceSize()
	plaintext, err := aead.Open(nil, raw[:n], raw[n:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return plaintext, nil
}

// Keyring holds a database's data keys unwrapped in memory, so sealing and opening cost one
// AES-GCM operation (about a microsecond) and never a master-key unwrap. It is immutable and
// safe for concurrent use.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
}

var _ Sealer = (*Keyring)(nil)

// NewKeyring unwraps every data key with kek. This is the start-up key check: a master key that
// does not unwrap all of them fails with ErrKeyMismatch. Exactly one key must be active.
func NewKeyring(kek *MasterKey, keys []DataKey) (*Keyring, error) {
	r := &Keyring{aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		raw, err := kek.unwrap(k)
		if err != nil {
			return nil, err
		}
		if r.aeads[k.ID], err = newGCM(raw); err != nil {
			return nil, err
		}
		if k.Active {
			if r.active != "" {
				return nil, fmt.Errorf("secretbox: data keys %s and %s are both active", r.active, k.ID)
			}
			r.active = k.ID
		}
	}
	if r.active == "" {
		return nil, errors.New("secretbox: no active data key")
	}
	return r, nil
}

// ActiveID is the id of the data key new values are sealed with.
func (r *Keyring) ActiveID() string { return r.active }

// Seal encrypts plaintext with the active data key, bound to p.
func (r *Keyring) Seal(p Place, plaintext []byte) (string, error) {
	body := seal(r.aeads[r.active], plaintext, p.ad())
	return Prefix + r.active + ":" + base64.RawURLEncoding.EncodeToString(body), nil
}

// Open decrypts a sealed value stored at p. Its errors never contain the value.
func (r *Keyring) Open(p Place, sealed string) ([]byte, error) {
	rest, ok := strings.CutPrefix(sealed, Prefix)
	if !ok {
		return nil, ErrNotSealed
	}
	id, body, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, ErrOpen
	}
	aead, ok := r.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q (restart with the current master key)", ErrUnknownDataKey, apperr.Clip(id, 32))
	}
	plaintext, err := open(aead, body, p.ad())
	if err != nil {
		return nil, fmt.Errorf("%w: %s.%s of %q in tenant %q", err, p.Table, p.Column, p.Row, p.Tenant)
	}
	return plaintext, nil
}
