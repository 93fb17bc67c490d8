package argon2

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	xargon2 "golang.org/x/crypto/argon2"
)

// RFC 9106 §5: password 32 × 0x01, salt 16 × 0x02, secret 8 × 0x03, associated data 12 × 0x04,
// m = 32 KiB, t = 3, p = 4, T = 32.
func TestRFC9106Vectors(t *testing.T) {
	for _, v := range []struct {
		variant Variant
		tag     string
	}{
		{D, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"},
		{I, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"},
		{ID, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"},
	} {
		t.Run(fmt.Sprint(v.variant), func(t *testing.T) {
			p := Params{Variant: v.variant, Time: 3, MemoryKiB: 32, Lanes: 4, KeyLen: 32,
				Secret: bytes.Repeat([]byte{3}, 8), AssociatedData: bytes.Repeat([]byte{4}, 12)}
			got, err := Key(&Arena{}, bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 16), p)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != v.tag {
				t.Errorf("tag = %x\nwant  %s", got, v.tag)
			}
		})
	}
}

// TestMatchesXCrypto compares with golang.org/x/crypto/argon2 over shapes that exercise every
// branch: several lanes (cross-lane references), segments longer than one address block (128),
// memory that is not a multiple of 4·p (m' < m), one and several passes, keys shorter and longer
// than 64 bytes (both forms of H'). One arena serves every case, bigger and smaller in turn, so
// reuse is tested too.
func TestMatchesXCrypto(t *testing.T) {
	arena := &Arena{}
	defer arena.Release()
	cases := []struct {
		memory, time, lanes, keyLen uint32
	}{
		{8, 1, 1, 32}, {64, 1, 1, 4}, {1024, 2, 1, 32}, {2050, 3, 1, 64}, {1030, 1, 3, 65},
		{4096, 3, 2, 24}, {600, 2, 4, 97}, {19 * 1024, 2, 1, 32}, {72, 4, 8, 1024}, {513, 1, 1, 33},
	}
	for _, c := range cases {
		for _, variant := range []Variant{I, ID} {
			name := fmt.Sprintf("%v/m=%d,t=%d,p=%d,T=%d", variant, c.memory, c.time, c.lanes, c.keyLen)
			password, salt := []byte("correct horse "+name), []byte("saltsaltsalt"+name)
			want := xargon2.IDKey(password, salt, c.time, c.memory, uint8(c.lanes), c.keyLen)
			if variant == I {
				want = xargon2.Key(password, salt, c.time, c.memory, uint8(c.lanes), c.keyLen)
			}
			got, err := Key(arena, password, salt, Params{Variant: variant, Time: c.time, MemoryKiB: c.memory, Lanes: c.lanes, KeyLen: c.keyLen})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s:\n got %x\nwant %x", name, got, want)
			}
		}
	}
}

func TestArenaReleaseAndRegrow(t *testing.T) {
	arena := &Arena{}
	p := Params{Variant: ID, Time: 1, MemoryKiB: 256, Lanes: 1, KeyLen: 32}
	first, err := Key(arena, []byte("pw"), []byte("saltsalt"), p)
	if err != nil {
		t.Fatal(err)
	}
	if arena.Held() != 256*1024 {
		t.Errorf("arena holds %d bytes after a 256 KiB hash", arena.Held())
	}
	arena.Release()
	if arena.Held() != 0 {
		t.Errorf("arena holds %d bytes after Release", arena.Held())
	}
	again, err := Key(arena, []byte("pw"), []byte("saltsalt"), p)
	if err != nil || !bytes.Equal(first, again) {
		t.Errorf("after Release: %x, %v; want %x", again, err, first)
	}
	arena.Release()
}

func TestKeyRefusesParamsOutsideRFC(t *testing.T) {
	for _, p := range []Params{
		{Variant: 3, Time: 1, MemoryKiB: 8, Lanes: 1, KeyLen: 32},
		{Variant: ID, Time: 0, MemoryKiB: 8, Lanes: 1, KeyLen: 32},
		{Variant: ID, Time: 1, MemoryKiB: 8, Lanes: 0, KeyLen: 32},
		{Variant: ID, Time: 1, MemoryKiB: 8, Lanes: 1 << 24, KeyLen: 32},
		{Variant: ID, Time: 1, MemoryKiB: 15, Lanes: 2, KeyLen: 32},
		{Variant: ID, Time: 1, MemoryKiB: 8, Lanes: 1, KeyLen: 3},
	} {
		if _, err := Key(&Arena{}, []byte("pw"), []byte("saltsalt"), p); !errors.Is(err, ErrParams) {
			t.Errorf("Key(%+v) = %v, want ErrParams", p, err)
		}
	}
}

// FuzzMatchesXCrypto runs random small shapes and inputs against golang.org/x/crypto/argon2.
func FuzzMatchesXCrypto(f *testing.F) {
	f.Add([]byte("password"), []byte("somesalt"), uint16(64), uint8(2), uint8(2), uint8(32), true)
	f.Add([]byte{}, []byte{0}, uint16(8), uint8(1), uint8(1), uint8(4), false)
	arena := &Arena{}
	f.Fuzz(func(t *testing.T, password, salt []byte, memory uint16, passes, lanes, keyLen uint8, id bool) {
		l := uint32(lanes%8) + 1
		m := uint32(memory%2048) + 8*l
		tm := uint32(passes%4) + 1
		k := uint32(keyLen%200) + 4
		want := xargon2.Key(password, salt, tm, m, uint8(l), k)
		variant := I
		if id {
			want, variant = xargon2.IDKey(password, salt, tm, m, uint8(l), k), ID
		}
		got, err := Key(arena, password, salt, Params{Variant: variant, Time: tm, MemoryKiB: m, Lanes: l, KeyLen: k})
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("m=%d t=%d p=%d T=%d: %x, %v; want %x", m, tm, l, k, got, err, want)
		}
	})
}

func BenchmarkKeyOWASP(b *testing.B) {
	arena := &Arena{}
	defer arena.Release()
	p := Params{Variant: ID, Time: 2, MemoryKiB: 19 * 1024, Lanes: 1, KeyLen: 32}
	for b.Loop() {
		if _, err := Key(arena, []byte("correct horse"), []byte("0123456789abcdef"), p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXCryptoOWASP(b *testing.B) {
	for b.Loop() {
		xargon2.IDKey([]byte("correct horse"), []byte("0123456789abcdef"), 2, 19*1024, 1, 32)
	}
}
