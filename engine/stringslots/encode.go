package stringslots

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// validText is s with every byte that is not UTF-8 replaced by U+FFFD, as
// .NET decodes bytes (Encoding.UTF8.GetString).
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return hyperlambda.StringOf([]byte(s))
}

// urlSafe is WebUtility's set of characters a URL keeps as they are
// (RFC 1738 minus '+').
func urlSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-_.!*()", c) >= 0
}

// urlEncoded is .NET's WebUtility.UrlEncode of s (valid UTF-8): its
// bytes, letters, digits and -_.!*() kept, space as +, every other byte as
// %XX (upper case hex).
func urlEncoded(b *sink, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case urlSafe(c):
			b.writeByte(c)
		case c == ' ':
			b.writeByte('+')
		default:
			b.writeByte('%')
			b.writeByte(hex[c>>4])
			b.writeByte(hex[c&15])
		}
	}
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// urlDecode is .NET's WebUtility.UrlDecode: + is a space, %XX a byte; a %
// not followed by two hex digits stays as it is; the bytes are read as
// UTF-8, each invalid sequence becoming U+FFFD. It never fails.
func urlDecode(s string) any {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if i+2 < len(s) {
				hi, ok1 := unhex(s[i+1])
				lo, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					c = hi<<4 | lo
					i += 2
				}
			}
		}
		b = append(b, c)
	}
	return hyperlambda.StringOf(b)
}

// htmlEncoded is .NET's WebUtility.HtmlEncode of s (valid UTF-8): < > &
// " ' as &lt; &gt; &amp; &quot; &#39;, the characters U+00A0 to U+00FF
// and those beyond U+FFFF as decimal references (&#233;, &#128512;).
func htmlEncoded(b *sink, s string) {
	for i, c := range s {
		switch {
		case c == '<':
			b.writeString("&lt;")
		case c == '>':
			b.writeString("&gt;")
		case c == '"':
			b.writeString("&quot;")
		case c == '\'':
			b.writeString("&#39;")
		case c == '&':
			b.writeString("&amp;")
		case c >= 0xA0 && c <= 0xFF || c > 0xFFFF:
			var ref [16]byte
			b.write(append(strconv.AppendInt(append(ref[:0], '&', '#'), int64(c), 10), ';'))
		default:
			b.writeString(s[i : i+utf8.RuneLen(c)])
		}
	}
}

// sink counts the bytes an encoder writes, and keeps them when out is
// set: the same code sizes a result and then builds it, so the size is
// exact by construction.
type sink struct {
	out  *strings.Builder
	size int
}

func (k *sink) writeString(s string) {
	k.size += len(s)
	if k.out != nil {
		k.out.WriteString(s)
	}
}

func (k *sink) write(p []byte) {
	k.size += len(p)
	if k.out != nil {
		k.out.Write(p)
	}
}

func (k *sink) writeByte(c byte) {
	k.size++
	if k.out != nil {
		k.out.WriteByte(c)
	}
}

// encoder serves an encoding that makes text several times longer (one
// '"' is six bytes of &quot;): the result's exact size is counted against
// the output budget before it is built, so a refused result is never
// made, and what is built is made in one allocation.
func encoder(encoded func(b *sink, s string)) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, err := str(n)
		if err != nil {
			return err
		}
		s = validText(s)
		var count sink
		encoded(&count, s)
		if err := r.Output(count.size); err != nil {
			return err
		}
		var out strings.Builder
		out.Grow(count.size)
		encoded(&sink{out: &out}, s)
		n.Value = out.String()
		return nil
	}
}
