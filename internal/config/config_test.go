package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/secretbox"
)

// env turns a map into FromEnv's lookup.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func pemOf(t *testing.T, typ string, der []byte) string {
	t.Helper()
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func ecKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf(t, "PRIVATE KEY", der)
}

// tlsPair writes a self-signed certificate and its key, returning their paths.
func tlsPair(t *testing.T, dir string) (certPath, keyPath string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, "cert.pem", pemOf(t, "CERTIFICATE", der)), writeFile(t, dir, "key.pem", pemOf(t, "PRIVATE KEY", keyDER))
}

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"DBURL", c.DBURL, "sqlite:./data/gatehouse.db"},
		{"DBDialect", c.DBDialect(), "sqlite"},
		{"UserEndpoint", c.UserEndpoint().String(), "http://localhost:3001"},
		{"AdminURL", c.AdminURL().String(), "http://localhost:3002"},
		{"Issuer(default)", c.Issuer("default"), "http://localhost:3001/oidc"},
		{"Issuer(admin)", c.Issuer("admin"), "http://localhost:3002/oidc"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if c.Port != 3001 || c.AdminPort != 3002 || c.DatabasePoolSize != 20 ||
		c.DatabaseConnectionTimeout != 5*time.Second || c.DatabaseStatementTimeout != 0 ||
		c.PrivateKeyRotationGracePeriod != 0 {
		t.Errorf("numeric defaults = port %d admin %d pool %d conn %v stmt %v grace %v",
			c.Port, c.AdminPort, c.DatabasePoolSize, c.DatabaseConnectionTimeout, c.DatabaseStatementTimeout, c.PrivateKeyRotationGracePeriod)
	}
	if c.DisableLocalhost || c.AdminDisableLocalhost || c.TrustProxyHeader || c.HTTPSEnabled() ||
		!c.AdminEnabled() {
		t.Errorf("boolean defaults wrong: %+v", c)
	}
	if c.Endpoint != nil || c.AdminEndpoint != nil || c.OIDCPrivateKeys != nil || c.OIDCCookieKeys != nil {
		t.Errorf("optional values set by default: %+v", c)
	}
}

func TestBlankValuesCountAsUnset(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"PORT": "", "ENDPOINT": "  ", "DB_URL": "", "TRUST_PROXY_HEADER": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 3001 || c.Endpoint != nil || c.DBURL != DefaultDBURL || c.TrustProxyHeader {
		t.Errorf("blank values not treated as unset: %+v", c)
	}
}

func TestFullValidSet(t *testing.T) {
	dir := t.TempDir()
	cert, key := tlsPair(t, dir)
	c, err := FromEnv(env(map[string]string{
		"DB_URL":                            "postgres://gh:s3cret@db:5432/logto?sslmode=disable",
		"PORT":                              "8001",
		"ADMIN_PORT":                        "8002",
		"ENDPOINT":                          "https://auth.example.com/",
		"ADMIN_ENDPOINT":                    "https://admin.example.com",
		"DISABLE_LOCALHOST":                 "yes",
		"ADMIN_DISABLE_LOCALHOST":           "0",
		"TRUST_PROXY_HEADER":                "True", // as the seed guide writes it
		"HTTPS_CERT_PATH":                   cert,
		"HTTPS_KEY_PATH":                    key,
		"DATABASE_POOL_SIZE":                "50",
		"DATABASE_CONNECTION_TIMEOUT":       "2500",
		"DATABASE_STATEMENT_TIMEOUT":        "30000",
		"OIDC_PRIVATE_KEYS":                 ecKeyPEM(t) + "," + base64.StdEncoding.EncodeToString([]byte(ecKeyPEM(t))),
		"OIDC_COOKIE_KEYS":                  "cookie-one, cookie-two",
		"PRIVATE_KEY_ROTATION_GRACE_PERIOD": "3600",
		"GATEHOUSE_MASTER_KEY":              masterKeyText,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DBURL != "postgres://gh:s3cret@db:5432/logto?sslmode=disable" || c.DBDialect() != "postgres" {
		t.Errorf("DBURL = %q (%s)", c.DBURL, c.DBDialect())
	}
	if c.Port != 8001 || c.AdminPort != 8002 || c.DatabasePoolSize != 50 {
		t.Errorf("ports/pool = %d %d %d", c.Port, c.AdminPort, c.DatabasePoolSize)
	}
	if c.Endpoint.String() != "https://auth.example.com" || c.Issuer("default") != "https://auth.example.com/oidc" {
		t.Errorf("endpoint %q issuer %q", c.Endpoint, c.Issuer("default"))
	}
	if c.Issuer("admin") != "https://admin.example.com/oidc" {
		t.Errorf("admin issuer %q", c.Issuer("admin"))
	}
	if !c.DisableLocalhost || c.AdminDisableLocalhost || !c.TrustProxyHeader || !c.HTTPSEnabled() {
		t.Errorf("booleans = %v %v %v %v", c.DisableLocalhost, c.AdminDisableLocalhost, c.TrustProxyHeader, c.HTTPSEnabled())
	}
	if c.DatabaseConnectionTimeout != 2500*time.Millisecond || c.DatabaseStatementTimeout != 30*time.Second ||
		c.PrivateKeyRotationGracePeriod != time.Hour {
		t.Errorf("durations = %v %v %v", c.DatabaseConnectionTimeout, c.DatabaseStatementTimeout, c.PrivateKeyRotationGracePeriod)
	}
	if len(c.OIDCPrivateKeys) != 2 || strings.Join(c.OIDCCookieKeys, "|") != "cookie-one|cookie-two" {
		t.Errorf("keys = %d private, cookie %q", len(c.OIDCPrivateKeys), c.OIDCCookieKeys)
	}
}

func TestBadValues(t *testing.T) {
	dir := t.TempDir()
	cert, key := tlsPair(t, dir)
	otherCert, _ := tlsPair(t, t.TempDir())
	keyFile := writeFile(t, dir, "oidc.pem", ecKeyPEM(t))
	empty := writeFile(t, dir, "empty.pem", "")
	weakRSA, _ := rsa.GenerateKey(rand.Reader, 1024)
	weakDER, _ := x509.MarshalPKCS8PrivateKey(weakRSA)
	weakPEM := pemOf(t, "PRIVATE KEY", weakDER)
	secretLine := strings.Split(weakPEM, "\n")[1][:24]
	masterKeyFile := writeFile(t, dir, "master.key", masterKeyText+"\n")

	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
		wantMsg string
		secret  string // must not appear in the message
	}{
		{"DB_URL unknown scheme", map[string]string{"DB_URL": "mysql://root:hunter2@db/x"}, "DB_URL", `unsupported scheme "mysql"`, "hunter2"},
		{"DB_URL no scheme", map[string]string{"DB_URL": "just-a-file.db"}, "DB_URL", "has no scheme", ""},
		{"DB_URL postgres without host", map[string]string{"DB_URL": "postgres:///logto"}, "DB_URL", "names no database host", ""},
		{"DB_URL malformed postgres", map[string]string{"DB_URL": "postgres://u:hunter2@db:port/x"}, "DB_URL", "not a valid PostgreSQL URL", "hunter2"},
		{"DB_URL sqlite without path", map[string]string{"DB_URL": "sqlite:"}, "DB_URL", "needs a file path", ""},
		{"DB_URL file without path", map[string]string{"DB_URL": "file://"}, "DB_URL", "needs a file path", ""},
		{"PORT not a number", map[string]string{"PORT": "abc"}, "PORT", `"abc" is not a port number; use 1-65535`, ""},
		{"PORT zero", map[string]string{"PORT": "0"}, "PORT", "use 1-65535", ""},
		{"PORT too big", map[string]string{"PORT": "65536"}, "PORT", "use 1-65535", ""},
		{"ADMIN_PORT negative", map[string]string{"ADMIN_PORT": "-1"}, "ADMIN_PORT", "use 1-65535", ""},
		{"ADMIN_PORT equals PORT", map[string]string{"PORT": "4000", "ADMIN_PORT": "4000"}, "ADMIN_PORT", "also PORT", ""},
		{"ADMIN_PORT equals PORT, admin on the same host", map[string]string{"ADMIN_PORT": "3001", "ENDPOINT": "https://auth.example.com", "ADMIN_ENDPOINT": "https://AUTH.example.com/admin"}, "ADMIN_PORT", "another host name", ""},
		{"ENDPOINT not http", map[string]string{"ENDPOINT": "ftp://auth.example.com"}, "ENDPOINT", "not an http(s) URL", ""},
		{"ENDPOINT relative", map[string]string{"ENDPOINT": "auth.example.com"}, "ENDPOINT", "not an http(s) URL", ""},
		{"ENDPOINT no host", map[string]string{"ENDPOINT": "https://"}, "ENDPOINT", "has no host", ""},
		{"ENDPOINT query", map[string]string{"ENDPOINT": "https://auth.example.com?x=1"}, "ENDPOINT", "query or fragment", ""},
		{"ENDPOINT fragment", map[string]string{"ENDPOINT": "https://auth.example.com/#top"}, "ENDPOINT", "query or fragment", ""},
		{"ENDPOINT user info", map[string]string{"ENDPOINT": "https://admin:hunter2@auth.example.com"}, "ENDPOINT", "user:password@", "hunter2"},
		{"ENDPOINT wildcard", map[string]string{"ENDPOINT": "https://*.example.com"}, "ENDPOINT", "wildcard", ""},
		{"ENDPOINT bad port", map[string]string{"ENDPOINT": "https://auth.example.com:99999"}, "ENDPOINT", "invalid port", ""},
		{"ADMIN_ENDPOINT not a URL", map[string]string{"ADMIN_ENDPOINT": "http://[::1"}, "ADMIN_ENDPOINT", "is not a URL", ""},
		{"DISABLE_LOCALHOST without ENDPOINT", map[string]string{"DISABLE_LOCALHOST": "1"}, "DISABLE_LOCALHOST", "without ENDPOINT", ""},
		{"DISABLE_LOCALHOST not boolean", map[string]string{"DISABLE_LOCALHOST": "maybe"}, "DISABLE_LOCALHOST", `"maybe" is not a boolean`, ""},
		{"ADMIN_DISABLE_LOCALHOST not boolean", map[string]string{"ADMIN_DISABLE_LOCALHOST": "2"}, "ADMIN_DISABLE_LOCALHOST", "not a boolean", ""},
		{"TRUST_PROXY_HEADER not boolean", map[string]string{"TRUST_PROXY_HEADER": "enabled"}, "TRUST_PROXY_HEADER", "use true/false", ""},
		{"HTTPS cert without key", map[string]string{"HTTPS_CERT_PATH": cert}, "HTTPS_KEY_PATH", "set both", ""},
		{"HTTPS key without cert", map[string]string{"HTTPS_KEY_PATH": key}, "HTTPS_CERT_PATH", "set both", ""},
		{"HTTPS cert missing", map[string]string{"HTTPS_CERT_PATH": filepath.Join(dir, "nope.pem"), "HTTPS_KEY_PATH": key}, "HTTPS_CERT_PATH", "no such file", ""},
		{"HTTPS key is a directory", map[string]string{"HTTPS_CERT_PATH": cert, "HTTPS_KEY_PATH": dir}, "HTTPS_KEY_PATH", "is a directory", ""},
		{"HTTPS key empty", map[string]string{"HTTPS_CERT_PATH": cert, "HTTPS_KEY_PATH": empty}, "HTTPS_KEY_PATH", "is empty", ""},
		{"HTTPS cert and key mismatch", map[string]string{"HTTPS_CERT_PATH": otherCert, "HTTPS_KEY_PATH": key}, "HTTPS_CERT_PATH", "do not load as a TLS key pair", ""},
		{"DATABASE_POOL_SIZE zero", map[string]string{"DATABASE_POOL_SIZE": "0"}, "DATABASE_POOL_SIZE", "use 1-1000", ""},
		{"GATEHOUSE_TRUSTED_PROXY_HOPS zero", map[string]string{"GATEHOUSE_TRUSTED_PROXY_HOPS": "0"}, "GATEHOUSE_TRUSTED_PROXY_HOPS", "use 1-10", ""},
		{"GATEHOUSE_TRUSTED_PROXY_HOPS not a number", map[string]string{"GATEHOUSE_TRUSTED_PROXY_HOPS": "all"}, "GATEHOUSE_TRUSTED_PROXY_HOPS", `"all" is not a number of proxies`, ""},
		{"DATABASE_POOL_SIZE too big", map[string]string{"DATABASE_POOL_SIZE": "1001"}, "DATABASE_POOL_SIZE", "use 1-1000", ""},
		{"DATABASE_POOL_SIZE not a number", map[string]string{"DATABASE_POOL_SIZE": "lots"}, "DATABASE_POOL_SIZE", `"lots" is not a pool size`, ""},
		{"DATABASE_CONNECTION_TIMEOUT with unit", map[string]string{"DATABASE_CONNECTION_TIMEOUT": "5s"}, "DATABASE_CONNECTION_TIMEOUT", "not a number of milliseconds", ""},
		{"DATABASE_CONNECTION_TIMEOUT negative", map[string]string{"DATABASE_CONNECTION_TIMEOUT": "-5"}, "DATABASE_CONNECTION_TIMEOUT", "use 0-", ""},
		{"DATABASE_STATEMENT_TIMEOUT word", map[string]string{"DATABASE_STATEMENT_TIMEOUT": "never"}, "DATABASE_STATEMENT_TIMEOUT", "or DISABLE_TIMEOUT", ""},
		{"DATABASE_STATEMENT_TIMEOUT fraction", map[string]string{"DATABASE_STATEMENT_TIMEOUT": "1.5"}, "DATABASE_STATEMENT_TIMEOUT", "not a number of milliseconds", ""},
		{"PRIVATE_KEY_ROTATION_GRACE_PERIOD negative", map[string]string{"PRIVATE_KEY_ROTATION_GRACE_PERIOD": "-1"}, "PRIVATE_KEY_ROTATION_GRACE_PERIOD", "not a number of seconds", ""},
		{"PRIVATE_KEY_ROTATION_GRACE_PERIOD duration", map[string]string{"PRIVATE_KEY_ROTATION_GRACE_PERIOD": "1h"}, "PRIVATE_KEY_ROTATION_GRACE_PERIOD", "not a number of seconds", ""},
		{"OIDC_PRIVATE_KEYS and PATHS", map[string]string{"OIDC_PRIVATE_KEYS": ecKeyPEM(t), "OIDC_PRIVATE_KEY_PATHS": keyFile}, "OIDC_PRIVATE_KEYS", "together with OIDC_PRIVATE_KEY_PATHS", ""},
		{"OIDC_PRIVATE_KEYS garbage", map[string]string{"OIDC_PRIVATE_KEYS": "hunter2hunter2"}, "OIDC_PRIVATE_KEYS", "entry 1 is not a usable private key", "hunter2"},
		{"OIDC_PRIVATE_KEYS weak RSA", map[string]string{"OIDC_PRIVATE_KEYS": ecKeyPEM(t) + "," + weakPEM}, "OIDC_PRIVATE_KEYS", "entry 2 is not a usable private key: RSA key has 1024 bits", secretLine},
		{"OIDC_PRIVATE_KEYS three keys", map[string]string{"OIDC_PRIVATE_KEYS": ecKeyPEM(t) + "," + ecKeyPEM(t) + "," + ecKeyPEM(t)}, "OIDC_PRIVATE_KEYS", "at most 2", ""},
		{"OIDC_PRIVATE_KEYS only commas", map[string]string{"OIDC_PRIVATE_KEYS": ", ,"}, "OIDC_PRIVATE_KEYS", "holds no key", ""},
		{"OIDC_PRIVATE_KEY_PATHS missing file", map[string]string{"OIDC_PRIVATE_KEY_PATHS": keyFile + "," + filepath.Join(dir, "gone.pem")}, "OIDC_PRIVATE_KEY_PATHS", "entry 2: cannot open", ""},
		{"OIDC_PRIVATE_KEY_PATHS not a key", map[string]string{"OIDC_PRIVATE_KEY_PATHS": cert}, "OIDC_PRIVATE_KEY_PATHS", "entry 1 is not a usable private key", ""},
		{"OIDC_COOKIE_KEYS only commas", map[string]string{"OIDC_COOKIE_KEYS": ",,"}, "OIDC_COOKIE_KEYS", "holds no key", ""},
		{"GATEHOUSE_MASTER_KEY not a key", map[string]string{"GATEHOUSE_MASTER_KEY": "hunter2hunter2"}, "GATEHOUSE_MASTER_KEY", "not a 32-byte key", "hunter2"},
		{"GATEHOUSE_MASTER_KEY 16 bytes", map[string]string{"GATEHOUSE_MASTER_KEY": "aHVudGVyMmh1bnRlcjIxMg=="}, "GATEHOUSE_MASTER_KEY", "not a 32-byte key", "aHVudGVy"},
		{"GATEHOUSE_MASTER_KEY and FILE", map[string]string{"GATEHOUSE_MASTER_KEY": masterKeyText, "GATEHOUSE_MASTER_KEY_FILE": masterKeyFile}, "GATEHOUSE_MASTER_KEY", "together with GATEHOUSE_MASTER_KEY_FILE", masterKeyText},
		{"GATEHOUSE_MASTER_KEY_FILE missing", map[string]string{"GATEHOUSE_MASTER_KEY_FILE": filepath.Join(dir, "gone.key")}, "GATEHOUSE_MASTER_KEY_FILE", "no such file", ""},
		{"GATEHOUSE_MASTER_KEY_FILE not a key", map[string]string{"GATEHOUSE_MASTER_KEY_FILE": keyFile}, "GATEHOUSE_MASTER_KEY_FILE", "not a 32-byte key", "PRIVATE KEY"},
		{"PostgreSQL without a master key", map[string]string{"DB_URL": "postgres://gh@db:5432/logto"}, "GATEHOUSE_MASTER_KEY", "GATEHOUSE_MASTER_KEY_FILE", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(env(tt.env))
			if err == nil {
				t.Fatalf("FromEnv accepted it: %+v", c)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *config.Error: %v", err, err)
			}
			if ce.Var != tt.wantVar {
				t.Errorf("Var = %s, want %s (%v)", ce.Var, tt.wantVar, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.wantVar+": ") || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q, want %q naming %s", msg, tt.wantMsg, tt.wantVar)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			if tt.secret != "" && strings.Contains(msg, tt.secret) {
				t.Errorf("message leaks a secret: %q", msg)
			}
		})
	}
}

// masterKeyText is a valid GATEHOUSE_MASTER_KEY (32 bytes, base64).
const masterKeyText = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8w="

func TestMasterKeySources(t *testing.T) {
	dir := t.TempDir()
	want, err := secretbox.ParseMasterKey(masterKeyText)
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, dir, "master.key", masterKeyText+"\n")
	for _, tc := range []struct {
		name     string
		env      map[string]string
		wantFile string
	}{
		{"GATEHOUSE_MASTER_KEY", map[string]string{"GATEHOUSE_MASTER_KEY": masterKeyText}, ""},
		{"GATEHOUSE_MASTER_KEY as hex", map[string]string{"GATEHOUSE_MASTER_KEY": "abcdef123456789abcdef123456789abcdef123456789abcdef123456789abcc"}, ""},
		{"GATEHOUSE_MASTER_KEY_FILE", map[string]string{"GATEHOUSE_MASTER_KEY_FILE": file}, file},
		{"PostgreSQL with GATEHOUSE_MASTER_KEY_FILE", map[string]string{"DB_URL": "postgres://gh@db/logto", "GATEHOUSE_MASTER_KEY_FILE": file}, file},
	} {
		c, err := FromEnv(env(tc.env))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.MasterKey == nil || !c.MasterKey.Equal(want) || c.MasterKeyFile != tc.wantFile {
			t.Errorf("%s: MasterKey %v (same: %v), MasterKeyFile %q", tc.name, c.MasterKey, c.MasterKey.Equal(want), c.MasterKeyFile)
		}
	}
	// On SQLite with neither set the store falls back to master.key beside the database.
	c, err := FromEnv(env(nil))
	if err != nil || c.MasterKey != nil || c.MasterKeyFile != "" {
		t.Fatalf("SQLite default: %v, %v; want no key configured", c, err)
	}
}

func TestBooleans(t *testing.T) {
	for _, v := range []string{"1", "true", "TRUE", "True", "yes", "Y", "on", "ON"} {
		c, err := FromEnv(env(map[string]string{"TRUST_PROXY_HEADER": v}))
		if err != nil || !c.TrustProxyHeader {
			t.Errorf("TRUST_PROXY_HEADER=%s: got %v, %v; want true", v, c != nil && c.TrustProxyHeader, err)
		}
	}
	for _, v := range []string{"0", "false", "FALSE", "no", "N", "off"} {
		c, err := FromEnv(env(map[string]string{"TRUST_PROXY_HEADER": v}))
		if err != nil || c.TrustProxyHeader {
			t.Errorf("TRUST_PROXY_HEADER=%s: got %v, %v; want false", v, c != nil && c.TrustProxyHeader, err)
		}
	}
}

func TestEndpoints(t *testing.T) {
	dir := t.TempDir()
	cert, key := tlsPair(t, dir)
	tests := []struct {
		name                    string
		env                     map[string]string
		user, admin             string // effective URLs; admin "" = disabled
		userIssuer, adminIssuer string
		adminEnabled            bool
	}{
		{"trailing slash trimmed", map[string]string{"ENDPOINT": "https://auth.example.com/", "ADMIN_ENDPOINT": "https://admin.example.com//"},
			"https://auth.example.com", "https://admin.example.com", "https://auth.example.com/oidc", "https://admin.example.com/oidc", true},
		{"path prefix kept", map[string]string{"ENDPOINT": "https://example.com/auth/"},
			"https://example.com/auth", "http://localhost:3002", "https://example.com/auth/oidc", "http://localhost:3002/oidc", true},
		{"custom ports", map[string]string{"PORT": "9001", "ADMIN_PORT": "9002"},
			"http://localhost:9001", "http://localhost:9002", "http://localhost:9001/oidc", "http://localhost:9002/oidc", true},
		{"HTTPS makes localhost https", map[string]string{"HTTPS_CERT_PATH": cert, "HTTPS_KEY_PATH": key},
			"https://localhost:3001", "https://localhost:3002", "https://localhost:3001/oidc", "https://localhost:3002/oidc", true},
		{"admin disabled", map[string]string{"ADMIN_DISABLE_LOCALHOST": "1"},
			"http://localhost:3001", "", "http://localhost:3001/oidc", "", false},
		{"admin disabled may share the port", map[string]string{"ADMIN_DISABLE_LOCALHOST": "1", "ADMIN_PORT": "3001"},
			"http://localhost:3001", "", "http://localhost:3001/oidc", "", false},
		{"admin only through its endpoint", map[string]string{"ADMIN_DISABLE_LOCALHOST": "true", "ADMIN_ENDPOINT": "https://admin.example.com"},
			"http://localhost:3001", "https://admin.example.com", "http://localhost:3001/oidc", "https://admin.example.com/oidc", true},
		{"localhost disabled with endpoint", map[string]string{"DISABLE_LOCALHOST": "1", "ENDPOINT": "https://auth.example.com"},
			"https://auth.example.com", "http://localhost:3002", "https://auth.example.com/oidc", "http://localhost:3002/oidc", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.UserEndpoint().String(); got != tt.user {
				t.Errorf("UserEndpoint = %s, want %s", got, tt.user)
			}
			admin := ""
			if u := c.AdminURL(); u != nil {
				admin = u.String()
			}
			if admin != tt.admin {
				t.Errorf("AdminURL = %q, want %q", admin, tt.admin)
			}
			if c.Issuer(DefaultTenantID) != tt.userIssuer || c.Issuer(AdminTenantID) != tt.adminIssuer {
				t.Errorf("issuers = %q, %q; want %q, %q", c.Issuer(DefaultTenantID), c.Issuer(AdminTenantID), tt.userIssuer, tt.adminIssuer)
			}
			if c.AdminEnabled() != tt.adminEnabled {
				t.Errorf("AdminEnabled = %v, want %v", c.AdminEnabled(), tt.adminEnabled)
			}
			// The returned URLs are copies: changing one does not change the config.
			c.UserEndpoint().Path = "/changed"
			if c.UserEndpoint().String() != tt.user {
				t.Error("UserEndpoint returned the config's own URL")
			}
		})
	}
}

func TestStatementTimeoutDisable(t *testing.T) {
	for _, v := range []string{"DISABLE_TIMEOUT", "0"} {
		c, err := FromEnv(env(map[string]string{"DATABASE_STATEMENT_TIMEOUT": v}))
		if err != nil || c.DatabaseStatementTimeout != 0 {
			t.Errorf("DATABASE_STATEMENT_TIMEOUT=%s: %v, %v; want no timeout", v, c, err)
		}
	}
}

func TestPrivateKeyPathsAreRead(t *testing.T) {
	dir := t.TempDir()
	first, second := ecKeyPEM(t), ecKeyPEM(t)
	p1, p2 := writeFile(t, dir, "a.pem", first), writeFile(t, dir, "b.pem", second)
	c, err := FromEnv(env(map[string]string{"OIDC_PRIVATE_KEY_PATHS": p1 + " , " + p2}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.OIDCPrivateKeys) != 2 || c.OIDCPrivateKeys[0] != first || c.OIDCPrivateKeys[1] != second {
		t.Errorf("OIDCPrivateKeys do not hold the files' contents in order")
	}
	if strings.Join(c.OIDCPrivateKeyPaths, ",") != p1+","+p2 {
		t.Errorf("OIDCPrivateKeyPaths = %q", c.OIDCPrivateKeyPaths)
	}
}

func TestRedacted(t *testing.T) {
	privateKey := ecKeyPEM(t)
	tests := []struct {
		name, dbURL, wantDB string
		secrets             []string
	}{
		{"password in user info", "postgres://gh:hunter2@db:5432/logto", "postgres://gh:xxxxx@db:5432/logto", []string{"hunter2"}},
		{"password in query", "postgresql://gh@db/logto?password=hunter2&sslmode=require", "postgresql://gh@db/logto?password=xxxxx&sslmode=require", []string{"hunter2"}},
		{"sqlite unchanged", "sqlite:./data/x.db", "sqlite:./data/x.db", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromEnv(env(map[string]string{"DB_URL": tt.dbURL, "OIDC_PRIVATE_KEYS": privateKey, "OIDC_COOKIE_KEYS": "cookie-secret-1,cookie-secret-2",
				"GATEHOUSE_MASTER_KEY": masterKeyText}))
			if err != nil {
				t.Fatal(err)
			}
			r := c.Redacted()
			if r["DB_URL"] != tt.wantDB {
				t.Errorf("DB_URL = %q, want %q", r["DB_URL"], tt.wantDB)
			}
			if r["OIDC_PRIVATE_KEYS"] != "(1 hidden)" || r["OIDC_COOKIE_KEYS"] != "(2 hidden)" || r["GATEHOUSE_MASTER_KEY"] != "(hidden)" {
				t.Errorf("key entries = %q, %q, %q", r["OIDC_PRIVATE_KEYS"], r["OIDC_COOKIE_KEYS"], r["GATEHOUSE_MASTER_KEY"])
			}
			if r["PORT"] != "3001" || r["ENDPOINT"] != "http://localhost:3001" || r["DATABASE_STATEMENT_TIMEOUT"] != "DISABLE_TIMEOUT" {
				t.Errorf("effective values wrong: %v", r)
			}
			all := strings.Join(mapValues(r), "\n")
			for _, s := range append(tt.secrets, "cookie-secret", strings.Split(privateKey, "\n")[1], masterKeyText[:16]) {
				if strings.Contains(all, s) {
					t.Errorf("Redacted leaks %q", s)
				}
			}
		})
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// ADMIN_PORT equal to PORT with an ADMIN_ENDPOINT on its own host serves both tenants on one
// port (platforms that route a single port).
func TestSharedPort(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"ADMIN_PORT": "3001", "ENDPOINT": "https://auth.example.com", "ADMIN_ENDPOINT": "https://admin.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SharedPort() {
		t.Fatal("SharedPort is false")
	}
	if c, _ := FromEnv(env(nil)); c.SharedPort() {
		t.Fatal("the default configuration shares its port")
	}
}
