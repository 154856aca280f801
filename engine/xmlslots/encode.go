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
	out, err := Encode(nodes[0], r.Policy().Budgets.Depth, r)
	if err != nil {
		return err
	}
	return r.SetText(n, out)
}

// What writing costs against the step budget (a step stands for about
// 5 µs): each node written (element, attribute, text) about 150 ns,
// charged at 16 nodes a step (310 ns), and escaping about 3 ns a byte
// written, charged at 1 KiB a step; text is escaped in pieces of
// escapePiece bytes, each checked against the output budget before it
// is added, so no more than the budget is ever built.
const (
	encodeNodesPerStep = 16
	encodeBytesPerStep = 512
	escapePiece        = 4 << 10
)

// Encode writes el as an XML element in xml2lambda's shape, formatted as
// the reference's XmlWriter (two-space indentation, CRLF line breaks, no
// declaration, "<a />" for an empty element, no indentation inside an
// element once it holds text). b's output budget is asked before the
// text grows, its steps are charged for the nodes and bytes written, and
// elements nested deeper than maxDepth are an error.
func Encode(el *hyperlambda.Node, maxDepth int, b Budget) (string, error) {
	w := &writer{budget: b, maxDepth: maxDepth}
	if err := w.element(el, 0); err != nil {
		return "", err
	}
	if err := w.charge(true); err != nil {
		return "", err
	}
	return w.b.String(), nil
}

type writer struct {
	b        strings.Builder
	budget   Budget
	maxDepth int
	// mixed is XmlWriter's rule: once an element holds text, nothing more
	// inside it is indented, since added white space would change its text.
	mixed     bool
	startOpen bool // the last start tag still lacks its ">"
	ns        scopes
	// piece collects escaped text until it is checked and added.
	piece []byte
	// indentation is a line break and more indentation than written yet.
	indentation string
	// nodes and bytes written since steps were last charged for them.
	nodes, bytes int
}

// write adds s once the output budget has room for it.
func (w *writer) write(s string) error {
	if err := w.budget.OutputRoom(w.b.Len() + len(s)); err != nil {
		return err
	}
	w.b.WriteString(s)
	w.bytes += len(s)
	return nil
}

// flush adds the escaped piece, as write.
func (w *writer) flush() error {
	if len(w.piece) == 0 {
		return nil
	}
	if err := w.budget.OutputRoom(w.b.Len() + len(w.piece)); err != nil {
		return err
	}
	w.b.Write(w.piece)
	w.bytes += len(w.piece)
	w.piece = w.piece[:0]
	return w.charge(false)
}

// node counts one more node written: an attribute counts twice, for the
// checks of its name against the others' and the prefixes in scope.
func (w *writer) node(attribute bool) error {
	w.nodes++
	if attribute {
		w.nodes++
	}
	return w.charge(false)
}

// charge charges whole steps for the nodes and bytes written so far, and
// with all the remainder too (the end of the document).
func (w *writer) charge(all bool) error {
	steps := w.nodes/encodeNodesPerStep + w.bytes/encodeBytesPerStep
	if all && w.nodes+w.bytes > 0 {
		steps++
	}
	if steps == 0 {
		return nil
	}
	w.nodes %= encodeNodesPerStep
	w.bytes %= encodeBytesPerStep
	return w.budget.Charge(int64(steps))
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
	if err := w.node(false); err != nil {
		return err
	}
	if !w.mixed && w.b.Len() > 0 {
		if err := w.newline(depth); err != nil {
			return err
		}
	}
	parentMixed := w.mixed
	if err := w.write("<" + name); err != nil {
		return err
	}
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
		if err := w.node(true); err != nil {
			return err
		}
		names = append(names, an)
		if p, ok := declares(an); ok {
			prefixes = append(prefixes, p)
		}
		text, err := w.text(a)
		if err != nil {
			return err
		}
		if err := w.write(" " + an + `="`); err != nil {
			return err
		}
		if err := w.escape(text, true); err != nil {
			return located(err, fmt.Sprintf("[%s] of <%s>", a.Name, name))
		}
		if err := w.write(`"`); err != nil {
			return err
		}
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
			} else if err = w.node(false); err == nil {
				err = w.textContent(c, name, c.Name)
			}
		default:
			if err = w.closeStart(); err == nil {
				err = w.element(c, depth+1)
			}
		}
		if err != nil {
			return err
		}
	}
	var err error
	switch {
	case w.startOpen:
		// Nothing inside: "<a />", as XmlWriter shortens it.
		w.startOpen = false
		err = w.write(" />")
	case !w.mixed:
		if err = w.newline(depth); err != nil {
			return err
		}
		fallthrough
	default:
		err = w.write("</" + name + ">")
	}
	w.mixed = parentMixed
	w.ns.pop()
	return err
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
		if err = w.closeStart(); err == nil {
			err = w.writeCDATA(text)
		}
	case text != "":
		if err = w.closeStart(); err == nil {
			err = w.escape(text, false)
		}
	}
	return located(err, fmt.Sprintf("[%s] in <%s>", c.Name, element))
}

// badChar is a character XML cannot hold.
type badChar rune

func (c badChar) Error() string {
	return fmt.Sprintf("character U+%04X cannot appear in XML", rune(c))
}

// located says where a bad character is; other errors (the budgets') go
// as they are.
func located(err error, where string) error {
	var bad badChar
	if errors.As(err, &bad) {
		return fmt.Errorf("%s: %w", where, err)
	}
	return err
}

// closeStart ends the open start tag, if any, before content is written.
func (w *writer) closeStart() error {
	if !w.startOpen {
		return nil
	}
	w.startOpen = false
	return w.write(">")
}

// text is n's value (following an expression) as text, as the
// reference's GetEx<string>. Its size is checked against the output
// budget first: escaping only ever grows it, so a text that cannot fit
// is refused before any of it is escaped.
func (w *writer) text(n *hyperlambda.Node) (string, error) {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return "", err
	}
	if _, ok := v.(*hyperlambda.Node); ok {
		return "", fmt.Errorf("[%s] holds a lambda: XML text must be text", n.Name)
	}
	s := hyperlambda.StringOf(v)
	if err := w.budget.OutputRoom(w.b.Len() + len(s)); err != nil {
		return "", err
	}
	return s, nil
}

// newline starts a line indented for depth.
func (w *writer) newline(depth int) error {
	if size := len(newline) + depth*len(indent); len(w.indentation) < size {
		w.indentation = newline + strings.Repeat(indent, 2*depth+8)
	}
	return w.write(w.indentation[:len(newline)+depth*len(indent)])
}

// escape writes text as XmlWriter does: &, < and > as entities, and in an
// attribute also " and the line break and tab characters; in text every
// line break becomes CRLF (XML readers turn it back into LF). A
// character XML cannot hold is an error. Escaping can make text six times
// longer ("&quot;"), so it is written in pieces, each checked against the
// output budget before it is added.
func (w *writer) escape(text string, attribute bool) error {
	for i := 0; i < len(text); {
		if len(w.piece) >= escapePiece {
			if err := w.flush(); err != nil {
				return err
			}
		}
		// Plain ASCII, the bulk of most text, is copied a run at a time.
		plain := i
		for plain < len(text) && plain-i < escapePiece && !special(text[plain], attribute) {
			plain++
		}
		if plain > i {
			w.piece = append(w.piece, text[i:plain]...)
			i = plain
			continue
		}
		c, size := utf8.DecodeRuneInString(text[i:]) // an invalid byte reads as U+FFFD
		i += size
		switch {
		case c == '&':
			w.piece = append(w.piece, "&amp;"...)
		case c == '<':
			w.piece = append(w.piece, "&lt;"...)
		case c == '>':
			w.piece = append(w.piece, "&gt;"...)
		case attribute && c == '"':
			w.piece = append(w.piece, "&quot;"...)
		case attribute && c == '\t':
			w.piece = append(w.piece, "&#x9;"...)
		case attribute && c == '\n':
			w.piece = append(w.piece, "&#xA;"...)
		case attribute && c == '\r':
			w.piece = append(w.piece, "&#xD;"...)
		case c == '\r':
			if i < len(text) && text[i] == '\n' {
				i++
			}
			w.piece = append(w.piece, newline...)
		case c == '\n':
			w.piece = append(w.piece, newline...)
		case !isXMLChar(c):
			w.piece = w.piece[:0]
			return badChar(c)
		case c == utf8.RuneError && size == 1:
			w.piece = utf8.AppendRune(w.piece, c)
		default:
			w.piece = append(w.piece, text[i-size:i]...)
		}
	}
	return w.flush()
}

// special reports whether escape must look at byte c rather than copy it:
// what it escapes, control characters and the start of anything not ASCII.
func special(c byte, attribute bool) bool {
	switch c {
	case '&', '<', '>', '\r', '\n':
		return true
	case '"', '\t':
		return attribute
	}
	return c < 0x20 || c >= 0x80
}

// writeCDATA writes a CDATA section; "]]>" inside it is split across two
// sections, as XmlWriter does, and line breaks become CRLF. It is written
// in pieces, as escape.
func (w *writer) writeCDATA(text string) error {
	for _, c := range text {
		if !isXMLChar(c) {
			return badChar(c)
		}
	}
	if err := w.write("<![CDATA["); err != nil {
		return err
	}
	for i := 0; i < len(text); {
		if len(w.piece) >= escapePiece {
			if err := w.flush(); err != nil {
				return err
			}
		}
		switch c := text[i]; {
		case c == ']' && strings.HasPrefix(text[i:], "]]>"):
			w.piece = append(w.piece, "]]]]><![CDATA[>"...)
			i += 3
		case c == '\r':
			if i++; i < len(text) && text[i] == '\n' {
				i++
			}
			w.piece = append(w.piece, newline...)
		case c == '\n':
			w.piece = append(w.piece, newline...)
			i++
		default:
			w.piece = append(w.piece, c)
			i++
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	return w.write("]]>")
}
