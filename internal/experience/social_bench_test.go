package experience

import (
	"net/http"
	"testing"
)

// BenchmarkSocialCallback is the server-side time of GET /callback/:connectorId with a local
// upstream: the state check, the code exchange and the profile request over loopback, the
// identity lookup and the profile sync, and the interaction's submit. Each iteration prepares
// its own interaction (sign-in page, POST /social) outside the timer.
func BenchmarkSocialCallback(b *testing.B) {
	h := newHarness(b)
	h.backend.setSIE(socialOnly)
	p := newProvider(b)
	c := h.addConnector(p, true)
	n := h.node(RateLimit{})
	for b.Loop() {
		b.StopTimer()
		br := n.browser()
		br.startInteraction(nil)
		back := p.approve(b, br.socialStart(b, c.ID))
		b.StartTimer()
		if r := br.get(mustParse(b, back).RequestURI(), nil); r.status != http.StatusSeeOther {
			b.Fatalf("callback: %d %s", r.status, r.body)
		}
	}
}
