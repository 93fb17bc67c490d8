package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-id/gatehouse/internal/model"
)

// UserAgent is the user agent Logto's requests carry; a hook's own headers may replace it.
const UserAgent = "Logto (https://logto.io/)"

// Defaults of a Sender.
const (
	// DefaultTimeout is Logto's per-request timeout (libraries/hook/utils.ts: 10 s).
	DefaultTimeout = 10 * time.Second
	// DefaultMaxResponseBytes bounds what is read of an answer: it is only kept for the delivery
	// log, and a receiver must not be able to make Gatehouse read without end.
	DefaultMaxResponseBytes = 64 << 10
)

// SenderOptions tune a Sender; zero values take the defaults.
type SenderOptions struct {
	Timeout          time.Duration
	MaxResponseBytes int64
	// Transport replaces the HTTP transport (tests).
	Transport http.RoundTripper
}

// Sender posts signed payloads. It is safe for concurrent use.
type Sender struct {
	client   *http.Client
	maxBytes int64
}

// NewSender returns a Sender with one HTTP client: bounded connect, TLS and overall times, and
// no redirects followed.
func NewSender(o SenderOptions) *Sender {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: o.Timeout,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	return &Sender{
		client: &http.Client{
			Transport: tr,
			Timeout:   o.Timeout,
			// A redirect could carry the signed body to another host than the one the admin
			// configured: a 3xx counts as a failed attempt instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		maxBytes: o.MaxResponseBytes,
	}
}

// Result is the outcome of one request.
type Result struct {
	StatusCode int    // 0 when no answer came
	Body       []byte // at most the sender's limit
	// Err is why no answer came (nil whenever one did, whatever its status). A PermanentError
	// means trying again cannot help.
	Err      error
	Duration time.Duration
}

// OK reports a 2xx answer.
func (r Result) OK() bool { return r.Err == nil && r.StatusCode >= 200 && r.StatusCode <= 299 }

// PermanentError is a failure no retry can mend (a URL Gatehouse will not call).
type PermanentError struct{ Reason string }

func (e *PermanentError) Error() string { return e.Reason }

// forbiddenHeaders are the headers a hook may not set: the transport owns them, and letting a
// hook change them would break the request's framing. (A hook's content-type or signature
// header is accepted, as Logto accepts it, and replaced by Gatehouse's own when sending.)
var forbiddenHeaders = map[string]bool{
	"host": true, "content-length": true, "transfer-encoding": true, "connection": true, "keep-alive": true,
	"upgrade": true, "te": true, "trailer": true, "proxy-connection": true,
}

// CheckHeaders checks a hook's custom headers: valid HTTP field names and values, none the
// transport or the signature owns.
func CheckHeaders(h map[string]string) error {
	for name, value := range h {
		if !validFieldName(name) {
			return fmt.Errorf("%q is not a valid header name", clipText(name))
		}
		if forbiddenHeaders[strings.ToLower(name)] {
			return fmt.Errorf("the header %q cannot be set on a hook", name)
		}
		if strings.ContainsAny(value, "\r\n\x00") || len(value) > 4096 {
			return fmt.Errorf("the value of header %q must be one line of at most 4096 bytes", name)
		}
	}
	return nil
}

// validFieldName is RFC 9110 §5.1's token.
func validFieldName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	return true
}

// CheckURL accepts only absolute http and https URLs with a host and no credentials.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("must be an absolute http or https URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return errors.New("must be an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("must not hold credentials; send them in a custom header")
	}
	return nil
}

func clipText(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

// Send posts body to cfg's URL: Logto's user agent, then the hook's headers (which may replace
// it, as in Logto), then the signature, set last so no custom header can replace it.
func (s *Sender) Send(ctx context.Context, cfg model.HookConfig, signingKey string, body []byte) Result {
	start := time.Now()
	if err := CheckURL(cfg.URL); err != nil {
		return Result{Err: &PermanentError{Reason: "url " + err.Error()}}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: &PermanentError{Reason: "cannot build the request"}}
	}
	req.Header.Set("User-Agent", UserAgent)
	for name, value := range cfg.Headers {
		req.Header.Set(name, value)
	}
	req.Header.Set("Content-Type", "application/json")
	if signingKey != "" {
		req.Header.Set(SignatureHeader, Sign(signingKey, body))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return Result{Err: sanitize(err), Duration: time.Since(start)}
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, s.maxBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	res := Result{StatusCode: resp.StatusCode, Body: got, Duration: time.Since(start)}
	if err != nil && len(got) == 0 {
		res.Body = nil
	}
	return res
}

// sanitize keeps what went wrong without the URL's query (which may carry a token a receiver
// asked for): the URL error's operation and cause only.
func sanitize(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return errors.New("timed out")
		}
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}
