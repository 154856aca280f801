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
// %XX (upper case hex). It writes into b, or with b nil only counts: one
// pass decides both, so the count is the exact size.
func urlEncoded(b *strings.Builder, s string) int {
	const hex = "0123456789ABCDEF"
	size := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if urlSafe(c) || c == ' ' {
			size++
			if b != nil {
				if c == ' ' {
					c = '+'
				}
				b.WriteByte(c)
			}
			continue
		}
		size += 3
		if b != nil {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return size
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
// Like urlEncoded it writes into b, or with b nil only counts.
func htmlEncoded(b *strings.Builder, s string) int {
	size := 0
	put := func(text string) {
		size += len(text)
		if b != nil {
			b.WriteString(text)
		}
	}
	for i, c := range s {
		switch {
		case c == '<':
			put("&lt;")
		case c == '>':
			put("&gt;")
		case c == '"':
			put("&quot;")
		case c == '\'':
			put("&#39;")
		case c == '&':
			put("&amp;")
		case c >= 0xA0 && c <= 0xFF || c > 0xFFFF:
			var buf [16]byte
			ref := append(strconv.AppendInt(append(buf[:0], '&', '#'), int64(c), 10), ';')
			size += len(ref)
			if b != nil {
				b.Write(ref)
			}
		default:
			put(s[i : i+utf8.RuneLen(c)])
		}
	}
	return size
}

// encoder serves an encoding that makes text several times longer (one
// '"' is six bytes of &quot;): the result's exact size is counted against
// the output budget before it is built, so a refused result is never
// made, and what is built is made in one allocation.
func encoder(encoded func(b *strings.Builder, s string) int) func(r *engine.Run, n *hyperlambda.Node) error {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, err := str(n)
		if err != nil {
			return err
		}
		s = validText(s)
		size := encoded(nil, s)
		if err := r.Output(size); err != nil {
			return err
		}
		var b strings.Builder
		b.Grow(size)
		encoded(&b, s)
		n.Value = b.String()
		return nil
	}
}
