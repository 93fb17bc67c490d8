package connector

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// Client is the one HTTP client connectors call providers with: bounded connect, TLS and overall
// times, a bounded answer, and redirects followed only on the same host (a provider moving a
// path is fine; a redirect to another host would carry the code or the token elsewhere).
type Client struct {
	http     *http.Client
	maxBytes int64
}

// ClientOptions tune a Client; zero values take the defaults.
type ClientOptions struct {
	Timeout          time.Duration // per request; default 10 s
	MaxResponseBytes int64         // default 1 MiB
	Transport        http.RoundTripper
}

// NewClient returns a Client.
func NewClient(o ClientOptions) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 1 << 20
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: o.Timeout,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	return &Client{maxBytes: o.MaxResponseBytes, http: &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 || req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}}
}

// Response is a provider's answer, its body read up to the client's limit.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req and reads the answer. Transport failures come back as a CodeGeneral *Error that
// says the provider could not be reached, without the URL's query.
func (c *Client) Do(ctx context.Context, req *http.Request) (Response, error) {
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return Response{}, Errorf(CodeGeneral, "the provider did not answer in time (%s)", req.URL.Host)
		}
		return Response{}, Errorf(CodeGeneral, "the provider could not be reached (%s)", req.URL.Host)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return Response{}, Errorf(CodeGeneral, "reading the provider's answer failed (%s)", req.URL.Host)
	}
	if int64(len(body)) > c.maxBytes {
		return Response{}, Errorf(CodeInvalidResponse, "the provider's answer is larger than %d bytes", c.maxBytes)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// StatusError is the error of an answer that is not 2xx: the status only (provider error bodies
// can echo what was sent).
func StatusError(what string, r Response) *Error {
	return Errorf(CodeGeneral, "%s answered %d %s", what, r.Status, http.StatusText(r.Status))
}
