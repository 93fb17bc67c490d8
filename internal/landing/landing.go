package landing

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"

	"github.com/gatehouse-id/gatehouse/internal/experience/i18n"
	"github.com/gatehouse-id/gatehouse/internal/experience/pagekit"
	"github.com/gatehouse-id/gatehouse/internal/httpx"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// SignInExperiences reads the tenant's branding.
type SignInExperiences interface {
	GetSignInExperience(ctx context.Context, tenantID string) (model.SignInExperience, error)
}

// page is what the template sees (the hosted pages' layout plus the discovery URL).
type page struct {
	Lang, Title, Nonce, AppName string
	Brand                       pagekit.Brand
	Msg                         i18n.Messages
	Discovery                   string
}

// Handler answers GET / with the landing page of tenantID, whose issuer is issuer.
func Handler(tenantID, issuer string, sie SignInExperiences, log *slog.Logger) http.Handler {
	tmpl := pagekit.ParsePages("landing")["landing"]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exp, err := sie.GetSignInExperience(r.Context(), tenantID)
		if err != nil {
			exp = model.SignInExperience{} // the page still says what this is, unbranded
		}
		lang := i18n.Choose(r.URL.Query().Get("ui_locales"), r.Header.Get("Accept-Language"), exp.LanguageInfo)
		d := page{Lang: lang, Msg: i18n.For(lang), Brand: pagekit.BrandOf(exp), Nonce: pagekit.Nonce(),
			Discovery: issuer + "/.well-known/openid-configuration"}
		d.Title = d.Msg.T("landing.heading")
		var buf bytes.Buffer
		if err := tmpl.ExecuteTemplate(&buf, "layout.html", d); err != nil {
			log.ErrorContext(r.Context(), "landing page", "err", err)
			http.Error(w, "Internal server error.", http.StatusInternalServerError)
			return
		}
		img := httpx.ImageSources(string(d.Brand.Logo), string(d.Brand.DarkLogo), string(d.Brand.Favicon), string(d.Brand.DarkFavicon))
		httpx.PageHeaders(w, "default-src 'self'; script-src 'none'; style-src 'self' 'nonce-"+d.Nonce+"'; img-src "+img+
			"; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	})
}
