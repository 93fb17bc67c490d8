package keys

import (
	"encoding/json"
	"testing"
)

func TestAudience(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want []string
		ok   bool
	}{
		{`"https://api.example.com"`, []string{"https://api.example.com"}, true},
		{`["a","b"]`, []string{"a", "b"}, true},
		{`[]`, []string{}, true},
		{`1`, nil, false},
		{`["a",1]`, nil, false},
		{`{"a":1}`, nil, false},
	} {
		var c struct {
			Aud Audience `json:"aud"`
		}
		err := json.Unmarshal([]byte(`{"aud":`+tc.raw+`}`), &c)
		if (err == nil) != tc.ok {
			t.Errorf("aud %s: err %v, want ok=%v", tc.raw, err, tc.ok)
			continue
		}
		if tc.ok && (len(c.Aud) != len(tc.want) || (len(tc.want) > 0 && !c.Aud.Contains(tc.want[0]))) {
			t.Errorf("aud %s = %v, want %v", tc.raw, c.Aud, tc.want)
		}
	}
}
