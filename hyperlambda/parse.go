package hyperlambda

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits applied when ParseOptions leaves them at zero.
const (
	DefaultMaxDepth = 512      // levels of indentation
	DefaultMaxSize  = 16 << 20 // bytes of input
)

// ParseOptions control Parse.
type ParseOptions struct {
	// Comments keeps comments as nodes named ".." whose value is the text.
	Comments bool
	// MaxDepth bounds the nesting of nodes (0 = DefaultMaxDepth, <0 = none).
	MaxDepth int
	// MaxSize bounds the input in bytes (0 = DefaultMaxSize, <0 = none).
	MaxSize int
	// MaxNodes bounds the nodes made (0 = none): one more stops the parse
	// with ErrMaxNodes, and no more than room for MaxNodes is allocated
	// up front (a runtime parsing text within its node budget).
	MaxNodes int
}

// Parse parses Hyperlambda text read from a file or a stream. The result
// is a synthetic root node (name "", value nil) whose children are the
// top-level nodes of the text. On a syntax error it returns a
// *SyntaxError and no tree. Besides what ParseString refuses, a NUL byte
// is refused here: in a file it means binary data, not text.
func Parse(src []byte, opts ParseOptions) (*Node, error) {
	if nul := bytes.IndexByte(src, 0); nul >= 0 {
		s := string(src)
		if err := checkUTF8(s[:nul]); err != nil {
			return nil, err // the earlier fault is the one to name
		}
		return nil, &SyntaxError{Pos: posIn(s, nul), Offset: nul, Kind: ErrEncoding,
			Msg: "NUL byte (0x00): this is binary data, not Hyperlambda text"}
	}
	return ParseString(string(src), opts)
}

// ParseString is Parse for a string; names and unescaped values share the
// input's memory instead of being copied.
func ParseString(src string, opts ParseOptions) (*Node, error) {
	maxSize := opts.MaxSize
	if maxSize == 0 {
		maxSize = DefaultMaxSize
	}
	if maxSize > 0 && len(src) > maxSize {
		return nil, &SyntaxError{Pos: Pos{1, 1}, Kind: ErrMaxSize,
			Msg: fmt.Sprintf("input is %d bytes, more than the limit of %d bytes", len(src), maxSize)}
	}
	if err := checkUTF8(src); err != nil {
		return nil, err
	}
	p := parser{s: src, line: 1, opts: opts, maxDepth: opts.MaxDepth}
	if p.maxDepth == 0 {
		p.maxDepth = DefaultMaxDepth
	}
	// The reference reads through a StreamReader, which drops a UTF-8 BOM.
	if strings.HasPrefix(src, "\uFEFF") {
		p.i = len("\uFEFF")
		p.lineStart = p.i
	}
	// Every node takes a line of its own, so the count of line breaks bounds
	// the node count: one allocation holds all nodes of a typical parse
	// (and the root), another all their child lists.
	lines := max(strings.Count(src, "\n"), strings.Count(src, "\r")) + 1
	if opts.MaxNodes > 0 {
		lines = min(lines, opts.MaxNodes)
	}
	p.slab = make([]Node, 1, lines+1)
	// Each node is in one child list and at most once on the open stack.
	buf := make([]*Node, 2*lines)
	p.links, p.open = buf[:lines:lines], buf[lines:lines]
	p.root = &p.slab[0]
	p.parent = p.root
	if err := p.parse(); err != nil {
		return nil, err
	}
	p.close(0)
	p.complete()
	return p.root, nil
}

type parser struct {
	s         string
	i         int // read position
	line      int // current line (1-based)
	lineStart int // byte offset where the current line starts
	opts      ParseOptions
	maxDepth  int

	root   *Node
	parent *Node // where the next node goes
	level  int   // depth of parent's children (0 = top level)
	cur    *Node // the node whose value is being read
	slab   []Node
	exprs  []Expression

	// Child lists are built on the side and get their final slices from
	// links, one shared array, instead of growing one append at a time:
	// nodes come in pre-order, so the children of an open parent are the
	// top of the open stack, from base[its level] up. A parent is complete
	// when the scope leaves it; its list is then copied to a slice of links
	// capped at its length, so that adding a child later (Node.Add)
	// reallocates instead of writing into the next list.
	links []*Node
	open  []*Node
	// base[l] (l < len(base)), then deeper[l-len(base)]: where the children
	// at level l start in open. An array, not a slice of one, so that the
	// parser stays on the stack.
	base   [32]int32
	deeper []int32

	comments map[*Node]bool // nodes made from comments (comment mode only)
	made     int            // nodes made, against opts.MaxNodes
}

func (p *parser) parse() error {
	for {
		ok, err := p.item()
		if err != nil || !ok {
			return err
		}
		if p.i >= len(p.s) {
			return nil
		}
		if err := p.valuePart(); err != nil {
			return err
		}
	}
}

// pos returns the position of byte offset off.
func (p *parser) pos(off int) Pos {
	if off >= p.lineStart {
		return Pos{Line: int32(p.line), Col: int32(utf8.RuneCountInString(p.s[p.lineStart:off]) + 1)}
	}
	// An earlier line (e.g. the start of a literal that spans lines): rare,
	// so count from the top.
	return posIn(p.s, off)
}

// posIn returns the position of byte offset off in s, counting from the
// top: CR LF, LF and a lone CR end a line; a leading BOM takes no column.
func posIn(s string, off int) Pos {
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if c := s[i]; c == '\n' || (c == '\r' && (i+1 >= len(s) || s[i+1] != '\n')) {
			line, start = line+1, i+1
		}
	}
	if start == 0 && strings.HasPrefix(s, "\uFEFF") && off >= len("\uFEFF") {
		start = len("\uFEFF")
	}
	return Pos{Line: int32(line), Col: int32(utf8.RuneCountInString(s[start:off]) + 1)}
}

// checkUTF8 refuses text holding a byte that is not UTF-8 (a file saved
// in another encoding), at the first such byte. A NUL is text here: a
// program's strings may hold one, and Hyperlambda has no escape for it,
// so the canonical text of such a value holds it raw.
func checkUTF8(s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return &SyntaxError{Pos: posIn(s, i), Offset: i, Kind: ErrEncoding,
				Msg: fmt.Sprintf("byte 0x%02X is not UTF-8; save the file as UTF-8", s[i])}
		}
		i += size
	}
	return nil
}

func (p *parser) errAt(off int, kind ErrorKind, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: p.pos(off), Offset: off, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func isBreak(c byte) bool { return c == '\r' || c == '\n' }

// segmentEnd returns the offset of the first colon or line break in s at
// or after i, or len(s): the end of a name or unquoted value.
func segmentEnd(s string, i int) int {
	for ; i < len(s); i++ {
		// All three stops sort at or below ':', and most text above it.
		if c := s[i]; c <= ':' && (c == ':' || c == '\n' || c == '\r') {
			break
		}
	}
	return i
}

// markBreak records a line break ending at s[i] (a CR or LF being read).
// CR LF counts once, at the LF.
func (p *parser) markBreak(i int) {
	if p.s[i] == '\r' && i+1 < len(p.s) && p.s[i+1] == '\n' {
		return
	}
	p.line++
	p.lineStart = i + 1
}

func (p *parser) eatBreaks() {
	s, i := p.s, p.i
	for i < len(s) && isBreak(s[i]) {
		p.markBreak(i)
		i++
	}
	p.i = i
}

// item reads line breaks, blank lines, indentation and comments up to the
// next node name, and creates that node. It reports false at end of input.
func (p *parser) item() (bool, error) {
	s := p.s
	for {
		p.eatBreaks()
		start := p.i
		i := start
		for i < len(s) && s[i] == ' ' {
			i++
		}
		p.i = i
		if p.i >= len(s) {
			return false, nil
		}
		if isBreak(s[p.i]) {
			continue // a line of spaces only
		}
		spaces := p.i - start
		indented := spaces > 0
		if spaces%3 != 0 {
			return false, p.errAt(p.i, ErrIndent,
				"indentation of %d spaces is not a multiple of 3 (one level is three spaces)", spaces)
		}
		if indented {
			if err := p.scope(spaces/3, start); err != nil {
				return false, err
			}
		}
		var next byte
		if p.i+1 < len(s) {
			next = s[p.i+1]
		}
		at := p.i
		switch c := s[p.i]; {
		case c == ':':
			return true, p.addNode("", indented, at)
		case c == '/' && next == '*':
			// The comment is where it starts, not on the line it ends.
			start := p.startPos(at)
			text, err := p.multiLineComment()
			if err != nil {
				return false, err
			}
			if err := p.addComment(text, indented, start); err != nil {
				return false, err
			}
		case c == '/' && next == '/':
			p.i += 2
			b := p.i
			for p.i < len(s) && !isBreak(s[p.i]) {
				p.i++
			}
			if text := strings.TrimSpace(s[b:p.i]); text != "" {
				if err := p.addComment(text, indented, p.startPos(at)); err != nil {
					return false, err
				}
			}
		case c == '@' && next == '"', c == '"', c == '\'':
			var name string
			var err error
			if c == '@' {
				p.i += 2
				name, err = p.verbatim(at)
			} else {
				name, err = p.quoted()
			}
			if err != nil {
				return false, err
			}
			if err := p.afterQuotedName(); err != nil {
				return false, err
			}
			return true, p.addNode(name, indented, at)
		default:
			p.i = segmentEnd(s, at)
			return true, p.addNode(s[at:p.i], indented, at)
		}
	}
}

// afterQuotedName accepts what may follow a quoted name: a colon (spaces
// before it are tolerated, as by the reference), a line break or the end.
func (p *parser) afterQuotedName() error {
	s := p.s
	j := p.i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if j < len(s) && s[j] == ':' {
		p.i = j
		return nil
	}
	if p.i >= len(s) || isBreak(s[p.i]) {
		return nil
	}
	return p.errAt(p.i, ErrGarbage,
		"unexpected text after the quoted name; a name's closing quote must be followed by ':' or the end of the line")
}

// scope moves the insertion point to the given indentation level.
func (p *parser) scope(level, at int) error {
	switch {
	case level > p.level+1:
		return p.errAt(at, ErrIndentJump,
			"line is indented %d levels but the line above allows at most %d; go deeper one level (3 spaces) at a time",
			level, p.level+1)
	case level == p.level+1:
		if p.maxDepth > 0 && level >= p.maxDepth {
			return p.errAt(at, ErrMaxDepth, "nesting deeper than the limit of %d levels", p.maxDepth)
		}
		n := len(p.open) - p.baseAt(p.level)
		if n == 0 {
			if p.parent == p.root {
				return p.errAt(at, ErrNoParent, "the first line must not be indented")
			}
			return p.errAt(at, ErrNoParent,
				"line is indented below a line that has no node at the level above (a comment line's indentation counts)")
		}
		p.parent = p.open[len(p.open)-1]
		p.level = level
		p.setBase(level, len(p.open))
		if c := p.parent.children; c != nil {
			// Back into a node the scope had left (only comment lines came
			// between): its children are open again.
			p.open = append(p.open, c...)
			p.parent.children = nil
		}
	default:
		p.close(level)
	}
	return nil
}

// close completes the open parents deeper than level and moves the scope
// up to level.
func (p *parser) close(level int) {
	for p.level > level {
		p.complete()
		p.parent = p.parent.parent
		p.level--
	}
}

func (p *parser) baseAt(level int) int {
	if level < len(p.base) {
		return int(p.base[level])
	}
	return int(p.deeper[level-len(p.base)])
}

// setBase records where the children at level start; level is one deeper
// than any level recorded before, or reuses a level the scope left.
func (p *parser) setBase(level, at int) {
	if level < len(p.base) {
		p.base[level] = int32(at)
		return
	}
	d := level - len(p.base)
	p.deeper = append(p.deeper[:d], int32(at))
}

// complete gives the current parent its children, popping them from open.
func (p *parser) complete() {
	b := p.baseAt(p.level)
	k := len(p.open) - b
	if k == 0 {
		return
	}
	var list []*Node
	if k <= len(p.links) {
		list = p.links[:k:k]
		p.links = p.links[k:]
	} else {
		list = make([]*Node, k)
	}
	// Most lists are short: a loop beats copy's call, and the stale
	// entries left in open point into this same tree.
	for i, n := range p.open[b:] {
		list[i] = n
	}
	p.open = p.open[:b]
	p.parent.children = list
}

// startPos is the position of a node starting at byte offset at of the
// current line. Before it there are only spaces, so columns are bytes.
func (p *parser) startPos(at int) Pos {
	return Pos{Line: int32(p.line), Col: int32(at-p.lineStart) + 1}
}

// roomForNode refuses the node about to start at byte offset at when
// the parse has made opts.MaxNodes already.
func (p *parser) roomForNode(at int) error {
	if p.opts.MaxNodes > 0 && p.made >= p.opts.MaxNodes {
		return p.errAt(at, ErrMaxNodes, "more than the limit of %d nodes", p.opts.MaxNodes)
	}
	p.made++
	return nil
}

func (p *parser) newNode(name string, pos Pos) *Node {
	var n *Node
	if len(p.slab) < cap(p.slab) {
		p.slab = p.slab[:len(p.slab)+1]
		n = &p.slab[len(p.slab)-1]
	} else {
		n = new(Node)
	}
	n.Name = name
	n.Pos = pos
	n.parent = p.parent
	p.open = append(p.open, n)
	return n
}

func (p *parser) addNode(name string, indented bool, at int) error {
	if !indented {
		p.close(0)
	}
	if p.comments != nil && p.comments[p.parent] {
		return p.errAt(at, ErrCommentChild,
			"a node cannot be a child of a comment; indent it like the comment above it, or remove the comment")
	}
	if err := p.roomForNode(at); err != nil {
		return err
	}
	p.cur = p.newNode(name, p.startPos(at))
	return nil
}

// addComment adds a comment node at pos, where the comment starts.
func (p *parser) addComment(text string, indented bool, pos Pos) error {
	if !p.opts.Comments {
		return nil // its indentation still moved the scope, as in the reference
	}
	if !indented {
		p.close(0)
	}
	if err := p.roomForNode(p.lineStart); err != nil {
		return err
	}
	n := p.newNode("..", pos)
	n.Value = text
	if p.comments == nil {
		p.comments = map[*Node]bool{}
	}
	p.comments[n] = true
	return nil
}

// multiLineComment reads a /* comment starting at the '/'. Like the
// reference it ends at the first line whose last characters are "*/"; each
// line is trimmed and loses one leading "* " or "*"; lines join with CRLF.
func (p *parser) multiLineComment() (string, error) {
	s := p.s
	open := p.i
	openPos := p.pos(open)
	p.i++ // the reference starts reading lines at the '*' of "/*"
	var b strings.Builder
	for {
		ls := p.i
		for p.i < len(s) && !isBreak(s[p.i]) {
			p.i++
		}
		line := s[ls:p.i]
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "* ") {
			t = t[2:]
		} else if strings.HasPrefix(t, "*") {
			t = t[1:]
		}
		if ls == open+1 && line == "*/" {
			// "/*/": the reference takes it as closed and then crashes.
			return "", &SyntaxError{Pos: openPos, Offset: open, Kind: ErrUnterminatedComment,
				Msg: "\"/*/\" does not close the comment it opens"}
		}
		b.WriteString(t)
		b.WriteString("\r\n")
		if strings.HasSuffix(line, "*/") {
			break
		}
		if p.i >= len(s) {
			return "", &SyntaxError{Pos: openPos, Offset: open, Kind: ErrUnterminatedComment,
				Msg: "comment opened with /* is never closed; it ends at the first line whose last characters are */"}
		}
		// One line break, as C#'s ReadLine consumes it.
		if s[p.i] == '\r' && p.i+1 < len(s) && s[p.i+1] == '\n' {
			p.i++
		}
		p.markBreak(p.i)
		p.i++
	}
	text := b.String()
	return strings.TrimSpace(text[:len(text)-4]), nil
}

// quoted reads a "..." or '...' literal starting at its opening quote.
func (p *parser) quoted() (string, error) {
	s := p.s
	q := s[p.i]
	open := p.i
	openPos := p.pos(open)
	p.i++
	start := p.i
	for p.i < len(s) {
		switch c := s[p.i]; c {
		case q:
			p.i++
			return s[start : p.i-1], nil
		case '\\':
			return p.quotedEscaped(q, start, open, openPos)
		case '\r', '\n':
			p.markBreak(p.i)
		}
		p.i++
	}
	return "", p.unterminated(open, openPos)
}

func (p *parser) unterminated(open int, at Pos) error {
	return &SyntaxError{Pos: at, Offset: open, Kind: ErrUnterminatedString,
		Msg: "string literal is not closed before the end of the input"}
}

// quotedEscaped continues quoted from the first backslash.
func (p *parser) quotedEscaped(q byte, start, open int, openPos Pos) (string, error) {
	s := p.s
	var b strings.Builder
	b.WriteString(s[start:p.i])
	for p.i < len(s) {
		c := s[p.i]
		switch c {
		case q:
			p.i++
			return b.String(), nil
		case '\\':
			if p.i+1 >= len(s) {
				return "", p.unterminated(open, openPos)
			}
			var r byte
			switch e := s[p.i+1]; e {
			case '"', '\'', '\\':
				r = e
			case 'a':
				r = '\a'
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 't':
				r = '\t'
			case 'v':
				r = '\v'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			default:
				_, size := utf8.DecodeRuneInString(s[p.i+1:])
				return "", p.errAt(p.i, ErrInvalidEscape,
					`invalid escape sequence "\%s" in string literal; allowed are \" \' \\ \a \b \f \t \v \n \r`, s[p.i+1:p.i+1+size])
			}
			b.WriteByte(r)
			p.i += 2
			continue
		case '\r', '\n':
			p.markBreak(p.i)
		}
		b.WriteByte(c)
		p.i++
	}
	return "", p.unterminated(open, openPos)
}

// verbatim reads an @"..." literal; p.i is just after `@"`, at is the '@'.
// Everything is kept as written; "" stands for one quote.
func (p *parser) verbatim(at int) (string, error) {
	s := p.s
	openPos := p.pos(at)
	start := p.i
	var b *strings.Builder
	for p.i < len(s) {
		c := s[p.i]
		if c == '"' {
			if p.i+1 < len(s) && s[p.i+1] == '"' {
				if b == nil {
					b = &strings.Builder{}
				}
				b.WriteString(s[start : p.i+1])
				p.i += 2
				start = p.i
				continue
			}
			p.i++
			if b == nil {
				return s[start : p.i-1], nil
			}
			b.WriteString(s[start : p.i-1])
			return b.String(), nil
		}
		if isBreak(c) {
			p.markBreak(p.i)
		}
		p.i++
	}
	return "", p.unterminated(at, openPos)
}

// literal reads a quoted or verbatim literal in value position and checks
// that nothing but a line break follows it.
func (p *parser) literal() (string, error) {
	at := p.i
	var v string
	var err error
	if p.s[p.i] == '@' {
		p.i += 2
		v, err = p.verbatim(at)
	} else {
		v, err = p.quoted()
	}
	if err != nil {
		return "", err
	}
	if p.i < len(p.s) && !isBreak(p.s[p.i]) {
		return "", p.errAt(p.i, ErrGarbage,
			"unexpected text after the closing quote; nothing may follow a quoted value on its line (not even spaces or a comment)")
	}
	return v, nil
}

func (p *parser) startsLiteral() bool {
	c := p.s[p.i]
	return c == '"' || c == '\'' || (c == '@' && p.i+1 < len(p.s) && p.s[p.i+1] == '"')
}

// raw reads an unquoted segment: its first character whatever it is, then
// up to a colon, a line break or the end. It reports whether a colon ended it.
// trimSpace is strings.TrimSpace, quick for the usual text that has no
// space to trim: ASCII above ' ' at both ends.
func trimSpace(s string) string {
	if len(s) > 0 {
		if a, b := s[0], s[len(s)-1]; a > ' ' && a < utf8.RuneSelf && b > ' ' && b < utf8.RuneSelf {
			return s
		}
	}
	return strings.TrimSpace(s)
}

func (p *parser) raw() (string, bool) {
	s := p.s
	b := p.i
	p.i = segmentEnd(s, b+1)
	return trimSpace(s[b:p.i]), p.i < len(s) && s[p.i] == ':'
}

// valuePart reads what follows a node's name: nothing (null), ":" (empty
// string), ":value" or ":type:value".
func (p *parser) valuePart() error {
	s := p.s
	if s[p.i] != ':' {
		return nil // a line break: the value is null
	}
	p.i++
	p.cur.Value = ""
	if p.i >= len(s) || isBreak(s[p.i]) {
		return nil
	}
	if p.startsLiteral() {
		v, err := p.literal()
		if err != nil {
			return err
		}
		p.cur.Value = v
		return nil
	}
	typeAt := p.i
	text, colon := p.raw()
	if !colon {
		p.cur.Value = text
		return nil
	}
	typeName := text
	p.i++ // the colon after the type
	litAt := p.i
	lit := ""
	// "foo:int:" at the end of input is read like "foo:int:" before a line
	// break; the reference keeps the type name as a string value instead.
	if p.i < len(s) && !isBreak(s[p.i]) {
		if p.startsLiteral() {
			v, err := p.literal()
			if err != nil {
				return err
			}
			lit = v
		} else {
			v, colon := p.raw()
			if colon {
				return p.errAt(p.i, ErrStrayColon,
					"unquoted value contains ':'; quote it, e.g. %s:%s:\"%s...\"", p.cur.Name, typeName, v)
			}
			lit = v
		}
	}
	if typeName == "" {
		p.cur.Value = lit // "foo: :bar" declares no type
		return nil
	}
	if typeName == "x" {
		x := p.newExpression()
		if err := x.parse(lit); err != nil {
			return p.convertError(err, typeName, typeAt, litAt)
		}
		p.cur.Value = x
		return nil
	}
	v, err := ConvertText(lit, typeName)
	if err != nil {
		return p.convertError(err, typeName, typeAt, litAt)
	}
	p.cur.Value = v
	return nil
}

// newExpression is ConvertText's new Expression for an x value, taken from
// one array for the x values of the rest of the text: the count of ":x:"
// there is a cheap estimate of their number (when it falls short, the
// next x value counts again).
func (p *parser) newExpression() *Expression {
	if len(p.exprs) == cap(p.exprs) {
		p.exprs = make([]Expression, 0, countX(p.s[p.i:])+1)
	}
	p.exprs = p.exprs[:len(p.exprs)+1]
	return &p.exprs[len(p.exprs)-1]
}

// countX counts ":x:" in s, looking for the rare 'x' rather than the
// common ':' (which makes strings.Count slow here).
func countX(s string) int {
	n := 0
	for {
		j := strings.IndexByte(s, 'x')
		if j < 0 {
			return n
		}
		if j > 0 && j+1 < len(s) && s[j-1] == ':' && s[j+1] == ':' {
			n++
		}
		s = s[j+1:]
	}
}

func (p *parser) convertError(err error, typeName string, typeAt, litAt int) error {
	var ce *ConvertError
	if errors.As(err, &ce) && ce.Unknown {
		e := p.errAt(typeAt, ErrUnknownType, "unknown type declaration '%s'; known types are %s",
			typeName, strings.Join(TypeNames, ", "))
		e.Err = err
		return e
	}
	kind := ErrConvert
	var xe *ExprError
	if errors.As(err, &xe) {
		kind = ErrExpression
	}
	e := p.errAt(litAt, kind, "%v", err)
	e.Err = err
	return e
}
