package secretbox

import "testing"

// The client-authentication path opens each client secret once per cache fill (directory.Directory);
// these show what one open and one seal cost, next to BenchmarkNewKeyring, the master-key unwrap
// that happens once per process start and never per request.
func BenchmarkSeal(b *testing.B) {
	_, _, r := ring(b)
	secret := []byte("0123456789abcdefghijklmnopqrstuv")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Seal(place, secret); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	_, _, r := ring(b)
	sealed, _ := r.Seal(place, []byte("0123456789abcdefghijklmnopqrstuv"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Open(place, sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewKeyring(b *testing.B) {
	kek, keys, _ := ring(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewKeyring(kek, keys); err != nil {
			b.Fatal(err)
		}
	}
}
