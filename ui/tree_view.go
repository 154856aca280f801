package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"hlstudio/hyperlambda"
)

// TreeView shows a lambda read-only as a tree (a run's executed lambda or
// its result): name, type and value per row. Node ids are child-index
// paths ("0/2/1"), so lookups walk at most the depth.
type TreeView struct {
	*widget.Tree
	root *hyperlambda.Node
}

// NewTreeView shows root's children.
func NewTreeView() *TreeView {
	v := &TreeView{root: hyperlambda.New("", nil)}
	v.Tree = widget.NewTree(v.childIDs, v.isBranch,
		func(bool) fyne.CanvasObject {
			l := widget.NewLabel("")
			l.TextStyle = fyne.TextStyle{Monospace: true}
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(rowText(v.node(id)))
		})
	return v
}

// SetRoot shows another lambda, opened fully when it is small.
func (v *TreeView) SetRoot(root *hyperlambda.Node) {
	if root == nil {
		root = hyperlambda.New("", nil)
	}
	v.root = root
	v.Tree.Refresh()
	n := 0
	root.Walk(func(*hyperlambda.Node) bool { n++; return n < 500 })
	if n < 500 {
		v.Tree.OpenAllBranches()
	}
}

func (v *TreeView) node(id widget.TreeNodeID) *hyperlambda.Node {
	n := v.root
	if id == "" {
		return n
	}
	for _, part := range strings.Split(id, "/") {
		i, err := strconv.Atoi(part)
		if err != nil || n.Child(i) == nil {
			return nil
		}
		n = n.Child(i)
	}
	return n
}

func (v *TreeView) childIDs(id widget.TreeNodeID) []widget.TreeNodeID {
	n := v.node(id)
	if n == nil {
		return nil
	}
	ids := make([]widget.TreeNodeID, n.Len())
	for i := range ids {
		if id == "" {
			ids[i] = strconv.Itoa(i)
		} else {
			ids[i] = id + "/" + strconv.Itoa(i)
		}
	}
	return ids
}

func (v *TreeView) isBranch(id widget.TreeNodeID) bool {
	n := v.node(id)
	return n != nil && n.Len() > 0
}

// rowText is a node as one line of Hyperlambda: name, then :type:value.
func rowText(n *hyperlambda.Node) string {
	if n == nil {
		return ""
	}
	line := hyperlambda.Format([]*hyperlambda.Node{hyperlambda.New(n.Name, n.Value)}, hyperlambda.FormatOptions{})
	return strings.TrimRight(line, "\r\n")
}
