package ui

import (
	"math"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// checkRowDepths fails unless every row drawn shows its node at the
// node's depth in the document: widget.Tree indents a row by its depth,
// and a stale indent draws a child as a top-level node or the reverse.
func checkRowDepths(t *testing.T, v *EditorView, d *desktopDriver, step string) {
	t.Helper()
	e := v.Tree
	th := e.tree.Theme()
	pad, icon := th.Size(theme.SizeNamePadding), th.Size(theme.SizeNameInlineIcon)
	treeX := d.at[e.tree].X
	shown := 0
	for o, at := range d.at {
		r, ok := o.(*nodeRow)
		if !ok || r.id == RootID {
			continue
		}
		n := v.Doc.Node(r.id)
		if n == nil {
			t.Errorf("%s: a row shows %s, which is not in the document", step, r.id)
			continue
		}
		want := strings.Count(n.Path(), "/") - 1
		got := (at.X - treeX - 2*pad - icon) / (icon + pad)
		if math.Abs(float64(got)-float64(want)) > 0.01 {
			t.Errorf("%s: %s (%s) is drawn at depth %.1f, the document has it at %d", step, n.Name, n.Path(), got, want)
		}
		shown++
	}
	if shown == 0 {
		t.Fatalf("%s: no row drawn", step)
	}
}

// Tab, Shift+Tab and the moves redraw the moved rows at their new depth,
// also after scrolling: widget.Tree keeps a drawn row per node id and
// only sets its indent when it first draws the id.
func TestTreeRowsFollowIndentOutdent(t *testing.T) {
	src, err := os.ReadFile("../assets/samples/sum.hl")
	if err != nil {
		t.Fatal(err)
	}
	v, w, d := desktopView(t, string(src), fyne.NewSize(1000, 700))
	e := v.Tree
	checkRowDepths(t, v, d, "opened")
	shift := func(down bool) {
		ev := &fyne.KeyEvent{Name: desktop.KeyShiftLeft}
		if down {
			e.tree.KeyDown(ev)
		} else {
			e.tree.KeyUp(ev)
		}
	}

	clickRow(t, w, d, "return")
	key(t, w, fyne.KeyTab) // into math.add
	d.frame()
	if got := v.Doc.Node(e.Selected()).Path(); got != "/4/2" {
		t.Fatalf("Tab moved return to %s", got)
	}
	checkRowDepths(t, v, d, "Tab")

	shift(true)
	key(t, w, fyne.KeyTab) // back to the top level
	shift(false)
	d.frame()
	if got := v.Doc.Node(e.Selected()).Path(); got != "/5" {
		t.Fatalf("Shift+Tab moved return to %s", got)
	}
	checkRowDepths(t, v, d, "Shift+Tab")

	// The second get-value out of math.add, math.add closed: the moved
	// node must not look like a child of the closed branch.
	e.Select(byPath(t, v.Doc, "/4/1"))
	w.Canvas().Focus(e.tree)
	shift(true)
	key(t, w, fyne.KeyTab)
	shift(false)
	e.tree.CloseBranch(byPath(t, v.Doc, "/4"))
	d.frame()
	checkRowDepths(t, v, d, "Shift+Tab of a child, its old parent closed")

	for _, a := range []Action{ActMoveUp, ActIndent, ActMoveDown, ActOutdent, ActUndo, ActUndo, ActRedo} {
		e.Do(a)
		d.frame()
		checkRowDepths(t, v, d, "action "+treeActionName(a))
	}
	e.tree.OpenAllBranches()
	e.tree.ScrollToBottom()
	d.frame()
	e.tree.ScrollToTop()
	d.frame()
	checkRowDepths(t, v, d, "scrolled")
}

func treeActionName(a Action) string {
	for _, ta := range treeActions {
		if ta.action == a {
			return ta.label
		}
	}
	return "?"
}
