package hyperlambda

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FormatOptions control Format.
type FormatOptions struct {
	// Comments writes nodes named ".." with a string value as comments.
	Comments bool
}

// Format returns the canonical Hyperlambda text of nodes (usually a root's
// Children()): byte-identical to the reference serializer except where the
// reference writes text that does not parse back (see the package doc).
// Lines end with CRLF and each level is indented by three spaces.
//
// Format never fails. A value whose Go type is not a Hyperlambda type (a
// bug in the code that built the tree; CheckValues finds those) is written
// as a string holding its fmt text.
func Format(nodes []*Node, opts FormatOptions) string {
	return string(AppendFormat(nil, nodes, opts))
}

func estimateSize(nodes []*Node, level int) int {
	n := 0
	for _, x := range nodes {
		n += level*3 + len(x.Name) + 8
		switch v := x.Value.(type) {
		case string:
			n += len(v)
		case *Expression:
			n += len(v.text) + 2
		case nil:
		default:
			n += 24
		}
		n += estimateSize(x.children, level+1)
	}
	return n
}

// AppendFormat appends the canonical text of nodes to dst.
func AppendFormat(dst []byte, nodes []*Node, opts FormatOptions) []byte {
	// Sizing the buffer up front saves the copies of repeated growth,
	// which otherwise dominate the cost on large trees.
	if est := estimateSize(nodes, 0); cap(dst)-len(dst) < est {
		dst = append(make([]byte, 0, len(dst)+est), dst...)
	}
	return appendNodes(dst, nodes, 0, opts.Comments, nil)
}

// CheckValues reports the first node under nodes whose value has a Go type
// that Hyperlambda cannot represent.
func CheckValues(nodes []*Node) error {
	for _, n := range nodes {
		if n.Value != nil {
			if _, _, err := ValueText(n.Value); err != nil {
				return fmt.Errorf("node %q at %s: %w", n.Name, n.Path(), err)
			}
		}
		if err := CheckValues(n.children); err != nil {
			return err
		}
	}
	return nil
}

const indentSpaces = "                                                                " // 64

func appendIndent(b []byte, level int) []byte {
	for n := level * 3; n > 0; {
		k := min(n, len(indentSpaces))
		b = append(b, indentSpaces[:k]...)
		n -= k
	}
	return b
}

// appendNodes writes nodes at level; open holds the node values whose
// text is being written around them (see valueText).
func appendNodes(b []byte, nodes []*Node, level int, comments bool, open []*Node) []byte {
	for _, n := range nodes {
		if comments && n.Name == ".." && len(n.children) == 0 {
			if text, ok := n.Value.(string); ok && commentSafe(text) {
				b = appendComment(b, text, level)
				b = append(b, '\r', '\n')
				continue
			}
		}
		b = appendIndent(b, level)
		b = appendName(b, n)
		if n.Value != nil {
			b = appendValue(b, n.Value, open)
		}
		b = append(b, '\r', '\n')
		b = appendNodes(b, n.children, level+1, comments, open)
	}
	return b
}

func appendName(b []byte, n *Node) []byte {
	name := n.Name
	switch {
	case strings.IndexByte(name, '\n') >= 0:
		b = append(b, '@', '"')
		for i := 0; i < len(name); i++ {
			if name[i] == '"' {
				b = append(b, '"')
			}
			b = append(b, name[i])
		}
		return append(b, '"')
	case nameNeedsQuotes(name):
		b = append(b, '"')
		for i := 0; i < len(name); i++ {
			// The reference escapes only quotes here; a backslash written raw
			// inside quotes would be read back as an escape.
			if c := name[i]; c == '"' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, name[i])
		}
		return append(b, '"')
	case name == "" && n.Value == nil:
		return append(b, '"', '"')
	}
	return append(b, name...)
}

// nameNeedsQuotes is the reference's rule (a quote, a colon, a leading or
// trailing space) plus the starts that would not read back as a name: a
// comment opener, a single quote, a BOM, and a lone CR (a line break when
// read back).
func nameNeedsQuotes(name string) bool {
	if name == "" {
		return false
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' || name[0] == '\'' ||
		strings.HasPrefix(name, "//") || strings.HasPrefix(name, "/*") || strings.HasPrefix(name, "\uFEFF") {
		return true
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '"', ':', '\r':
			return true
		}
	}
	return false
}

func appendValue(b []byte, v any, open []*Node) []byte {
	// Fast paths for the common types avoid building the text as a string.
	switch x := v.(type) {
	case string:
		return appendLiteral(append(b, ':'), x)
	case *Expression:
		if x != nil {
			return appendLiteral(append(b, ":x:"...), x.text)
		}
	case int32:
		return strconv.AppendInt(append(b, ":int:"...), int64(x), 10)
	case int64:
		return strconv.AppendInt(append(b, ":long:"...), x, 10)
	case bool:
		return strconv.AppendBool(append(b, ":bool:"...), x)
	}
	typeName, text, err := valueText(v, open)
	switch {
	case err == ErrNodeCycle:
		// A reference back into itself: written as an empty lambda,
		// which is what reading it back could give at best, rather
		// than forever.
		return append(b, `:node:""`...)
	case err != nil:
		typeName, text = "string", fmt.Sprint(v)
	}
	b = append(b, ':')
	if typeName != "string" {
		b = append(b, typeName...)
		b = append(b, ':')
		if typeName == "node" && text == "" {
			return append(b, '"', '"')
		}
	}
	return appendLiteral(b, text)
}

// appendLiteral writes a value's text plain, quoted or verbatim, choosing
// like the reference: verbatim when it holds CRLF, quoted when it needs
// escapes or holds ':', a quote, or surrounding white space.
func appendLiteral(b []byte, text string) []byte {
	if strings.Contains(text, "\r\n") {
		b = append(b, '@', '"')
		for i := 0; i < len(text); i++ {
			if text[i] == '"' {
				b = append(b, '"')
			}
			b = append(b, text[i])
		}
		return append(b, '"')
	}
	// The reference checks only for a space at either end; the parser trims
	// all white space from unquoted values, so any of it forces quotes here.
	quote := text != "" && (isSpaceAt(text, true) || isSpaceAt(text, false))
	if !quote {
		plain := true
		for i := 0; i < len(text); i++ {
			switch text[i] {
			case '\n', '\r', '\t', '\\', '"', ':', '\'':
				plain = false
			}
		}
		if plain {
			return append(b, text...)
		}
	}
	b = append(b, '"')
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\n':
			b = append(b, '\\', 'n')
			quote = true
		case '\r':
			b = append(b, '\\', 'r')
			quote = true
		case '\t':
			b = append(b, '\\', 't')
			quote = true
		case '\\', '"':
			b = append(b, '\\', c)
			quote = true
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func isSpaceAt(s string, first bool) bool {
	var r rune
	if first {
		r, _ = utf8.DecodeRuneInString(s)
	} else {
		r, _ = utf8.DecodeLastRuneInString(s)
	}
	return unicode.IsSpace(r)
}

// commentSafe reports whether text, written as a comment, reads back as the
// same text. Other ".." values are written as ordinary nodes so that
// formatting stays a fixed point (the reference writes them as comments and
// loses the difference, or writes an empty "// " that vanishes).
func commentSafe(text string) bool {
	if text == "" || strings.TrimSpace(text) != text {
		return false
	}
	if !strings.ContainsAny(text, "\r\n") {
		return true
	}
	for _, line := range splitCommentLines(text) {
		if strings.HasSuffix(line, "*/") || strings.TrimRightFunc(line, unicode.IsSpace) != line {
			return false
		}
	}
	// The parser joins comment lines with CRLF.
	return !strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") &&
		!strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\r")
}

// splitCommentLines splits on CRLF, LF or CR, as the reference serializer.
func splitCommentLines(text string) []string {
	var lines []string
	for {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			return append(lines, text)
		}
		lines = append(lines, text[:i])
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		text = text[i+1:]
	}
}

func appendComment(b []byte, text string, level int) []byte {
	b = append(b, '\r', '\n')
	b = appendIndent(b, level)
	if !strings.ContainsAny(text, "\r\n") {
		b = append(b, "// "...)
		return append(b, text...)
	}
	b = append(b, "/*\r\n"...)
	for _, line := range splitCommentLines(text) {
		b = appendIndent(b, level)
		b = append(b, " * "...)
		b = append(b, line...)
		b = append(b, '\r', '\n')
	}
	b = appendIndent(b, level)
	return append(b, " */"...)
}
