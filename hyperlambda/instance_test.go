package hyperlambda

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomTree builds a tree of about size nodes with assorted values
// (byte values among them unless plain).
func randomTree(rng *rand.Rand, size int, plain bool) *Node {
	root := New("root", nil)
	all := []*Node{root}
	for i := 1; i < size; i++ {
		var v any
		kinds := 4
		if plain {
			kinds = 2
		}
		switch rng.IntN(kinds) {
		case 0:
			v = int32(rng.IntN(1000))
		case 1:
			v = fmt.Sprint("s", i)
		case 2:
			v = []byte{byte(i)}
		}
		n := New(fmt.Sprint("n", i), v)
		all[rng.IntN(len(all))].Add(n)
		all = append(all, n)
	}
	return root
}

func nodesOf(root *Node) []*Node {
	var out []*Node
	root.Walk(func(n *Node) bool { out = append(out, n); return true })
	return out
}

// checkLinks asserts every child's parent is the node holding it.
func checkLinks(t *testing.T, root *Node) {
	t.Helper()
	root.Walk(func(n *Node) bool {
		for _, c := range n.Children() {
			if c.Parent() != n {
				t.Fatalf("child %s of %s has parent %v", c.Name, n.Name, c.Parent())
			}
		}
		return true
	})
}

// Whatever a call did to its copy with the node API (values and names
// changed, nodes removed, moved within the copy, cleared, foreign nodes
// added), Reset gives the template back in the same nodes, and the
// foreign nodes lose their way into the copy.
func TestInstanceReset(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 600; round++ {
		// Templates with and without byte values (which a copy owns,
		// and Reset copies again): both are exercised.
		plain := round%2 == 0
		tmpl := randomTree(rng, 2+rng.IntN(40), plain)
		want := Format([]*Node{tmpl}, FormatOptions{})
		tp := NewTemplate(tmpl)
		inst := tp.Instance()
		if plain && inst.fresh == nil {
			t.Fatal("a plain template's copy has no snapshot")
		}
		original := map[*Node]bool{}
		for _, n := range nodesOf(inst.Root()) {
			original[n] = true
			if !inst.Owns(n) {
				t.Fatalf("Owns(%s) = false for a node of the copy", n.Name)
			}
		}
		if got := Format([]*Node{inst.Root()}, FormatOptions{}); got != want {
			t.Fatalf("fresh copy:\n%s\nwant:\n%s", got, want)
		}
		for use := 0; use < 3; use++ {
			var foreign []*Node
			for k := 0; k < 1+rng.IntN(8); k++ {
				live := nodesOf(inst.Root())
				n := live[rng.IntN(len(live))]
				switch rng.IntN(7) {
				case 0:
					n.Value = rng.Int()
				case 1:
					n.Name = "renamed"
				case 2:
					n.Detach()
				case 3:
					f := New("foreign", 1, New("below", 2))
					foreign = append(foreign, f)
					n.Insert(rng.IntN(n.Len()+1), f)
				case 4:
					if m := live[rng.IntN(len(live))]; m != n && !isAncestor(m, n) {
						n.Add(m)
					}
				case 5:
					n.Clear()
				case 6:
					if n.Parent() != nil {
						n.Parent().Insert(0, n) // moved first among its siblings
					}
				}
			}
			inst.Reset()
			if got := Format([]*Node{inst.Root()}, FormatOptions{}); got != want {
				t.Fatalf("round %d use %d:\n%s\nwant:\n%s", round, use, got, want)
			}
			checkLinks(t, inst.Root())
			for _, n := range nodesOf(inst.Root()) {
				if !original[n] {
					t.Fatalf("node %s of the reset copy is not one the copy started with", n.Name)
				}
			}
			if len(nodesOf(inst.Root())) != len(original) {
				t.Fatalf("reset copy has %d nodes, want %d", len(nodesOf(inst.Root())), len(original))
			}
			for _, f := range foreign {
				if p := f.Parent(); p != nil && original[p] {
					t.Fatalf("a foreign node still has a parent in the copy")
				}
			}
		}
	}
}

func isAncestor(a, n *Node) bool {
	for p := n; p != nil; p = p.Parent() {
		if p == a {
			return true
		}
	}
	return false
}

func TestInstanceOwns(t *testing.T) {
	inst := NewTemplate(New("a", nil, New("b", nil))).Instance()
	other := NewTemplate(New("a", nil, New("b", nil))).Instance()
	for _, c := range []struct {
		n    *Node
		want bool
	}{
		{inst.Root(), true}, {inst.Root().Child(0), true},
		{other.Root(), false}, {other.Root().Child(0), false}, {New("x", nil), false}, {nil, false},
	} {
		if got := inst.Owns(c.n); got != c.want {
			t.Errorf("Owns(%v) = %v, want %v", c.n, got, c.want)
		}
	}
}

// A copy made over keeps its byte values its own: a call changing one
// in place cannot change the template or the next call's value.
func TestInstanceResetCopiesBytes(t *testing.T) {
	tp := NewTemplate(New("a", []byte("xy")))
	inst := tp.Instance()
	inst.Root().Value.([]byte)[0] = 'z'
	inst.Reset()
	if got := string(inst.Root().Value.([]byte)); got != "xy" {
		t.Fatalf("value after reset %q, want xy", got)
	}
	if got := string(tp.Root().Value.([]byte)); got != "xy" {
		t.Fatalf("template changed to %q", got)
	}
}

// A template holding a node value (a reference to an ancestor, as
// [.dp] or [reference] make) is copied in full on Reset: the copy's value
// refers to the copy's own node, as with Clone.
func TestInstanceResetNodeValues(t *testing.T) {
	root := New("a", nil, New("b", nil))
	root.Child(0).Value = root
	inst := NewTemplate(root).Instance()
	for round := 0; round < 2; round++ {
		got, ok := inst.Root().Child(0).Value.(*Node)
		if !ok || got != inst.Root() {
			t.Fatalf("round %d: value %v, want the copy's own root", round, inst.Root().Child(0).Value)
		}
		inst.Root().Child(0).Value = nil
		inst.Reset()
	}
}
