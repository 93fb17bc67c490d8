package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/experience/policy"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/web"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	keys := func(m map[string]string) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	en, zh := keys(catalog[langEnglish]), keys(catalog[langChinese])
	if !reflect.DeepEqual(en, zh) {
		t.Fatalf("the catalogs differ:\n en %v\n zh %v", en, zh)
	}
	for _, key := range en {
		if strings.Count(catalog[langEnglish][key], "%") != strings.Count(catalog[langChinese][key], "%") {
			t.Errorf("%s: the translations take different arguments", key)
		}
	}
	for sc, key := range scopeKeys {
		if _, ok := catalog[langEnglish][key]; !ok {
			t.Errorf("scope %s has no wording %s", sc, key)
		}
	}
}

func TestParseAcceptLanguage(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   []string
	}{
		{"", []string{}},
		{"zh-CN,zh;q=0.9,en;q=0.8", []string{"zh-CN", "zh", "en"}},
		{"en;q=0.4, zh;q=0.8, fr", []string{"fr", "zh", "en"}},
		{"de;q=0, en", []string{"en"}},
		{"*, en;q=bogus, ja;q=2, ko;q=0.5", []string{"ko"}},
	} {
		got := parseAcceptLanguage(tc.header)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestChooseLanguage(t *testing.T) {
	auto := model.LanguageInfo{AutoDetect: true, FallbackLanguage: "en"}
	for _, tc := range []struct {
		ui, accept string
		info       model.LanguageInfo
		want       string
	}{
		{"zh-CN", "en", auto, langChinese},
		{"zh-hans", "", auto, langChinese},
		{"fr en", "zh", auto, langEnglish},
		{"", "zh-SG", auto, langChinese},
		{"", "zh-HK, en-GB;q=0.5", auto, langEnglish},
		{"", "zh", model.LanguageInfo{FallbackLanguage: "en"}, langEnglish},
		{"", "", model.LanguageInfo{FallbackLanguage: "zh-CN"}, langChinese},
		{"", "", model.LanguageInfo{FallbackLanguage: "ja"}, langEnglish},
	} {
		if got := Choose(tc.ui, tc.accept, tc.info); got != tc.want {
			t.Errorf("ui_locales %q, Accept-Language %q, %+v: %s, want %s", tc.ui, tc.accept, tc.info, got, tc.want)
		}
	}
}

// TestErrorWording: every engine error a page can show has its own wording in both languages.
func TestErrorWording(t *testing.T) {
	codes := []string{
		"session.invalid_credentials", "session.verification_blocked_too_many_attempts", "user.suspended",
		"request.rate_limited", "user.sign_in_method_not_enabled", "user.sign_up_method_not_enabled", "auth.forbidden",
		"user.username_already_in_use", "user.email_already_in_use", "user.invalid_email", "session.identifier_not_verified",
		"user.username_starts_with_number", "user.username_too_short", "user.username_too_long",
		"user.username_uppercase_not_allowed", "user.username_underscore_not_allowed", "user.missing_profile",
		"session.csrf_token_mismatch", "session.not_found",
	}
	for _, lang := range []string{langEnglish, langChinese} {
		ms := For(lang)
		generic := ms.T("error.generic")
		for _, code := range codes {
			if got := ms.ErrorMessage(code, nil); got == generic || got == "" {
				t.Errorf("%s: %s has no wording of its own", lang, code)
			}
		}
		if got := ms.ErrorMessage("session.verification_blocked_too_many_attempts", map[string]int{"retryAfterMinutes": 12}); !strings.Contains(got, "12") {
			t.Errorf("%s: lock wording %q lacks the minutes", lang, got)
		}
		got := ms.ErrorMessage("password.rejected", []policy.PasswordIssue{{Code: "password_rejected.too_short", Interpolation: map[string]int{"min": 10}}})
		if !strings.Contains(got, "10") || got == generic {
			t.Errorf("%s: password wording %q", lang, got)
		}
	}
}

// TestEveryUsedKeyExists: each wording the templates and the handlers ask for is in the
// catalog (a missing one would show its key on the page).
func TestEveryUsedKeyExists(t *testing.T) {
	used := map[string]bool{}
	templates, err := fs.Glob(web.Experience, "experience/*.html")
	if err != nil || len(templates) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	inTemplate := regexp.MustCompile(`\.Msg\.T "([^"]+)"`)
	for _, name := range templates {
		raw, err := fs.ReadFile(web.Experience, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inTemplate.FindAllSubmatch(raw, -1) {
			used[string(m[1])] = true
		}
	}
	sources, err := filepath.Glob("../*.go") // the handlers of package experience
	if err != nil {
		t.Fatal(err)
	}
	inGo := regexp.MustCompile(`\bT\("([a-z_]+\.[a-z_.]+)"|pageRefusal\(ms, "([a-z_.]+)"\)`)
	for _, name := range sources {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inGo.FindAllSubmatch(raw, -1) {
			used[string(m[1])+string(m[2])] = true
		}
	}
	for _, feature := range []string{"reset_password", "single_sign_on"} { // built as feature + ".heading"
		used[feature+".heading"], used[feature+".message"] = true, true
	}
	if len(used) < 40 {
		t.Fatalf("only %d keys found; the scan is broken", len(used))
	}
	for key := range used {
		if _, ok := catalog[langEnglish][key]; !ok {
			t.Errorf("key %q is used but not in the catalog", key)
		}
	}
}
