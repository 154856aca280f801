package hyperlambda

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func names(nodes []*Node) string {
	var s []string
	for _, n := range nodes {
		s = append(s, n.Name)
	}
	return strings.Join(s, ",")
}

func TestNodeStructure(t *testing.T) {
	a, b, c := New("a", nil), New("b", ""), New("c", int32(3))
	root := New("", nil, a, b, c)
	if got := names(root.Children()); got != "a,b,c" {
		t.Fatalf("children %s", got)
	}
	if a.Parent() != root || b.Index() != 1 || c.Previous() != b || a.Next() != b || c.Next() != nil || a.Previous() != nil {
		t.Fatal("sibling/parent links wrong")
	}
	// Adding a node elsewhere detaches it first: a node lives in one place.
	a.Add(c)
	if got := names(root.Children()); got != "a,b" || c.Parent() != a || c.Path() != "/0/0" {
		t.Fatalf("after move: %s parent=%v path=%s", got, c.Parent() == a, c.Path())
	}
	// Null and empty string are different values.
	if a.Value != nil || b.Value != "" {
		t.Fatal("null/empty distinction lost")
	}
	// Insert before/after, and reordering within the same parent.
	d := New("d", nil)
	if !b.InsertBefore(d) || names(root.Children()) != "a,d,b" {
		t.Fatalf("InsertBefore: %s", names(root.Children()))
	}
	root.Insert(3, a) // move the first child to the end
	if got := names(root.Children()); got != "d,b,a" {
		t.Fatalf("Insert within parent: %s", got)
	}
	if !d.InsertAfter(New("e", nil)) || names(root.Children()) != "d,e,b,a" {
		t.Fatalf("InsertAfter: %s", names(root.Children()))
	}
	if New("x", nil).InsertBefore(New("y", nil)) {
		t.Fatal("InsertBefore on a parentless node must report false")
	}
	// Clone is deep and parentless; nested node values are copied too.
	inner := New("", nil, New("k", "v"))
	a.Value = inner
	cl := a.Clone()
	if cl.Parent() != nil || cl.Child(0) == c || cl.Child(0).Parent() != cl || cl.Value.(*Node) == inner {
		t.Fatal("clone is not deep")
	}
	cl.Value.(*Node).Child(0).Name = "changed"
	if inner.Child(0).Name != "k" {
		t.Fatal("clone shares a nested node value")
	}
	c.Detach()
	if c.Parent() != nil || a.Len() != 0 {
		t.Fatal("detach")
	}
	if root.Depth() != 0 || c.Root() != c || d.Root() != root || d.Depth() != 1 {
		t.Fatal("root/depth")
	}
}

func TestInsertIntoOwnSubtreePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	a := New("a", nil)
	b := New("b", nil)
	a.Add(b)
	b.Add(a)
}

func TestSyntaxErrorPositions(t *testing.T) {
	cases := []struct {
		src       string
		line, col int32
		kind      ErrorKind
	}{
		{"foo\r\n  bar", 2, 3, ErrIndent},
		{"   foo", 1, 1, ErrNoParent},
		{"a\r\n   b\r\n         c", 3, 1, ErrIndentJump},
		{"foo:\"abc", 1, 5, ErrUnterminatedString},
		{"x\r\nfoo:\"a\\qb\"", 2, 7, ErrInvalidEscape},
		{"foo:\"a\" ", 1, 8, ErrGarbage},
		{"x\r\n/* never\r\nclosed", 2, 1, ErrUnterminatedComment},
		{"foo:bar:baz", 1, 5, ErrUnknownType},
		{"foo:int:abc", 1, 9, ErrConvert},
		{"url:string:http://x", 1, 16, ErrStrayColon},
		{"æøå:int:1\r\nfoo:int:x", 2, 9, ErrConvert},
		{"ø:x\r\n   æ:int:q", 2, 10, ErrConvert},
		{"foo:int:@\"1\r\n2\"", 1, 9, ErrConvert},
	}
	for _, c := range cases {
		_, err := ParseString(c.src, ParseOptions{})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: want SyntaxError, got %v", c.src, err)
			continue
		}
		if se.Kind != c.kind || se.Pos.Line != c.line || se.Pos.Col != c.col {
			t.Errorf("%q: got %v at %d:%d (%v), want %v at %d:%d", c.src, se.Kind, se.Pos.Line, se.Pos.Col, se, c.kind, c.line, c.col)
		}
	}
}

func TestNodePositions(t *testing.T) {
	root, err := ParseString("a\r\n   ø:1\r\n      c:\"x\r\ny\"\r\n// c\r\nd", ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Pos{"a": {1, 1}, "ø": {2, 4}, "c": {3, 7}, "d": {6, 1}}
	root.Walk(func(n *Node) bool {
		if n == root {
			return true
		}
		if n.Pos != want[n.Name] {
			t.Errorf("%s at %v, want %v", n.Name, n.Pos, want[n.Name])
		}
		return true
	})
}

func TestLimits(t *testing.T) {
	deep := strings.Builder{}
	for i := 0; i < 20; i++ {
		deep.WriteString(strings.Repeat("   ", i) + "n\r\n")
	}
	var se *SyntaxError
	if _, err := ParseString(deep.String(), ParseOptions{MaxDepth: 10}); !errors.As(err, &se) || se.Kind != ErrMaxDepth {
		t.Errorf("depth: %v", err)
	}
	if _, err := ParseString(deep.String(), ParseOptions{MaxDepth: 20}); err != nil {
		t.Errorf("depth 20: %v", err)
	}
	if _, err := ParseString(strings.Repeat("a\r\n", 100), ParseOptions{MaxSize: 10}); !errors.As(err, &se) || se.Kind != ErrMaxSize {
		t.Errorf("size: %v", err)
	}
}

func TestFormatQuotesWhatWouldNotReadBack(t *testing.T) {
	cases := []struct {
		node *Node
		want string
	}{
		{New("//x", "1"), "\"//x\":1\r\n"},
		{New("/*x", nil), "\"/*x\"\r\n"},
		{New("'x", nil), "\"'x\"\r\n"},
		{New("a\rb", "c"), "\"a\rb\":c\r\n"},
		{New("a:b\\c", nil), "\"a:b\\\\c\"\r\n"},
		{New("x", "\u00a0y"), "x:\"\u00a0y\"\r\n"},
		{New("x", "y\v"), "x:\"y\v\"\r\n"},
		{New("", nil), "\"\"\r\n"},
		{New("", "v"), ":v\r\n"},
	}
	for _, c := range cases {
		got := Format([]*Node{c.node}, FormatOptions{})
		if got != c.want {
			t.Errorf("%q: got %q want %q", c.node.Name, got, c.want)
			continue
		}
		root, err := ParseString(got, ParseOptions{})
		if err != nil || root.Len() != 1 || root.Child(0).Name != c.node.Name || root.Child(0).Value != c.node.Value {
			t.Errorf("%q does not read back: %v", got, err)
		}
	}
}

func TestCommentModeRoundTrip(t *testing.T) {
	src := "/*\r\n * two\r\n * lines\r\n */\r\nfoo\r\n   // child\r\n   bar:1\r\n..:not a comment\r\n   child\r\n"
	root, err := ParseString(src, ParseOptions{Comments: true})
	if err != nil {
		t.Fatal(err)
	}
	out := Format(root.Children(), FormatOptions{Comments: true})
	want := "\r\n/*\r\n * two\r\n * lines\r\n */\r\nfoo\r\n\r\n   // child\r\n   bar:1\r\n..:not a comment\r\n   child\r\n"
	if out != want {
		t.Fatalf("got %q\nwant %q", out, want)
	}
	if Format(root.Children(), FormatOptions{}) != "..:@\"two\r\nlines\"\r\nfoo\r\n   ..:child\r\n   bar:1\r\n..:not a comment\r\n   child\r\n" {
		t.Fatalf("without comment mode: %q", Format(root.Children(), FormatOptions{}))
	}
}

func ExampleParseString() {
	root, err := ParseString(".data\r\n   a:int:1\r\n   b:\"x:y\"\r\nget-value:x:@.data/*/a\r\n", ParseOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range root.Child(0).Children() {
		fmt.Printf("%s %s %v\n", n.Name, TypeOf(n.Value), n.Value)
	}
	fmt.Print(strings.ReplaceAll(Format(root.Children(), FormatOptions{}), "\r\n", "\n"))
	// Output:
	// a int 1
	// b string x:y
	// .data
	//    a:int:1
	//    b:"x:y"
	// get-value:x:@.data/*/a
}

func ExampleSyntaxError() {
	_, err := ParseString("foo\r\n  bar", ParseOptions{})
	var se *SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Kind, "at", se.Pos.Line, se.Pos.Col)
		fmt.Println(err)
	}
	// Output:
	// bad indentation at 2 3
	// 2:3: indentation of 2 spaces is not a multiple of 3 (one level is three spaces)
}

// A node whose value refers to its own ancestor (what [for-each]'s .dp and
// [reference] make) clones without recursing forever.
func TestCloneSelfReference(t *testing.T) {
	root := New("root", nil, New("a", nil))
	dp := New(".dp", root)
	root.Child(0).Add(dp)
	self := New(".self", nil)
	self.Value = self
	root.Add(self)
	c := root.Clone()
	if got := c.Child(0).Child(0).Value; got != c {
		t.Fatalf("a reference to an ancestor should refer to the ancestor's copy, got %v", got)
	}
	if got := c.Child(1).Value; got != c.Child(1) {
		t.Fatalf("a reference to itself should refer to the copy, got %v", got)
	}
}

// A copy holds no handle on the tree it was copied from: a reference from
// inside the copied subtree to a node above it is copied (the node, with
// what it holds), and references inside that copy to nodes being copied
// refer to their copies, never to the originals.
func TestCloneHoldsNoHandleOnTheSource(t *testing.T) {
	outer := New("outer", nil, New("lambda", nil, New(".h", nil)), New(".after", nil))
	h := outer.Child(0).Child(0)
	h.Value = outer // a handle on an ancestor above what is copied
	c := outer.Child(0).Clone()
	source := map[*Node]bool{}
	outer.Walk(func(n *Node) bool { source[n] = true; return true })
	var reached []*Node
	var visit func(n *Node, depth int)
	visit = func(n *Node, depth int) {
		if depth > 8 {
			return
		}
		reached = append(reached, n)
		if v, ok := n.Value.(*Node); ok && v != nil {
			visit(v.Root(), depth+1)
		}
		for _, ch := range n.Children() {
			visit(ch, depth)
		}
	}
	visit(c, 0)
	for _, n := range reached {
		if source[n] {
			t.Fatalf("the copy reaches the source node %q", n.Name)
		}
	}
}

// ResetChildren restores a body to its template after any mutation: the
// result formats like the template, the template is untouched, and a
// mutation that kept the shape costs no new nodes.
func TestResetChildren(t *testing.T) {
	const src = "a:int:1\n   b:x:@.a\n   c\n      d:foo\ne:bar\n"
	mutations := []struct {
		name        string
		mutate      func(body *Node)
		wantCreated int
	}{
		{"untouched", func(*Node) {}, 0},
		{"values and names", func(b *Node) {
			b.Child(0).Value = true
			b.Child(0).Child(1).Child(0).Name = "zz"
			b.Child(1).Value = New("lambda", nil, New("x", nil))
		}, 0},
		{"child added deep", func(b *Node) { b.Child(0).Child(1).Add(New("new", nil)) }, 1},
		{"top child removed", func(b *Node) { b.Child(1).Detach() }, 4 + 1},
		{"children cleared", func(b *Node) { b.Child(0).Clear() }, 3},
		{"child replaced", func(b *Node) {
			b.Child(0).Child(0).Detach()
			b.Child(0).Insert(0, New("other", 7, New("kid", nil)))
		}, 0}, // the stranger is reused and loses its child
		{"moved into a sibling", func(b *Node) { b.Child(0).Child(1).Add(b.Child(1)) }, 4 + 1},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			template, err := ParseString(src, ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := format(template)
			body := template.Clone()
			m.mutate(body)
			created := body.ResetChildren(template)
			if got := format(body); got != want {
				t.Fatalf("after reset:\n%s\nwant:\n%s", got, want)
			}
			if got := format(template); got != want {
				t.Fatalf("template changed:\n%s", got)
			}
			if created != m.wantCreated {
				t.Errorf("created %d nodes, want %d", created, m.wantCreated)
			}
			body.Walk(func(n *Node) bool {
				for _, c := range n.children {
					if c.parent != n {
						t.Fatalf("child %q of %q has a wrong parent", c.Name, n.Name)
					}
				}
				return true
			})
		})
	}
}

// Clone's child lists are carved from one array: growing one must never
// write into its neighbour's.
func TestCloneChildListsAreIndependent(t *testing.T) {
	root, err := ParseString("a\n   x\nb\n   y\n", ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := root.Clone()
	c.Child(0).Add(New("x2", nil))
	c.Add(New("z", nil))
	if got, want := format(c), "a\r\n   x\r\n   x2\r\nb\r\n   y\r\nz\r\n"; got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func format(n *Node) string { return Format(n.Children(), FormatOptions{}) }

func TestMoveChildren(t *testing.T) {
	root, err := ParseString("a\n   x\n   y\nb\n   z\n", ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := root.Child(0), root.Child(1)
	b.MoveChildren(a)
	if got, want := format(root), "a\r\nb\r\n   z\r\n   x\r\n   y\r\n"; got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, c := range b.Children() {
		if c.Parent() != b {
			t.Fatalf("%s has the wrong parent", c.Name)
		}
	}
	a.Add(New("w", nil)) // a's emptied list is still usable
	defer func() {
		if recover() == nil {
			t.Fatal("moving a node's children under its own child did not panic")
		}
	}()
	b.Child(0).MoveChildren(b)
}

// A template's copies are equal to the template, independent of it and of
// each other, and take one more child at the root (a call's arguments)
// without disturbing any other list.
func TestTemplateClone(t *testing.T) {
	for _, src := range []string{"", "a\n", "a\n   x\nb\n   y\n      z\n", "a\n   x\n"} {
		root, err := ParseString(src, ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tpl := NewTemplate(root)
		want := format(root)
		c1, c2 := tpl.Clone(), tpl.Clone()
		if got := format(c1); got != want {
			t.Fatalf("%q: copy %q", src, got)
		}
		if c1.Parent() != nil {
			t.Fatal("a copy has a parent")
		}
		mutate := func(c *Node) {
			c.Insert(0, New(".arguments", nil, New("n", int32(1))))
			c.Add(New("tail", nil))
			if c.Len() > 2 {
				c.Child(1).Add(New("deeper", nil))
			}
		}
		plain := root.Clone()
		mutate(c1)
		mutate(plain)
		if got, want := format(c1), format(plain); got != want {
			t.Fatalf("%q: mutated copy\n%s\nwant\n%s", src, got, want)
		}
		if got := format(tpl.Root()); got != want {
			t.Fatalf("%q: the template changed to %q", src, got)
		}
		if got := format(c2); got != want {
			t.Fatalf("%q: a sibling copy changed to %q", src, got)
		}
		for _, c := range c1.Children() {
			if c.Parent() != c1 {
				t.Fatalf("%q: %s has the wrong parent", src, c.Name)
			}
		}
	}
}

// Identical takes two trees for one only when nothing could tell them
// apart: every value type, scale, expression, position and child counts.
func TestIdentical(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"a:int:1\n   b:x:@.c/*\n   .:bytes:AQI=\n", "a:int:1\n   b:x:@.c/*\n   .:bytes:AQI=\n", true},
		{"a:date:\"2026-12-05T10:00:00Z\"\n", "a:date:\"2026-12-05T10:00:00Z\"\n", true},
		{"a:decimal:1.5\n", "a:decimal:1.5\n", true},
		{"a:int:1\n", "a:long:1\n", false},
		{"a:decimal:1.0\n", "a:decimal:1.00\n", false},
		{"a:x:@.c\n", "a:x:@.d\n", false},
		{"a:bytes:AQI=\n", "a:bytes:AQM=\n", false},
		{"a\n   b\n", "a\n   b\n   c\n", false},
		{"a\n   b\n", "a\n   c\n", false},
		{"a:1\n", "a:\"1\"\n", true},
		{"a:1\n", "a:2\n", false},
		{"a\n", "\na\n", false}, // another line: errors would name another place
		{"a:date:\"2026-12-05T10:00:00Z\"\n", "a:date:\"2026-12-05T10:00:00\"\n", false},
	} {
		a, err := ParseString(c.a, ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseString(c.b, ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := Identical(a, b); got != c.want {
			t.Errorf("Identical(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	// A node value is identical only to itself.
	held := New("h", nil)
	if !Identical(New("a", held), New("a", held)) || Identical(New("a", held), New("a", New("h", nil))) {
		t.Error("node values: the same node is identical, a copy is not")
	}
	// A value type it does not know is never taken for another.
	type opaque struct{ v int }
	if Identical(New("a", opaque{1}), New("a", opaque{1})) {
		t.Error("an unknown value type was taken as identical")
	}
}
