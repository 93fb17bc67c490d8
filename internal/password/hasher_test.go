package password

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/argon2"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

func TestHashWritesOWASPArgon2id(t *testing.T) {
	h := New(Options{})
	ctx := context.Background()
	enc, method, err := h.Hash(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	if method != model.PasswordArgon2id {
		t.Errorf("method = %q, want Argon2id", method)
	}
	// 16-byte salt and 32-byte key in unpadded base64: 22 and 43 characters.
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(enc) {
		t.Fatalf("Hash = %q, want an OWASP argon2id PHC string", enc)
	}
	if ok, rehash, err := h.Verify(ctx, pw, enc, method); !ok || rehash || err != nil {
		t.Errorf("Verify(own hash) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	if ok, _, err := h.Verify(ctx, pw+" ", enc, method); ok || err != nil {
		t.Errorf("Verify(wrong password) = %v, %v; want false, nil", ok, err)
	}
	again, _, err := h.Hash(ctx, pw)
	if err != nil || again == enc {
		t.Errorf("two hashes of one password are equal (%v): the salt is not random", err)
	}
	if err := ValidateDigest(method, enc); err != nil {
		t.Errorf("ValidateDigest(own hash) = %v", err)
	}
	if _, _, err := h.Hash(ctx, ""); err == nil {
		t.Error("Hash(\"\") succeeded; an empty password must be refused")
	}
}

// Our encoder must write what hash-wasm writes for the same salt, so Logto (or anything reading
// PHC strings) can verify Gatehouse's hashes after a migration back.
func TestHashEncodingMatchesHashWasm(t *testing.T) {
	salt := []byte("0123456789abcdef")
	d := argon2Digest{params: owaspArgon2id, salt: salt, key: owaspArgon2id.derive(&argon2.Arena{}, []byte(pw), salt)}
	const hashWasm = `$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0`
	if got := d.String(); got != hashWasm {
		t.Errorf("encoded = %s\nhash-wasm  %s", got, hashWasm)
	}
}

func TestVerifyRehashesMismatchedMethod(t *testing.T) {
	h := New(Options{})
	owasp := logtoVectors[2]
	if owasp.name != "argon2idOWASP" {
		t.Fatal("vector table reordered")
	}
	// Logto reads the variant from the string; the row's method column is then corrected.
	ok, rehash, err := h.Verify(context.Background(), owasp.password, owasp.encrypted, model.PasswordArgon2i)
	if !ok || !rehash || err != nil {
		t.Errorf("Verify(argon2id string labelled Argon2i) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
}

func TestVerifyEmptyPasswordNeverMatches(t *testing.T) {
	h := New(Options{})
	for _, v := range []struct{ method, encrypted string }{
		{model.PasswordSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}, // sha256("")
		{model.PasswordLegacy, `["sha256",["@"],"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]`},
	} {
		ok, _, err := h.Verify(context.Background(), "", v.encrypted, v.method)
		if ok || err != nil {
			t.Errorf("Verify(\"\", %s) = %v, %v; want false, nil", v.method, ok, err)
		}
	}
}

// malformed digests: each must be an error wrapping the sentinel, never a panic or a match.
var malformed = []struct {
	name, method, encrypted string
	want                    error
}{
	{"unknown method", "PBKDF2", "abc", ErrUnsupported},
	{"argon2 empty", model.PasswordArgon2i, "", ErrMalformed},
	{"argon2 unknown variant", model.PasswordArgon2i, `$argon2x$v=19$m=8192,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 version 16", model.PasswordArgon2i, `$argon2i$v=16$m=8192,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 no version", model.PasswordArgon2i, `$argon2i$m=8192,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 missing p", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=8$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 repeated t", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=8,t=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 negative t", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=-8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 t=0", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=0,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 memory 2 GiB", model.PasswordArgon2i, `$argon2i$v=19$m=2097152,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 memory overflow", model.PasswordArgon2i, `$argon2i$v=19$m=99999999999,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 101 passes", model.PasswordArgon2id, `$argon2id$v=19$m=8192,t=101,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 65 lanes", model.PasswordArgon2id, `$argon2id$v=19$m=8192,t=1,p=65$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 memory below 8 per lane", model.PasswordArgon2id, `$argon2id$v=19$m=15,t=1,p=2$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 short salt", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=8,p=1$MDEyMw$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 bad base64", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3e!!dWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"argon2 extra field", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0$x`, ErrMalformed},
	{"argon2 keyid parameter", model.PasswordArgon2i, `$argon2i$v=19$m=8192,t=8,k=1$MDEyMzQ1Njc4OWFiY2RlZg$m0/k6g3efdWDEOI6ul/Rdl1TKkhWCAykkRrjOT52OR0`, ErrMalformed},
	{"bcrypt cost 17", model.PasswordBcrypt, `$2b$17$Cq5lTLcU99TMmv5XAgzseeNRpgCQ5xmmDsl6aXznaTE0p/d4jDD1G`, ErrMalformed},
	{"bcrypt cost 03", model.PasswordBcrypt, `$2b$03$Cq5lTLcU99TMmv5XAgzseeNRpgCQ5xmmDsl6aXznaTE0p/d4jDD1G`, ErrMalformed},
	{"bcrypt cost letters", model.PasswordBcrypt, `$2b$1x$Cq5lTLcU99TMmv5XAgzseeNRpgCQ5xmmDsl6aXznaTE0p/d4jDD1G`, ErrMalformed},
	{"bcrypt truncated", model.PasswordBcrypt, `$2b$06$Cq5lTLcU99TMmv5XAgzseeNRpgCQ5xmmDsl6aXznaTE0p/d4jDD1`, ErrMalformed},
	{"bcrypt 2x", model.PasswordBcrypt, `$2x$06$Cq5lTLcU99TMmv5XAgzseeNRpgCQ5xmmDsl6aXznaTE0p/d4jDD1G`, ErrMalformed},
	{"bcrypt bad characters", model.PasswordBcrypt, `$2b$06$Cq5lTLcU99TMmv5XAgzseeNRpgCQ5xmmDsl6aXznaTE0p/d4jDD1+`, ErrMalformed},
	{"sha1 too short", model.PasswordSHA1, "abf7aad6438836dbe526aa231abde2d0eef74d4", ErrMalformed},
	{"sha1 not hex", model.PasswordSHA1, "zbf7aad6438836dbe526aa231abde2d0eef74d42", ErrMalformed},
	{"sha256 given to SHA1", model.PasswordSHA1, "c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a", ErrMalformed},
	{"md5 empty", model.PasswordMD5, "", ErrMalformed},
	{"legacy not json", model.PasswordLegacy, `sha256:@:abc`, ErrMalformed},
	{"legacy pair", model.PasswordLegacy, `["sha256",["@"]]`, ErrMalformed},
	{"legacy four items", model.PasswordLegacy, `["sha256",["@"],"c4",""]`, ErrMalformed},
	{"legacy object", model.PasswordLegacy, `{"algorithm":"sha256"}`, ErrMalformed},
	{"legacy without @", model.PasswordLegacy, `["sha256",["salt"],"c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a"]`, ErrMalformed},
	{"legacy numeric args", model.PasswordLegacy, `["pbkdf2",["salt",1000,20,"sha1","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrMalformed},
	{"legacy empty algorithm", model.PasswordLegacy, `["",["@"],"abcd"]`, ErrMalformed},
	{"legacy sm3", model.PasswordLegacy, `["sm3",["@"],"623476ac18f65a2909e43c7fec61b49c7e764a91a18ccb82f1917a29c86c5e88"]`, ErrUnsupported},
	{"legacy invented algorithm", model.PasswordLegacy, `["rot13",["@"],"abcd"]`, ErrUnsupported},
	{"legacy digest length", model.PasswordLegacy, `["sha256",["@"],"abf7aad6438836dbe526aa231abde2d0eef74d42"]`, ErrMalformed},
	{"pbkdf2 10M+1 iterations", model.PasswordLegacy, `["pbkdf2",["salt","10000001","20","sha1","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrMalformed},
	{"pbkdf2 iterations text", model.PasswordLegacy, `["pbkdf2",["salt","many","20","sha1","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrMalformed},
	{"pbkdf2 zero iterations", model.PasswordLegacy, `["pbkdf2",["salt","0","20","sha1","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrMalformed},
	{"pbkdf2 keylen differs from hash", model.PasswordLegacy, `["pbkdf2",["salt","1000","32","sha1","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrMalformed},
	{"pbkdf2 huge keylen", model.PasswordLegacy, `["pbkdf2",["salt","1000","99999999","sha1","@"],"68"]`, ErrMalformed},
	{"pbkdf2 odd hex salt", model.PasswordLegacy, `["pbkdf2",["hex:abc","1000","20","sha1","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrMalformed},
	{"pbkdf2 missing args", model.PasswordLegacy, `["pbkdf2",["salt","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrMalformed},
	{"pbkdf2 shake digest", model.PasswordLegacy, `["pbkdf2",["salt","1000","20","SHAKE256","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrUnsupported},
	{"pbkdf2 unknown digest", model.PasswordLegacy, `["pbkdf2",["salt","1000","20","whirlpool","@"],"68aff5d18b20f98a80476619645cd7190eeb3b12"]`, ErrUnsupported},
	{"firebase 8 GiB", model.PasswordLegacy, `["firebase-scrypt",["42xEC+ixf3L2lw==","jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==","Bw==","64","20","@"],"lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="]`, ErrMalformed},
	{"firebase memCost 31", model.PasswordLegacy, `["firebase-scrypt",["42xEC+ixf3L2lw==","jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==","Bw==","8","31","@"],"lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="]`, ErrMalformed},
	{"firebase hash length", model.PasswordLegacy, `["firebase-scrypt",["42xEC+ixf3L2lw==","jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==","Bw==","8","14","@"],"lSrfV15cpx95"]`, ErrMalformed},
	{"firebase missing args", model.PasswordLegacy, `["firebase-scrypt",["42xEC+ixf3L2lw==","@"],"lSrfV15cpx95"]`, ErrMalformed},
	{"firebase bad base64", model.PasswordLegacy, `["firebase-scrypt",["42xEC+ixf3L2lw==","***","Bw==","8","14","@"],"lSrfV15cpx95"]`, ErrMalformed},
}

func TestVerifyRefusesMalformedDigests(t *testing.T) {
	h := New(Options{})
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), pw, c.encrypted, c.method)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify error = %v, want %v", err, c.want)
			}
			if ok || rehash {
				t.Errorf("Verify = %v, %v with an error", ok, rehash)
			}
		})
	}
}

func TestValidateDigestAnswersLogtoCodes(t *testing.T) {
	cases := []struct {
		name, method, encrypted, code string
	}{
		{"unknown method", "PBKDF2", "abc", "guard.invalid_input"},
		{"bad argon2", model.PasswordArgon2i, malformedDigest(t, "argon2 memory 2 GiB"), "guard.invalid_input"},
		{"bad bcrypt", model.PasswordBcrypt, malformedDigest(t, "bcrypt cost 17"), "guard.invalid_input"},
		{"bad sha1", model.PasswordSHA1, malformedDigest(t, "sha1 not hex"), "guard.invalid_input"},
		{"legacy not json", model.PasswordLegacy, malformedDigest(t, "legacy not json"), "password.invalid_legacy_password_format"},
		{"legacy without @", model.PasswordLegacy, malformedDigest(t, "legacy without @"), "password.invalid_legacy_password_format"},
		{"legacy hex salt", model.PasswordLegacy, malformedDigest(t, "pbkdf2 odd hex salt"), "password.invalid_legacy_password_format"},
		{"legacy pbkdf2 too costly", model.PasswordLegacy, malformedDigest(t, "pbkdf2 10M+1 iterations"), "password.invalid_legacy_password_format"},
		{"legacy sm3", model.PasswordLegacy, malformedDigest(t, "legacy sm3"), "password.unsupported_legacy_hash_algorithm"},
		{"legacy pbkdf2 digest", model.PasswordLegacy, malformedDigest(t, "pbkdf2 unknown digest"), "password.unsupported_legacy_hash_algorithm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateDigest(c.method, c.encrypted)
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("ValidateDigest = %v, want an apperr", err)
			}
			if e.Code != c.code || e.Status != 400 {
				t.Errorf("ValidateDigest = %d %s (%s), want 400 %s", e.Status, e.Code, e.Message, c.code)
			}
		})
	}
	// The message names what is wrong, so an importer can fix the file.
	err := ValidateDigest(model.PasswordBcrypt, malformedDigest(t, "bcrypt cost 17"))
	if !strings.Contains(err.Error(), "bcrypt cost 17 is above the limit of 16") {
		t.Errorf("message %q does not say why", err)
	}
}

func malformedDigest(t *testing.T, name string) string {
	for _, c := range malformed {
		if c.name == name {
			return c.encrypted
		}
	}
	t.Fatalf("no malformed case %q", name)
	return ""
}

// probeFormat stands in for a slow hash: it counts the calls inside the semaphore, holds each
// until released, and reports any call that entered beyond the bound instead of blocking on it.
type probeFormat struct {
	limit    int32
	inFlight atomic.Int32
	peak     atomic.Int32
	entered  chan struct{}
	release  chan struct{}
}

type probeDigest struct{ p *probeFormat }

func (d probeDigest) matches(*argon2.Arena, []byte) bool {
	p := d.p
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	if n > p.limit {
		return false // over the bound: do not block, the test fails on peak
	}
	p.entered <- struct{}{}
	<-p.release
	return false
}

func TestConcurrencyIsBounded(t *testing.T) {
	for _, limit := range []int{1, 2} {
		t.Run(fmt.Sprintf("MaxConcurrent=%d", limit), func(t *testing.T) {
			h := New(Options{MaxConcurrent: limit})
			p := &probeFormat{limit: int32(limit), entered: make(chan struct{}, 16), release: make(chan struct{})}
			h.formatFor = func(string) (format, bool) {
				return format{parse: func(limits, string) (digest, error) { return probeDigest{p}, nil }}, true
			}
			bg := context.Background()

			// Fill every slot with a call that waits inside the hash.
			var holders sync.WaitGroup
			for range limit {
				holders.Go(func() {
					if _, _, err := h.Verify(bg, pw, "x", "probe"); err != nil {
						t.Errorf("holder: %v", err)
					}
				})
			}
			for range limit {
				<-p.entered
			}

			// Further calls must wait for a slot, and give up when their context ends.
			ctx, cancel := context.WithCancel(bg)
			var waiters sync.WaitGroup
			waitErrs := make(chan error, 5)
			for range 4 {
				waiters.Go(func() {
					_, _, err := h.Verify(ctx, pw, "x", "probe")
					waitErrs <- err
				})
			}
			waiters.Go(func() {
				_, _, err := h.Hash(ctx, pw)
				waitErrs <- err
			})
			// Let the waiters run: a broken bound lets them into the hash now, where the probe
			// records it. (Yielding, not sleeping: nothing here depends on timing.)
			for range 1000 {
				runtime.Gosched()
			}
			cancel()
			waiters.Wait()
			close(waitErrs)
			for err := range waitErrs {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("waiting call = %v, want context.Canceled", err)
				}
			}

			close(p.release)
			holders.Wait()
			if got := p.peak.Load(); got != int32(limit) {
				t.Errorf("peak in flight = %d, want %d", got, limit)
			}
		})
	}
}

func TestMaxConcurrentDefaultsToGOMAXPROCS(t *testing.T) {
	if got, want := cap(New(Options{}).arenas.free), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("slots = %d, want GOMAXPROCS %d", got, want)
	}
}

func TestCancelledContextSpendsNothing(t *testing.T) {
	h := New(Options{MaxConcurrent: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := h.Verify(ctx, pw, logtoVectors[0].encrypted, logtoVectors[0].method); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify = %v, want context.Canceled", err)
	}
	if _, _, err := h.Hash(ctx, pw); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash = %v, want context.Canceled", err)
	}
	h.Decoy(ctx, pw) // returns at once; it must also leave the slot free:
	if len(h.arenas.free) != cap(h.arenas.free) || h.arenas.busy.Load() != 0 {
		t.Errorf("%d of %d arenas free, %d calls counted, after cancelled calls",
			len(h.arenas.free), cap(h.arenas.free), h.arenas.busy.Load())
	}
}

// The argon2 memory is kept across calls (a burst maps it once) and given back once the hasher
// is idle; a call in progress keeps its own.
func TestArgon2MemoryKeptWhileBusyReleasedWhenIdle(t *testing.T) {
	h := New(Options{MaxConcurrent: 1, IdleRelease: time.Hour})
	ctx := context.Background()
	owasp := logtoVectors[2]
	if ok, _, err := h.Verify(ctx, owasp.password, owasp.encrypted, owasp.method); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	const owaspBytes = 19 * 1024 * 1024
	if got := h.arenas.held(); got != owaspBytes {
		t.Fatalf("after one check the arenas hold %d bytes, want %d (kept for the next)", got, owaspBytes)
	}
	if h.arenas.timer == nil {
		t.Error("no release was scheduled when the hasher fell idle")
	}

	busy, err := h.arenas.acquire(ctx) // a check in progress
	if err != nil {
		t.Fatal(err)
	}
	h.arenas.releaseIfIdle()
	if got := busy.Held(); got != owaspBytes {
		t.Errorf("a release while a check ran freed its memory: %d bytes held, want %d", got, owaspBytes)
	}
	h.arenas.release(busy)

	h.arenas.releaseIfIdle()
	if got := h.arenas.held(); got != 0 {
		t.Errorf("idle arenas hold %d bytes after the release, want 0", got)
	}
	if ok, _, err := h.Verify(ctx, owasp.password, owasp.encrypted, owasp.method); !ok || err != nil {
		t.Errorf("Verify after the release = %v, %v", ok, err)
	}
}
