package compiler

import (
	"testing"

	"hlstudio/hyperlambda"
)

func TestSimilarity(t *testing.T) {
	parse := func(s string) *hyperlambda.Node {
		n, err := hyperlambda.ParseString(s, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	base := ".a:int:1\nif\n   eq\n      .:x\n      .:y\n   .lambda\n      return:yes\n"
	cases := []struct {
		name, other string
		distance    int
	}{
		{"equal", base, 0},
		{"one value changed", ".a:int:2\nif\n   eq\n      .:x\n      .:y\n   .lambda\n      return:yes\n", 1},
		{"a type changed", ".a:long:1\nif\n   eq\n      .:x\n      .:y\n   .lambda\n      return:yes\n", 1},
		{"a leaf dropped", ".a:int:1\nif\n   eq\n      .:x\n   .lambda\n      return:yes\n", 1},
		{"an inner node dropped, children lifted", ".a:int:1\nif\n   eq\n      .:x\n      .:y\n   return:yes\n", 1},
		{"a node added at the end", base + "return:done\n", 1},
		{"two siblings swapped", ".a:int:1\nif\n   eq\n      .:y\n      .:x\n   .lambda\n      return:yes\n", 2},
		{"empty", "", 7},
	}
	a := parse(base)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := parse(c.other)
			if d := editDistance(postorder(a), postorder(b)); d != c.distance {
				t.Errorf("distance %d, want %d", d, c.distance)
			}
			if d := editDistance(postorder(b), postorder(a)); d != c.distance {
				t.Errorf("reverse distance %d, want %d (must be symmetric)", d, c.distance)
			}
			want := 1 - float64(c.distance)/float64(max(7, countNodes(b)))
			if s := Similarity(a, b); s != want {
				t.Errorf("similarity %v, want %v", s, want)
			}
		})
	}
}

func countNodes(root *hyperlambda.Node) int {
	n := 0
	root.Walk(func(*hyperlambda.Node) bool { n++; return true })
	return n - 1 // not the synthetic root
}
