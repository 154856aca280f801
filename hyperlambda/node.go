package hyperlambda

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

// Clear removes all children of n.
func (n *Node) Clear() {
	for _, c := range n.children {
		c.parent = nil
	}
	n.children = nil
}

// Clone returns a deep, parentless copy of n. Values that are themselves
// mutable (nested nodes, byte slices) are copied; immutable ones are shared.
// A node value that refers back to a node being copied (a [.dp] or
// [reference] pointing at an ancestor) stays a reference: copying it would
// never end.
func (n *Node) Clone() *Node { return n.clone(nil) }

func (n *Node) clone(path []*Node) *Node {
	path = append(path, n)
	c := &Node{Name: n.Name, Value: cloneValue(n.Value, path), Pos: n.Pos}
	if len(n.children) > 0 {
		c.children = make([]*Node, len(n.children))
		for i, ch := range n.children {
			cc := ch.clone(path)
			cc.parent = c
			c.children[i] = cc
		}
	}
	return c
}

func cloneValue(v any, path []*Node) any {
	switch x := v.(type) {
	case *Node:
		if x == nil {
			return x
		}
		for _, p := range path {
			if p == x {
				return x
			}
		}
		return x.clone(path)
	case []byte:
		return append([]byte(nil), x...)
	}
	return v
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
