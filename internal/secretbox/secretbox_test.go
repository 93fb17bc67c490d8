package secretbox

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var place = Place{Table: "application_secrets", Column: "value", Tenant: "default", Row: "app1"}

// ring returns a keyring with one active data key under a fresh master key.
func ring(t testing.TB) (*MasterKey, []DataKey, *Keyring) {
	t.Helper()
	kek := GenerateMasterKey()
	dk := NewDataKey(kek, 1)
	dk.Active = true
	r, err := NewKeyring(kek, []DataKey{dk})
	if err != nil {
		t.Fatal(err)
	}
	return kek, []DataKey{dk}, r
}

func TestParseMasterKey(t *testing.T) {
	raw := make([]byte, KeySize)
	for i := range raw {
		raw[i] = byte(i*7 + 250) // includes bytes that differ between the base64 alphabets
	}
	want, err := newMasterKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"standard base64":     base64.StdEncoding.EncodeToString(raw),
		"unpadded base64":     base64.RawStdEncoding.EncodeToString(raw),
		"URL base64":          base64.URLEncoding.EncodeToString(raw),
		"unpadded URL base64": base64.RawURLEncoding.EncodeToString(raw),
		"hex":                 hex.EncodeToString(raw),
		"upper-case hex":      strings.ToUpper(hex.EncodeToString(raw)),
		"with a newline":      " " + base64.StdEncoding.EncodeToString(raw) + "\n",
	} {
		got, err := ParseMasterKey(text)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: ParseMasterKey = %v, %v; want the key", name, got, err)
		}
	}
	if got, err := ParseMasterKey(want.Encode()); err != nil || !got.Equal(want) {
		t.Errorf("ParseMasterKey(Encode()) = %v, %v", got, err)
	}

	secret := "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw"
	for name, text := range map[string]string{
		"empty":         "",
		"16 bytes":      base64.StdEncoding.EncodeToString(raw[:16]),
		"33 bytes":      base64.StdEncoding.EncodeToString(append(raw, 1)),
		"63 hex digits": hex.EncodeToString(raw)[:63],
		"bad hex":       strings.Repeat("zz", 32),
		"not base64":    "!!" + secret,
		"a passphrase":  secret,
	} {
		_, err := ParseMasterKey(text)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), secret) || (text != "" && strings.Contains(err.Error(), text)) {
			t.Errorf("%s: error repeats the value: %v", name, err)
		}
	}
	if _, err := ParseMasterKey(base64.StdEncoding.EncodeToString(make([]byte, KeySize))); err == nil || !strings.Contains(err.Error(), "zero") {
		t.Errorf("an all-zero key: %v, want refused as a placeholder", err)
	}
}

func TestMasterKeyNeverPrints(t *testing.T) {
	k := GenerateMasterKey()
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %s %#v", k, k, k, k)} {
		if strings.Contains(s, k.Encode()) || strings.Contains(s, k.Encode()[:10]) {
			t.Fatalf("formatting a MasterKey shows it: %s", s)
		}
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	_, keys, r := ring(t)
	for _, plaintext := range []string{"", "s3cret", strings.Repeat("x", 10_000), "ünïcødé\x00bytes"} {
		sealed, err := r.Seal(place, []byte(plaintext))
		if err != nil {
			t.Fatal(err)
		}
		if !IsSealed(sealed) || !strings.HasPrefix(sealed, Prefix+keys[0].ID+":") {
			t.Fatalf("sealed value %q lacks the prefix and data key id", sealed)
		}
		if plaintext != "" && strings.Contains(sealed, plaintext) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := r.Open(place, sealed)
		if err != nil || string(got) != plaintext {
			t.Fatalf("Open = %q, %v; want %q", got, err, plaintext)
		}
	}
	a, _ := r.Seal(place, []byte("same"))
	b, _ := r.Seal(place, []byte("same"))
	if a == b {
		t.Fatal("sealing the same value twice gave the same text: nonces are not random")
	}
}

func TestWrongMasterKeyIsRefused(t *testing.T) {
	_, keys, _ := ring(t)
	_, err := NewKeyring(GenerateMasterKey(), keys)
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("NewKeyring with another master key: %v, want ErrKeyMismatch", err)
	}
	if !strings.Contains(err.Error(), "does not match the one this database was sealed with") || !strings.Contains(err.Error(), keys[0].ID) {
		t.Fatalf("error %q does not say the key does not match", err)
	}
}

func TestTamperedValueDoesNotOpen(t *testing.T) {
	_, keys, r := ring(t)
	sealed, _ := r.Seal(place, []byte("s3cret"))
	body := sealed[len(Prefix+keys[0].ID+":"):]
	raw, _ := base64.RawURLEncoding.DecodeString(body)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return Prefix + keys[0].ID + ":" + base64.RawURLEncoding.EncodeToString(b)
	}
	for name, v := range map[string]string{
		"nonce bit flipped":      flip(0),
		"ciphertext bit flipped": flip(13),
		"tag bit flipped":        flip(len(raw) - 1),
		"truncated":              sealed[:len(sealed)-4],
		"too short":              Prefix + keys[0].ID + ":AAAA",
		"not base64":             Prefix + keys[0].ID + ":***",
		"no key id":              Prefix + body,
	} {
		if got, err := r.Open(place, v); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open = %q, %v; want ErrOpen", name, got, err)
		}
	}
	if _, err := r.Open(place, Prefix+"0123456789abcdef:"+body); !errors.Is(err, ErrUnknownDataKey) {
		t.Errorf("unknown data key id: %v, want ErrUnknownDataKey", err)
	}
	if _, err := r.Open(place, "s3cret"); !errors.Is(err, ErrNotSealed) {
		t.Errorf("plaintext: %v, want ErrNotSealed", err)
	}
}

func TestValueMovedToAnotherPlaceDoesNotOpen(t *testing.T) {
	_, _, r := ring(t)
	sealed, _ := r.Seal(place, []byte("s3cret"))
	for name, p := range map[string]Place{
		"another row":    {place.Table, place.Column, place.Tenant, "app2"},
		"another tenant": {place.Table, place.Column, "admin", place.Row},
		"another column": {place.Table, "name", place.Tenant, place.Row},
		"another table":  {"logto_configs", place.Column, place.Tenant, place.Row},
		// Length prefixes keep field boundaries: "app1" in tenant "default" is not "1" in "defaultapp".
		"shifted fields": {place.Table, place.Column, place.Tenant + "app", "1"},
	} {
		if _, err := r.Open(p, sealed); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v, want ErrOpen", name, err)
		}
	}
}

func TestRewrapKeepsValuesAndRetiresTheOldMasterKey(t *testing.T) {
	oldKEK, keys, _ := ring(t)
	second := NewDataKey(oldKEK, 2) // an inactive older key, as after a data key rotation
	keys = append(keys, second)
	r, err := NewKeyring(oldKEK, keys)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := r.Seal(place, []byte("s3cret"))

	newKEK := GenerateMasterKey()
	var rewrapped []DataKey
	for _, k := range keys {
		w, err := Rewrap(oldKEK, newKEK, k)
		if err != nil {
			t.Fatal(err)
		}
		if w.ID != k.ID || w.Active != k.Active || w.Wrapped == k.Wrapped {
			t.Fatalf("Rewrap changed %+v into %+v", k, w)
		}
		rewrapped = append(rewrapped, w)
	}
	nr, err := NewKeyring(newKEK, rewrapped)
	if err != nil {
		t.Fatalf("new master key does not open the rewrapped keys: %v", err)
	}
	if got, err := nr.Open(place, sealed); err != nil || string(got) != "s3cret" {
		t.Fatalf("value sealed before the rotation: %q, %v", got, err)
	}
	if _, err := NewKeyring(oldKEK, rewrapped); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("old master key on rewrapped keys: %v, want ErrKeyMismatch", err)
	}
	if _, err := Rewrap(GenerateMasterKey(), newKEK, keys[0]); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("Rewrap with the wrong current key: %v, want ErrKeyMismatch", err)
	}
	// A wrapped key is bound to its id: moving it to another id does not unwrap.
	swapped := rewrapped[0]
	swapped.Wrapped = rewrapped[1].Wrapped
	if _, err := NewKeyring(newKEK, []DataKey{swapped}); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("wrapped key moved to another id: %v, want ErrKeyMismatch", err)
	}
}

func TestKeyringNeedsExactlyOneActiveKey(t *testing.T) {
	kek := GenerateMasterKey()
	a, b := NewDataKey(kek, 1), NewDataKey(kek, 2)
	if _, err := NewKeyring(kek, []DataKey{a, b}); err == nil {
		t.Error("no active key: accepted")
	}
	a.Active, b.Active = true, true
	if _, err := NewKeyring(kek, []DataKey{a, b}); err == nil {
		t.Error("two active keys: accepted")
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "master.key")
	k, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateKeyFile = %v, %v; want created", created, err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %v", p, st.Mode().Perm(), err, want)
		}
	}
	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !again.Equal(k) {
		t.Fatalf("second LoadOrCreateKeyFile = created %v, %v, same key %v", created, err, again.Equal(k))
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only master.key (no temporary files left)", len(entries))
	}

	next := GenerateMasterKey()
	if err := WriteKeyFile(path, next); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadKeyFile(path); err != nil || !got.Equal(next) {
		t.Fatalf("after WriteKeyFile: %v, %v", got, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("WriteKeyFile left mode %v, want 0600", st.Mode().Perm())
	}

	bad := filepath.Join(t.TempDir(), "bad.key")
	_ = os.WriteFile(bad, []byte("not a key\n"), 0o600)
	if _, _, err := LoadOrCreateKeyFile(bad); !errors.Is(err, ErrBadKeyEncoding) {
		t.Errorf("a file that is not a key: %v, want ErrBadKeyEncoding (and no new key)", err)
	}
}

// Processes starting at once on a fresh directory agree on one key.
func TestLoadOrCreateKeyFileConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	keys := make([]*MasterKey, n)
	created := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			keys[i], created[i], err = LoadOrCreateKeyFile(path)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	count := 0
	for i := range n {
		if created[i] {
			count++
		}
		if !keys[i].Equal(keys[0]) {
			t.Fatalf("caller %d got another key", i)
		}
	}
	if count != 1 {
		t.Fatalf("%d callers report creating the file, want 1", count)
	}
}
