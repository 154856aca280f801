// Package httpslots is http.get/post/put/patch/delete over real net/http,
// inside the policy's HTTP constraints: the URL's scheme, host and port
// must be an allowed origin; the address actually dialled (after DNS) is
// checked in the dialer, so a public-looking name that resolves to
// loopback or a private network is refused unless the policy allows
// private addresses; redirects may not leave the host; request and
// response bodies are bounded; and every request lives inside the run's
// context, so a slow server is cut by the run's time budget. No proxy from
// the environment is used: it would dial on the program's behalf.
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
	"sort"
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
		{Name: "headers", Doc: "children are request header names and values"},
		{Name: "token", Doc: "bearer token for the Authorization header"},
		{Name: "timeout", Doc: "seconds; the run's time budget bounds it anyway"},
		{Name: "convert", Type: "bool", Doc: "JSON responses become a lambda under [content]"},
	}
	withPayload := append([]whitelist.Arg{{Name: "payload", Doc: "the body: text, bytes, or children sent as JSON"}}, args...)
	for _, verb := range []string{"get", "post", "put", "patch", "delete"} {
		a := args
		if verb != "get" && verb != "delete" {
			a = withPayload
		}
		err := e.Register(engine.Slot{
			Sig: whitelist.Signature{Name: "http." + verb,
				Doc:   "HTTP " + strings.ToUpper(verb) + " to an origin the policy allows; value := status code, children [headers] and [content]",
				Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "the URL"}, Args: a, Effects: whitelist.Network},
			Fn: request(strings.ToUpper(verb)),
		})
		if err != nil {
			return err
		}
	}
	return nil
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
		raw := hyperlambda.StringOf(v)
		pol := r.Policy()
		h := pol.Constraints().Effects.HTTP
		deny := func(reason string) error {
			return r.Deny(n, fmt.Sprintf("policy %s refuses %s %s: %s", pol.Name, method, raw, reason))
		}
		u, err := h.CheckURL(raw)
		if err != nil {
			return deny(err.Error())
		}
		body, ctype, err := payload(r, n)
		if err != nil {
			return err
		}
		if int64(len(body)) > h.MaxRequestBytes {
			return deny(fmt.Sprintf("request body of %d bytes is over max-request-bytes %d", len(body), h.MaxRequestBytes))
		}
		ctx := r.Context()
		if t, ok, err := r.Arg(n, "timeout"); err != nil {
			return err
		} else if ok {
			secs, err := seconds(t)
			if err != nil {
				return err
			}
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, secs)
			defer cancel()
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
		if err != nil {
			return err
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if err := headers(r, n, req); err != nil {
			return err
		}
		client := newClient(h, u)
		defer client.CloseIdleConnections()
		resp, err := client.Do(req)
		if err != nil {
			var d *denial
			if errors.As(err, &d) {
				return deny(d.reason)
			}
			if ierr := r.Interrupted(); ierr != nil {
				return ierr // the run's time budget ran out while waiting
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("%s %s: no answer within [timeout]", method, raw)
			}
			return fmt.Errorf("%s %s: %v", method, raw, err)
		}
		defer resp.Body.Close()
		content, err := io.ReadAll(io.LimitReader(resp.Body, h.MaxResponseBytes+1))
		if err != nil {
			if ierr := r.Interrupted(); ierr != nil {
				return ierr
			}
			return fmt.Errorf("%s %s: reading the response: %v", method, raw, err)
		}
		if int64(len(content)) > h.MaxResponseBytes {
			return deny(fmt.Sprintf("the response body is over max-response-bytes %d (cut there)", h.MaxResponseBytes))
		}
		return result(r, n, resp, content)
	}
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
	if s <= 0 {
		return 0, fmt.Errorf("[timeout] must be positive")
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

// payload is [payload]'s value (text or bytes) or its children as JSON,
// through lambda2json at the dispatch point like any other slot.
func payload(r *engine.Run, n *hyperlambda.Node) ([]byte, string, error) {
	p, err := r.ArgNode(n, "payload")
	if err != nil || p == nil {
		return nil, "", nil
	}
	if p.Value == nil && p.Len() > 0 {
		tmp := hyperlambda.New("lambda2json", nil)
		for _, c := range p.Children() {
			cl, err := r.Clone(c)
			if err != nil {
				return nil, "", err
			}
			tmp.Add(cl)
		}
		if err := r.Signal("lambda2json", tmp); err != nil {
			return nil, "", err
		}
		return []byte(hyperlambda.StringOf(tmp.Value)), "application/json", nil
	}
	v, err := hyperlambda.Value(p)
	if err != nil {
		return nil, "", err
	}
	if b, ok := v.([]byte); ok {
		return b, "application/octet-stream", nil
	}
	s := hyperlambda.StringOf(v)
	ctype := "text/plain; charset=utf-8"
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		ctype = "application/json"
	}
	return []byte(s), ctype, nil
}

func headers(r *engine.Run, n *hyperlambda.Node, req *http.Request) error {
	hn, err := r.ArgNode(n, "headers")
	if err != nil {
		return err
	}
	if hn != nil {
		for _, c := range hn.Children() {
			v, err := hyperlambda.Value(c)
			if err != nil {
				return err
			}
			req.Header.Set(c.Name, hyperlambda.StringOf(v))
		}
	}
	if t, ok, err := r.Arg(n, "token"); err != nil {
		return err
	} else if ok {
		req.Header.Set("Authorization", "Bearer "+hyperlambda.StringOf(t))
	}
	return nil
}

// result writes the status into n's value and [headers] and [content]
// as children; with [convert] a JSON body is parsed by json2lambda.
func result(r *engine.Run, n *hyperlambda.Node, resp *http.Response, content []byte) error {
	convert, _, err := r.Arg(n, "convert")
	if err != nil {
		return err
	}
	names := make([]string, 0, len(resp.Header))
	size := len(content)
	for k, vs := range resp.Header {
		names = append(names, k)
		size += len(k) + len(strings.Join(vs, ", "))
	}
	sort.Strings(names)
	if err := r.Output(size); err != nil {
		return err
	}
	if err := r.Created(len(names) + 2); err != nil {
		return err
	}
	n.Clear()
	n.Value = int32(resp.StatusCode)
	hs := hyperlambda.New("headers", nil)
	for _, k := range names {
		hs.Add(hyperlambda.New(k, strings.Join(resp.Header[k], ", ")))
	}
	n.Add(hs)
	c := hyperlambda.New("content", string(content))
	if convert == true && strings.Contains(resp.Header.Get("Content-Type"), "json") && len(content) > 0 {
		tmp := hyperlambda.New("json2lambda", string(content))
		if err := r.Signal("json2lambda", tmp); err != nil {
			return err
		}
		c.Value = nil
		c.MoveChildren(tmp)
	}
	n.Add(c)
	return nil
}
