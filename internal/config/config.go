package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/apperr"
	"github.com/gatehouse-id/gatehouse/internal/keys"
	"github.com/gatehouse-id/gatehouse/internal/secretbox"
)

// Defaults, Logto's where Logto has one (packages/shared/src/node/env/GlobalValues.ts).
const (
	DefaultDBURL            = "sqlite:./data/gatehouse.db" // Gatehouse runs with nothing installed
	DefaultPort             = 3001
	DefaultAdminPort        = 3002
	DefaultPoolSize         = 20
	DefaultConnTimeout      = 5000 * time.Millisecond
	maxPoolSize             = 1000
	maxOIDCPrivateKeys      = 2 // Logto's seed: "CLI seed supports at most 2 OIDC private keys"
	maxMilliseconds         = math.MaxInt32
	disableStatementTimeout = "DISABLE_TIMEOUT"
	maxEcho                 = 60 // bytes of a bad value its message repeats
)

// Tenant ids whose issuer Config knows (Logto's defaultTenantId and adminTenantId).
const (
	DefaultTenantID = "default"
	AdminTenantID   = "admin"
)

// Config is the process configuration. Zero values are never used directly: FromEnv fills every
// field with its default.
type Config struct {
	DBURL string // postgres://, postgresql://, sqlite:<path> or file:<path>

	Port      int // PORT: the user-facing listener (tenant "default")
	AdminPort int // ADMIN_PORT: the admin listener (tenant "admin")

	// Endpoint and AdminEndpoint are the public URLs as configured (ENDPOINT, ADMIN_ENDPOINT),
	// without a trailing slash; nil when unset. Use UserEndpoint and AdminURL for effective values.
	Endpoint      *url.URL
	AdminEndpoint *url.URL

	DisableLocalhost      bool // DISABLE_LOCALHOST
	AdminDisableLocalhost bool // ADMIN_DISABLE_LOCALHOST
	TrustProxyHeader      bool // TRUST_PROXY_HEADER: honour X-Forwarded-* (Koa's proxy=true)
	// TrustedProxyHops is GATEHOUSE_TRUSTED_PROXY_HOPS: how many reverse proxies in front of
	// Gatehouse append to X-Forwarded-For (default 1). The client address is that many entries
	// from the right; entries further left were sent by the client and are not believed.
	TrustedProxyHops int

	HTTPSCertPath string // HTTPS_CERT_PATH; set together with HTTPSKeyPath
	HTTPSKeyPath  string // HTTPS_KEY_PATH

	DatabasePoolSize          int           // DATABASE_POOL_SIZE
	DatabaseConnectionTimeout time.Duration // DATABASE_CONNECTION_TIMEOUT (given in ms)
	DatabaseStatementTimeout  time.Duration // DATABASE_STATEMENT_TIMEOUT (ms); 0 = none

	// OIDCPrivateKeys are the seed signing keys, each a PEM or the base64 of a PEM as given in
	// OIDC_PRIVATE_KEYS, or the contents of the files of OIDC_PRIVATE_KEY_PATHS. Secret.
	OIDCPrivateKeys     []string
	OIDCPrivateKeyPaths []string // OIDC_PRIVATE_KEY_PATHS as given (already read into OIDCPrivateKeys)
	OIDCCookieKeys      []string // OIDC_COOKIE_KEYS; seed cookie keys. Secret.

	PrivateKeyRotationGracePeriod time.Duration // PRIVATE_KEY_ROTATION_GRACE_PERIOD (given in s)

	// MasterKey seals secrets at rest (issue 6): GATEHOUSE_MASTER_KEY, or the contents of the
	// file GATEHOUSE_MASTER_KEY_FILE. Nil on SQLite when neither is set: then master.key beside
	// the database file is used, and generated on first start (app.OpenStore). Secret.
	MasterKey     *secretbox.MasterKey
	MasterKeyFile string // GATEHOUSE_MASTER_KEY_FILE as given (already read into MasterKey)

	// LogRetention is GATEHOUSE_LOG_RETENTION_DAYS: audit log entries, and webhook deliveries
	// that ended (delivered or dead), older than this are deleted. 0 keeps them forever.
	LogRetention time.Duration
	// WebhookMaxAttempts is GATEHOUSE_WEBHOOK_MAX_ATTEMPTS: attempts before a delivery is dead.
	WebhookMaxAttempts int
	// WebhookRetryBase is GATEHOUSE_WEBHOOK_RETRY_BASE_MS: the wait after the first failed
	// attempt; each later wait doubles, up to an hour.
	WebhookRetryBase time.Duration
}

// Defaults of the audit log and webhook settings.
const (
	DefaultLogRetentionDays   = 90
	DefaultWebhookMaxAttempts = 12
	DefaultWebhookRetryBase   = 10 * time.Second
)

// Error is a configuration value that cannot be used. Its message is one line naming the
// variable and what is allowed; it never contains a secret value.
type Error struct {
	Var string
	Msg string
}

func (e *Error) Error() string { return e.Var + ": " + e.Msg }

func errorf(name, format string, args ...any) *Error {
	return &Error{Var: name, Msg: fmt.Sprintf(format, args...)}
}

// FromEnv reads the configuration through lookup (os.LookupEnv in production). A variable set to
// an empty or blank value counts as unset, as in Logto. The first bad value is returned as an
// *Error.
func FromEnv(lookup func(string) (string, bool)) (*Config, error) {
	env := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	c := &Config{}
	var err error
	if c.DBURL, err = parseDBURL(env("DB_URL")); err != nil {
		return nil, err
	}
	if c.HTTPSCertPath, c.HTTPSKeyPath, err = parseHTTPS(env("HTTPS_CERT_PATH"), env("HTTPS_KEY_PATH")); err != nil {
		return nil, err
	}
	for _, read := range []func(env func(string) string) error{c.readListeners, c.readDatabaseLimits, c.readKeys, c.readEvents} {
		if err := read(env); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// maxProxyHops bounds GATEHOUSE_TRUSTED_PROXY_HOPS; no real chain of proxies is longer.
const maxProxyHops = 10

// ProxyHops is how many X-Forwarded-For entries to trust from the right: none without
// TRUST_PROXY_HEADER.
func (c *Config) ProxyHops() int {
	if !c.TrustProxyHeader {
		return 0
	}
	return c.TrustedProxyHops
}

// readListeners reads the switches, ports and endpoints of the two listeners and checks they
// leave something reachable on distinct ports.
func (c *Config) readListeners(env func(string) string) error {
	var err error
	for _, b := range []struct {
		name string
		dst  *bool
	}{
		{"DISABLE_LOCALHOST", &c.DisableLocalhost},
		{"ADMIN_DISABLE_LOCALHOST", &c.AdminDisableLocalhost},
		{"TRUST_PROXY_HEADER", &c.TrustProxyHeader},
	} {
		if *b.dst, err = parseBool(b.name, env(b.name)); err != nil {
			return err
		}
	}
	if c.TrustedProxyHops, err = parseIntRange("GATEHOUSE_TRUSTED_PROXY_HOPS", env("GATEHOUSE_TRUSTED_PROXY_HOPS"), 1, 1, maxProxyHops, "a number of proxies"); err != nil {
		return err
	}
	if c.Port, err = parsePort("PORT", env("PORT"), DefaultPort); err != nil {
		return err
	}
	if c.AdminPort, err = parsePort("ADMIN_PORT", env("ADMIN_PORT"), DefaultAdminPort); err != nil {
		return err
	}
	if c.Endpoint, err = parseEndpoint("ENDPOINT", env("ENDPOINT")); err != nil {
		return err
	}
	if c.AdminEndpoint, err = parseEndpoint("ADMIN_ENDPOINT", env("ADMIN_ENDPOINT")); err != nil {
		return err
	}
	if c.DisableLocalhost && c.Endpoint == nil {
		return errorf("DISABLE_LOCALHOST", "set without ENDPOINT, so nothing would be reachable; set ENDPOINT to the public URL")
	}
	// The admin tenant runs whenever it is reachable: on its own port, or on PORT told apart by
	// host name, which needs an ADMIN_ENDPOINT on another host.
	if c.SharedPort() && (c.AdminEndpoint == nil || strings.EqualFold(c.AdminEndpoint.Hostname(), c.UserEndpoint().Hostname())) {
		return errorf("ADMIN_PORT", "%d is also PORT; to serve the admin console on the same port, set ADMIN_ENDPOINT to a URL on another host name (admin.example.com), or give ADMIN_PORT its own port", c.AdminPort)
	}
	return nil
}

// SharedPort reports whether both tenants are served on PORT and told apart by host name
// (ADMIN_PORT equal to PORT, ADMIN_ENDPOINT on its own host), for platforms that route a single
// port to a container.
func (c *Config) SharedPort() bool { return c.AdminEnabled() && c.Port == c.AdminPort }

// readDatabaseLimits reads the pool size and the connection and statement timeouts.
func (c *Config) readDatabaseLimits(env func(string) string) error {
	var err error
	if c.DatabasePoolSize, err = parseIntRange("DATABASE_POOL_SIZE", env("DATABASE_POOL_SIZE"), DefaultPoolSize, 1, maxPoolSize, "a pool size"); err != nil {
		return err
	}
	ms, err := parseIntRange("DATABASE_CONNECTION_TIMEOUT", env("DATABASE_CONNECTION_TIMEOUT"), int(DefaultConnTimeout/time.Millisecond), 0, maxMilliseconds, "a number of milliseconds")
	if err != nil {
		return err
	}
	c.DatabaseConnectionTimeout = time.Duration(ms) * time.Millisecond
	if v := env("DATABASE_STATEMENT_TIMEOUT"); !strings.EqualFold(v, disableStatementTimeout) {
		ms, err := parseIntRange("DATABASE_STATEMENT_TIMEOUT", v, 0, 0, maxMilliseconds, "a number of milliseconds or DISABLE_TIMEOUT")
		if err != nil {
			return err
		}
		c.DatabaseStatementTimeout = time.Duration(ms) * time.Millisecond
	}
	return nil
}

// readEvents reads the audit log retention and the webhook retry settings.
func (c *Config) readEvents(env func(string) string) error {
	days, err := parseIntRange("GATEHOUSE_LOG_RETENTION_DAYS", env("GATEHOUSE_LOG_RETENTION_DAYS"), DefaultLogRetentionDays, 0, 36500, "a number of days (0 keeps entries forever)")
	if err != nil {
		return err
	}
	c.LogRetention = time.Duration(days) * 24 * time.Hour
	if c.WebhookMaxAttempts, err = parseIntRange("GATEHOUSE_WEBHOOK_MAX_ATTEMPTS", env("GATEHOUSE_WEBHOOK_MAX_ATTEMPTS"), DefaultWebhookMaxAttempts, 1, 100, "a number of attempts"); err != nil {
		return err
	}
	ms, err := parseIntRange("GATEHOUSE_WEBHOOK_RETRY_BASE_MS", env("GATEHOUSE_WEBHOOK_RETRY_BASE_MS"), int(DefaultWebhookRetryBase/time.Millisecond), 100, int(time.Hour/time.Millisecond), "a number of milliseconds")
	c.WebhookRetryBase = time.Duration(ms) * time.Millisecond
	return err
}

// readKeys reads the rotation grace period, the seed signing and cookie keys and the master key.
func (c *Config) readKeys(env func(string) string) error {
	secs, err := parseIntRange("PRIVATE_KEY_ROTATION_GRACE_PERIOD", env("PRIVATE_KEY_ROTATION_GRACE_PERIOD"), 0, 0, maxMilliseconds, "a number of seconds")
	if err != nil {
		return err
	}
	c.PrivateKeyRotationGracePeriod = time.Duration(secs) * time.Second
	if err := c.loadPrivateKeys(env("OIDC_PRIVATE_KEYS"), env("OIDC_PRIVATE_KEY_PATHS")); err != nil {
		return err
	}
	if v := env("OIDC_COOKIE_KEYS"); v != "" {
		if c.OIDCCookieKeys = splitList(v); len(c.OIDCCookieKeys) == 0 {
			return errorf("OIDC_COOKIE_KEYS", "holds no key; give comma-separated keys or leave it unset to generate one")
		}
	}
	return c.loadMasterKey(env("GATEHOUSE_MASTER_KEY"), env("GATEHOUSE_MASTER_KEY_FILE"))
}

// HTTPSEnabled reports whether Gatehouse serves TLS itself (HTTPS_CERT_PATH and HTTPS_KEY_PATH).
func (c *Config) HTTPSEnabled() bool { return c.HTTPSCertPath != "" }

// UserEndpoint is the effective public URL of the default tenant: ENDPOINT, else
// http(s)://localhost:PORT (https when HTTPS is enabled, as Logto's UrlSet.localhostUrl).
func (c *Config) UserEndpoint() *url.URL {
	if c.Endpoint != nil {
		return cloneURL(c.Endpoint)
	}
	return c.localhost(c.Port)
}

// AdminURL is the effective public URL of the admin tenant: ADMIN_ENDPOINT, else
// http(s)://localhost:ADMIN_PORT; nil when the admin tenant is disabled (see AdminEnabled).
func (c *Config) AdminURL() *url.URL {
	if c.AdminEndpoint != nil {
		return cloneURL(c.AdminEndpoint)
	}
	if c.AdminDisableLocalhost {
		return nil
	}
	return c.localhost(c.AdminPort)
}

// AdminEnabled reports whether the admin tenant (console, admin sign-in) is reachable at all.
// Logto: ADMIN_DISABLE_LOCALHOST without ADMIN_ENDPOINT turns it off completely.
func (c *Config) AdminEnabled() bool { return c.AdminURL() != nil }

// Issuer is the OIDC issuer of a tenant: its endpoint + "/oidc" (Logto's getTenantEndpoint).
// Tenant "admin" uses AdminURL (and has no issuer, "", when the admin tenant is disabled); every
// other tenant uses UserEndpoint, as Logto does without multi-tenancy.
func (c *Config) Issuer(tenantID string) string {
	u := c.UserEndpoint()
	if tenantID == AdminTenantID {
		if u = c.AdminURL(); u == nil {
			return ""
		}
	}
	return u.String() + "/oidc"
}

// DBDialect is "postgres" for postgres:// and postgresql:// URLs, otherwise "sqlite".
func (c *Config) DBDialect() string {
	if strings.HasPrefix(c.DBURL, "postgres://") || strings.HasPrefix(c.DBURL, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

// Redacted returns the effective configuration by variable name, safe to print: the database
// password is masked and key material is replaced by a count.
func (c *Config) Redacted() map[string]string {
	admin := "(disabled)"
	if u := c.AdminURL(); u != nil {
		admin = u.String()
	}
	masterKey := "(none)"
	if c.MasterKey != nil {
		masterKey = "(hidden)"
	}
	statement := "DISABLE_TIMEOUT"
	if c.DatabaseStatementTimeout > 0 {
		statement = strconv.FormatInt(c.DatabaseStatementTimeout.Milliseconds(), 10)
	}
	return map[string]string{
		"DB_URL":                            redactDBURL(c.DBURL),
		"PORT":                              strconv.Itoa(c.Port),
		"ADMIN_PORT":                        strconv.Itoa(c.AdminPort),
		"ENDPOINT":                          c.UserEndpoint().String(),
		"ADMIN_ENDPOINT":                    admin,
		"DISABLE_LOCALHOST":                 strconv.FormatBool(c.DisableLocalhost),
		"ADMIN_DISABLE_LOCALHOST":           strconv.FormatBool(c.AdminDisableLocalhost),
		"TRUST_PROXY_HEADER":                strconv.FormatBool(c.TrustProxyHeader),
		"GATEHOUSE_TRUSTED_PROXY_HOPS":      strconv.Itoa(c.TrustedProxyHops),
		"HTTPS_CERT_PATH":                   c.HTTPSCertPath,
		"HTTPS_KEY_PATH":                    c.HTTPSKeyPath,
		"DATABASE_POOL_SIZE":                strconv.Itoa(c.DatabasePoolSize),
		"DATABASE_CONNECTION_TIMEOUT":       strconv.FormatInt(c.DatabaseConnectionTimeout.Milliseconds(), 10),
		"DATABASE_STATEMENT_TIMEOUT":        statement,
		"OIDC_PRIVATE_KEYS":                 countHidden(len(c.OIDCPrivateKeys)),
		"OIDC_PRIVATE_KEY_PATHS":            strings.Join(c.OIDCPrivateKeyPaths, ","),
		"OIDC_COOKIE_KEYS":                  countHidden(len(c.OIDCCookieKeys)),
		"PRIVATE_KEY_ROTATION_GRACE_PERIOD": strconv.FormatInt(int64(c.PrivateKeyRotationGracePeriod/time.Second), 10),
		"GATEHOUSE_MASTER_KEY":              masterKey,
		"GATEHOUSE_MASTER_KEY_FILE":         c.MasterKeyFile,
		"GATEHOUSE_LOG_RETENTION_DAYS":      strconv.Itoa(int(c.LogRetention / (24 * time.Hour))),
		"GATEHOUSE_WEBHOOK_MAX_ATTEMPTS":    strconv.Itoa(c.WebhookMaxAttempts),
		"GATEHOUSE_WEBHOOK_RETRY_BASE_MS":   strconv.Itoa(int(c.WebhookRetryBase / time.Millisecond)),
	}
}

func countHidden(n int) string {
	if n == 0 {
		return "(none)"
	}
	return fmt.Sprintf("(%d hidden)", n)
}

func (c *Config) localhost(port int) *url.URL {
	scheme := "http"
	if c.HTTPSEnabled() {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: "localhost:" + strconv.Itoa(port)}
}

func cloneURL(u *url.URL) *url.URL {
	c := *u
	return &c
}

// parseDBURL checks the scheme. Its messages never repeat the value: it may hold a password.
func parseDBURL(v string) (string, error) {
	if v == "" {
		return DefaultDBURL, nil
	}
	const allowed = "use postgres://user:password@host:5432/db, sqlite:<path> or file:<path>"
	scheme, rest, ok := strings.Cut(v, ":")
	if !ok {
		return "", errorf("DB_URL", "has no scheme; %s", allowed)
	}
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		u, err := url.Parse(v)
		if err != nil || !strings.HasPrefix(rest, "//") {
			return "", errorf("DB_URL", "not a valid PostgreSQL URL (value hidden, it may hold a password); %s", allowed)
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return "", errorf("DB_URL", "names no database host; use postgres://user:password@host:5432/db")
		}
	case "sqlite", "file":
		if strings.TrimLeft(rest, "/") == "" {
			return "", errorf("DB_URL", "%s: needs a file path, e.g. sqlite:./data/gatehouse.db", strings.ToLower(scheme))
		}
	default:
		return "", errorf("DB_URL", "unsupported scheme %q; %s", apperr.Clip(scheme, maxEcho), allowed)
	}
	return v, nil
}

// redactDBURL masks the password of a PostgreSQL URL, in the user info and in a password query
// parameter (both are accepted by libpq and pgx).
func redactDBURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return v
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// parseBool accepts what Logto's yes() accepts and the obvious negatives, in any case; the seed
// guides write TRUST_PROXY_HEADER=True.
func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "n", "off":
		return false, nil
	case "1", "true", "yes", "y", "on":
		return true, nil
	}
	return false, errorf(name, "%q is not a boolean; use true/false, yes/no, on/off or 1/0", apperr.Clip(v, maxEcho))
}

func parsePort(name, v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return 0, errorf(name, "%q is not a port number; use 1-65535", apperr.Clip(v, maxEcho))
	}
	return n, nil
}

func parseIntRange(name, v string, def, lo, hi int, what string) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errorf(name, "%q is not %s; use %d-%d", apperr.Clip(v, maxEcho), what, lo, hi)
	}
	return n, nil
}

// parseEndpoint accepts an absolute http(s) URL without user info, query or fragment and trims
// trailing slashes, so the issuer is exactly <endpoint>/oidc.
func parseEndpoint(name, v string) (*url.URL, error) {
	if v == "" {
		return nil, nil
	}
	if strings.Contains(v, "@") {
		// Never echo a value that may carry user:password@.
		return nil, errorf(name, "must not contain user:password@; %s", endpointWanted)
	}
	u, err := url.Parse(v)
	if err != nil {
		return nil, errorf(name, "%q is not a URL; %s", apperr.Clip(v, maxEcho), endpointWanted)
	}
	if err := checkEndpointURL(name, v, u); err != nil {
		return nil, err
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// endpointWanted ends the messages about a bad ENDPOINT or ADMIN_ENDPOINT.
const endpointWanted = "use an absolute http(s) URL such as https://auth.example.com"

// checkEndpointURL checks u, parsed from v: an http(s) scheme, a host that is no wildcard, no
// query or fragment, and a valid port if any.
func checkEndpointURL(name, v string, u *url.URL) error {
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return errorf(name, "%q is not an http(s) URL; %s", apperr.Clip(v, maxEcho), endpointWanted)
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return errorf(name, "%q has no host; %s", apperr.Clip(v, maxEcho), endpointWanted)
	case strings.Contains(u.Host, "*"):
		return errorf(name, "%q: wildcard hosts (Logto's domain-based multi-tenancy) are not supported; %s", apperr.Clip(v, maxEcho), endpointWanted)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(v, "#"):
		return errorf(name, "%q has a query or fragment; %s", apperr.Clip(v, maxEcho), endpointWanted)
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return errorf(name, "%q has an invalid port; use 1-65535", apperr.Clip(v, maxEcho))
	}
	return nil
}

// validPort reports whether p is a port number, 1 to 65535.
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// parseHTTPS requires both paths or neither, and a certificate and key that load as a pair.
func parseHTTPS(cert, key string) (string, string, error) {
	switch {
	case cert == "" && key == "":
		return "", "", nil
	case key == "":
		return "", "", errorf("HTTPS_KEY_PATH", "missing while HTTPS_CERT_PATH is set; set both to serve HTTPS, or neither")
	case cert == "":
		return "", "", errorf("HTTPS_CERT_PATH", "missing while HTTPS_KEY_PATH is set; set both to serve HTTPS, or neither")
	}
	if err := checkReadable(cert); err != nil {
		return "", "", errorf("HTTPS_CERT_PATH", "%s", err)
	}
	if err := checkReadable(key); err != nil {
		return "", "", errorf("HTTPS_KEY_PATH", "%s", err)
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		return "", "", errorf("HTTPS_CERT_PATH", "the certificate and HTTPS_KEY_PATH do not load as a TLS key pair: %s", oneLine(err.Error()))
	}
	return cert, key, nil
}

// checkReadable opens path and reads one byte, so a missing file, a directory or a file without
// read permission is reported at start-up rather than at the first TLS handshake.
func checkReadable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open %q: %s", path, describeFSError(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("%q is a directory; give a file", path)
	}
	if _, err := f.Read(make([]byte, 1)); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%q is empty", path)
		}
		return fmt.Errorf("cannot read %q: %s", path, describeFSError(err))
	}
	return nil
}

func describeFSError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// loadPrivateKeys reads OIDC_PRIVATE_KEYS or OIDC_PRIVATE_KEY_PATHS (Logto's seed reads the
// first that is set; setting both is almost certainly a mistake, so it is an error here) and
// checks every key parses. Messages name entries by position, never by content.
func (c *Config) loadPrivateKeys(inline, paths string) error {
	if inline != "" && paths != "" {
		return errorf("OIDC_PRIVATE_KEYS", "set together with OIDC_PRIVATE_KEY_PATHS; set only one of them")
	}
	name := "OIDC_PRIVATE_KEYS"
	if inline != "" {
		c.OIDCPrivateKeys = splitList(inline)
	} else if paths != "" {
		name = "OIDC_PRIVATE_KEY_PATHS"
		c.OIDCPrivateKeyPaths = splitList(paths)
		for i, p := range c.OIDCPrivateKeyPaths {
			if err := checkReadable(p); err != nil {
				return errorf(name, "entry %d: %s", i+1, err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return errorf(name, "entry %d: cannot read %q: %s", i+1, p, describeFSError(err))
			}
			c.OIDCPrivateKeys = append(c.OIDCPrivateKeys, string(b))
		}
	} else {
		return nil
	}
	switch n := len(c.OIDCPrivateKeys); {
	case n == 0:
		return errorf(name, "holds no key; give comma-separated keys or leave it unset to generate one")
	case n > maxOIDCPrivateKeys:
		return errorf(name, "holds %d keys; at most %d (Current and Previous) can be seeded", n, maxOIDCPrivateKeys)
	}
	for i, k := range c.OIDCPrivateKeys {
		if _, err := keys.FromPEM(k, time.Time{}); err != nil {
			return errorf(name, "entry %d is not a usable private key: %s", i+1, strings.TrimPrefix(oneLine(err.Error()), "keys: "))
		}
	}
	return nil
}

// loadMasterKey reads GATEHOUSE_MASTER_KEY or GATEHOUSE_MASTER_KEY_FILE (not both). With neither,
// SQLite falls back to a key file beside the database, but PostgreSQL must refuse: its nodes
// share one database, and a key generated per node would seal with keys the others cannot open.
// Messages never contain the key.
func (c *Config) loadMasterKey(inline, path string) error {
	switch {
	case inline != "" && path != "":
		return errorf("GATEHOUSE_MASTER_KEY", "set together with GATEHOUSE_MASTER_KEY_FILE; set only one of them")
	case inline != "":
		k, err := secretbox.ParseMasterKey(inline)
		if err != nil {
			return errorf("GATEHOUSE_MASTER_KEY", "%s", oneLine(err.Error()))
		}
		c.MasterKey = k
	case path != "":
		if err := checkReadable(path); err != nil {
			return errorf("GATEHOUSE_MASTER_KEY_FILE", "%s", err)
		}
		k, err := secretbox.ReadKeyFile(path)
		if err != nil {
			return errorf("GATEHOUSE_MASTER_KEY_FILE", "%s", oneLine(err.Error()))
		}
		c.MasterKey, c.MasterKeyFile = k, path
	case c.DBDialect() == "postgres":
		return errorf("GATEHOUSE_MASTER_KEY", "not set, nor GATEHOUSE_MASTER_KEY_FILE: on PostgreSQL every node must seal and open "+
			"secrets with one shared master key, so none is generated; make one with `gatehouse keys generate-master` and give it to every node")
	}
	return nil
}

// splitList splits a comma-separated value, trimming entries and skipping empty ones (Logto's
// getEnvAsStringArray).
func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
