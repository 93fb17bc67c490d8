package ids

import (
	"regexp"
	"testing"
)

func TestShapes(t *testing.T) {
	cases := []struct {
		name string
		gen  func() string
		re   string
	}{
		{"standard", New, `^[0-9a-z]{21}$`},
		{"user", NewUserID, `^[0-9a-z]{12}$`},
		{"secret", NewSecret, `^[0-9A-Za-z]{32}$`},
	}
	for _, c := range cases {
		re := regexp.MustCompile(c.re)
		seen := map[string]bool{}
		for i := 0; i < 1000; i++ {
			v := c.gen()
			if !re.MatchString(v) {
				t.Fatalf("%s: %q does not match %s", c.name, v, c.re)
			}
			if seen[v] {
				t.Fatalf("%s: duplicate %q", c.name, v)
			}
			seen[v] = true
		}
	}
}
