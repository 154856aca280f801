package compiler

import "hlstudio/hyperlambda"

// Similarity compares two trees structurally: 1 minus their tree edit
// distance (insert, delete, relabel a node, each costing 1; Zhang and
// Shasha's algorithm over ordered trees) divided by the larger tree's
// size. 1 means equal, 0 nothing in common. A node's label is its name,
// type and value, so a changed value counts as one edit.
func Similarity(a, b *hyperlambda.Node) float64 {
	ta, tb := postorder(a), postorder(b)
	n := max(len(ta.labels), len(tb.labels))
	if n == 0 {
		return 1
	}
	return 1 - float64(editDistance(ta, tb))/float64(n)
}

// ordered is a forest in post-order: labels, and for each node the index
// of its leftmost leaf descendant; keyroots per Zhang-Shasha.
type ordered struct {
	labels   []string
	leftmost []int
	keyroots []int
}

// postorder numbers the children of root (the synthetic root of a parsed
// tree is not a node of the program).
func postorder(root *hyperlambda.Node) ordered {
	var t ordered
	var walk func(n *hyperlambda.Node) int
	walk = func(n *hyperlambda.Node) int {
		first := -1
		for _, c := range n.Children() {
			l := walk(c)
			if first < 0 {
				first = l
			}
		}
		i := len(t.labels)
		if first < 0 {
			first = i
		}
		t.labels = append(t.labels, label(n))
		t.leftmost = append(t.leftmost, first)
		return first
	}
	for _, c := range root.Children() {
		walk(c)
	}
	// A keyroot is a node with no later node sharing its leftmost leaf.
	seen := map[int]bool{}
	for i := len(t.labels) - 1; i >= 0; i-- {
		if !seen[t.leftmost[i]] {
			seen[t.leftmost[i]] = true
			t.keyroots = append([]int{i}, t.keyroots...)
		}
	}
	return t
}

func label(n *hyperlambda.Node) string {
	if n.Value == nil {
		return n.Name
	}
	typ, text, err := hyperlambda.ValueText(n.Value)
	if err != nil {
		text = hyperlambda.StringOf(n.Value)
	}
	return n.Name + "\x00" + typ + "\x00" + text
}

// editDistance is Zhang-Shasha's tree edit distance with unit costs,
// treating each forest as the children of a virtual root.
func editDistance(a, b ordered) int {
	na, nb := len(a.labels), len(b.labels)
	if na == 0 || nb == 0 {
		return na + nb
	}
	td := make([][]int, na)
	for i := range td {
		td[i] = make([]int, nb)
	}
	fd := make([][]int, na+1)
	for i := range fd {
		fd[i] = make([]int, nb+1)
	}
	for _, i := range a.keyroots {
		for _, j := range b.keyroots {
			li, lj := a.leftmost[i], b.leftmost[j]
			// fd[x][y] is the distance between forests a[li..li+x-1] and b[lj..lj+y-1].
			fd[0][0] = 0
			for x := 1; x <= i-li+1; x++ {
				fd[x][0] = fd[x-1][0] + 1
			}
			for y := 1; y <= j-lj+1; y++ {
				fd[0][y] = fd[0][y-1] + 1
			}
			for x := 1; x <= i-li+1; x++ {
				for y := 1; y <= j-lj+1; y++ {
					ai, bj := li+x-1, lj+y-1
					del, ins := fd[x-1][y]+1, fd[x][y-1]+1
					if a.leftmost[ai] == li && b.leftmost[bj] == lj {
						cost := 0
						if a.labels[ai] != b.labels[bj] {
							cost = 1
						}
						fd[x][y] = min(del, ins, fd[x-1][y-1]+cost)
						td[ai][bj] = fd[x][y]
					} else {
						px, py := a.leftmost[ai]-li, b.leftmost[bj]-lj
						fd[x][y] = min(del, ins, fd[px][py]+td[ai][bj])
					}
				}
			}
		}
	}
	// The forests hang under virtual roots: one more keyroot pass over the
	// whole forests, which is the same recurrence from leftmost 0.
	fd[0][0] = 0
	for x := 1; x <= na; x++ {
		fd[x][0] = x
	}
	for y := 1; y <= nb; y++ {
		fd[0][y] = y
	}
	for x := 1; x <= na; x++ {
		for y := 1; y <= nb; y++ {
			ai, bj := x-1, y-1
			del, ins := fd[x-1][y]+1, fd[x][y-1]+1
			px, py := a.leftmost[ai], b.leftmost[bj]
			fd[x][y] = min(del, ins, fd[px][py]+td[ai][bj])
		}
	}
	return fd[na][nb]
}
