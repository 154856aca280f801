package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// A node added with Enter or Ctrl+Enter is named by typing: its name is
// selected in the name field, Enter keeps what was typed and gives the
// tree the keyboard back, Escape keeps .new and leaves no rename step.
func TestTreeNewNodeStartsInRename(t *testing.T) {
	v, w, d := desktopView(t, sampleHL, fyne.NewSize(1000, 600))
	e := v.Tree
	clickRow(t, w, d, ".b")

	key(t, w, fyne.KeyReturn) // a sibling after .b
	d.frame()
	if got := v.Doc.Node(e.Selected()).Path(); got != "/2" || selectedName(e) != NewNodeName {
		t.Fatalf("Enter selected %q at %s", selectedName(e), got)
	}
	if w.Canvas().Focused() != v.Inspector.name {
		t.Fatalf("after Enter the focus is on %T, not the name field", w.Canvas().Focused())
	}
	typeText(t, w, ".hello") // replaces the selected .new
	key(t, w, fyne.KeyReturn)
	d.frame()
	if selectedName(e) != ".hello" {
		t.Fatalf("typing named the node %q", selectedName(e))
	}
	if w.Canvas().Focused() != e.tree {
		t.Fatalf("Enter in the name left the focus on %T", w.Canvas().Focused())
	}
	if n := v.Doc.UndoName(); n != "rename" {
		t.Fatalf("the last step is %q", n)
	}

	// Ctrl+Enter: a child of .hello; Escape cancels the typing.
	e.tree.TypedShortcut(ctrl(fyne.KeyReturn))
	d.frame()
	if w.Canvas().Focused() != v.Inspector.name {
		t.Fatalf("after Ctrl+Enter the focus is on %T, not the name field", w.Canvas().Focused())
	}
	typeText(t, w, ".oops")
	if selectedName(e) != ".oops" {
		t.Fatalf("typing showed %q", selectedName(e))
	}
	key(t, w, fyne.KeyEscape)
	d.frame()
	if got := v.Doc.Node(e.Selected()).Path(); got != "/2/0" || selectedName(e) != NewNodeName {
		t.Fatalf("after Escape the node is %q at %s", selectedName(e), got)
	}
	if v.Inspector.name.Text != NewNodeName {
		t.Fatalf("after Escape the name field shows %q", v.Inspector.name.Text)
	}
	if w.Canvas().Focused() != e.tree {
		t.Fatalf("Escape left the focus on %T", w.Canvas().Focused())
	}
	if n := v.Doc.UndoName(); n != "add child" || v.Doc.CanRedo() {
		t.Fatalf("after Escape the last step is %q (redo: %v)", n, v.Doc.CanRedo())
	}
	if got := joinLines(v.Doc.Text()); got != ".a|   .x:int:1|.b|.hello|   .new|.c|   .y" {
		t.Fatalf("tree %s", got)
	}

	// The keys go on working on the tree: Down selects the next node.
	key(t, w, fyne.KeyDown)
	if selectedName(e) != ".c" {
		t.Fatalf("Down after Escape selected %q", selectedName(e))
	}

	// F2, typing and Escape put the old name back too.
	key(t, w, fyne.KeyF2)
	typeText(t, w, ".d")
	key(t, w, fyne.KeyEscape)
	if selectedName(e) != ".c" || w.Canvas().Focused() != e.tree {
		t.Fatalf("F2 and Escape: %q, focus on %T", selectedName(e), w.Canvas().Focused())
	}
}
