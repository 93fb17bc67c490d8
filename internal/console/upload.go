package console

import (
	"encoding/base64"
	"io"
	"net/http"
	"path"
	"strings"
)

// maxLogo bounds an uploaded logo: it is stored inline (a data: URL in the sign-in
// experience), so every sign-in page carries it.
const maxLogo = 256 << 10

// readUpload parses a multipart console form (a logo upload) and checks its CSRF token; it
// answers 403 and returns false otherwise.
func (c *Console) readUpload(w http.ResponseWriter, r *http.Request, d *page) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxLogo+maxForm)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(2*maxLogo + maxForm)
	} else {
		err = r.ParseForm()
	}
	if err != nil || !sameToken(d.CSRF, r.PostFormValue("csrf")) {
		c.fail(w, r, http.StatusForbidden, "error.csrf")
		return false
	}
	return true
}

// uploadedLogos reads the logo files as data: URLs by field (logo, dark_logo); bad names the
// field whose file is too large or not an image. PNG, JPEG, GIF, WebP are recognised by their
// bytes, SVG by its name and first tag; an SVG shown through <img> runs no script.
func uploadedLogos(r *http.Request) (logos map[string]string, bad string) {
	logos = map[string]string{}
	if r.MultipartForm == nil {
		return logos, ""
	}
	for _, field := range []string{"logo", "dark_logo"} {
		files := r.MultipartForm.File[field+"_file"]
		if len(files) == 0 || files[0].Size == 0 {
			continue
		}
		if files[0].Size > maxLogo {
			return nil, field
		}
		f, err := files[0].Open()
		if err != nil {
			return nil, field
		}
		body, err := io.ReadAll(io.LimitReader(f, maxLogo+1))
		_ = f.Close()
		mime := imageType(files[0].Filename, body)
		if err != nil || mime == "" || len(body) > maxLogo {
			return nil, field
		}
		logos[field] = "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(body)
	}
	return logos, ""
}

// imageType is the image's media type, "" when it is not one the sign-in page may show.
func imageType(name string, body []byte) string {
	switch t := http.DetectContentType(body); t {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return t
	}
	head := strings.TrimSpace(string(body[:min(len(body), 512)]))
	if strings.EqualFold(path.Ext(name), ".svg") && (strings.HasPrefix(head, "<svg") || strings.HasPrefix(head, "<?xml")) && strings.Contains(string(body), "<svg") {
		return "image/svg+xml"
	}
	return ""
}
