package grants

import (
	"slices"
	"strings"
	"testing"
)

// FuzzIntersectScopes checks the scope filter of client_credentials against its definition: the
// requested scopes (split at single spaces) that are granted, each once, in requested order;
// whether it searches the granted list or a set (above 16 granted scopes) makes no difference.
func FuzzIntersectScopes(f *testing.F) {
	f.Add("read write", "read\nwrite\nadmin")
	f.Add("read  read\tadmin nope", "read\nadmin")
	f.Add("", "read")
	f.Add("all", "")
	f.Add(" a b a ", "a\nb\n\n")
	f.Fuzz(func(t *testing.T, requested, grantedList string) {
		var granted []string
		if grantedList != "" {
			granted = strings.Split(grantedList, "\n")
		}
		got := intersectScopes(requested, granted)
		var want []string
		for _, s := range strings.Split(requested, " ") {
			if s != "" && slices.Contains(granted, s) && !slices.Contains(want, s) {
				want = append(want, s)
			}
		}
		if got != strings.Join(want, " ") {
			t.Fatalf("intersectScopes(%q, %q) = %q, want %q", requested, granted, got, strings.Join(want, " "))
		}
		// Pad the granted list past the set threshold with scopes no request can hold.
		padded := slices.Clone(granted)
		for i := 0; len(padded) <= 16; i++ {
			padded = append(padded, "never requested "+string(rune('a'+i)))
		}
		if len(granted) > 0 {
			if big := intersectScopes(requested, padded); big != got {
				t.Fatalf("intersectScopes(%q) = %q with %d granted scopes but %q with %d", requested, got, len(granted), big, len(padded))
			}
		}
	})
}
