package compiler

import (
	"encoding/json"
	"fmt"

	"hlstudio/hyperlambda"
)

// RowsToTree rebuilds a tree from decoded rows (see DecodeRows): each row
// is a node, its depth says where it hangs. A value that does not convert
// to its row's type is an error naming the row, fed back to the model.
func RowsToTree(rows []Row) (*hyperlambda.Node, error) {
	root := hyperlambda.New("", nil)
	stack := []*hyperlambda.Node{root} // stack[d] is the parent of depth-d rows
	for i, r := range rows {
		if r.Depth+1 > len(stack) {
			return nil, &RowsError{Row: i, Reason: fmt.Sprintf("depth %d has no parent", r.Depth)}
		}
		var v any
		switch {
		case r.Type == "" && r.Value == "":
			v = nil // a bare name, as `name` in Hyperlambda
		case r.Type == "" || r.Type == "string":
			v = r.Value
		default:
			var err error
			if v, err = hyperlambda.ConvertText(r.Value, r.Type); err != nil {
				return nil, &RowsError{Row: i, Reason: fmt.Sprintf("value %q is not a %s: %v", r.Value, r.Type, err)}
			}
		}
		n := hyperlambda.New(r.Name, v)
		stack = stack[:r.Depth+1]
		stack[r.Depth].Add(n)
		stack = append(stack, n)
	}
	return root, nil
}

// TreeToRows is the inverse of RowsToTree, for few-shot examples in tree
// mode: the model sees its own output format.
func TreeToRows(root *hyperlambda.Node) []Row {
	var rows []Row
	var walk func(n *hyperlambda.Node, depth int)
	walk = func(n *hyperlambda.Node, depth int) {
		for _, c := range n.Children() {
			row := Row{Depth: depth, Name: c.Name}
			if c.Value != nil {
				typ, text, err := hyperlambda.ValueText(c.Value)
				if err == nil {
					row.Type, row.Value = typ, text
				}
				if s, ok := c.Value.(string); ok {
					row.Type, row.Value = "", s
					if s == "" {
						row.Type = "string" // "" with no type reads back as no value
					}
				}
			}
			rows = append(rows, row)
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return rows
}

// RowsJSON is Hyperlambda code as tree-mode JSON; code that does not
// parse is returned as it is (an example is data, not a reason to fail).
func RowsJSON(code string) string {
	root, err := hyperlambda.ParseString(code, hyperlambda.ParseOptions{})
	if err != nil {
		return code
	}
	b, _ := json.Marshal(Rows{Rows: TreeToRows(root)})
	return string(b)
}
