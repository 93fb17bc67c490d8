package apperr

import "testing"

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"a much longer value", 6, "a much…"},
		{"two\nlines\tand  spaces", 40, "two lines and spaces"},
		{"héllo", 2, "h…"}, // never cut inside a rune
	} {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
