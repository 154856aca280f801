package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// In a 1280×800 window every toolbar button is in view without scrolling,
// and the ⋮ menu names every action, so each can be reached with the
// mouse.
func TestTreeToolbarFitsAt1280(t *testing.T) {
	s, _, w := newTestStudio(t)
	d := wrapDriver(fyne.CurrentApp())
	d.frame()
	e := s.Editor.Tree
	var bar *container.Scroll
	for _, o := range test.LaidOutObjects(e.top) {
		if sc, ok := o.(*container.Scroll); ok && sc.Content == e.toolbar {
			bar = sc
		}
	}
	if bar == nil {
		t.Fatal("no toolbar")
	}
	if need, have := e.toolbar.MinSize().Width, bar.Size().Width; need > have {
		t.Fatalf("the toolbar needs %v wide and has %v: scrolled sideways", need, have)
	}
	right := d.at[e.more].X + e.more.Size().Width
	if !e.more.Visible() || right > d.at[e.tree].X+e.tree.Size().Width {
		t.Fatalf("the menu button ends at %v, past the tree pane", right)
	}

	// The menu names every action.
	named := map[Action]bool{}
	for _, ta := range treeActions {
		if ta.label != "" {
			named[ta.action] = true
		}
	}
	for a := ActAddChild; a <= ActCollapseAll; a++ {
		if !named[a] {
			t.Errorf("action %d is not in the menu", a)
		}
	}

	// ⋮ then "Collapse all": a menu item acts on the tree.
	s.Doc.Reset(mustDoc(t, sampleHL, "pure").Root())
	e.Do(ActExpandAll)
	branch := byPath(t, s.Doc, "/0")
	test.Tap(e.more)
	d.frame()
	if len(w.Canvas().Overlays().List()) != 1 {
		t.Fatal("⋮ showed no menu")
	}
	tapText(t, w, d, "Collapse all")
	if e.tree.IsBranchOpen(branch) {
		t.Fatal("Collapse all from the menu left /0 open")
	}
	if len(w.Canvas().Overlays().List()) != 0 {
		t.Fatal("the menu stayed open")
	}
}

// tapText clicks the drawn text (a menu item's label).
func tapText(t *testing.T, w fyne.Window, d *desktopDriver, text string) {
	t.Helper()
	for o, at := range d.at {
		if tx, ok := o.(*canvas.Text); ok && tx.Text == text {
			test.TapCanvas(w.Canvas(), at.Add(fyne.NewPos(1, 1)))
			d.frame()
			return
		}
	}
	t.Fatalf("no %q drawn", text)
}
