package xmlslots

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// Node names xml2lambda gives what is not an element, as the reference
// (the names .NET's XmlNode gives them).
const (
	textName  = "#text"
	cdataName = "#cdata-section"
)

func xml2lambda(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "XML")
	if err != nil {
		return err
	}
	root, err := Decode(text, r.Policy().Budgets.Depth, r)
	if err != nil {
		return err
	}
	n.Clear()
	n.Value = nil
	n.Add(root)
	return nil
}

// Budget is what reading and writing XML count against: a run's budgets
// (an *engine.Run is one).
type Budget interface {
	Created(nodes int) error    // before the nodes are made
	Charge(steps int64) error   // before the work is done
	Interrupted() error         // the deadline passed or the run was stopped
	OutputRoom(bytes int) error // before the text is built
}

// What parsing costs against the step budget (a step stands for about
// 5 µs). encoding/xml reads 8 to 18 ns a byte whatever the bytes are
// (white space, text, entities, comments, a DTD), charged at 128 bytes a
// step (39 ns) before anything is read; each node made adds 200 to 550 ns
// (the most for attributes and namespace declarations), charged at 8
// nodes a step (625 ns) as they are made. The deadline is asked every
// 64 KiB read, so a long parse ends near it rather than at its end.
const (
	parseBytesPerStep = 128
	parseNodesPerStep = 8
	parseCheckBytes   = 64 << 10
)

// stopped carries an error of the budget out of the parser, which would
// otherwise report it as bad XML.
type stopped struct{ err error }

func (s stopped) Error() string { return s.err.Error() }

// Decode parses one XML document into the node of its root element, in
// the reference's shape: attributes become leading children "@name",
// text "#text", CDATA sections "#cdata-section". The text's length is
// charged to b's steps before it is read and every node before it is
// made; elements nested deeper than maxDepth are an error. A DTD is
// skipped, never interpreted: only XML's five entities and character
// references are known, so an entity a DTD declares (an entity bomb, an
// external entity) is an error.
func Decode(text string, maxDepth int, b Budget) (*hyperlambda.Node, error) {
	if err := b.Charge(1 + int64(len(text))/parseBytesPerStep); err != nil {
		return nil, err
	}
	root, err := decode(text, maxDepth, b)
	if err != nil {
		var stop stopped
		if errors.As(err, &stop) {
			return nil, stop.err
		}
		return nil, fmt.Errorf("not valid XML: %w", err)
	}
	// The last stretch of the parse was not checked: a parse that ended
	// past the deadline is not a success.
	if err := b.Interrupted(); err != nil {
		return nil, err
	}
	return root, nil
}

// checkedReader gives the decoder the text, asking every parseCheckBytes
// whether the run must stop.
type checkedReader struct {
	text        string
	unchecked   int
	interrupted func() error
}

func (c *checkedReader) Read(p []byte) (int, error) {
	if c.text == "" {
		return 0, io.EOF
	}
	if c.unchecked >= parseCheckBytes {
		c.unchecked = 0
		if err := c.interrupted(); err != nil {
			return 0, stopped{err}
		}
	}
	n := copy(p, c.text)
	c.text = c.text[n:]
	c.unchecked += n
	return n, nil
}

// openElement is an element whose end tag has not been read yet.
type openElement struct {
	node *hyperlambda.Node
	line int
}

func decode(text string, maxDepth int, b Budget) (*hyperlambda.Node, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	d := xml.NewDecoder(&checkedReader{text: text, interrupted: b.Interrupted})
	d.Strict = true
	// The text is already characters: a declared encoding says how the
	// bytes were once stored, so there is nothing left to decode.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var (
		root *hyperlambda.Node
		open []openElement
		ns   scopes
		// uncharged counts nodes made since the last step was charged.
		uncharged int
	)
	count := func(nodes int) error {
		if err := b.Created(nodes); err != nil {
			return stopped{err}
		}
		uncharged += nodes
		if uncharged < parseNodesPerStep {
			return nil
		}
		steps := uncharged / parseNodesPerStep
		uncharged -= steps * parseNodesPerStep
		if err := b.Charge(int64(steps)); err != nil {
			return stopped{err}
		}
		return nil
	}
	for {
		// RawToken, not Token: it keeps prefixes as written (Token puts
		// the namespace URL in their place); nesting is checked here.
		start := d.InputOffset()
		line, _ := d.InputPos()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var syntax *xml.SyntaxError
			if errors.As(err, &syntax) {
				return nil, fmt.Errorf("line %d: %s", syntax.Line, syntax.Msg)
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := qualified(t.Name)
			if !isQName(name) {
				return nil, fmt.Errorf("line %d: <%s>: not an element name (at most one colon, between two names)", line, name)
			}
			if len(open) == 0 && root != nil {
				return nil, fmt.Errorf("line %d: a second root element <%s> (a document has one)", line, name)
			}
			if len(open) >= maxDepth {
				return nil, fmt.Errorf("line %d: elements nested deeper than %d", line, maxDepth)
			}
			if err := count(1 + len(t.Attr)); err != nil {
				return nil, err
			}
			el := hyperlambda.New(name, nil)
			el.Grow(len(t.Attr))
			names := make([]string, 0, len(t.Attr))
			var prefixes []string
			for _, a := range t.Attr {
				an := qualified(a.Name)
				if !isQName(an) {
					return nil, fmt.Errorf("line %d: %s on <%s>: not an attribute name (at most one colon, between two names)", line, an, name)
				}
				names = append(names, an)
				if p, ok := declares(an); ok {
					prefixes = append(prefixes, p)
				}
				el.Add(hyperlambda.New("@"+an, a.Value))
			}
			if an, twice := repeated(names); twice {
				return nil, fmt.Errorf("line %d: attribute %s given twice on <%s>", line, an, name)
			}
			ns.push(prefixes)
			if err := ns.checkPrefixes(name, names); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			if len(open) == 0 {
				root = el
			} else {
				open[len(open)-1].node.Add(el)
			}
			open = append(open, openElement{el, line})
		case xml.EndElement:
			name := qualified(t.Name)
			if len(open) == 0 {
				return nil, fmt.Errorf("line %d: </%s> closes no element", line, name)
			}
			if top := open[len(open)-1]; top.node.Name != name {
				return nil, fmt.Errorf("line %d: <%s> (line %d) closed by </%s>", line, top.node.Name, top.line, name)
			}
			open = open[:len(open)-1]
			ns.pop()
		case xml.CharData:
			// The decoder gives CDATA as text; the input at the token's
			// start tells them apart, as the reference keeps them apart.
			cdata := strings.HasPrefix(text[start:], "<![CDATA[")
			blank := strings.TrimSpace(string(t)) == ""
			if len(open) == 0 {
				if cdata || !blank {
					return nil, fmt.Errorf("line %d: text outside the root element", line)
				}
				continue
			}
			if blank && !cdata {
				continue // indentation, as the reference drops it
			}
			if err := count(1); err != nil {
				return nil, err
			}
			name := textName
			if cdata {
				name = cdataName
			}
			open[len(open)-1].node.Add(hyperlambda.New(name, string(t)))
		case xml.Directive:
			// A DOCTYPE is skipped: its entities are never expanded.
			if root != nil {
				return nil, fmt.Errorf("line %d: <!%s> after the root element's start", line, firstWord(string(t)))
			}
		case xml.Comment, xml.ProcInst:
			// dropped, as the reference drops comments
		}
	}
	if len(open) > 0 {
		top := open[len(open)-1]
		return nil, fmt.Errorf("<%s> (line %d) is not closed at the end of the text", top.node.Name, top.line)
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// qualified is a name as written: prefix:local, or local.
func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
