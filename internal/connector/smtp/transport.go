package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// sendTimeout bounds a whole delivery, whatever the caller's context allows: a code sent after
// half a minute is no use to the user waiting for it.
const sendTimeout = 30 * time.Second

// options are the client's connection settings: port, TLS mode, credentials and timeouts.
func (s *Sender) options(ctx context.Context) []mail.Option {
	c := s.cfg
	tlsConf := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.ServerName != "" {
		tlsConf.ServerName = c.ServerName
	}
	if c.InsecureSkipVerify {
		tlsConf.InsecureSkipVerify = true //nolint:gosec // the admin's explicit choice (nodemailer's tls.rejectUnauthorized: false)
	}
	// go-mail's timeout bounds the dial-to-login phase and then the send phase, each as one
	// deadline; never beyond the caller's own.
	timeout := c.IOTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(min(timeout, time.Until(dl)), time.Millisecond)
	}
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(timeout), mail.WithTLSConfig(tlsConf),
		mail.WithDialContextFunc(s.dial(ctx, tlsConf))}
	switch {
	case c.Secure:
		// dial does the TLS handshake; go-mail then finds the connection encrypted. Its own
		// WithSSL would bypass dial.
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case c.IgnoreTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case c.RequireTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		// nodemailer's default: STARTTLS when the server offers it.
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if c.Auth.User != "" {
		// Auto-discovery picks the strongest mechanism the server offers, and PLAIN or LOGIN
		// only over an encrypted connection: the password never crosses the network in clear
		// (nodemailer would send it).
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(c.Auth.User),
			mail.WithPassword(c.Auth.Pass))
	} else {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthNoAuth))
	}
	return opts
}

// dial connects (and for secure, shakes hands) within the connect timeout, and ties the
// connection to sendCtx: when it ends, the connection is closed, so a server that accepts and
// then stays silent releases the caller at once rather than at the next I/O deadline.
func (s *Sender) dial(sendCtx context.Context, tlsConf *tls.Config) mail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
		defer cancel()
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if s.cfg.Secure {
			tc := tls.Client(conn, tlsConf)
			if err := tc.HandshakeContext(ctx); err != nil {
				_ = conn.Close()
				return nil, fmt.Errorf("TLS handshake: %w", err)
			}
			conn = tc
		}
		context.AfterFunc(sendCtx, func() { _ = conn.Close() })
		return conn, nil
	}
}

// describe words a delivery failure for the admin: which server, and what it answered or what
// went wrong; never the password.
func (s *Sender) describe(ctx context.Context, err error) string {
	server := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var answer *textproto.Error
	var op *net.OpError
	switch {
	case errors.As(err, &answer):
		return fmt.Sprintf("the mail server %s answered: %03d %s", server, answer.Code, s.redact(oneLine(answer.Msg)))
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Sprintf("sending through %s was cancelled", server)
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Sprintf("the mail server %s did not answer in time", server)
	case errors.Is(err, mail.ErrNoSupportedAuthDiscovered):
		return fmt.Sprintf("the mail server %s offers no login Gatehouse will use on this connection "+
			"(PLAIN and LOGIN are sent only over TLS: enable STARTTLS on the server, or use secure)", server)
	case errors.As(err, &op) && op.Op == "dial":
		return fmt.Sprintf("cannot connect to %s: %s", server, s.redact(innermost(op.Err).Error()))
	}
	return fmt.Sprintf("sending through %s failed: %s", server, s.redact(err.Error()))
}

// isTimeout reports whether err is a network timeout (a deadline go-mail set on the connection).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// innermost is the last error of err's Unwrap chain ("connection refused" rather than
// "dial tcp …: connect: connection refused").
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// oneLine is a server's (possibly multi-line) answer as one printable line.
func oneLine(text string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' {
			return ' '
		}
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, text)
}

// redact removes the password from text, should any layer have echoed it.
func (s *Sender) redact(text string) string {
	if s.cfg.Auth.Pass == "" {
		return text
	}
	return strings.ReplaceAll(text, s.cfg.Auth.Pass, "********")
}
