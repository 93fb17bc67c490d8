package secretbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the size in bytes of master keys and data keys (AES-256).
const KeySize = 32

// maxKeyFileSize bounds what a key file may hold: a key is 44 or 64 characters, and a larger
// file is certainly not a key (reading it whole would only waste memory).
const maxKeyFileSize = 1024

// ErrBadKeyEncoding is returned (wrapped) by ParseMasterKey for text that is not 32 bytes of
// base64 or 64 hex characters. Its message never repeats the text.
var ErrBadKeyEncoding = errors.New("not a 32-byte key: give 32 random bytes as base64 (44 characters, " +
	"e.g. from `gatehouse keys generate-master` or `openssl rand -base64 32`) or as 64 hex characters")

// MasterKey is the key-encryption key (KEK). It only ever wraps and unwraps data keys, which
// seal the values; so rotating it rewraps a few data keys instead of re-encrypting every value.
// Its String never shows the key.
type MasterKey struct {
	raw  [KeySize]byte
	aead cipher.AEAD
}

// GenerateMasterKey returns a new random master key.
func GenerateMasterKey() *MasterKey {
	var raw [KeySize]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails (it crashes the program instead)
	k, err := newMasterKey(raw[:])
	if err != nil {
		panic(err) // unreachable: aes.NewCipher accepts every 32-byte key
	}
	return k
}

// ParseMasterKey reads a master key written as base64 (standard or URL alphabet, padded or not)
// or as 64 hex characters; surrounding white space is ignored. It must be exactly 32 bytes.
func ParseMasterKey(text string) (*MasterKey, error) {
	text = strings.TrimSpace(text)
	var raw []byte
	if len(text) == 2*KeySize {
		// 64 characters are never 32 bytes of base64, so hex is unambiguous.
		if b, err := hex.DecodeString(text); err == nil {
			raw = b
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw != nil {
			break
		}
		if b, err := enc.DecodeString(text); err == nil && len(b) == KeySize {
			raw = b
		}
	}
	if len(raw) != KeySize {
		return nil, ErrBadKeyEncoding
	}
	if bytes.Equal(raw, make([]byte, KeySize)) {
		return nil, errors.New("the key is all zero bytes, a placeholder rather than a random key; generate one with `gatehouse keys generate-master`")
	}
	return newMasterKey(raw)
}

func newMasterKey(raw []byte) (*MasterKey, error) {
	k := &MasterKey{}
	copy(k.raw[:], raw)
	aead, err := newGCM(k.raw[:])
	if err != nil {
		return nil, err
	}
	k.aead = aead
	return k, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return aead, nil
}

// Encode returns the key as standard padded base64, the form key files and
// GATEHOUSE_MASTER_KEY hold. The result is secret.
func (k *MasterKey) Encode() string { return base64.StdEncoding.EncodeToString(k.raw[:]) }

// Equal reports whether k and o are the same key (in constant time).
func (k *MasterKey) Equal(o *MasterKey) bool {
	return k != nil && o != nil && subtle.ConstantTimeCompare(k.raw[:], o.raw[:]) == 1
}

// String hides the key, so a key printed by mistake (%v, a log line) does not leak.
func (k *MasterKey) String() string { return "secretbox.MasterKey(hidden)" }

// GoString hides the key from %#v as well.
func (k *MasterKey) GoString() string { return k.String() }

// ReadKeyFile reads a master key file: one key in an encoding ParseMasterKey accepts.
func ReadKeyFile(path string) (*MasterKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxKeyFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: %w", path, maxKeyFileSize, ErrBadKeyEncoding)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%s is empty: %w", path, ErrBadKeyEncoding)
	}
	k, err := ParseMasterKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreateKeyFile reads the key file at path, or, when there is none, creates it with a new
// random key (file mode 0600; a missing directory is created 0700) and reports created. Two
// processes racing to create it end up with the same key: the file appears complete or not at
// all (it is written aside and hard-linked into place, which fails if the other one won).
func LoadOrCreateKeyFile(path string) (key *MasterKey, created bool, err error) {
	key, err = ReadKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create the directory of %s: %w", path, err)
	}
	key = GenerateMasterKey()
	tmp, err := writeTemp(dir, key)
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			key, err = ReadKeyFile(path) // another process created it first: use theirs
			return key, false, err
		}
		// Some file systems cannot hard-link; fall back to an exclusive create.
		if err := writeExclusive(path, key); err != nil {
			return nil, false, err
		}
	}
	return key, true, nil
}

// WriteKeyFile replaces the key file at path with key, atomically (written aside with mode 0600
// and renamed into place), so a crash leaves either the old or the new key, never half of one.
func WriteKeyFile(path string, key *MasterKey) error {
	tmp, err := writeTemp(filepath.Dir(path), key)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}

// writeTemp writes key to a new file of mode 0600 in dir and returns its path.
func writeTemp(dir string, key *MasterKey) (string, error) {
	f, err := os.CreateTemp(dir, ".master.key-*") // CreateTemp uses mode 0600
	if err != nil {
		return "", fmt.Errorf("write master key file in %s: %w", dir, err)
	}
	if err := writeKey(f, key); err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func writeExclusive(path string, key *MasterKey) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return writeKey(f, key)
}

// writeKey writes the key and a newline, flushes it to disk and closes f.
func writeKey(f *os.File, key *MasterKey) error {
	_, err := f.WriteString(key.Encode() + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write master key file %s: %w", f.Name(), err)
	}
	return nil
}
