package management

import (
	"fmt"
	"testing"
)

func TestPagination(t *testing.T) {
	e := newEnv(t)
	for i := range 4 {
		e.want(e.do("POST", "/api/roles", fmt.Sprintf(`{"name":"role-%d","description":"d"}`, i)), 200, "")
	}
	// 5 roles: the seeded access role and role-0 … role-3.
	r := e.do("GET", "/api/roles?page=2&page_size=2&type=User", "")
	e.want(r, 200, "")
	want := []string{
		`<http://localhost:3001/roles?page=1&page_size=2&type=User>; rel="first"`,
		`<http://localhost:3001/roles?page=1&page_size=2&type=User>; rel="prev"`,
		`<http://localhost:3001/roles?page=2&page_size=2&type=User>; rel="last"`,
	}
	if got := r.header.Values("Link"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Link = %q\nwant %q", got, want)
	}
	if r.header.Get("Total-Number") != "4" {
		t.Errorf("Total-Number = %q; want 4", r.header.Get("Total-Number"))
	}
	r = e.do("GET", "/api/roles?page_size=1", "")
	links := r.header.Values("Link")
	if len(links) != 3 || links[2] != `<http://localhost:3001/roles?page_size=1&page=2>; rel="next"` || links[1] != `<http://localhost:3001/roles?page_size=1&page=5>; rel="last"` {
		t.Errorf("Link = %q", links)
	}
	r = e.do("GET", "/api/roles?page=9", "")
	e.want(r, 200, "")
	if string(r.body) != "[]" {
		t.Errorf("page past the end = %s; want []", r.body)
	}
	for _, q := range []string{"page_size=100000", "page_size=0", "page=0", "page=-1", "page=abc", "page_size=1.5", "page=99999999999999999999"} {
		e.want(e.do("GET", "/api/roles?"+q, ""), 400, "guard.invalid_pagination")
	}
	e.want(e.do("GET", "/api/roles?page_size=100", ""), 200, "")
}
