package hyperlambda

import (
	"bytes"
	"slices"
	"unsafe"

	"github.com/shopspring/decimal"
)

// Pos is a position in Hyperlambda source text. Line and Col are 1-based;
// Col counts Unicode code points (what an editor shows), not bytes. The
// zero Pos means "not from source" (a node built in code).
type Pos struct {
	Line int32
	Col  int32
}

// IsValid reports whether p refers to a place in source text.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Node is one Hyperlambda node: a name, a typed value and ordered children.
//
// Value is nil for "no value", which is distinct from the empty string. The
// dynamic types a value may hold are listed in types.go. Children are kept
// behind methods so that a node's parent pointer is always right: a node
// lives in exactly one place, and adding it elsewhere detaches it first.
type Node struct {
	Name  string
	Value any
	// Pos is where the node's line starts in the source it was parsed from.
	Pos Pos

	children []*Node
	parent   *Node
}

// New returns a parentless node with the given name, value and children.
func New(name string, value any, children ...*Node) *Node {
	n := &Node{Name: name, Value: value}
	for _, c := range children {
		n.Add(c)
	}
	return n
}

// Parent returns the node's parent, or nil for a root.
func (n *Node) Parent() *Node { return n.parent }

// Children returns the node's children. The slice must not be modified;
// use Add, Insert and Remove.
func (n *Node) Children() []*Node { return n.children }

// Len returns the number of children.
func (n *Node) Len() int { return len(n.children) }

// Child returns the i-th child, or nil when i is out of range.
func (n *Node) Child(i int) *Node {
	if i < 0 || i >= len(n.children) {
		return nil
	}
	return n.children[i]
}

// Root returns the topmost ancestor of n (n itself when it has no parent).
func (n *Node) Root() *Node {
	for n.parent != nil {
		n = n.parent
	}
	return n
}

// Index returns n's position among its parent's children, or -1 for a root.
func (n *Node) Index() int {
	if n.parent == nil {
		return -1
	}
	for i, c := range n.parent.children {
		if c == n {
			return i
		}
	}
	return -1
}

// Previous returns the elder sibling, or nil.
func (n *Node) Previous() *Node {
	if i := n.Index(); i > 0 {
		return n.parent.children[i-1]
	}
	return nil
}

// Next returns the younger sibling, or nil.
func (n *Node) Next() *Node {
	if i := n.Index(); i >= 0 && i+1 < len(n.parent.children) {
		return n.parent.children[i+1]
	}
	return nil
}

// Depth returns the number of ancestors of n.
func (n *Node) Depth() int {
	d := 0
	for p := n.parent; p != nil; p = p.parent {
		d++
	}
	return d
}

// Add appends c as the last child of n, detaching it from its old parent.
// Adding an ancestor of n (or n itself) would create a cycle and panics:
// that is a programming error, never the result of user input.
func (n *Node) Add(c *Node) {
	n.Insert(len(n.children), c)
}

// Grow makes room for k more children, so that adding them does not
// reallocate the child list on the way.
func (n *Node) Grow(k int) { n.children = slices.Grow(n.children, k) }

// Insert places c at index i among n's children (0 <= i <= Len), detaching
// it from its old parent first. When c already is a child of n, i counts
// positions before c is detached.
func (n *Node) Insert(i int, c *Node) {
	for p := n; p != nil; p = p.parent {
		if p == c {
			panic("hyperlambda: inserting a node into its own subtree")
		}
	}
	if c.parent == n {
		if old := c.Index(); old < i {
			i--
		}
	}
	c.Detach()
	if i < 0 {
		i = 0
	}
	if i >= len(n.children) {
		n.children = append(n.children, c)
	} else {
		n.children = append(n.children, nil)
		copy(n.children[i+1:], n.children[i:])
		n.children[i] = c
	}
	c.parent = n
}

// InsertBefore places c just before n among n's siblings. It reports false
// (and does nothing) when n has no parent.
func (n *Node) InsertBefore(c *Node) bool {
	if n.parent == nil {
		return false
	}
	p := n.parent
	if c == n {
		return true
	}
	c.Detach()
	p.Insert(n.Index(), c)
	return true
}

// InsertAfter places c just after n among n's siblings. It reports false
// (and does nothing) when n has no parent.
func (n *Node) InsertAfter(c *Node) bool {
	if n.parent == nil {
		return false
	}
	p := n.parent
	if c == n {
		return true
	}
	c.Detach()
	p.Insert(n.Index()+1, c)
	return true
}

// Detach removes n from its parent, if any, and returns n.
func (n *Node) Detach() *Node {
	p := n.parent
	if p == nil {
		return n
	}
	i := n.Index()
	copy(p.children[i:], p.children[i+1:])
	p.children[len(p.children)-1] = nil
	p.children = p.children[:len(p.children)-1]
	n.parent = nil
	return n
}

// MoveChildren moves every child of src, in order, to the end of n's
// children. Moving a node's children into its own subtree would create a
// cycle and panics, like Add.
func (n *Node) MoveChildren(src *Node) {
	if src == n || len(src.children) == 0 {
		return
	}
	for p := n; p != nil; p = p.parent {
		if p.parent == src {
			panic("hyperlambda: moving children into their own subtree")
		}
	}
	for _, c := range src.children {
		c.parent = n
	}
	n.children = append(n.children, src.children...)
	clear(src.children)
	src.children = src.children[:0]
}

// Clear removes all children of n.
func (n *Node) Clear() {
	for _, c := range n.children {
		c.parent = nil
	}
	n.children = nil
}

// Empty removes all children of n and keeps the room of its child list
// for the next ones: for a node used over and over.
func (n *Node) Empty() {
	for _, c := range n.children {
		c.parent = nil
	}
	clear(n.children)
	n.children = n.children[:0]
}

// Clone returns a deep, parentless copy of n. Values that are themselves
// mutable (nested nodes, byte slices) are copied; immutable ones are shared.
// A node value that refers to a node being copied (a [.dp] or [reference]
// pointing at an ancestor, or at the node itself) refers to that node's
// copy: copying it again would never end, and keeping the original would
// leave the copy a handle on the tree it was copied from (the way out of
// an isolated lambda).
func (n *Node) Clone() *Node { return cloneTree(n, nil, nil) }

// cloneTree copies root with all its nodes in one array and all child
// lists in another: two allocations however big the tree, which is what
// makes the runtime's per-call copies of function bodies cheap. outer holds
// the source nodes enclosing root when root is a node value being copied,
// outerCopies their copies.
func cloneTree(root *Node, outer, outerCopies []*Node) *Node {
	nodes, links := root.size()
	c := cloner{nodes: make([]Node, nodes), links: make([]*Node, links), root: root, outer: outer, outerCopies: outerCopies}
	return c.clone(root, nil)
}

// Identical reports whether a and b are the same tree: the same names,
// values of the same types that print the same and behave the same, the
// same source positions, and the same children, in order (parents are
// not compared). A node value is identical only to itself. It errs on the
// side of false: a caller uses it to keep one tree in place of another.
func Identical(a, b *Node) bool {
	if a.Name != b.Name || a.Pos != b.Pos || len(a.children) != len(b.children) || !identicalValue(a.Value, b.Value) {
		return false
	}
	for i, c := range a.children {
		if !Identical(c, b.children[i]) {
			return false
		}
	}
	return true
}

// identicalValue is Identical for values: equal and of one type, and for
// decimals also of one scale (1.0 and 1.00 print differently).
func identicalValue(v, w any) bool {
	switch x := v.(type) {
	case []byte:
		y, ok := w.([]byte)
		return ok && bytes.Equal(x, y)
	case decimal.Decimal:
		y, ok := w.(decimal.Decimal)
		return ok && x.Exponent() == y.Exponent() && x.Equal(y)
	case *Expression:
		y, ok := w.(*Expression)
		return ok && (x == y || (x != nil && y != nil && x.String() == y.String()))
	case *Node:
		y, ok := w.(*Node)
		return ok && x == y
	case nil, string, bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64,
		float32, float64, Char, TimeSpan, GUID:
		return v == w // an interface comparison: the types must match too
	case Date:
		y, ok := w.(Date)
		return ok && x.Kind == y.Kind && x.Time.Equal(y.Time) && x.Time.Location() == y.Time.Location()
	}
	return false // a type this does not know: never taken for another
}

// Template is a tree kept to be copied many times, such as a function
// body copied on every call: its sizes are counted once rather than on
// every copy, and each copy's root has room for one more child (a call's
// arguments) without moving its child list. The tree must not change
// after NewTemplate.
type Template struct {
	root         *Node
	nodes, links int
	// nodeValues: some value is a node, which a copy maps to its own
	// nodes (Instance.Reset then copies in full).
	nodeValues bool
}

// NewTemplate keeps n (which the caller no longer changes) as a template.
func NewTemplate(n *Node) *Template {
	nodes, links := n.size()
	t := &Template{root: n, nodes: nodes, links: links}
	n.Walk(func(d *Node) bool {
		_, isNode := d.Value.(*Node)
		t.nodeValues = t.nodeValues || isNode
		return !t.nodeValues
	})
	return t
}

// Root is the template's tree, to read only.
func (t *Template) Root() *Node { return t.root }

// HoldsNodeValues reports whether some value in the template is a node:
// each copy then holds node values of its own.
func (t *Template) HoldsNodeValues() bool { return t.nodeValues }

// Clone copies the template, like Node.Clone.
func (t *Template) Clone() *Node {
	c := cloner{nodes: make([]Node, t.nodes), links: make([]*Node, t.links+1), root: t.root}
	return c.cloneSpare(t.root, nil, 1)
}

// Instance is a copy of a template that can be made again in place: a
// function body a call uses and then returns, so that the next call does
// not allocate and collect a copy of its own. Owns and Reset work on the
// copy's two arrays, which hold every node and child list it started
// with.
type Instance struct {
	t     *Template
	root  *Node
	nodes []Node
	links []*Node
	// The copy as first made (its nodes and child links, pointing into
	// nodes and links), which Reset copies back, and the nodes whose
	// values are bytes (a copy owns its bytes: copied again). Nil when the
	// template holds node values.
	fresh      []Node
	freshLinks []*Node
	bytes      []int
}

// Instance copies the template into arrays of its own, like Clone.
func (t *Template) Instance() *Instance {
	i := &Instance{t: t, nodes: make([]Node, t.nodes), links: make([]*Node, t.links+1)}
	i.Reset()
	if !t.nodeValues {
		i.fresh = slices.Clone(i.nodes)
		i.freshLinks = slices.Clone(i.links)
		for k := range i.nodes {
			if b, isBytes := i.nodes[k].Value.([]byte); isBytes {
				i.bytes = append(i.bytes, k)
				i.nodes[k].Value = slices.Clone(b) // the snapshot keeps its own
			}
		}
	}
	return i
}

// Root is the copy.
func (i *Instance) Root() *Node { return i.root }

// Template is what the instance copies.
func (i *Instance) Template() *Template { return i.t }

// Owns reports whether n is one of the nodes the copy started with
// (wherever it is now), by its address within the copy's node array.
func (i *Instance) Owns(n *Node) bool {
	if n == nil || len(i.nodes) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(&i.nodes[0]))
	off := uintptr(unsafe.Pointer(n)) - base
	return off < uintptr(len(i.nodes))*unsafe.Sizeof(Node{})
}

// Reset makes the copy equal to the template again, in place: every node
// the copy started with goes back to its place with the template's name
// and value, and nodes added since are dropped (and lose their parent:
// none keeps a way back into the copy). The copy as first made is copied
// back whole (two memory copies, cheaper than walking it node by node);
// a template holding node values (which refer to the copy's own nodes)
// is copied in full again instead. It is only sound when nothing outside
// the copy refers to its nodes any longer (the caller's to ensure): they
// are the same nodes, made over.
func (i *Instance) Reset() {
	if i.fresh == nil {
		// Made the first time, or holding node values.
		for k := range i.nodes {
			i.orphan(&i.nodes[k], i.nodes[k].children)
		}
		clear(i.links)
		c := cloner{nodes: i.nodes, links: i.links, root: i.t.root}
		i.root = c.cloneSpare(i.t.root, nil, 1)
		return
	}
	// Nodes added since lose their parent: those in a child list that
	// moved elsewhere, and those written into the copy's own link array.
	for k := range i.nodes {
		if cur := i.nodes[k].children; !sameList(cur, i.fresh[k].children) {
			i.orphan(&i.nodes[k], cur)
		}
	}
	// The links are put back where they changed, in the same pass:
	// few of them do in a call.
	fresh := i.freshLinks[:len(i.links)]
	for j, c := range i.links {
		if f := fresh[j]; c != f {
			if c != nil && !i.Owns(c) && i.Owns(c.parent) {
				c.parent = nil
			}
			i.links[j] = f
		}
	}
	copy(i.nodes, i.fresh)
	for _, k := range i.bytes {
		i.nodes[k].Value = slices.Clone(i.fresh[k].Value.([]byte))
	}
}

// orphan takes cp's parenthood from the nodes of list the copy did not
// start with.
func (i *Instance) orphan(cp *Node, list []*Node) {
	for _, c := range list {
		if c != nil && c.parent == cp && !i.Owns(c) {
			c.parent = nil
		}
	}
}

// sameList reports whether two child lists are the same slice (start and
// length).
func sameList(a, b []*Node) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// size counts n's nodes and child links.
func (n *Node) size() (nodes, links int) {
	nodes, links = 1, len(n.children)
	for _, ch := range n.children {
		a, b := ch.size()
		nodes += a
		links += b
	}
	return nodes, links
}

type cloner struct {
	nodes       []Node
	links       []*Node
	root        *Node
	outer       []*Node
	outerCopies []*Node
}

func (c *cloner) clone(n, parent *Node) *Node { return c.cloneSpare(n, parent, 0) }

// cloneSpare copies n as a child of parent (nil for the root) with room
// for spare more children in its list. The parent is set first, so that
// a value referring to an ancestor finds the ancestor's copy.
func (c *cloner) cloneSpare(n, parent *Node, spare int) *Node {
	cp := &c.nodes[0]
	c.nodes = c.nodes[1:]
	*cp = Node{Name: n.Name, Pos: n.Pos, parent: parent}
	cp.Value = c.value(n, cp)
	if k := len(n.children); k+spare > 0 {
		// Capped, so appending to one child list never writes into the next.
		cp.children = c.links[: k : k+spare]
		c.links = c.links[k+spare:]
		for i, ch := range n.children {
			cp.children[i] = c.clone(ch, cp)
		}
	}
	return cp
}

// value copies n's value when it is mutable; cp is n's copy (nil when
// there is none: a reset in place, where a reference stays a reference).
func (c *cloner) value(n, cp *Node) any {
	switch x := n.Value.(type) {
	case *Node:
		if x == nil {
			return x
		}
		// The enclosing source nodes, from n up to the root, then outer,
		// with their copies alongside.
		var path, copies []*Node
		pc := cp
		for p := n; p != nil; p = p.parent {
			path = append(path, p)
			copies = append(copies, pc)
			if p == c.root {
				break
			}
			if pc != nil {
				pc = pc.parent
			}
		}
		path = append(path, c.outer...)
		copies = append(copies, c.outerCopies...)
		for i, p := range path {
			if p == x {
				if copies[i] != nil {
					return copies[i]
				}
				return x
			}
		}
		return cloneTree(x, path, copies)
	case []byte:
		return append([]byte(nil), x...)
	}
	return n.Value
}

// ResetChildren makes n's children equal to copies of src's children,
// reusing n's nodes where the shape still matches (the same number of
// children at each level) and copying src where it does not. A loop that
// restores its body each round so allocates nothing unless the body
// changed shape. It returns the number of nodes it had to create.
func (n *Node) ResetChildren(src *Node) (created int) {
	if len(n.children) != len(src.children) {
		for i, c := range n.children {
			c.parent = nil
			n.children[i] = nil
		}
		n.children = n.children[:0]
		for _, sc := range src.children {
			// Values referring to sc's ancestors stay references to
			// them, as in the reset in place below (one nil copy each).
			outer := ancestors(sc)
			cc := cloneTree(sc, outer, make([]*Node, len(outer)))
			cc.parent = n
			n.children = append(n.children, cc)
			a, _ := sc.size()
			created += a
		}
		return created
	}
	for i, c := range n.children {
		sc := src.children[i]
		// Written whether or not they changed: comparing first cost more
		// in mispredicted branches than the writes (and their rare write
		// barriers) do.
		c.Name, c.Pos = sc.Name, sc.Pos
		switch sc.Value.(type) {
		case *Node, []byte:
			// root nil: the whole chain above sc counts as enclosing.
			c.Value = (&cloner{}).value(sc, nil)
		default:
			c.Value = sc.Value
		}
		if len(c.children)|len(sc.children) != 0 { // most are leaves
			created += c.ResetChildren(sc)
		}
	}
	return created
}

// ancestors lists n's ancestors, nearest first.
func ancestors(n *Node) []*Node {
	var out []*Node
	for p := n.parent; p != nil; p = p.parent {
		out = append(out, p)
	}
	return out
}

// Walk calls fn for n and every descendant in depth-first pre-order. When
// fn returns false the node's children are skipped.
func (n *Node) Walk(fn func(*Node) bool) {
	if !fn(n) {
		return
	}
	for _, c := range n.children {
		c.Walk(fn)
	}
}

// Path returns n's location as child indexes from its root, e.g. "/0/2/1".
// It is how errors and findings name a node independently of its name.
func (n *Node) Path() string {
	if n.parent == nil {
		return "/"
	}
	var idx []int
	for c := n; c.parent != nil; c = c.parent {
		idx = append(idx, c.Index())
	}
	b := make([]byte, 0, len(idx)*3)
	for i := len(idx) - 1; i >= 0; i-- {
		b = append(b, '/')
		b = appendInt(b, idx[i])
	}
	return string(b)
}

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}
