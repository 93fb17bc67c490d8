package paging

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Logto's koa-pagination defaults.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Request is a parsed page request.
type Request struct {
	Disabled bool // an optional-pagination list asked without page params: everything, no headers
	page     int
	size     int
}

// Store is the page the store reads.
func (p Request) Store() model.Page {
	if p.Disabled {
		return model.Page{}
	}
	return model.Page{Limit: p.size, Offset: (p.page - 1) * p.size}
}

// Parse reads `page` (≥ 1) and `page_size` (1–100) like koa-pagination; a bad value is
// 400 guard.invalid_pagination. With optional set and neither given, pagination is off.
func Parse(r *http.Request, optional bool) (Request, error) {
	q := r.URL.Query()
	rawPage, rawSize := q.Get("page"), q.Get("page_size")
	if optional && rawPage == "" && rawSize == "" {
		return Request{Disabled: true}, nil
	}
	p := Request{page: 1, size: DefaultPageSize}
	var ok bool
	if rawPage != "" {
		if p.page, ok = positiveInt(rawPage, 0); !ok {
			return Request{}, errInvalidPagination()
		}
	}
	if rawSize != "" {
		if p.size, ok = positiveInt(rawSize, MaxPageSize); !ok {
			return Request{}, errInvalidPagination()
		}
	}
	return p, nil
}

// positiveInt parses a decimal integer ≥ 1 and ≤ max (0 = no max, but bounded so the offset
// cannot overflow).
func positiveInt(s string, max int) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || (max > 0 && n > max) || n > 1_000_000_000 {
		return 0, false
	}
	return n, true
}

func errInvalidPagination() *apperr.Error {
	return apperr.New(http.StatusBadRequest, "guard.invalid_pagination", "The request pagination value is invalid.")
}

// SetHeaders writes Total-Number and the RFC 8288 Link header (first, prev, last,
// next) as koa-pagination does. Like Logto, whose API app is mounted under /api, the links omit
// the /api prefix (logto-observed.md).
func SetHeaders(w http.ResponseWriter, r *http.Request, p Request, total int) {
	if p.Disabled {
		return
	}
	h := w.Header()
	h.Set("Total-Number", strconv.Itoa(total))
	totalPages := max((total+p.size-1)/p.size, 1)
	h.Add("Link", pageLink(r, 1, "first"))
	if p.page > 1 {
		h.Add("Link", pageLink(r, p.page-1, "prev"))
	}
	h.Add("Link", pageLink(r, totalPages, "last"))
	if p.page < totalPages {
		h.Add("Link", pageLink(r, p.page+1, "next"))
	}
}

// pageLink is `<origin + path without /api + ?query with page replaced>; rel="…"`, keeping the
// order of the request's query parameters as URLSearchParams does.
func pageLink(r *http.Request, page int, rel string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if r.URL.Scheme != "" {
		scheme = r.URL.Scheme
	}
	path := strings.TrimPrefix(r.URL.Path, "/api")
	var pairs []string
	replaced := false
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		if key == "page" {
			if replaced {
				continue
			}
			val, replaced = strconv.Itoa(page), true
		}
		pairs = append(pairs, url.QueryEscape(key)+"="+url.QueryEscape(val))
	}
	if !replaced {
		pairs = append(pairs, "page="+strconv.Itoa(page))
	}
	return "<" + scheme + "://" + r.Host + path + "?" + strings.Join(pairs, "&") + `>; rel="` + rel + `"`
}

// Search reads Logto's `search` query parameter. Logto matches it as a SQL LIKE pattern
// and its console sends `%keyword%`; the store matches a case-insensitive substring, so the
// surrounding % are dropped.
func Search(r *http.Request) string {
	return strings.Trim(r.URL.Query().Get("search"), "%")
}
