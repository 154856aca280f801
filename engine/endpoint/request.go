package endpoint

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Request is the HTTP request an endpoint run answers. A run in the
// studio or from `hlstudio run` is no real request: it is this one,
// filled from the caller's flags or fields, with defaults for the rest
// (see DefaultRequest), so that request.* slots always have an answer
// that the person chose or can see.
type Request struct {
	Verb    string      `json:"verb"`              // lower case, as the reference's file names (get, post, ...)
	URL     string      `json:"url"`               // absolute: scheme, host, path and query
	IP      string      `json:"ip"`                // the client's address
	Headers [][2]string `json:"headers,omitempty"` // in the order given; names compare without case
	Cookies [][2]string `json:"cookies,omitempty"`
}

// DefaultRequest is a GET from 127.0.0.1 to http://localhost/ with no
// headers or cookies.
func DefaultRequest() *Request {
	return &Request{Verb: "get", URL: "http://localhost/", IP: "127.0.0.1"}
}

// Check reports what is wrong with r, so a caller can refuse it before a
// run starts: an unknown verb, a URL that is not absolute http(s), an IP
// that is not one, header or cookie text that could not be sent.
func (r *Request) Check() error {
	switch r.Verb {
	case "get", "post", "put", "patch", "delete", "head", "options":
	default:
		return fmt.Errorf("verb %q: use get, post, put, patch, delete, head or options", r.Verb)
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q: an absolute http or https URL, e.g. http://localhost/magic/modules/todo", r.URL)
	}
	if net.ParseIP(r.IP) == nil {
		return fmt.Errorf("ip %q is not an IP address", r.IP)
	}
	for _, h := range r.Headers {
		if err := checkHeader(h[0], h[1]); err != nil {
			return err
		}
	}
	for _, c := range r.Cookies {
		if err := (&http.Cookie{Name: c[0], Value: c[1]}).Valid(); err != nil {
			return fmt.Errorf("cookie %q: %v", c[0], err)
		}
	}
	return nil
}

type requestKey struct{}

// WithRequest makes req the request of the endpoint runs Invoke starts
// under ctx.
func WithRequest(ctx context.Context, req *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, req)
}

// requestOf is the run's request: the one Invoke was given, else the
// default (a plain Execute, as `hlstudio check` examples or tests do).
func requestOf(r *engine.Run) *Request {
	if req, ok := r.Context().Value(requestKey{}).(*Request); ok && req != nil {
		return req
	}
	return DefaultRequest()
}

// Cookie is one cookie an endpoint set with response.cookies.set.
type Cookie struct {
	Name     string    `json:"name"`
	Value    string    `json:"value"`
	Expires  time.Time `json:"expires,omitzero"`
	HTTPOnly bool      `json:"http_only,omitempty"`
	Secure   bool      `json:"secure,omitempty"`
	Domain   string    `json:"domain,omitempty"`
	Path     string    `json:"path,omitempty"`
	SameSite string    `json:"same_site,omitempty"`
}

// HTTP is the cookie as net/http writes it in a Set-Cookie header.
func (c Cookie) HTTP() *http.Cookie {
	hc := &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, Expires: c.Expires, HttpOnly: c.HTTPOnly, Secure: c.Secure}
	switch strings.ToLower(c.SameSite) { // set-cookie checked it is one of these
	case "strict":
		hc.SameSite = http.SameSiteStrictMode
	case "lax":
		hc.SameSite = http.SameSiteLaxMode
	case "none":
		hc.SameSite = http.SameSiteNoneMode
	}
	return hc
}

func requestSlots() []engine.Slot {
	read := func(name, doc string, fn engine.SlotFunc, args ...whitelist.Arg) engine.Slot {
		children := whitelist.NoChildren
		if len(args) > 0 {
			children = whitelist.Arguments
		}
		return engine.Slot{Sig: whitelist.Signature{Name: name, Doc: doc, Children: children, Args: args}, Fn: fn}
	}
	named := func(name, doc string, fn engine.SlotFunc) engine.Slot {
		s := read(name, doc, fn)
		s.Sig.Value = whitelist.ValueSpec{Required: true, Expr: true, Doc: "the name"}
		return s
	}
	return []engine.Slot{
		read("request.verb", "value := the request's verb, lower case (get, post, ...)", requestVerb),
		read("request.scheme", "value := the request's scheme (http or https)", requestScheme),
		read("request.host", "value := the request's host (and port, when the URL names one)", requestHost),
		read("request.url", "value := the request's path without its leading slash; children := its query parameters", requestURL),
		read("request.ip", "value := the client's address", requestIP,
			whitelist.Arg{Name: "version", Type: "string", Doc: "ipv4 (default) or ipv6"}),
		named("request.headers.get", "value := the named request header's value, or null", requestHeader),
		read("request.headers.list", "children := the request headers as name:value", requestHeaders),
		named("request.cookies.get", "value := the named request cookie's value, or null", requestCookie),
		read("request.cookies.list", "children := the request cookies as name:value", requestCookies),
		{Sig: whitelist.Signature{Name: "response.cookies.set", Doc: "sets a cookie on the response: its value names it",
			Value: whitelist.ValueSpec{Required: true, Expr: true}, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "value", Required: true}, {Name: "expires", Type: "date"}, {Name: "http-only", Type: "bool"},
				{Name: "secure", Type: "bool"}, {Name: "domain", Type: "string"}, {Name: "path", Type: "string"}, {Name: "same-site", Type: "string", Doc: "strict, lax or none"}}},
			Fn: setCookie},
	}
}

func parsedURL(r *engine.Run) (*url.URL, error) {
	u, err := url.Parse(requestOf(r).URL)
	if err != nil {
		return nil, fmt.Errorf("the run's request URL: %v", err)
	}
	return u, nil
}

func requestVerb(r *engine.Run, n *hyperlambda.Node) error {
	n.Value = requestOf(r).Verb
	return nil
}

func requestScheme(r *engine.Run, n *hyperlambda.Node) error {
	u, err := parsedURL(r)
	if err == nil {
		n.Value = u.Scheme
	}
	return err
}

func requestHost(r *engine.Run, n *hyperlambda.Node) error {
	u, err := parsedURL(r)
	if err == nil {
		n.Value = u.Host
	}
	return err
}

func requestURL(r *engine.Run, n *hyperlambda.Node) error {
	u, err := parsedURL(r)
	if err != nil {
		return err
	}
	q := u.Query()
	count := 0
	for _, vs := range q {
		count += len(vs)
	}
	if err := r.Created(count); err != nil {
		return err
	}
	n.Clear()
	n.Value = strings.TrimPrefix(u.Path, "/")
	// In the order they appear in the URL, not url.Values' map order.
	for _, part := range strings.Split(u.RawQuery, "&") {
		k, v, _ := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if part == "" || err1 != nil || err2 != nil {
			continue
		}
		n.Add(hyperlambda.New(name, value))
	}
	return nil
}

func requestIP(r *engine.Run, n *hyperlambda.Node) error {
	ip := net.ParseIP(requestOf(r).IP)
	if ip == nil {
		return fmt.Errorf("the run's request has no valid IP address")
	}
	version, _, err := r.Arg(n, "version")
	if err != nil {
		return err
	}
	n.Clear()
	switch version {
	case nil, "ipv4":
		if v4 := ip.To4(); v4 != nil {
			n.Value = v4.String()
		} else {
			n.Value = net.IP(ip[12:16]).String() // .NET's MapToIPv4: the last four bytes
		}
	case "ipv6":
		if v4 := ip.To4(); v4 != nil {
			n.Value = "::ffff:" + v4.String() // .NET's MapToIPv6 form
		} else {
			n.Value = ip.String()
		}
	default:
		return fmt.Errorf("[version] %q: use ipv4 or ipv6", version)
	}
	return nil
}

func lookup(pairs [][2]string, name string) any {
	for _, p := range pairs {
		if strings.EqualFold(p[0], name) {
			return p[1]
		}
	}
	return nil
}

func list(r *engine.Run, n *hyperlambda.Node, pairs [][2]string) error {
	if err := r.Created(len(pairs)); err != nil {
		return err
	}
	n.Clear()
	for _, p := range pairs {
		n.Add(hyperlambda.New(p[0], p[1]))
	}
	return nil
}

func requestHeader(r *engine.Run, n *hyperlambda.Node) error {
	name, err := engine.TextValue(n, "a header name as")
	if err == nil {
		n.Value = lookup(requestOf(r).Headers, name)
	}
	return err
}

func requestHeaders(r *engine.Run, n *hyperlambda.Node) error {
	return list(r, n, requestOf(r).Headers)
}

func requestCookie(r *engine.Run, n *hyperlambda.Node) error {
	name, err := engine.TextValue(n, "a cookie name as")
	if err != nil {
		return err
	}
	// Cookie names are case-sensitive, unlike header names.
	n.Value = nil
	for _, c := range requestOf(r).Cookies {
		if c[0] == name {
			n.Value = c[1]
			break
		}
	}
	return nil
}

func requestCookies(r *engine.Run, n *hyperlambda.Node) error {
	return list(r, n, requestOf(r).Cookies)
}

func setCookie(r *engine.Run, n *hyperlambda.Node) error {
	name, err := engine.TextValue(n, "a cookie name as")
	if err != nil {
		return err
	}
	c := Cookie{Name: name}
	value, _, err := r.Arg(n, "value")
	if err != nil {
		return err
	}
	if value == nil {
		return fmt.Errorf("needs a [value] for cookie %s", name)
	}
	c.Value = hyperlambda.StringOf(value)
	for _, s := range []struct {
		arg string
		to  *string
	}{{"domain", &c.Domain}, {"path", &c.Path}, {"same-site", &c.SameSite}} {
		if v, ok, err := r.Arg(n, s.arg); err != nil {
			return err
		} else if ok && v != nil {
			*s.to = v.(string)
		}
	}
	for _, b := range []struct {
		arg string
		to  *bool
	}{{"http-only", &c.HTTPOnly}, {"secure", &c.Secure}} {
		if v, ok, err := r.Arg(n, b.arg); err != nil {
			return err
		} else if ok {
			*b.to = v == true
		}
	}
	if v, ok, err := r.Arg(n, "expires"); err != nil {
		return err
	} else if ok && v != nil {
		c.Expires = v.(hyperlambda.Date).Time
	}
	// What a real response could carry: net/http's rules for names,
	// values, domains and paths (no ';', no line breaks: no injection).
	hc := &http.Cookie{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path}
	if err := hc.Valid(); err != nil {
		return fmt.Errorf("cookie %q cannot be sent: %v", c.Name, err)
	}
	switch strings.ToLower(c.SameSite) {
	case "", "strict", "lax", "none":
	default:
		return fmt.Errorf("cookie %q: [same-site] %q: use strict, lax or none", c.Name, c.SameSite)
	}
	if err := r.Output(len(c.Name) + len(c.Value) + len(c.Domain) + len(c.Path)); err != nil {
		return err
	}
	resp := response(r)
	resp.Cookies = append(resp.Cookies, c)
	n.Clear()
	return nil
}
