package htmlslots

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// textName and the attribute prefix are the reference's node names.
const (
	textName   = "#text"
	attrPrefix = "@"
)

func html2lambda(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "HTML")
	if err != nil {
		return err
	}
	// The builder counts every element, attribute and text: each becomes
	// exactly one node below.
	doc, err := parseRun(r, text, false)
	if err != nil {
		return err
	}
	n.Clear()
	n.Value = nil
	addLambda(n, doc)
	return nil
}

// addLambda adds the lambda of h's children to n. The recursion is as
// deep as the tree, which parseHTML bounded by the depth budget.
func addLambda(n *hyperlambda.Node, h *html.Node) {
	for c := h.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			n.Add(hyperlambda.New(textName, c.Data))
			continue
		}
		el := hyperlambda.New(c.Data, nil)
		el.Grow(len(c.Attr))
		for _, a := range c.Attr {
			el.Add(hyperlambda.New(attrPrefix+a.Key, a.Val))
		}
		addLambda(el, c)
		n.Add(el)
	}
}

// rawTextElements hold script or CSS: their text is written unescaped.
var rawTextElements = setOf("script", "style")

func lambda2html(r *engine.Run, n *hyperlambda.Node) error {
	src, err := engine.SelectedOrChildren(n)
	if err != nil {
		return err
	}
	w := &htmlWriter{r: r, maxDepth: r.Policy().Budgets.Depth}
	for _, s := range src {
		if err := w.node(s, 0); err != nil {
			return err
		}
	}
	out := w.b.String()
	n.Clear()
	n.Value = out // "" when nothing is selected, as the reference
	return nil
}

// htmlWriter writes lambda as HTML, counting the text against the output
// budget as it grows.
type htmlWriter struct {
	r        *engine.Run
	b        strings.Builder
	counted  int
	maxDepth int
}

func (w *htmlWriter) flush() error {
	err := w.r.Output(w.b.Len() - w.counted)
	w.counted = w.b.Len()
	return err
}

// node writes one element (or text) with its attributes and content.
// Values are read from the original nodes, so an expression value
// (#text:x:@.name) is followed where it was written.
func (w *htmlWriter) node(n *hyperlambda.Node, depth int) error {
	if depth > w.maxDepth {
		return fmt.Errorf("nested deeper than %d (the depth budget)", w.maxDepth)
	}
	if n.Name == textName {
		if n.Len() > 0 {
			return fmt.Errorf("[%s] cannot have children (%s)", textName, n.Path())
		}
		text, err := valueText(n)
		if err != nil {
			return err
		}
		writeEscaped(&w.b, text, false)
		return w.flush()
	}
	name := n.Name
	if !isElementName(name) {
		return fmt.Errorf("%q is not an element name (%s); elements are named by their tag, attributes start with @, text is #text", name, n.Path())
	}
	w.b.WriteByte('<')
	w.b.WriteString(name)
	hasContent := n.Value != nil
	for _, c := range n.Children() {
		attr, ok := strings.CutPrefix(c.Name, attrPrefix)
		if !ok {
			hasContent = true
			continue
		}
		if !isAttributeName(attr) {
			return fmt.Errorf("%q is not an attribute name (%s)", attr, c.Path())
		}
		v, err := hyperlambda.Value(c)
		if err != nil {
			return err
		}
		w.b.WriteByte(' ')
		w.b.WriteString(attr)
		if v != nil { // a null attribute is written bare: <input disabled>
			w.b.WriteString(`="`)
			writeEscaped(&w.b, hyperlambda.StringOf(v), true)
			w.b.WriteByte('"')
		}
	}
	w.b.WriteByte('>')
	lower := strings.ToLower(name)
	if voidElements[lower] {
		if hasContent {
			return fmt.Errorf("<%s> is a void element and cannot have content (%s)", name, n.Path())
		}
		return w.flush()
	}
	raw := rawTextElements[lower]
	if n.Value != nil {
		// An element's own value is its first text (the reference drops
		// it, leaving h1:Title an empty <h1>).
		text, err := valueText(n)
		if err != nil {
			return err
		}
		if err := w.text(text, raw, lower, n); err != nil {
			return err
		}
	}
	for _, c := range n.Children() {
		if strings.HasPrefix(c.Name, attrPrefix) {
			continue
		}
		if raw {
			if c.Name != textName || c.Len() > 0 {
				return fmt.Errorf("<%s> holds only text, not [%s] (%s)", name, c.Name, c.Path())
			}
			text, err := valueText(c)
			if err != nil {
				return err
			}
			if err := w.text(text, true, lower, c); err != nil {
				return err
			}
			continue
		}
		if err := w.node(c, depth+1); err != nil {
			return err
		}
	}
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
	return w.flush()
}

// text writes an element's text: escaped, or as is inside script and
// style, where escaping would change the code; there text that would end
// the element early is refused instead.
func (w *htmlWriter) text(text string, raw bool, element string, n *hyperlambda.Node) error {
	if !raw {
		writeEscaped(&w.b, text, false)
		return w.flush()
	}
	if strings.Contains(strings.ToLower(text), "</"+element) {
		return fmt.Errorf("the text of <%s> cannot contain \"</%s\" (%s)", element, element, n.Path())
	}
	w.b.WriteString(text)
	return w.flush()
}

func valueText(n *hyperlambda.Node) (string, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return "", err
	}
	return hyperlambda.StringOf(v), nil
}

// writeEscaped writes s as HTML text: & < > always, " inside an
// attribute value (always written in double quotes).
func writeEscaped(b *strings.Builder, s string, attr bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// isElementName accepts tag names a parser reads back as one element: an
// ASCII letter, then letters, digits, '-', '_', '.' or ':' (custom
// elements and prefixed names included).
func isElementName(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' && c != '.' && c != ':' {
			return false
		}
	}
	return true
}

// isAttributeName follows HTML's attribute name syntax: no whitespace,
// control characters, quotes, '<', '>', '/' or '='.
func isAttributeName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f || (c >= 0x80 && c <= 0x9f) || strings.ContainsRune("\"'<>/=", c) {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
