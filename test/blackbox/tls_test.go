package blackbox

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gatehouse-id/gatehouse/internal/testcert"
)

// TestServeTLS serves HTTPS directly from HTTPS_CERT_PATH/HTTPS_KEY_PATH: the listeners speak TLS
// with that certificate and the default issuer becomes https://localhost:PORT/oidc.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcert.Write(dir, "gatehouse-test")
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, dir, "DB_URL=sqlite:"+filepath.Join(dir, "gh.db"), "HTTPS_CERT_PATH="+certs.Cert, "HTTPS_KEY_PATH="+certs.Key)
	resp, err := n.client.Get(n.base + "/oidc/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 || resp.TLS.PeerCertificates[0].Subject.CommonName != "gatehouse-test" {
		t.Fatalf("not served with the configured certificate: %+v", resp.TLS)
	}
	var disc struct{ Issuer string }
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	if disc.Issuer != n.base+"/oidc" {
		t.Fatalf("issuer %q, want %q", disc.Issuer, n.base+"/oidc")
	}
}
