// Package httpslots is http.get/post/put/patch/delete over real net/http,
// inside the policy's HTTP constraints: the URL's scheme, host and port
// must be an allowed origin; the address actually dialled (after DNS) is
// checked in the dialer, so a public-looking name that resolves to
// loopback or a private network is refused unless the policy allows
// private addresses; redirects may not leave the host; request and
// response bodies are bounded; and every request lives inside the run's
// context, so a slow server is cut by the run's time budget. No proxy from
// the environment is used: it would dial on the program's behalf.
//
// The arguments are the reference's ([query], [url-params], [payload],
// [headers], [token], [timeout], [convert]; request.go), and any other
// child is an error rather than silently dropped; the URL they build is
// the one checked. The response is read as the reference reads it
// (response.go).
package httpslots

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	args := []whitelist.Arg{
		{Name: "query", Doc: "children name:value appended to the URL as ?name=value&... (URL-encoded), or an expression selecting such nodes"},
		{Name: "url-params", Doc: "children name:value fill {name} in the URL's path, each encoded as one path segment"},
		{Name: "headers", Doc: "children are request header names and values (without any: Accept and, with a body, Content-Type application/json)"},
		{Name: "token", Doc: "bearer token for the Authorization header"},
		{Name: "timeout", Doc: "seconds, 1 to 600; the run's time budget bounds it anyway"},
		{Name: "convert", Type: "bool", Doc: "a JSON, URL-encoded or Hyperlambda response becomes a lambda under [content]"},
	}
	withPayload := append([]whitelist.Arg{{Name: "payload", Doc: "the body: text, bytes, or children written as the Content-Type says (JSON, application/x-www-form-urlencoded, application/hyperlambda)"}}, args...)
	for _, verb := range []string{"get", "post", "put", "patch", "delete"} {
		a, signals := args, []whitelist.Signal(nil)
		if verb != "get" && verb != "delete" {
			a, signals = withPayload, []whitelist.Signal{{Slot: "lambda2json", When: "for a [payload] of nodes sent as JSON"}}
		}
		err := e.Register(engine.Slot{
			Sig: whitelist.Signature{Name: "http." + verb,
				Doc:   "HTTP " + strings.ToUpper(verb) + " to an origin the policy allows; value := status code, children [headers] and [content]",
				Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "the URL"}, Args: a, Effects: whitelist.Network, Signals: signals},
			Fn: request(strings.ToUpper(verb)),
		})
		if err != nil {
			return err
		}
	}
	return e.Register(recaptchaSlot) // recaptcha.go
}

// denial is a refusal found while the request runs (a dialled address, a
// redirect); the slot turns it into the run's denial.
type denial struct{ reason string }

func (d *denial) Error() string { return d.reason }

func request(method string) engine.SlotFunc {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		v, err := hyperlambda.Value(n)
		if err != nil {
			return err
		}
		if err := checkChildren(n, method); err != nil {
			return err
		}
		var timeout time.Duration
		if t, ok, err := r.Arg(n, "timeout"); err != nil {
			return err
		} else if ok {
			if timeout, err = seconds(t); err != nil {
				return err
			}
		}
		raw, err := buildURL(r, n, hyperlambda.StringOf(v))
		if err != nil {
			return err
		}
		pol := r.Policy()
		h := pol.Constraints().Effects.HTTP
		u, err := h.CheckURL(raw)
		if err != nil {
			return r.Deny(n, fmt.Sprintf("policy %s refuses %s %s: %s", pol.Name, method, raw, err))
		}
		hs, err := requestHeaders(r, n, method)
		if err != nil {
			return err
		}
		var body []byte // nil: no body; a method with one sends it, empty or not
		if hasBody(method) {
			if body, err = payload(r, n, hs); err != nil {
				return err
			}
			if body == nil {
				body = []byte{}
			}
		}
		resp, content, err := send(r, n, method, raw, u, hs, body, timeout)
		if err != nil {
			return err
		}
		return result(r, n, method+" "+raw, resp, content)
	}
}

// send makes a request to u (raw as the program wrote it, checked by the
// caller against the policy) with the policy's client, inside the run's
// context (and timeout, when not 0), and reads the response within
// max-response-bytes. A refusal while it runs (a dialled address, a
// redirect, a size) is the run's denial.
func send(r *engine.Run, n *hyperlambda.Node, method, raw string, u *url.URL, hs []header, body []byte, timeout time.Duration) (*http.Response, []byte, error) {
	pol := r.Policy()
	h := pol.Constraints().Effects.HTTP
	deny := func(reason string) error {
		return r.Deny(n, fmt.Sprintf("policy %s refuses %s %s: %s", pol.Name, method, raw, reason))
	}
	// The whole request counts: a URL or header carries data out as well
	// as a body does (audit 19).
	size := len(u.String()) + len(body)
	for _, hd := range hs {
		size += len(hd.name) + len(hd.value)
	}
	if int64(size) > h.MaxRequestBytes {
		return nil, nil, deny(fmt.Sprintf("a request of %d bytes (URL, headers and body) is over max-request-bytes %d", size, h.MaxRequestBytes))
	}
	ctx := r.Context()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var reader io.Reader
	if body != nil { // empty but present: a Content-Length of 0
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reader)
	if err != nil {
		return nil, nil, err
	}
	for _, hd := range hs {
		if !strings.HasPrefix(hd.name, ".") {
			req.Header.Set(hd.name, hd.value)
		}
	}
	client := newClient(h, u)
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		var d *denial
		if errors.As(err, &d) {
			return nil, nil, deny(d.reason)
		}
		if ierr := r.Interrupted(); ierr != nil {
			return nil, nil, ierr // the run's time budget ran out while waiting
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, nil, fmt.Errorf("%s %s: no answer within [timeout]", method, raw)
		}
		return nil, nil, fmt.Errorf("%s %s: %v", method, raw, err)
	}
	defer resp.Body.Close()
	content, err := io.ReadAll(io.LimitReader(resp.Body, h.MaxResponseBytes+1))
	if err != nil {
		if ierr := r.Interrupted(); ierr != nil {
			return nil, nil, ierr
		}
		return nil, nil, fmt.Errorf("%s %s: reading the response: %v", method, raw, err)
	}
	if int64(len(content)) > h.MaxResponseBytes {
		return nil, nil, deny(fmt.Sprintf("the response body is over max-response-bytes %d (cut there)", h.MaxResponseBytes))
	}
	return resp, content, nil
}

func seconds(v any) (time.Duration, error) {
	var s int64
	switch x := v.(type) {
	case int32:
		s = int64(x)
	case int64:
		s = x
	default:
		return 0, fmt.Errorf("[timeout] must be a number of seconds, e.g. timeout:int:10")
	}
	if s < 1 || s > 600 {
		return 0, fmt.Errorf("[timeout] must be between 1 and 600 seconds")
	}
	return time.Duration(s) * time.Second, nil
}

// testRoots, when set (by tests only, see export_test.go), are the
// certificate authorities HTTPS trusts instead of the system's.
var testRoots *x509.CertPool

// newClient builds a client that can only reach what h allows: the
// dialler checks each resolved address, redirects stay on the first
// request's scheme, host and port, and there is no proxy.
func newClient(h *whitelist.HTTPConstraints, first *url.URL) *http.Client {
	dialer := &net.Dialer{
		Timeout: 30 * time.Second,
		// Control runs for the address really dialled, after DNS: the
		// check a DNS answer cannot get around.
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &denial{fmt.Sprintf("cannot check dialled address %q", address)}
			}
			if err := h.CheckAddress(ap.Addr()); err != nil {
				return &denial{"the host resolves to " + err.Error()}
			}
			return nil
		},
	}
	transport := &http.Transport{
		// nil RootCAs are the system's roots; tests add their server's.
		TLSClientConfig:        &tls.Config{RootCAs: testRoots, MinVersion: tls.VersionTLS12},
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		DisableCompression:     true, // a small gzip body must not inflate past the limit unseen
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > h.MaxRedirects {
				return &denial{fmt.Sprintf("more than max-redirects %d redirects", h.MaxRedirects)}
			}
			to := req.URL
			if !strings.EqualFold(to.Scheme, first.Scheme) || !strings.EqualFold(to.Hostname(), first.Hostname()) || port(to) != port(first) {
				return &denial{fmt.Sprintf("redirect to another origin (%s://%s) is refused", to.Scheme, to.Host)}
			}
			if _, err := h.CheckURL(to.String()); err != nil {
				return &denial{"redirect: " + err.Error()}
			}
			return nil
		},
	}
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
