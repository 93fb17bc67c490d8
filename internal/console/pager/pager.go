package pager

import (
	"net/http"
	"strconv"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// Pager is a list's position: which page of how many, and links to its neighbours that keep
// the request's other query parameters (a search, a filter).
type Pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

// Window reads ?page= (1 when missing or not a positive number) as a store page of size.
func Window(r *http.Request, size int) (int, model.Page) {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		n = 1
	}
	return n, model.Page{Limit: size, Offset: (n - 1) * size}
}

// New describes page n of a list of total items, size per page.
func New(r *http.Request, n, total, size int) Pager {
	p := Pager{Page: n, Total: total, Pages: max(1, (total+size-1)/size)}
	link := func(to int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(to))
		q.Del("notice")
		return r.URL.Path + "?" + q.Encode()
	}
	if n > 1 {
		p.Prev = link(min(n-1, p.Pages))
	}
	if n < p.Pages {
		p.Next = link(n + 1)
	}
	return p
}
