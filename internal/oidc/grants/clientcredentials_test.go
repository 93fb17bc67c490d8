package grants

import "testing"

func TestIntersectScopes(t *testing.T) {
	many := make([]string, 40)
	for i := range many {
		many[i] = "s" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	for _, tc := range []struct {
		requested string
		granted   []string
		want      string
	}{
		{"", []string{"read"}, ""},
		{"read", nil, ""},
		{"write read", []string{"read", "write"}, "write read"},
		{"read  read\tadmin nope", []string{"read", "admin"}, "read"}, // only spaces separate
		{"read read", []string{"read"}, "read"},
		{"saa zzz sab saa", many, "saa sab"},
	} {
		if got := intersectScopes(tc.requested, tc.granted); got != tc.want {
			t.Errorf("intersectScopes(%q, %v) = %q, want %q", tc.requested, tc.granted, got, tc.want)
		}
	}
}
