package console

import (
	"context"
	"net/http"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/console/text"
	"github.com/gatehouse-id/gatehouse/internal/model"
	"github.com/gatehouse-id/gatehouse/internal/service/keyring"
)

// Keys is what the settings page needs (GET/POST /api/configs/oidc/:keyType's use-cases).
type Keys interface {
	ListKeys(ctx context.Context, tenantID, keyType string) ([]keyring.KeyInfo, error)
	RotateKeysWithGrace(ctx context.Context, tenantID, keyType, algorithm string, grace *time.Duration) ([]keyring.KeyInfo, error)
}

// settingsView is the settings page: the default tenant's keys (never their material) and the
// lifetimes the server runs with.
type settingsView struct {
	Signing, Cookie []keyRow
	Grace           string // PRIVATE_KEY_ROTATION_GRACE_PERIOD, worded
	SessionTTL      string
}

type keyRow struct{ ID, Created, Status, Algorithm, Effective string }

func (c *Console) mountSettings(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	mux.HandleFunc("GET /console/settings", c.serveSettings)
	mux.Handle("POST /console/settings/rotate-signing-keys", cop.Handler(http.HandlerFunc(c.postRotateSigning)))
	mux.Handle("POST /console/settings/rotate-cookie-keys", cop.Handler(http.HandlerFunc(c.postRotateCookie)))
}

func (c *Console) serveSettings(w http.ResponseWriter, r *http.Request) {
	d, ok := c.signedIn(w, r, "console.settings_heading")
	if !ok {
		return
	}
	c.renderSettings(w, r, http.StatusOK, d)
}

func (c *Console) renderSettings(w http.ResponseWriter, r *http.Request, status int, d *page) {
	v := &settingsView{Grace: d.Msg.T("console.settings_no_grace"), SessionTTL: durationText(d.Msg, c.o.SessionTTL)}
	if c.o.KeyGrace > 0 {
		v.Grace = durationText(d.Msg, c.o.KeyGrace)
	}
	for _, kt := range []struct {
		typ  string
		rows *[]keyRow
	}{{keyring.KeyTypePrivateKeys, &v.Signing}, {keyring.KeyTypeCookieKeys, &v.Cookie}} {
		keys, err := c.o.Keys.ListKeys(r.Context(), model.DefaultTenantID, kt.typ)
		if err != nil {
			c.internal(w, r, err)
			return
		}
		for _, k := range keys {
			row := keyRow{ID: k.ID, Created: timeText(k.CreatedAt * 1000), Status: k.Status, Algorithm: k.SigningKeyAlgorithm}
			if k.EffectiveAt != nil {
				row.Effective = timeText(*k.EffectiveAt * 1000)
			}
			*kt.rows = append(*kt.rows, row)
		}
	}
	d.View = v
	c.render(w, r, status, "settings", d)
}

// durationText words a lifetime in days, hours or seconds.
func durationText(m text.Messages, dur time.Duration) string {
	switch {
	case dur >= 24*time.Hour && dur%(24*time.Hour) == 0:
		return m.T("console.settings_days", int(dur/(24*time.Hour)))
	case dur >= time.Hour && dur%time.Hour == 0:
		return m.T("console.settings_hours", int(dur/time.Hour))
	}
	return m.T("console.settings_seconds", int(dur/time.Second))
}

// postRotateSigning rotates the default tenant's signing key (EC P-384 or RSA) once the box is
// ticked: tokens signed with the old key keep verifying while it is published as Previous.
func (c *Console) postRotateSigning(w http.ResponseWriter, r *http.Request) {
	c.rotate(w, r, keyring.KeyTypePrivateKeys, "confirm_signing")
}

// postRotateCookie rotates the cookie keys: the previous one still reads existing cookies.
func (c *Console) postRotateCookie(w http.ResponseWriter, r *http.Request) {
	c.rotate(w, r, keyring.KeyTypeCookieKeys, "confirm_cookie")
}

func (c *Console) rotate(w http.ResponseWriter, r *http.Request, keyType, confirmField string) {
	d, ok := c.signedIn(w, r, "console.settings_heading")
	if !ok || !c.readForm(w, r, d) {
		return
	}
	alg := ""
	if keyType == keyring.KeyTypePrivateKeys {
		alg = r.PostFormValue("algorithm")
		if alg != "RSA" {
			alg = "EC"
		}
	}
	err := confirm(d, r, confirmField)
	if err == nil {
		_, err = c.o.Keys.RotateKeysWithGrace(r.Context(), model.DefaultTenantID, keyType, alg, nil)
	}
	if err != nil {
		if !refuse(d, err) {
			c.internal(w, r, err)
			return
		}
		c.renderSettings(w, r, http.StatusBadRequest, d)
		return
	}
	http.Redirect(w, r, "/console/settings?notice=saved", http.StatusSeeOther)
}
