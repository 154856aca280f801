package httpslots

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"hlstudio/engine"
	"hlstudio/engine/jsonslots"
	"hlstudio/hyperlambda"
)

// result writes the status into n's value and [headers] and [content] as
// children. [content] is text for a textual Content-Type (decoded by its
// charset; bytes that are not valid text become U+FFFD, as .NET's
// decoding does) and bytes for any other; with [convert] a JSON,
// URL-encoded or Hyperlambda body becomes a lambda. A response without a
// Content-Type is JSON, as in the reference.
func result(r *engine.Run, n *hyperlambda.Node, target string, resp *http.Response, content []byte) error {
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
	ctype := resp.Header.Get("Content-Type")
	mt := "application/json"
	var params map[string]string
	if ctype != "" {
		var perr error
		if mt, params, perr = mime.ParseMediaType(ctype); perr != nil {
			mt = mediaType(ctype)
		}
	}
	c := hyperlambda.New("content", nil)
	switch {
	case convert == true && isJSON(mt):
		text := decodeText(content, params["charset"])
		if strings.TrimSpace(text) != "" {
			tmp, err := jsonslots.Decode(text, r.Policy().Budgets.Depth, r.Created)
			if err != nil {
				if be := (*engine.BudgetError)(nil); errors.As(err, &be) {
					return be
				}
				return fmt.Errorf("%s: [convert] could not read the %s response as JSON: %v", target, mt, err)
			}
			c.Value = tmp.Value
			c.MoveChildren(tmp)
		}
	case convert == true && isForm(mt):
		for _, pair := range strings.Split(decodeText(content, params["charset"]), "&") {
			if pair == "" {
				continue
			}
			if err := r.Created(1); err != nil {
				return err
			}
			name, value, hasValue := strings.Cut(pair, "=")
			item := hyperlambda.New(formUnescape(name), nil)
			if hasValue {
				item.Value = formUnescape(value)
			}
			c.Add(item)
		}
	case convert == true && isHyperlambda(mt):
		root, err := hyperlambda.ParseString(decodeText(content, params["charset"]), r.ParseOptions(false))
		if stopped := r.ParseStopped(err); stopped != nil {
			return stopped
		}
		if err != nil {
			return fmt.Errorf("%s: [convert] could not read the %s response as Hyperlambda: %v", target, mt, err)
		}
		count := 0
		root.Walk(func(*hyperlambda.Node) bool { count++; return true })
		if err := r.Created(count - 1); err != nil {
			return err
		}
		c.MoveChildren(root)
	case ctype == "" && !utf8.Valid(content):
		c.Value = content // no Content-Type and not text: keep the bytes
	case isText(mt):
		c.Value = decodeText(content, params["charset"])
	default:
		c.Value = content
	}
	n.Clear()
	n.Value = int32(resp.StatusCode)
	if len(names) > 0 {
		hs := hyperlambda.New("headers", nil)
		for _, k := range names {
			hs.Add(hyperlambda.New(k, headerText(strings.Join(resp.Header[k], ", "))))
		}
		n.Add(hs)
	}
	n.Add(c)
	return nil
}

func isJSON(mt string) bool { return mt == "application/json" || mt == "application/x-json" }

func isForm(mt string) bool {
	return mt == "application/x-www-form-urlencoded" || mt == "application/www-form-urlencoded"
}

func isHyperlambda(mt string) bool {
	return mt == "application/hyperlambda" || mt == "application/x-hyperlambda"
}

// isText is true for the media types whose body is text: text/* as in
// the reference, and the textual application types (JSON, XML,
// JavaScript, URL-encoded forms, Hyperlambda), which the reference gives
// as bytes unless [convert] applies.
func isText(mt string) bool {
	switch {
	case strings.HasPrefix(mt, "text/"), isJSON(mt), isForm(mt), isHyperlambda(mt),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"),
		mt == "application/xml", mt == "application/javascript", mt == "application/ecmascript":
		return true
	}
	return false
}

// formUnescape decodes one name or value of a URL-encoded form; text that
// does not decode is kept as it is.
func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return hyperlambda.StringOf([]byte(u))
	}
	return s
}

// headerText is a header value as text: UTF-8 when it is valid UTF-8,
// else Latin-1 (what .NET reads header bytes as).
func headerText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return latin1([]byte(s))
}

// decodeText is .NET's reading of a response body as a string: a byte
// order mark decides the encoding (and is dropped), else the charset,
// else UTF-8; bytes that are not valid in it become U+FFFD, so the text
// always formats and parses back. A charset hlstudio does not know is
// read as UTF-8.
func decodeText(b []byte, charset string) string {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return hyperlambda.StringOf(b[3:])
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		return engine.UTF16Text(b[2:], false)
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		return engine.UTF16Text(b[2:], true)
	}
	switch strings.ToLower(strings.Trim(charset, "\" ")) {
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "l1":
		return latin1(b)
	case "utf-16", "utf-16le":
		return engine.UTF16Text(b, false)
	case "utf-16be":
		return engine.UTF16Text(b, true)
	}
	return hyperlambda.StringOf(b)
}

func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}
