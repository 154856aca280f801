package hyperlambda

import (
	"fmt"
	"strings"
)

// Expression is a compiled lambda expression (a value of type x): a path
// of iterators separated by "/", evaluated against the node that holds it.
// It is immutable once parsed and safe to evaluate concurrently.
//
// # Differences from the reference
//
// Where the reference crashes, loops or yields null entries, we define the
// behaviour instead (docs/differences.md has the full table):
//
//   - `#` on a node whose value is not a node yields nothing (the reference
//     yields null entries that crash the next iterator).
//   - `-`, `+` and `.` on a node without a parent yield nothing (crash, or
//     a null entry, in the reference).
//   - `[n]` with one number, non-numeric `[x,y]`, and a bad nested
//     expression inside `{...}` are errors (*ExprError) when the expression
//     is parsed; the reference throws when it builds (or first runs) the
//     iterator.
//   - Following a chain of expressions to a value stops with an error after
//     MaxValueHops hops instead of looping forever on a cycle.
//   - The canonical text escapes `"` and `\` inside a quoted iterator, and
//     also quotes an iterator that would otherwise read back differently
//     (leading `"`, or unbalanced leading `{`); the reference only wraps
//     iterators holding "/", without escaping, which may not read back.
type Expression struct {
	text   string // canonical text, computed once
	iters  []iterator
	inline [4]iterator // most expressions have at most four iterators
}

type iterKind uint8

const (
	itName        iterKind = iota // plain name, or `\name`
	itChildren                    // *
	itValueNode                   // #
	itPrevious                    // -
	itNext                        // +
	itParent                      // .
	itRoot                        // ..
	itDescendants                 // **
	itUpwards                     // --
	itElder                       // @name
	itAncestor                    // ^name
	itPruned                      // !name
	itValueEq                     // =text
	itValueExpr                   // ={expr}
	itNameExpr                    // {expr}
	itRange                       // [skip,take]
	itNames                       // [a|b|c]
	itIndex                       // n
)

// iterator is kept small (40 bytes) because four of them sit inline in
// every Expression, and an Expression is allocated for every x value of a
// parsed file: the rare parts live behind the extra pointer.
type iterator struct {
	text  string     // as written, unquoted
	extra *iterExtra // for [a|b] and {expr}/={expr} only
	n, m  int32      // index, or skip and take (.NET ints)
	kind  iterKind
	argAt uint8 // the name or value to compare with is text[argAt:]
}

type iterExtra struct {
	names  []string
	nested *Expression
}

// arg is the iterator's operand: the name or value after its prefix.
func (it *iterator) arg() string { return it.text[it.argAt:] }

// ExprError is an expression that cannot be parsed.
type ExprError struct {
	Expr   string
	Offset int // byte offset into Expr
	Msg    string
}

func (e *ExprError) Error() string {
	return fmt.Sprintf("expression %q: %s at offset %d", e.Expr, e.Msg, e.Offset)
}

// MaxSelection bounds the nodes one set of an evaluation holds. A tree
// has no more distinct nodes than the run's budgets let it have, but the
// reference's iterators repeat nodes: `**` over nested nodes selects each
// once per ancestor in the set, and a few of them in a row select
// billions over a chain of a hundred (audit 16), in one slot call.
const MaxSelection = 1 << 21

// MaxWork bounds the nodes one evaluation selects in all, the
// expressions it follows inside included: `={...}` follows the value of
// every node of its set, and a value can be an expression selecting
// thousands, so sets each within MaxSelection still multiplied into
// billions of visits in one slot call (audit 24).
const MaxWork = 8 * MaxSelection

// SelectionError is an evaluation whose set grew past MaxSelection, or
// whose work grew past MaxWork.
type SelectionError struct {
	Expr     string
	Iterator string
	Work     bool // MaxWork, not MaxSelection
}

func (e *SelectionError) Error() string {
	if e.Work {
		return fmt.Sprintf("expression %q: iterator %q makes the evaluation select more than %d nodes in all (expressions followed once per node), the most one evaluation does", e.Expr, e.Iterator, MaxWork)
	}
	return fmt.Sprintf("expression %q: iterator %q selects more than %d nodes (repeating nodes many times over), the most one selection holds", e.Expr, e.Iterator, MaxSelection)
}

// evalWork counts what one evaluation has selected, nested evaluations
// included.
type evalWork struct{ selected int }

// MaxValueHops bounds how many expressions Value follows to reach a value.
const MaxValueHops = 64

// ParseExpression splits text into iterators and compiles each.
func ParseExpression(text string) (*Expression, error) {
	e := &Expression{}
	if err := e.parse(text); err != nil {
		return nil, err
	}
	return e, nil
}

// parse is ParseExpression into a zero Expression, which lets the
// Hyperlambda parser give all the x values of a text one allocation.
func (e *Expression) parse(text string) error {
	e.iters = e.inline[:0]
	add := func(seg string, at int) error {
		it, err := compileIterator(seg)
		if err != nil {
			return iteratorError(text, seg, at, err)
		}
		e.iters = append(e.iters, it)
		return nil
	}
	segStart := 0
	var buf *strings.Builder // set when the segment had a quoted part
	// No quoted and no braced segment: the iterators are the text split at
	// "/", and none needs quotes, so the text is its own canonical form.
	plain := true
	segLen := func(i int) int {
		if buf != nil {
			return buf.Len()
		}
		return i - segStart
	}
	segIs := func(i int, want string) bool {
		if buf != nil {
			return buf.String() == want
		}
		return text[segStart:i] == want
	}
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c == '/':
			seg := text[segStart:i]
			if buf != nil {
				seg, buf = buf.String(), nil
			}
			if err := add(seg, segStart); err != nil {
				return err
			}
			i++
			segStart = i
		case c == '"' && segLen(i) == 0:
			s, end, err := readExprQuoted(text, i)
			if err != nil {
				return err
			}
			plain = false
			buf = &strings.Builder{}
			buf.WriteString(s)
			i = end
		case c == '{' && (segLen(i) == 0 || segLen(i) == 1 && segIs(i, "=")):
			end, err := matchBrace(text, i)
			if err != nil {
				return err
			}
			plain = false
			seg := text[segStart:end]
			if buf != nil {
				// The segment so far came from a quoted part (`""{a}`,
				// `"="{a}`): the reference keeps only what that part read.
				seg = buf.String() + text[i:end]
			}
			if err := add(seg, segStart); err != nil {
				return err
			}
			buf = nil
			i = end
			if i == len(text) {
				e.finish(text)
				return nil // no empty iterator after a closing brace
			}
			if text[i] == '/' {
				i++
			}
			segStart = i
		default:
			if buf != nil {
				buf.WriteByte(c)
			}
			i++
		}
	}
	seg := text[segStart:]
	if buf != nil {
		seg = buf.String()
	}
	if err := add(seg, segStart); err != nil {
		return err
	}
	if plain {
		e.text = text
		return nil
	}
	e.finish(text)
	return nil
}

// finish records the canonical text: usually the source text itself, which
// costs nothing; rebuilt only when quoting would differ.
func (e *Expression) finish(src string) *Expression {
	e.text = src
	e.text = e.canonical()
	return e
}

// iteratorError places an iterator's error in the whole text. An error
// from a nested expression is reported where it occurs inside the braces
// when the segment was written unquoted (so offsets line up), else at the
// segment's start.
func iteratorError(text, seg string, at int, err error) *ExprError {
	xe, nested := err.(*ExprError)
	if !nested {
		return &ExprError{Expr: text, Offset: at, Msg: err.Error()}
	}
	msg := "in nested expression: " + xe.Msg
	open := strings.IndexByte(seg, '{') + 1 // the nested text starts after "{"
	if open > 0 && strings.HasPrefix(text[at:], seg) {
		return &ExprError{Expr: text, Offset: at + open + xe.Offset, Msg: msg}
	}
	return &ExprError{Expr: text, Offset: at, Msg: msg}
}

// MustParseExpression is ParseExpression for expressions known to be valid.
func MustParseExpression(text string) *Expression {
	e, err := ParseExpression(text)
	if err != nil {
		panic(err)
	}
	return e
}

// matchBrace returns the offset just after the brace that closes text[i].
func matchBrace(text string, i int) (int, error) {
	depth := 0
	for j := i; j < len(text); j++ {
		switch text[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, &ExprError{Expr: text, Offset: i, Msg: "extrapolated expression was never closed (missing '}')"}
}

// readExprQuoted reads a "..." segment with Hyperlambda's escapes.
func readExprQuoted(text string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(text); j++ {
		c := text[j]
		if c == '"' {
			return b.String(), j + 1, nil
		}
		if c == '\\' {
			if j+1 >= len(text) {
				break
			}
			r, ok := unescape(text[j+1])
			if !ok {
				return "", 0, &ExprError{Expr: text, Offset: j, Msg: fmt.Sprintf("invalid escape sequence \\%c", text[j+1])}
			}
			b.WriteByte(r)
			j++
			continue
		}
		b.WriteByte(c)
	}
	return "", 0, &ExprError{Expr: text, Offset: i, Msg: "quoted iterator is never closed"}
}

func unescape(e byte) (byte, bool) {
	switch e {
	case '"', '\'', '\\':
		return e, true
	case 'a':
		return '\a', true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 't':
		return '\t', true
	case 'v':
		return '\v', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	}
	return 0, false
}

// fixedIterator looks up the iterators without operands (a switch is
// cheaper than hashing every segment).
func fixedIterator(t string) (iterKind, bool) {
	switch t {
	case "*":
		return itChildren, true
	case "#":
		return itValueNode, true
	case "-":
		return itPrevious, true
	case "+":
		return itNext, true
	case ".":
		return itParent, true
	case "..":
		return itRoot, true
	case "**":
		return itDescendants, true
	case "--":
		return itUpwards, true
	}
	return 0, false
}

// compileIterator follows the reference's order: a leading backslash, the
// fixed table, the first-character table, an integer, else a name.
func compileIterator(t string) (iterator, error) {
	it := iterator{text: t, kind: itName}
	if strings.HasPrefix(t, `\`) {
		it.argAt = 1
		return it, nil
	}
	if k, ok := fixedIterator(t); ok {
		it.kind = k
		return it, nil
	}
	if t == "" {
		return it, nil
	}
	switch t[0] {
	case '=':
		rest := t[1:]
		if len(rest) >= 2 && rest[0] == '{' && rest[len(rest)-1] == '}' {
			nested, err := ParseExpression(rest[1 : len(rest)-1])
			if err != nil {
				return it, err
			}
			it.kind, it.extra = itValueExpr, &iterExtra{nested: nested}
			return it, nil
		}
		it.kind, it.argAt = itValueEq, 1
		return it, nil
	case '[':
		if len(t) < 2 {
			return it, fmt.Errorf("subscript %q is not closed", t)
		}
		inner := t[1 : len(t)-1]
		if strings.Contains(t, "|") {
			it.kind, it.extra = itNames, &iterExtra{}
			for _, n := range strings.Split(inner, "|") {
				if n != "" {
					it.extra.names = append(it.extra.names, n)
				}
			}
			return it, nil
		}
		// The first two non-empty comma-separated fields; more are ignored.
		// Scanned in place since a Split would cost an allocation per parse.
		var nums [2]string
		found := 0
		for rest := inner; found < 2 && rest != ""; {
			field, tail, _ := strings.Cut(rest, ",")
			if field != "" {
				nums[found] = field
				found++
			}
			rest = tail
		}
		if found < 2 {
			return it, fmt.Errorf("subscript %q needs two numbers [skip,take]", t)
		}
		skip, ok1 := parseDotnetInt(nums[0])
		take, ok2 := parseDotnetInt(nums[1])
		if !ok1 || !ok2 {
			return it, fmt.Errorf("subscript %q: skip and take must be integers", t)
		}
		it.kind, it.n, it.m = itRange, int32(skip), int32(take)
		return it, nil
	case '{':
		if len(t) < 2 {
			return it, fmt.Errorf("extrapolated expression %q is not closed", t)
		}
		nested, err := ParseExpression(t[1 : len(t)-1])
		if err != nil {
			return it, err
		}
		it.kind, it.extra = itNameExpr, &iterExtra{nested: nested}
		return it, nil
	case '@':
		it.kind, it.argAt = itElder, 1
		return it, nil
	case '^':
		it.kind, it.argAt = itAncestor, 1
		return it, nil
	case '!':
		it.kind, it.argAt = itPruned, 1
		return it, nil
	}
	if n, ok := parseDotnetInt(t); ok {
		it.kind, it.n = itIndex, int32(n)
	}
	return it, nil
}

// parseDotnetInt parses like .NET's int.TryParse with NumberStyles.Integer:
// surrounding white space, an optional sign, decimal digits, int32 range.
func parseDotnetInt(s string) (int, bool) {
	// Space, signs and digits all sort at or below '9': a name is rejected
	// here without trimming it.
	if s == "" || s[0] > '9' {
		return 0, false
	}
	s = strings.Trim(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	n := int64(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > 1<<31 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	if n > 1<<31-1 || n < -1<<31 {
		return 0, false
	}
	return int(n), true
}

// String returns the canonical text: iterators joined with "/", and an
// iterator holding "/" wrapped in quotes (escaped so that it reads back).
func (e *Expression) String() string { return e.text }

// canonical builds the canonical text without allocating when it equals
// the source (checked by walking both).
func (e *Expression) canonical() string {
	if len(e.iters) == 1 && !iteratorNeedsQuotes(e.iters[0].text) {
		return e.iters[0].text
	}
	if e.sameAsSource() {
		return e.text
	}
	var b strings.Builder
	for i, it := range e.iters {
		if i > 0 {
			b.WriteByte('/')
		}
		if !iteratorNeedsQuotes(it.text) {
			b.WriteString(it.text)
			continue
		}
		// The reference wraps without escaping, which cannot read back when
		// the iterator also holds a quote or a backslash.
		b.WriteByte('"')
		for j := 0; j < len(it.text); j++ {
			if c := it.text[j]; c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(it.text[j])
		}
		b.WriteByte('"')
	}
	return b.String()
}

// sameAsSource reports whether joining the iterators with "/" gives e.text
// and none needs quotes: then the source is already canonical.
func (e *Expression) sameAsSource() bool {
	pos := 0
	for i, it := range e.iters {
		if i > 0 {
			if pos >= len(e.text) || e.text[pos] != '/' {
				return false
			}
			pos++
		}
		if iteratorNeedsQuotes(it.text) || !strings.HasPrefix(e.text[pos:], it.text) {
			return false
		}
		pos += len(it.text)
	}
	return pos == len(e.text)
}

// iteratorNeedsQuotes: a "/" would split the iterator (the reference's
// rule); a leading quote, or a leading "{" or "={" whose braces do not
// close exactly at its end, would be read differently.
func iteratorNeedsQuotes(t string) bool {
	if strings.Contains(t, "/") || strings.HasPrefix(t, `"`) {
		return true
	}
	brace := -1
	if strings.HasPrefix(t, "{") {
		brace = 0
	} else if strings.HasPrefix(t, "={") {
		brace = 1
	}
	if brace < 0 {
		return false
	}
	end, err := matchBrace(t, brace)
	return err != nil || end != len(t)
}

// EndsWithChildren reports whether the last iterator is `*`.
func (e *Expression) EndsWithChildren() bool {
	return len(e.iters) > 0 && e.iters[len(e.iters)-1].text == "*"
}

// Single returns the text of e's one iterator (unquoted); ok is false
// when e has more or none.
func (e *Expression) Single() (text string, ok bool) {
	if len(e.iters) != 1 {
		return "", false
	}
	return e.iters[0].text, true
}

// Iterators returns the iterators' texts (unquoted).
func (e *Expression) Iterators() []string {
	out := make([]string, len(e.iters))
	for i, it := range e.iters {
		out[i] = it.text
	}
	return out
}

// Evaluate returns the nodes the expression selects from identity, in
// order (duplicates are possible, as in the reference).
func (e *Expression) Evaluate(identity *Node) ([]*Node, error) {
	return e.evaluate(identity, &evalWork{})
}

func (e *Expression) evaluate(identity *Node, w *evalWork) ([]*Node, error) {
	if identity == nil {
		return nil, nil
	}
	// The current and next sets swap roles per iterator. While they are
	// small both live in one allocation; the capacity caps keep them from
	// growing into each other (append reallocates instead).
	pool := make([]*Node, 8)
	cur := append(pool[0:0:4], identity)
	spare := pool[4:4:8]
	for i := range e.iters {
		next, err := e.iters[i].eval(identity, cur, spare[:0], w)
		if err == nil {
			if w.selected += len(next); w.selected > MaxWork {
				err = &SelectionError{Iterator: e.iters[i].text, Work: true}
			}
		}
		if err != nil {
			if se, ok := err.(*SelectionError); ok && se.Expr == "" {
				se.Expr = e.text
			}
			return nil, err
		}
		if len(next) == 0 {
			return nil, nil
		}
		spare, cur = cur, next
	}
	return cur, nil
}

// EvaluateSingle evaluates e without building a set when every iterator
// maps one node to at most one (`@.x`, `@.dp/#`, `@.x/0`, `../*`-free
// paths): the common case of reading one value in a loop. ok is false when
// some iterator could select several nodes; the caller then uses Evaluate.
// A nil node with ok true means nothing was selected.
func (e *Expression) EvaluateSingle(identity *Node) (n *Node, ok bool) {
	n = identity
	if n == nil {
		return nil, true
	}
	for i := 0; i < len(e.iters); i++ {
		it := &e.iters[i]
		switch it.kind {
		case itName:
			if n.Name != it.arg() {
				return nil, true
			}
		case itValueEq:
			if !valueEquals(n.Value, it.arg()) {
				return nil, true
			}
		case itValueNode:
			v, _ := n.Value.(*Node)
			n = v
		case itParent:
			n = n.parent
		case itRoot:
			n = n.Root()
		case itElder:
			n = elderNamed(n, it.arg())
		case itAncestor:
			p := n.parent
			for p != nil && p.Name != it.arg() {
				p = p.parent
			}
			n = p
		case itIndex:
			i := max(int(it.n), 0)
			if i >= len(n.children) {
				return nil, true
			}
			n = n.children[i]
		case itChildren:
			// `*` alone, or `*/name` (`@.arguments/*/x`): single when exactly
			// one child qualifies.
			name, named := "", i+1 < len(e.iters) && e.iters[i+1].kind == itName
			if named {
				name = e.iters[i+1].arg()
				i++
			}
			var only *Node
			for _, c := range n.children {
				if named && c.Name != name {
					continue
				}
				if only != nil {
					return nil, false
				}
				only = c
			}
			n = only
		default:
			return nil, false
		}
		if n == nil {
			return nil, true
		}
	}
	return n, true
}

func (it *iterator) eval(identity *Node, in, out []*Node, w *evalWork) ([]*Node, error) {
	switch it.kind {
	case itName:
		for _, n := range in {
			if n.Name == it.arg() {
				out = append(out, n)
			}
		}
	case itChildren:
		for _, n := range in {
			out = append(out, n.children...)
			if len(out) > MaxSelection {
				return nil, &SelectionError{Iterator: it.text}
			}
		}
	case itValueNode:
		for _, n := range in {
			if v, ok := n.Value.(*Node); ok && v != nil {
				out = append(out, v)
			}
		}
	case itPrevious, itNext:
		for _, n := range in {
			p := n.parent
			if p == nil {
				continue
			}
			i := n.Index()
			if it.kind == itPrevious {
				i--
			} else {
				i++
			}
			// Wrap around: before the first is the last, after the last the first.
			i = (i + len(p.children)) % len(p.children)
			out = append(out, p.children[i])
		}
	case itParent:
		out = appendDistinctParents(out, in)
	case itRoot:
		out = append(out, in[0].Root())
	case itDescendants, itPruned:
		for _, n := range in {
			out = appendDescendants(out, n, it.kind == itPruned, it.arg())
			if len(out) > MaxSelection {
				return nil, &SelectionError{Iterator: it.text}
			}
		}
	case itUpwards:
		for _, n := range in {
			for cur := n; cur != nil; cur = cur.parent {
				if cur.parent != nil {
					sib := cur.parent.children
					for i := cur.Index() - 1; i >= 0; i-- {
						out = append(out, sib[i])
					}
					out = append(out, cur.parent)
				}
			}
			if len(out) > MaxSelection {
				return nil, &SelectionError{Iterator: it.text}
			}
		}
	case itElder:
		if n := elderNamed(in[0], it.arg()); n != nil {
			out = append(out, n)
		}
	case itAncestor:
		for p := in[0].parent; p != nil; p = p.parent {
			if p.Name == it.arg() {
				out = append(out, p)
				break
			}
		}
	case itValueEq:
		for _, n := range in {
			if valueEquals(n.Value, it.arg()) {
				out = append(out, n)
			}
		}
	case itNameExpr, itValueExpr:
		res, err := it.extra.nested.evaluate(identity, w)
		if err != nil {
			return nil, err
		}
		if len(res) > 1 {
			return nil, fmt.Errorf("extrapolated expression '%s' yields multiple results", it.text)
		}
		var want *string
		if len(res) == 1 {
			v, err := valueWith(res[0], w)
			if err != nil {
				return nil, err
			}
			if v != nil {
				s := StringOf(v)
				want = &s
			}
		}
		for _, n := range in {
			if it.kind == itNameExpr {
				if want != nil && n.Name == *want {
					out = append(out, n)
				}
				continue
			}
			v, err := valueWith(n, w)
			if err != nil {
				return nil, err
			}
			if (v == nil && want == nil) || (v != nil && want != nil && StringOf(v) == *want) {
				out = append(out, n)
			}
		}
	case itRange:
		skip, take := max(int(it.n), 0), int(it.m)
		if skip < len(in) && take > 0 {
			out = append(out, in[skip:min(len(in), skip+take)]...)
		}
	case itNames:
		for _, n := range in {
			for _, name := range it.extra.names {
				if n.Name == name {
					out = append(out, n)
					break
				}
			}
		}
	case itIndex:
		// Skip(n).Take(1): a negative n skips nothing.
		i := max(int(it.n), 0)
		for _, n := range in {
			if i < len(n.children) {
				out = append(out, n.children[i])
			}
		}
	}
	return out, nil
}

// appendDescendants appends n and its descendants in pre-order; with prune,
// a subtree whose root is named except is left out whole (the `!` iterator).
// A plain recursive function, unlike Walk with a closure, does not allocate.
func appendDescendants(out []*Node, n *Node, prune bool, except string) []*Node {
	if prune && n.Name == except {
		return out
	}
	out = append(out, n)
	for _, c := range n.children {
		out = appendDescendants(out, c, prune, except)
	}
	return out
}

// appendDistinctParents appends each input node's parent once, in order of
// first appearance. Small sets are checked by scanning; a set is used only
// when scanning would turn quadratic (e.g. `../**/.` on a large file).
func appendDistinctParents(out []*Node, in []*Node) []*Node {
	const scanLimit = 32
	var seen map[*Node]struct{}
	start := len(out)
	for _, n := range in {
		p := n.parent
		if p == nil {
			continue
		}
		if seen != nil {
			if _, dup := seen[p]; dup {
				continue
			}
			seen[p] = struct{}{}
			out = append(out, p)
			continue
		}
		if containsNode(out[start:], p) {
			continue
		}
		out = append(out, p)
		if len(out)-start > scanLimit {
			seen = make(map[*Node]struct{}, 2*scanLimit)
			for _, q := range out[start:] {
				seen[q] = struct{}{}
			}
		}
	}
	return out
}

func containsNode(list []*Node, n *Node) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// elderNamed walks "backwards in document order" from n, never matching n:
// the previous sibling, else the parent, repeatedly.
func elderNamed(n *Node, name string) *Node {
	cur := n
	for {
		p := cur.parent
		if p == nil {
			return nil
		}
		// The nearest elder sibling of that name (the reference steps to
		// the parent only from the first child): cur is found by address
		// alone, then names are compared back from it, stopping at the
		// first match, so nodes beyond the nearest are never read.
		kids := p.children
		at := 0
		for at < len(kids) && kids[at] != cur {
			at++
		}
		for k := at - 1; k >= 0; k-- {
			if c := kids[k]; sameName(c.Name, name) {
				return c
			}
		}
		if sameName(p.Name, name) {
			return p
		}
		cur = p
	}
}

// sameName is a == b, deciding most differing names of equal length
// (".i" and "lt") by their ends without a call to compare the bytes: an
// expression walking up a tree compares many names.
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) > 0 && (a[0] != b[0] || a[len(a)-1] != b[len(b)-1]) {
		return false
	}
	if len(a) <= 8 {
		// Short names (".n1" and ".r1") are compared here: cheaper
		// than the call that compares memory.
		for k := 1; k < len(a)-1; k++ {
			if a[k] != b[k] {
				return false
			}
		}
		return true
	}
	return a == b
}

// valueEquals is the `=text` comparison: null matches only empty text,
// strings compare directly, other values through their canonical text.
func valueEquals(v any, text string) bool {
	switch x := v.(type) {
	case nil:
		return text == ""
	case string:
		return x == text
	}
	_, s, err := ValueText(v)
	return err == nil && s == text
}

// Value returns n's value, following expressions: an expression value is
// evaluated from n; no result is nil, one result repeats on that node's
// value, more than one is an error.
func Value(n *Node) (any, error) { return valueWith(n, nil) }

// valueWith is Value within an evaluation's work (a new one when nil).
func valueWith(n *Node, w *evalWork) (any, error) {
	if n == nil {
		return nil, nil
	}
	for hops := 0; ; hops++ {
		x, ok := n.Value.(*Expression)
		if !ok {
			return n.Value, nil
		}
		if hops == MaxValueHops {
			return nil, fmt.Errorf("following expressions from %q: more than %d hops, the chain is cyclic or too long", n.Name, MaxValueHops)
		}
		if m, ok := x.EvaluateSingle(n); ok {
			if m == nil {
				return nil, nil
			}
			n = m
			continue
		}
		if w == nil {
			w = &evalWork{}
		}
		res, err := x.evaluate(n, w)
		if err != nil {
			return nil, err
		}
		switch len(res) {
		case 0:
			return nil, nil
		case 1:
			n = res[0]
		default:
			return nil, fmt.Errorf("multiple resulting nodes from expression %q (%d nodes where one value is expected)", x.String(), len(res))
		}
	}
}
