package xmlslots

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// newline and indent are the reference's XmlWriter settings.
const (
	newline = "\r\n"
	indent  = "  "
)

func lambda2xml(r *engine.Run, n *hyperlambda.Node) error {
	if n.Value != nil && n.Len() > 0 {
		return errors.New("takes an expression or children, not both")
	}
	nodes, err := engine.SelectedOrChildren(n)
	if err != nil {
		return err
	}
	if len(nodes) != 1 {
		return fmt.Errorf("writes exactly one element (the document's root), got %d nodes", len(nodes))
	}
	out, err := Encode(nodes[0], r.Policy().Budgets.Depth, r.OutputRoom)
	if err != nil {
		return err
	}
	if err := r.Output(len(out)); err != nil {
		return err
	}
	n.Clear()
	n.Value = out
	return nil
}

// Encode writes el as an XML element in xml2lambda's shape, formatted as
// the reference's XmlWriter (two-space indentation, CRLF line breaks, no
// declaration, "<a />" for an empty element, no indentation inside an
// element once it holds text). room is asked before the text grows
// (the output budget) and elements nested deeper than maxDepth are an
// error.
func Encode(el *hyperlambda.Node, maxDepth int, room func(int) error) (string, error) {
	w := &writer{room: room, maxDepth: maxDepth}
	if err := w.element(el, 0); err != nil {
		return "", err
	}
	return w.b.String(), nil
}

type writer struct {
	b        strings.Builder
	room     func(int) error
	maxDepth int
	// mixed is XmlWriter's rule: once an element holds text, nothing more
	// inside it is indented, since added white space would change its text.
	mixed     bool
	startOpen bool // the last start tag still lacks its ">"
	ns        scopes
}

func (w *writer) element(el *hyperlambda.Node, depth int) error {
	name := el.Name
	switch {
	case depth >= w.maxDepth:
		return fmt.Errorf("elements nested deeper than %d", w.maxDepth)
	case strings.HasPrefix(name, "@"):
		return fmt.Errorf("[%s] is an attribute, and only an element can hold one", name)
	case name == textName || name == cdataName:
		return fmt.Errorf("[%s] is text, and only an element can hold text", name)
	case !isQName(name):
		return fmt.Errorf("[%s] is not an XML element name", name)
	}
	if !w.mixed && w.b.Len() > 0 {
		w.newline(depth)
	}
	parentMixed := w.mixed
	w.b.WriteString("<" + name)

	kids := el.Children()
	attrs := 0
	for attrs < len(kids) && strings.HasPrefix(kids[attrs].Name, "@") {
		attrs++
	}
	names := make([]string, 0, attrs)
	var prefixes []string
	for _, a := range kids[:attrs] {
		an := a.Name[1:]
		if !isQName(an) {
			return fmt.Errorf("[%s] is not an XML attribute name", a.Name)
		}
		if a.Len() > 0 {
			return fmt.Errorf("[%s] of <%s> has children: an attribute has none", a.Name, name)
		}
		names = append(names, an)
		if p, ok := declares(an); ok {
			prefixes = append(prefixes, p)
		}
		text, err := w.text(a)
		if err != nil {
			return err
		}
		w.b.WriteString(" " + an + `="`)
		if err := escape(&w.b, text, true); err != nil {
			return fmt.Errorf("[%s] of <%s>: %w", a.Name, name, err)
		}
		w.b.WriteByte('"')
	}
	if an, twice := repeated(names); twice {
		return fmt.Errorf("attribute %s given twice on <%s>", an, name)
	}
	w.ns.push(prefixes)
	if err := w.ns.checkPrefixes(name, names); err != nil {
		return err
	}
	// The start tag stays open until something goes inside, so that an
	// element with nothing in it can end as "<a />".
	w.startOpen = true

	// An element's own value is its text, before its children (the
	// reference drops it without a word).
	if el.Value != nil {
		if err := w.textContent(el, name, textName); err != nil {
			return err
		}
	}
	for _, c := range kids[attrs:] {
		var err error
		switch {
		case strings.HasPrefix(c.Name, "@"):
			err = fmt.Errorf("attribute [%s] of <%s> comes after its content: attributes come first", c.Name, name)
		case c.Name == textName || c.Name == cdataName:
			if c.Len() > 0 {
				err = fmt.Errorf("[%s] in <%s> has children: text has none", c.Name, name)
			} else {
				err = w.textContent(c, name, c.Name)
			}
		default:
			w.closeStart()
			err = w.element(c, depth+1)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case w.startOpen:
		// Nothing inside: "<a />", as XmlWriter shortens it.
		w.startOpen = false
		w.b.WriteString(" />")
	case !w.mixed:
		w.newline(depth)
		fallthrough
	default:
		w.b.WriteString("</" + name + ">")
	}
	w.mixed = parentMixed
	w.ns.pop()
	return w.room(w.b.Len())
}

// textContent writes c's value inside element as kind (text or CDATA):
// a "#text" or "#cdata-section" node, or an element's own value.
func (w *writer) textContent(c *hyperlambda.Node, element, kind string) error {
	text, err := w.text(c)
	if err != nil {
		return err
	}
	w.mixed = true
	switch {
	case kind == cdataName:
		w.closeStart()
		err = writeCDATA(&w.b, text)
	case text != "":
		w.closeStart()
		err = escape(&w.b, text, false)
	}
	if err != nil {
		return fmt.Errorf("[%s] in <%s>: %w", c.Name, element, err)
	}
	return nil
}

// closeStart ends the open start tag, if any, before content is written.
func (w *writer) closeStart() {
	if w.startOpen {
		w.b.WriteByte('>')
		w.startOpen = false
	}
}

// text is n's value (following an expression) as text, as the
// reference's GetEx<string>. Its size is checked against the output
// budget first: escaping only ever grows it.
func (w *writer) text(n *hyperlambda.Node) (string, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return "", err
	}
	if _, ok := v.(*hyperlambda.Node); ok {
		return "", fmt.Errorf("[%s] holds a lambda: XML text must be text", n.Name)
	}
	s := hyperlambda.StringOf(v)
	if err := w.room(w.b.Len() + len(s)); err != nil {
		return "", err
	}
	return s, nil
}

func (w *writer) newline(depth int) {
	w.b.WriteString(newline)
	for range depth {
		w.b.WriteString(indent)
	}
}

// escape writes text as XmlWriter does: &, < and > as entities, and in an
// attribute also " and the line break and tab characters; in text every
// line break becomes CRLF (XML readers turn it back into LF). A
// character XML cannot hold is an error.
func escape(b *strings.Builder, text string, attribute bool) error {
	for i := 0; i < len(text); {
		c, size := utf8.DecodeRuneInString(text[i:]) // an invalid byte reads as U+FFFD
		i += size
		switch {
		case c == '&':
			b.WriteString("&amp;")
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case attribute && c == '"':
			b.WriteString("&quot;")
		case attribute && c == '\t':
			b.WriteString("&#x9;")
		case attribute && c == '\n':
			b.WriteString("&#xA;")
		case attribute && c == '\r':
			b.WriteString("&#xD;")
		case c == '\r':
			if i < len(text) && text[i] == '\n' {
				i++
			}
			b.WriteString(newline)
		case c == '\n':
			b.WriteString(newline)
		case !isXMLChar(c):
			return fmt.Errorf("character U+%04X cannot appear in XML", c)
		default:
			b.WriteRune(c)
		}
	}
	return nil
}

// writeCDATA writes a CDATA section; "]]>" inside it is split across two
// sections, as XmlWriter does, and line breaks become CRLF.
func writeCDATA(b *strings.Builder, text string) error {
	for _, c := range text {
		if !isXMLChar(c) {
			return fmt.Errorf("character U+%04X cannot appear in XML", c)
		}
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.ReplaceAll(text, "\n", newline)
	b.WriteString("<![CDATA[")
	b.WriteString(strings.ReplaceAll(text, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]>")
	return nil
}
