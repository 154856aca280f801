package stringslots

import (
	"strconv"
	"strings"
	"unicode/utf8"

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

// urlEncode is .NET's WebUtility.UrlEncode: the UTF-8 bytes of s, letters,
// digits and -_.!*() kept, space as +, every other byte as %XX (upper
// case hex).
func urlEncode(s string) any {
	s = validText(s)
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case urlSafe(c):
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
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

// htmlEncode is .NET's WebUtility.HtmlEncode: < > & " ' as &lt; &gt;
// &amp; &quot; &#39;, the characters U+00A0 to U+00FF and those beyond
// U+FFFF as decimal references (&#233;, &#128512;).
func htmlEncode(s string) any {
	s = validText(s)
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '"':
			b.WriteString("&quot;")
		case c == '\'':
			b.WriteString("&#39;")
		case c == '&':
			b.WriteString("&amp;")
		case c >= 0xA0 && c <= 0xFF || c > 0xFFFF:
			b.WriteString("&#")
			b.WriteString(strconv.Itoa(int(c)))
			b.WriteByte(';')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
