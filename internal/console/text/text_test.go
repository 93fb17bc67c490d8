package text

import (
	"testing"
)

// Every console string exists in both languages, so a Chinese page never falls back to English
// mid-sentence.
func TestTextKeySetsEqual(t *testing.T) {
	cat := NewCatalog()
	for key := range cat[langEnglish] {
		if _, ok := cat[langChinese][key]; !ok {
			t.Errorf("%s: no Chinese wording", key)
		}
	}
	for key := range cat[langChinese] {
		if _, ok := cat[langEnglish][key]; !ok {
			t.Errorf("%s: no English wording", key)
		}
	}
	if len(cat[langEnglish]) == 0 {
		t.Fatal("empty catalog")
	}
}
