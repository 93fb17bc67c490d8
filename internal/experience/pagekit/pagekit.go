package pagekit

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
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
	return StaticFiles(web.Experience, "static/experience", prefix)
}

// StaticFiles serves the directory dir of an embedded fsys under prefix: cached for an hour,
// nosniff, no directory listings (the console's assets use it too).
func StaticFiles(fsys fs.FS, dir, prefix string) http.Handler {
	sub, err := fs.Sub(fsys, dir)
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
	// Images as the page may use them: http(s) URLs, and the data:image URLs Logto's branding
	// accepts (html/template would otherwise replace a data: URL with #ZgotmplZ).
	Logo, DarkLogo       template.URL
	Favicon, DarkFavicon template.URL
	// DarkSrcset is the dark logo for a srcset, where a data: URL cannot go (its comma would
	// be taken for a separator): empty then, and the light logo serves in dark mode too.
	DarkSrcset           template.URL
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

// imageURL is u when it is an http(s) URL or a data:image URL of a raster or SVG image (SVG in an
// img element runs no script), else "".
func imageURL(u string) template.URL {
	lower := strings.ToLower(u)
	for _, ok := range []string{"https://", "http://", "data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp", "data:image/svg+xml"} {
		if strings.HasPrefix(lower, ok) {
			return template.URL(u)
		}
	}
	return ""
}

// BrandOf is the sign-in experience's look, made safe for the page.
func BrandOf(exp model.SignInExperience) Brand {
	b := Brand{
		Primary:        safeColor(exp.Color.PrimaryColor, defaultPrimaryColor),
		DarkPrimary:    safeColor(exp.Color.DarkPrimaryColor, defaultDarkPrimaryColor),
		DarkEnabled:    exp.Color.IsDarkModeEnabled,
		Logo:           imageURL(exp.Branding.LogoURL),
		DarkLogo:       imageURL(exp.Branding.DarkLogoURL),
		Favicon:        imageURL(exp.Branding.Favicon),
		DarkFavicon:    imageURL(exp.Branding.DarkFavicon),
		CustomCSS:      safeCustomCSS(model.StringOf(exp.CustomCSS)),
		TermsURL:       model.StringOf(exp.TermsOfUseURL),
		PrivacyURL:     model.StringOf(exp.PrivacyPolicyURL),
		SupportEmail:   model.StringOf(exp.SupportEmail),
		SupportWebsite: model.StringOf(exp.SupportWebsiteURL),
	}
	if b.DarkLogo == "" {
		b.DarkLogo = b.Logo
	}
	if strings.HasPrefix(strings.ToLower(string(b.DarkLogo)), "http") {
		b.DarkSrcset = b.DarkLogo
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

// Page is what every hosted page's template sees; the page-specific parts are in their own members.
type Page struct {
	Msg           i18n.Messages
	Lang          string
	Title         string
	Nonce         string
	Brand         Brand
	AppName       string
	Error         string
	Action        string
	CSRF          string
	TermsCheckbox bool

	SignIn   SignInView
	Register RegisterView
	Consent  ConsentView
	Message  MessageView
	Social   SocialView
	Code     CodeView
}

// SignInView is the sign-in page.
type SignInView struct {
	PasswordEnabled bool
	IdentifierLabel string
	InputMode       string
	Identifier      string
	RegisterURL     string
	Social          []SocialButton
	SocialAction    string
	// Email-code links, and the notice after a password reset.
	ForgotURL, EmailCodeURL string
	ResetDone               bool
}

// RegisterView is the registration page.
type RegisterView struct {
	Available         bool
	Username, Email   bool
	Password          bool
	UsernameValue     string
	EmailValue        string
	MinPasswordLength int
	SignInURL         string
}

// ConsentView is the consent page.
type ConsentView struct {
	AppLogo        string
	User           string
	UserScopes     []string
	APIs           []APIScopes
	RedirectOrigin string
}

// APIScopes are one API's scopes on the consent page.
type APIScopes struct {
	Indicator string
	Scopes    []string
}

// MessageView is a page with a heading, a text and at most one way on.
type MessageView struct {
	Heading, Text     string
	LinkURL, LinkText string
	PostURL           string
	PostFields        []FormField
}

// FormField is a hidden form field.
type FormField struct{ Name, Value string }

// SocialButton is one "Continue with …" button of the sign-in page.
type SocialButton struct {
	ID, Name, Logo, LogoDark string
}

// SocialView is the social page: the choice to link an existing account, or the username a
// registration still needs.
type SocialView struct {
	Action       string
	Verification string
	Provider     string
	LinkEmail    string
	CanProve     bool // the existing account has a password to prove it with
	NeedUsername bool
	Username     string
}

// CodeView is the email-code page at one of its steps: the address, the code, or (resetting a
// password) the new password.
type CodeView struct {
	Step         string // email | code | password
	Email        string
	Verification string
	MinLength    int
	SignInURL    string
}

// CSP is a hosted page's Content-Security-Policy: only the page's own origin may supply
// scripts, styles and frames (the inline style elements carry this response's nonce), and no
// page may frame us. Images come only from the page's origin, data: URLs and the hosts of the
// logos and favicons on the page, and fonts only from the page's origin and data: URLs, so a
// tenant's custom CSS cannot send what the page shows (the pre-filled identifier in an input's
// value, matched by attribute selectors) to another host as an image or font request.
// form-action is left open on purpose: a signed-in form post ends, through redirects, at the
// application's redirect URI, and browsers apply form-action to that whole redirect chain.
func CSP(d *Page) string {
	logos := []string{string(d.Brand.Logo), string(d.Brand.DarkLogo), string(d.Brand.Favicon), string(d.Brand.DarkFavicon), d.Consent.AppLogo}
	for _, b := range d.SignIn.Social {
		logos = append(logos, b.Logo, b.LogoDark)
	}
	img := httpx.ImageSources(logos...)
	return "default-src 'self'; script-src 'none'; style-src 'self' 'nonce-" + d.Nonce + "'; " +
		"img-src " + img + "; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
}

// PathOnOrigin drops issuer's origin from u: the hosted pages send the browser on at the origin
// it reached them at (a reverse proxy's), whatever ENDPOINT says — Logto's absolute redirects
// are why a wrong ADMIN_ENDPOINT breaks its console sign-in. Other URLs (an app's redirect URI)
// are left whole.
func PathOnOrigin(issuer, u string) string {
	iss, err := url.Parse(issuer)
	if err != nil {
		return u
	}
	origin := iss.Scheme + "://" + iss.Host
	if rest, ok := strings.CutPrefix(u, origin); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return u
}
