package yamlslots

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// tree is what emit writes: lambda nodes (lambdaList) or JSON values
// (jsonTree), made into go-yaml's nodes a piece at a time.
type tree interface {
	// size is the number of YAML nodes (keys too), counted up to a
	// little past limit.
	size(limit int) int
	// collection reports a mapping or sequence with items.
	collection() bool
	// mapping reports a mapping (a collection that is not a sequence).
	mapping() bool
	// node is the whole tree as go-yaml's.
	node() (*yaml.Node, error)
	// open checks a collection about to be written in pieces (and
	// counts it as node would) and lists its items.
	open() (items, error)
}

// items are a collection's.
type items interface {
	len() int
	key(i int) *yaml.Node // nil in a sequence
	value(i int) tree
}

// collect is the go-yaml node of a collection.
func collect(c items, mapping bool) (*yaml.Node, error) {
	y := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, c.len())}
	if mapping {
		y = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*c.len())}
	}
	for i := range c.len() {
		v, err := c.value(i).node()
		if err != nil {
			return nil, err
		}
		if mapping {
			y.Content = append(y.Content, c.key(i))
		}
		y.Content = append(y.Content, v)
	}
	return y, nil
}

// pieceNodes is the most nodes go-yaml's emitter is given at once. It
// keeps every event of a document until the document ends (about 1.6 KB
// a node: 900,000 nodes took 1.2 GB), so a larger collection is written
// a piece at a time, each piece (a run of its items) a document of its
// own, indented into place: go-yaml writes a collection's items the same
// whatever precedes them (TestPiecesAsWhole checks that the text is the
// same). 4,096 nodes keep a piece's events to a few megabytes.
const pieceNodes = 4096

// emit writes t as YAML, each line ending in newline ("\n" or "\r\n").
// Each piece is charged to work before go-yaml writes it, and the text is
// refused through room as soon as it passes the output budget, so that
// it is never built whole.
func emit(t tree, newline string, room func(int) error, work *meter) (string, error) {
	return emitPieces(t, newline, room, work, pieceNodes)
}

// emitPieces is emit with pieces of at most most nodes.
func emitPieces(t tree, newline string, room func(int) error, work *meter, most int) (string, error) {
	p := &pieces{out: &budgetWriter{room: room, crlf: newline == "\r\n"}, work: work, most: most}
	if err := p.tree(t, 0); err != nil {
		return "", err
	}
	return p.out.buf.String(), nil
}

// pieces writes a tree in pieces of at most most nodes (an item too
// large for one is written in pieces itself).
type pieces struct {
	out  *budgetWriter
	work *meter
	most int
	// lead replaces the indentation of the next line written: the "- "
	// of a sequence item, or the ": " after a complex key, whose value
	// starts on the same line.
	lead    string
	hasLead bool
}

// tree writes t with its lines indented by indent spaces.
func (p *pieces) tree(t tree, indent int) error {
	nodes := t.size(p.most)
	if nodes <= p.most || !t.collection() {
		y, err := t.node()
		if err != nil {
			return err
		}
		return p.native(y, nodes, indent)
	}
	c, err := t.open()
	if err != nil {
		return err
	}
	mapping := t.mapping()
	var run []*yaml.Node // the items gathered for the next piece
	runNodes := 1
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		y := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: run}
		if mapping {
			y = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: run}
		}
		nodes := runNodes
		run, runNodes = nil, 1
		return p.native(y, nodes, indent)
	}
	for i := range c.len() {
		v := c.value(i)
		n := v.size(p.most)
		if n > p.most && v.collection() {
			if err := flush(); err != nil {
				return err
			}
			if mapping {
				err = p.entry(c.key(i), v, indent)
			} else {
				err = p.item(v, indent)
			}
			if err != nil {
				return err
			}
			continue
		}
		if mapping {
			n++
		}
		if runNodes+n > p.most {
			if err := flush(); err != nil {
				return err
			}
		}
		y, err := v.node()
		if err != nil {
			return err
		}
		if mapping {
			run = append(run, c.key(i))
		}
		run = append(run, y)
		runNodes += n
	}
	return flush()
}

// item writes a sequence's item that is a large collection: "- " then
// its first line, its other lines two spaces further in.
func (p *pieces) item(v tree, indent int) error {
	p.setLead(p.takeLead(indent) + "- ")
	return p.tree(v, indent+2)
}

// entry writes a mapping's entry whose value is a large collection: the
// key alone on its line, then the value below it (a mapping two spaces
// in, a sequence at the key's indentation, as go-yaml writes them). A
// key go-yaml cannot write as a simple key (long, or with line breaks)
// is "? key", and the value follows ": " as a sequence's item follows
// "- ".
func (p *pieces) entry(key *yaml.Node, v tree, indent int) error {
	head, err := p.encode(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map",
		Content: []*yaml.Node{key, {Kind: yaml.MappingNode, Tag: "!!map"}}}, 2)
	if err != nil {
		return err
	}
	lines := strings.SplitAfter(strings.TrimSuffix(head, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasSuffix(last, ": {}") {
		return fmt.Errorf("cannot write YAML: unexpected key %q", head) // go-yaml writes none such
	}
	if len(lines) == 1 { // "key: {}"; a complex key takes two lines or more
		if err := p.line(strings.TrimSuffix(last, " {}")+"\n", indent); err != nil {
			return err
		}
		if v.mapping() {
			return p.tree(v, indent+2)
		}
		return p.tree(v, indent)
	}
	for _, l := range lines[:len(lines)-1] {
		if err := p.line(l, indent); err != nil {
			return err
		}
	}
	p.setLead(strings.Repeat(" ", indent) + ": ")
	return p.tree(v, indent+2)
}

// native has go-yaml write y (of nodes nodes) whole, indented.
func (p *pieces) native(y *yaml.Node, nodes, indent int) error {
	text, err := p.encode(y, nodes)
	if err != nil {
		return err
	}
	if err := p.work.add(int64(len(text)) * writeNsPerByte); err != nil {
		return err
	}
	for text != "" {
		i := strings.IndexByte(text, '\n') + 1
		if i == 0 {
			i = len(text)
		}
		if err := p.line(text[:i], indent); err != nil {
			return err
		}
		text = text[i:]
	}
	return nil
}

// line writes one line of a piece, indented; an empty line (in a block
// scalar) stays empty, as go-yaml writes it.
func (p *pieces) line(l string, indent int) error {
	if l == "\n" && !p.hasLead {
		_, err := p.out.Write([]byte(l))
		return err
	}
	_, err := p.out.Write([]byte(p.takeLead(indent) + l))
	return err
}

func (p *pieces) setLead(lead string) { p.lead, p.hasLead = lead, true }

// takeLead is what starts the next line: the lead set for it, else the
// indentation.
func (p *pieces) takeLead(indent int) string {
	if p.hasLead {
		lead := p.lead
		p.lead, p.hasLead = "", false
		return lead
	}
	return strings.Repeat(" ", indent)
}

// encode is go-yaml's text of y, a document of nodes nodes, charged to
// the step budget before it is written and bounded by the output budget
// while it is.
func (p *pieces) encode(y *yaml.Node, nodes int) (string, error) {
	if err := p.work.now(int64(nodes) * emitNs); err != nil {
		return "", err
	}
	w := &budgetWriter{room: func(n int) error { return p.out.room(p.out.buf.Len() + n) }}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	enc.CompactSeqIndent() // "- item" under its key, as YamlDotNet writes it
	err := enc.Encode(y)
	if err == nil {
		err = enc.Close()
	}
	if w.err != nil {
		return "", w.err
	}
	if err != nil {
		return "", fmt.Errorf("cannot write YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return w.buf.String(), nil
}

// budgetWriter collects the emitter's output, turning line breaks into
// CRLF when asked, and fails once the output budget could not hold it.
type budgetWriter struct {
	buf  bytes.Buffer
	room func(int) error
	crlf bool
	err  error
}

func (w *budgetWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	written, size := len(p), len(p)
	if w.crlf {
		size += bytes.Count(p, []byte{'\n'})
	}
	if err := w.room(w.buf.Len() + size); err != nil {
		w.err = err
		return 0, err
	}
	if !w.crlf {
		return w.buf.Write(p)
	}
	// go-yaml writes raw line breaks only between lines: text with a
	// carriage return is double-quoted (escaped), so none is doubled.
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf.Write(p)
			break
		}
		w.buf.Write(p[:i])
		w.buf.WriteString("\r\n")
		p = p[i+1:]
	}
	return written, nil
}
