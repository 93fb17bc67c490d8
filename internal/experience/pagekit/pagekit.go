package pagekit

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/web"
)

// ParsePages parses each named page: the layout plus the page's own "content".
func ParsePages(names ...string) map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range names {
		pages[name] = template.Must(template.ParseFS(web.Experience, "experience/layout.html", "experience/"+name+".html"))
	}
	return pages
}

// StaticHandler serves the pages' stylesheet under prefix, cached, without directory listings.
func StaticHandler(prefix string) http.Handler {
	sub, err := fs.Sub(web.Experience, "static/experience")
	if err != nil { // the directory is embedded at build time
		panic(err)
	}
	files := http.StripPrefix(prefix, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// Brand is the sign-in experience's look, made safe for the page: colours are checked hex
// values (they go into a style element) and custom CSS cannot close its style element.
type Brand struct {
	Primary, DarkPrimary template.CSS
	DarkEnabled          bool
	Logo, DarkLogo       string
	Favicon, DarkFavicon string
	CustomCSS            template.CSS
	TermsURL, PrivacyURL string
	SupportEmail         string
	SupportWebsite       string
}

var hexColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$`)

// Logto's seeded colours.
const (
	defaultPrimaryColor     = "#6139F6"
	defaultDarkPrimaryColor = "#8453FF"
)

func safeColor(c, fallback string) template.CSS {
	if hexColor.MatchString(c) {
		return template.CSS(c)
	}
	return template.CSS(fallback)
}

// safeCustomCSS keeps a tenant's CSS inside its style element: an HTML parser ends a style
// element only at "</style", so escaping every "</" as "<\/" (the same characters to a CSS
// parser inside strings, and meaningless outside them) leaves no way out.
func safeCustomCSS(css string) template.CSS {
	return template.CSS(strings.ReplaceAll(css, "</", `<\/`))
}

// BrandOf is the sign-in experience's look, made safe for the page.
func BrandOf(exp model.SignInExperience) Brand {
	b := Brand{
		Primary:        safeColor(exp.Color.PrimaryColor, defaultPrimaryColor),
		DarkPrimary:    safeColor(exp.Color.DarkPrimaryColor, defaultDarkPrimaryColor),
		DarkEnabled:    exp.Color.IsDarkModeEnabled,
		Logo:           exp.Branding.LogoURL,
		DarkLogo:       exp.Branding.DarkLogoURL,
		Favicon:        exp.Branding.Favicon,
		DarkFavicon:    exp.Branding.DarkFavicon,
		CustomCSS:      safeCustomCSS(model.StringOf(exp.CustomCSS)),
		TermsURL:       model.StringOf(exp.TermsOfUseURL),
		PrivacyURL:     model.StringOf(exp.PrivacyPolicyURL),
		SupportEmail:   model.StringOf(exp.SupportEmail),
		SupportWebsite: model.StringOf(exp.SupportWebsiteURL),
	}
	if b.DarkLogo == "" {
		b.DarkLogo = b.Logo
	}
	return b
}

// Nonce is a fresh CSP nonce.
func Nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	// URL-safe base64: CSP nonces allow "-" and "_", while a "+" would be entity-escaped in the
	// nonce attribute.
	return base64.RawURLEncoding.EncodeToString(b)
}
