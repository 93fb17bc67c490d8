package management

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
	defaultPageSize = 20
	maxPageSize     = 100
)

// paging is a parsed page request.
type paging struct {
	disabled bool // an optional-pagination list asked without page params: everything, no headers
	page     int
	size     int
}

func (p paging) store() model.Page {
	if p.disabled {
		return model.Page{}
	}
	return model.Page{Limit: p.size, Offset: (p.page - 1) * p.size}
}

// parsePaging reads `page` (≥ 1) and `page_size` (1–100) like koa-pagination; a bad value is
// 400 guard.invalid_pagination. With optional set and neither given, pagination is off.
func parsePaging(r *http.Request, optional bool) (paging, error) {
	q := r.URL.Query()
	rawPage, rawSize := q.Get("page"), q.Get("page_size")
	if optional && rawPage == "" && rawSize == "" {
		return paging{disabled: true}, nil
	}
	p := paging{page: 1, size: defaultPageSize}
	var ok bool
	if rawPage != "" {
		if p.page, ok = positiveInt(rawPage, 0); !ok {
			return paging{}, errInvalidPagination()
		}
	}
	if rawSize != "" {
		if p.size, ok = positiveInt(rawSize, maxPageSize); !ok {
			return paging{}, errInvalidPagination()
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

// setPaginationHeaders writes Total-Number and the RFC 8288 Link header (first, prev, last,
// next) as koa-pagination does. Like Logto, whose API app is mounted under /api, the links omit
// the /api prefix (logto-observed.md).
func setPaginationHeaders(w http.ResponseWriter, r *http.Request, p paging, total int) {
	if p.disabled {
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

// searchParam reads Logto's `search` query parameter. Logto matches it as a SQL LIKE pattern
// and its console sends `%keyword%`; the store matches a case-insensitive substring, so the
// surrounding % are dropped.
func searchParam(r *http.Request) string {
	return strings.Trim(r.URL.Query().Get("search"), "%")
}
