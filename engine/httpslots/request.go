package httpslots

import (
	"fmt"
	"mime"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// hasBody tells the verbs that send a [payload] from those that do not.
func hasBody(method string) bool { return method != "GET" && method != "DELETE" }

// checkChildren refuses any child that is not an argument, as the
// reference does ("Only supply [query], [payload], ..."): a misspelt or
// invented argument must not be dropped without a word. The reference's
// [filename] and [.sse] are named as not supported here.
func checkChildren(n *hyperlambda.Node, method string) error {
	for _, c := range n.Children() {
		switch c.Name {
		case "query", "url-params", "headers", "token", "timeout", "convert":
		case "payload":
			if !hasBody(method) {
				return fmt.Errorf("do not supply a [payload] to [%s]: a %s request has no body", n.Name, method)
			}
		case "filename":
			return fmt.Errorf("[filename] (a file as the request body) is not supported by [%s]: load the file with io.file.load.binary and give it as [payload]", n.Name)
		case ".sse":
			return fmt.Errorf("[.sse] (server-sent events) is not supported by [%s]", n.Name)
		default:
			return fmt.Errorf("[%s] is not an argument of [%s]: only supply %s", c.Name, n.Name, argList(method))
		}
	}
	return nil
}

func argList(method string) string {
	if hasBody(method) {
		return "[query], [url-params], [payload], [headers], [convert], [timeout] and [token]"
	}
	return "[query], [url-params], [headers], [convert], [timeout] and [token]"
}

// buildURL fills the URL's {name} placeholders from [url-params] and
// appends [query] as a URL-encoded query string, as the reference does.
// A url-param is encoded as one path segment (a / or : in it is escaped)
// and may only stand in the path or query, never in the scheme or host,
// so a value can never choose where the request goes; the result is
// checked against the policy's origins like any URL.
func buildURL(r *engine.Run, n *hyperlambda.Node, raw string) (string, error) {
	up, err := r.ArgNode(n, "url-params")
	if err != nil {
		return "", err
	}
	if up != nil {
		authorityEnd := len(raw) // without "://" no placeholder is in a path
		if i := strings.Index(raw, "://"); i >= 0 {
			authorityEnd = i + 3
			if j := strings.IndexAny(raw[authorityEnd:], "/?#"); j >= 0 {
				authorityEnd += j
			} else {
				authorityEnd = len(raw)
			}
		}
		for _, c := range up.Children() {
			name := "{" + c.Name + "}"
			at := strings.Index(raw, name)
			if at < 0 {
				return "", fmt.Errorf("[url-params]: could not find %s in the URL %s", name, raw)
			}
			if at < authorityEnd {
				return "", fmt.Errorf("[url-params]: %s is in the scheme or host of %s; a url-param only fills the path or query", name, raw)
			}
			v, err := hyperlambda.Value(c)
			if err != nil {
				return "", err
			}
			raw = strings.ReplaceAll(raw, name, segmentEscape(hyperlambda.StringOf(v)))
		}
	}
	q, err := query(r, n)
	if err != nil || q == "" {
		return raw, err
	}
	base, fragment, hasFragment := strings.Cut(raw, "#")
	switch {
	case !strings.Contains(base, "?"):
		base += "?"
	case !strings.HasSuffix(base, "?") && !strings.HasSuffix(base, "&"):
		base += "&"
	}
	base += q
	if hasFragment {
		base += "#" + fragment
	}
	return base, nil
}

// query is [query] as name=value pairs joined by &: its children, or the
// nodes its expression selects, each value followed and encoded as the
// reference's WebUtility.UrlEncode does (the name too, here).
func query(r *engine.Run, n *hyperlambda.Node) (string, error) {
	qn, err := r.ArgNode(n, "query")
	if err != nil || qn == nil {
		return "", err
	}
	pairs := qn.Children()
	if qn.Value != nil {
		x, ok := qn.Value.(*hyperlambda.Expression)
		if !ok {
			return "", fmt.Errorf("[query] takes its parameters as children (name:value), or an expression selecting such nodes, e.g. query:x:@.args/*")
		}
		if pairs, err = x.Evaluate(qn); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	for _, p := range pairs {
		v, err := hyperlambda.Value(p)
		if err != nil {
			return "", err
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(formEscape(p.Name))
		b.WriteByte('=')
		b.WriteString(formEscape(hyperlambda.StringOf(v)))
	}
	return b.String(), nil
}

const upperhex = "0123456789ABCDEF"

// formEscape is .NET's WebUtility.UrlEncode: letters, digits and -_.!*()
// stay, a space becomes +, every other byte %XX.
func formEscape(s string) string {
	return escape(s, func(c byte) bool { return strings.IndexByte("-_.!*()", c) >= 0 }, true)
}

// segmentEscape leaves only letters, digits and -._~ (RFC 3986's
// unreserved characters): the result is one path segment wherever it is
// put, and cannot end the path, start a query or name a host or port.
func segmentEscape(s string) string {
	return escape(s, func(c byte) bool { return strings.IndexByte("-._~", c) >= 0 }, false)
}

func escape(s string, keep func(byte) bool, plus bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', keep(c):
			b.WriteByte(c)
		case c == ' ' && plus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperhex[c>>4])
			b.WriteByte(upperhex[c&15])
		}
	}
	return b.String()
}

// header is one request header, in the order given.
type header struct{ name, value string }

// contentHeaders belong to the body (the reference's list): a GET or
// DELETE, which has none, may not carry them.
var contentHeaders = []string{"Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
	"Content-Location", "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified"}

func isContentHeader(name string) bool {
	for _, h := range contentHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// requestHeaders are [headers]' children, or, when there are none, the
// reference's defaults (Accept: application/json, and for a request with
// a body Content-Type: application/json too), with [token] as a bearer
// Authorization header. Names starting with "." are not sent: a
// ".Content-Type" only chooses how a [payload] lambda is written.
func requestHeaders(r *engine.Run, n *hyperlambda.Node, method string) ([]header, error) {
	var hs []header
	hn, err := r.ArgNode(n, "headers")
	if err != nil {
		return nil, err
	}
	if hn != nil {
		for _, c := range hn.Children() {
			v, err := hyperlambda.Value(c)
			if err != nil {
				return nil, err
			}
			hs = append(hs, header{c.Name, hyperlambda.StringOf(v)})
		}
	}
	if len(hs) == 0 {
		if hasBody(method) {
			hs = append(hs, header{"Content-Type", "application/json"})
		}
		hs = append(hs, header{"Accept", "application/json"})
	}
	if t, ok, err := r.Arg(n, "token"); err != nil {
		return nil, err
	} else if ok {
		hs = append(hs, header{"Authorization", "Bearer " + hyperlambda.StringOf(t)})
	}
	if !hasBody(method) {
		for _, h := range hs {
			if isContentHeader(h.name) {
				return nil, fmt.Errorf("a %s request has no body, so it cannot carry the content header [%s]", method, h.name)
			}
		}
	}
	return hs, nil
}

// headerValue is the last value given for name (compared without case).
func headerValue(hs []header, name string) (string, bool) {
	v, ok := "", false
	for _, h := range hs {
		if strings.EqualFold(h.name, name) {
			v, ok = h.value, true
		}
	}
	return v, ok
}

// payload is the request body: [payload]'s value (bytes as they are,
// anything else as text), or its children written in the form the
// Content-Type names (JSON when there is none): JSON (expressions
// followed, as the reference's unwrap), application/x-www-form-urlencoded
// (one level of name=value) or Hyperlambda.
func payload(r *engine.Run, n *hyperlambda.Node, hs []header) ([]byte, error) {
	p, err := r.ArgNode(n, "payload")
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("needs a [payload] (the request body), e.g. %s:\"https://...\" / payload / name:value", n.Name)
	}
	if p.Value != nil {
		v, err := hyperlambda.Value(p)
		if err != nil {
			return nil, err
		}
		if b, ok := v.([]byte); ok {
			return b, nil
		}
		return []byte(hyperlambda.StringOf(v)), nil
	}
	ctype, ok := headerValue(hs, "Content-Type")
	if !ok {
		ctype, ok = headerValue(hs, ".Content-Type")
	}
	if !ok {
		ctype = "application/json"
	}
	switch mediaType(ctype) {
	case "application/json", "application/x-json":
		return jsonPayload(r, p)
	case "application/x-www-form-urlencoded", "application/www-form-urlencoded":
		var b strings.Builder
		for _, c := range p.Children() {
			if c.Len() > 0 {
				return nil, fmt.Errorf("an application/x-www-form-urlencoded [payload] has one level of name:value children; [%s] has children", c.Name)
			}
			v, err := hyperlambda.Value(c)
			if err != nil {
				return nil, err
			}
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(formEscape(c.Name))
			b.WriteByte('=')
			b.WriteString(formEscape(hyperlambda.StringOf(v)))
		}
		return []byte(b.String()), nil
	case "application/hyperlambda", "application/x-hyperlambda":
		return []byte(hyperlambda.Format(p.Children(), hyperlambda.FormatOptions{})), nil
	case "multipart/form-data":
		return nil, fmt.Errorf("a multipart/form-data [payload] lambda is not supported by [%s]: give [payload] the body as a value", n.Name)
	}
	return nil, fmt.Errorf("cannot write a [payload] lambda as Content-Type %q: use application/json, application/x-www-form-urlencoded or application/hyperlambda, or give [payload] the body as a value", ctype)
}

// jsonPayload writes [payload]'s children as JSON through lambda2json, at
// the dispatch point like any other slot, after following the
// expressions in copies of them (from the originals, where they point
// from): more than one node found is an error, as in the reference.
func jsonPayload(r *engine.Run, p *hyperlambda.Node) ([]byte, error) {
	if p.Len() == 0 {
		return nil, nil
	}
	tmp := hyperlambda.New("lambda2json", nil)
	for _, c := range p.Children() {
		cl, err := r.Clone(c)
		if err != nil {
			return nil, err
		}
		if err := unwrap(c, cl); err != nil {
			return nil, err
		}
		tmp.Add(cl)
	}
	// Under [payload] while it runs, so a refusal or error names a path
	// of the run's tree, not a detached node's "/".
	p.Add(tmp)
	err := r.Signal("lambda2json", tmp)
	tmp.Detach()
	if err != nil {
		return nil, err
	}
	return []byte(hyperlambda.StringOf(tmp.Value)), nil
}

// unwrap replaces, in the copy cp of orig, every expression value with
// the value of the one node it selects from orig (nothing: null).
func unwrap(orig, cp *hyperlambda.Node) error {
	if x, ok := orig.Value.(*hyperlambda.Expression); ok {
		found, err := x.Evaluate(orig)
		if err != nil {
			return err
		}
		switch len(found) {
		case 0:
			cp.Value = nil
		case 1:
			v, err := hyperlambda.Value(found[0])
			if err != nil {
				return err
			}
			cp.Value = v
		default:
			return fmt.Errorf("[payload]: %s:x:%s selects %d nodes where one value is expected", orig.Name, x.String(), len(found))
		}
	}
	for i, c := range orig.Children() {
		if err := unwrap(c, cp.Child(i)); err != nil {
			return err
		}
	}
	return nil
}

// mediaType is the lower-case type/subtype of a Content-Type value.
func mediaType(ctype string) string {
	if mt, _, err := mime.ParseMediaType(ctype); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(ctype, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
