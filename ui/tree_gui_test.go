package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// desktopDriver answers CanvasForObject as the desktop driver does: only
// for objects a frame has drawn (walked while visible), nil for the rest,
// e.g. a find bar never shown yet or the widget.Tree embedded in nodeTree
// (drawn as the nodeTree). The test driver answers the last window's
// canvas for any object, which hides focus bugs the desktop shows.
type desktopDriver struct {
	fyne.Driver
	drawn map[fyne.CanvasObject]fyne.Canvas
	at    map[fyne.CanvasObject]fyne.Position // where the last frame drew it
}

func (d *desktopDriver) CanvasForObject(o fyne.CanvasObject) fyne.Canvas { return d.drawn[o] }

// frame draws every window: what is visible now gets its canvas, what is
// not loses it (the desktop driver forgets it after a while).
func (d *desktopDriver) frame() {
	clear(d.at)
	clear(d.drawn)
	for _, w := range d.AllWindows() {
		c := w.Canvas()
		var walk func(o fyne.CanvasObject, parent fyne.Position)
		walk = func(o fyne.CanvasObject, parent fyne.Position) {
			if o == nil || !o.Visible() {
				return
			}
			d.drawn[o] = c
			pos := parent.Add(o.Position())
			d.at[o] = pos
			switch o := o.(type) {
			case *fyne.Container:
				for _, child := range o.Objects {
					walk(child, pos)
				}
			case fyne.Widget:
				for _, child := range test.WidgetRenderer(o).Objects() {
					walk(child, pos)
				}
			}
		}
		walk(c.Content(), fyne.Position{})
		for _, o := range c.Overlays().List() {
			walk(o, fyne.Position{})
		}
	}
}

// absY is where the last frame drew an object on the canvas.
func (d *desktopDriver) absY(t *testing.T, o fyne.CanvasObject) float32 {
	t.Helper()
	p, ok := d.at[o]
	if !ok {
		t.Fatalf("%T was not drawn", o)
	}
	return p.Y
}

type desktopApp struct {
	fyne.App
	d *desktopDriver
}

func (a *desktopApp) Driver() fyne.Driver { return a.d }

// useDesktopDriver makes a test app whose driver finds canvases as the
// desktop driver does; call frame after each step, as a window repaints.
func useDesktopDriver(t *testing.T) *desktopDriver {
	t.Helper()
	return wrapDriver(test.NewTempApp(t))
}

// wrapDriver gives the current test app a desktopDriver.
func wrapDriver(a fyne.App) *desktopDriver {
	d := &desktopDriver{Driver: a.Driver(), drawn: map[fyne.CanvasObject]fyne.Canvas{}, at: map[fyne.CanvasObject]fyne.Position{}}
	fyne.SetCurrentApp(&desktopApp{App: a, d: d})
	return d
}

// desktopView is an editor view in a window drawn once, with the
// desktop driver's canvas lookup.
func desktopView(t *testing.T, src string, size fyne.Size) (*EditorView, fyne.Window, *desktopDriver) {
	t.Helper()
	d := useDesktopDriver(t)
	w := test.NewTempWindow(t, nil)
	v := NewEditorView(w, mustDoc(t, src, "pure"))
	w.SetContent(v)
	w.Resize(size)
	d.frame()
	return v, w, d
}

// clickRow clicks the middle of the row showing name, where the desktop
// driver would deliver the click: the topmost tappable there.
func clickRow(t *testing.T, w fyne.Window, d *desktopDriver, name string) {
	t.Helper()
	for o, at := range d.at {
		if r, ok := o.(*nodeRow); ok && r.name.Text == name {
			test.TapCanvas(w.Canvas(), at.Add(fyne.NewPos(r.Size().Width/2, r.Size().Height/2)))
			d.frame()
			return
		}
	}
	t.Fatalf("no row drawn shows %q", name)
}

// key types a key into whatever has the focus, as the window does.
func key(t *testing.T, w fyne.Window, name fyne.KeyName) {
	t.Helper()
	f := w.Canvas().Focused()
	if f == nil {
		t.Fatalf("%s: nothing has the focus", name)
	}
	f.TypedKey(&fyne.KeyEvent{Name: name})
}

// typeText types into whatever has the focus, as the window does.
func typeText(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	f := w.Canvas().Focused()
	if f == nil {
		t.Fatalf("typing %q: nothing has the focus", text)
	}
	for _, r := range text {
		f.TypedRune(r)
	}
}

func selectedName(e *TreeEditor) string {
	if n := e.doc.Node(e.Selected()); n != nil && e.Selected() != RootID {
		return n.Name
	}
	return ""
}

// Clicking a row gives the tree the keyboard, also when the row was
// selected already and another widget (the inspector's type) had it.
func TestTreeClickFocusesTree(t *testing.T) {
	v, w, d := desktopView(t, sampleHL, fyne.NewSize(1000, 600))
	clickRow(t, w, d, ".a")
	if w.Canvas().Focused() != v.Tree.tree {
		t.Fatalf("after a click the focus is on %T, not the tree", w.Canvas().Focused())
	}
	if selectedName(v.Tree) != ".a" {
		t.Fatalf("the click selected %q", selectedName(v.Tree))
	}
	key(t, w, fyne.KeyDown)
	if selectedName(v.Tree) != ".x" {
		t.Fatalf("Down after a click selected %q", selectedName(v.Tree))
	}
	for _, again := range []string{".x", ".b"} { // the selected row, then another
		w.Canvas().Focus(v.Inspector.typ)
		d.frame()
		clickRow(t, w, d, again)
		if w.Canvas().Focused() != v.Tree.tree {
			t.Fatalf("clicking %s left the focus on %T", again, w.Canvas().Focused())
		}
	}
	key(t, w, fyne.KeyDown)
	if selectedName(v.Tree) != ".c" {
		t.Fatalf("Down selected %q", selectedName(v.Tree))
	}
	if len(w.Canvas().Overlays().List()) != 0 {
		t.Fatalf("Down opened a pop-up (the type list?)")
	}
	if v.Inspector.typ.Selected != NoValue {
		t.Fatalf("the type became %q", v.Inspector.typ.Selected)
	}
	key(t, w, fyne.KeyDelete)
	if joinLines(v.Doc.Text()) != ".a|   .x:int:1|.b" {
		t.Fatalf("Delete after a click: %s", joinLines(v.Doc.Text()))
	}

	// A click on a branch's arrow (collapsing .a) focuses the tree too.
	w.Canvas().Focus(v.Inspector.name)
	d.frame()
	var arrow fyne.CanvasObject
	for o, at := range d.at {
		if fmt.Sprintf("%T", o) == "*widget.branchIcon" && (arrow == nil || at.Y < d.at[arrow].Y) {
			arrow = o
		}
	}
	if arrow == nil {
		t.Fatal("no branch arrow drawn")
	}
	test.TapCanvas(w.Canvas(), d.at[arrow].Add(fyne.NewPos(2, 2)))
	if v.Tree.tree.IsBranchOpen(byPath(t, v.Doc, "/0")) {
		t.Fatal("the arrow did not close .a")
	}
	if w.Canvas().Focused() != v.Tree.tree {
		t.Fatalf("after a click on an arrow the focus is on %T", w.Canvas().Focused())
	}
}

// The first Ctrl+F puts the cursor in the find bar; Escape and ✕ close it,
// give the tree the keyboard back and leave no gap above the tree.
func TestTreeFindBarFocusAndClose(t *testing.T) {
	v, w, d := desktopView(t, sampleHL, fyne.NewSize(1000, 600))
	e := v.Tree
	top := d.absY(t, e.tree)
	clickRow(t, w, d, ".b")
	for _, closeWith := range []string{"Escape", "✕"} {
		w.Canvas().(fyne.Shortcutable).TypedShortcut(ctrl(fyne.KeyF))
		d.frame()
		if w.Canvas().Focused() != e.find {
			t.Fatalf("Ctrl+F (before %s) put the focus on %T, not the find entry", closeWith, w.Canvas().Focused())
		}
		if h := e.findBar.Size().Height; h < e.find.MinSize().Height {
			t.Fatalf("the find bar is %v high: not laid out", h)
		}
		if y := d.absY(t, e.tree); y < d.absY(t, e.findBar)+e.findBar.Size().Height {
			t.Fatalf("the tree (at %v) is under the find bar (at %v)", y, d.absY(t, e.findBar))
		}
		typeText(t, w, "c")
		if e.FindText() != "c" || selectedName(e) != ".c" {
			t.Fatalf("typing found %q, selected %q", e.FindText(), selectedName(e))
		}
		if closeWith == "Escape" {
			key(t, w, fyne.KeyEscape)
		} else {
			var x *widget.Button
			for _, o := range test.LaidOutObjects(e.findBar) {
				if b, ok := o.(*widget.Button); ok && b.Icon != nil && b.Icon.Name() == theme.CancelIcon().Name() {
					x = b
				}
			}
			if x == nil {
				t.Fatal("no ✕ button in the find bar")
			}
			test.Tap(x)
		}
		d.frame()
		if e.findBar.Visible() {
			t.Fatalf("%s left the find bar open", closeWith)
		}
		if w.Canvas().Focused() != e.tree {
			t.Fatalf("after %s the focus is on %T", closeWith, w.Canvas().Focused())
		}
		if y := d.absY(t, e.tree); y != top {
			t.Fatalf("after %s the tree starts at %v, not %v: a gap is left", closeWith, y, top)
		}
		e.find.SetText("")
	}
}

// rowShown reports whether the selected node's row is inside the tree's
// viewport.
func rowShown(t *testing.T, w fyne.Window, d *desktopDriver, e *TreeEditor) bool {
	t.Helper()
	top := d.absY(t, e.tree)
	bottom := top + e.tree.Size().Height
	for o, at := range d.at {
		if r, ok := o.(*nodeRow); ok && r.id == e.Selected() && at.Y >= top && at.Y+r.Size().Height <= bottom {
			return true
		}
	}
	return false
}

// Indenting and outdenting keep the moved node in view; Enter after F2
// gives the tree the keyboard back.
func TestTreeMovedNodeStaysInView(t *testing.T) {
	src := ".a\r\n"
	for i := 0; i < 30; i++ {
		src += "   .k\r\n"
	}
	src += ".b\r\n.c\r\n"
	v, w, d := desktopView(t, src, fyne.NewSize(900, 400))
	e := v.Tree
	e.Select(byPath(t, v.Doc, "/0/0"))
	w.Canvas().Focus(e.tree)
	d.frame()
	if !rowShown(t, w, d, e) {
		t.Fatal("the first child is not shown")
	}
	e.tree.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	key(t, w, fyne.KeyTab) // outdent: the node goes below the 29 others
	e.tree.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	d.frame()
	if got := v.Doc.Node(e.Selected()).Path(); got != "/1" {
		t.Fatalf("outdented to %s", got)
	}
	if !rowShown(t, w, d, e) {
		t.Fatal("the outdented node scrolled out of view")
	}
	e.tree.ScrollToTop()
	d.frame()
	key(t, w, fyne.KeyTab) // indent back: the last child of .a
	d.frame()
	if got := v.Doc.Node(e.Selected()).Path(); got != "/0/29" {
		t.Fatalf("indented to %s", got)
	}
	if !rowShown(t, w, d, e) {
		t.Fatal("the indented node scrolled out of view")
	}
	key(t, w, fyne.KeyF2)
	if w.Canvas().Focused() != v.Inspector.name {
		t.Fatalf("F2 focused %T", w.Canvas().Focused())
	}
	typeText(t, w, ".z") // the name is selected: typing replaces it
	key(t, w, fyne.KeyReturn)
	if w.Canvas().Focused() != e.tree {
		t.Fatalf("Enter after F2 left the focus on %T", w.Canvas().Focused())
	}
	if got := v.Doc.Node(e.Selected()).Name; got != ".z" {
		t.Fatalf("renamed to %q", got)
	}
	key(t, w, fyne.KeyDown)
	if selectedName(e) != ".b" {
		t.Fatalf("Down after the rename selected %q", selectedName(e))
	}

	// F2 with the source tab shown: the inspector, hidden, has no canvas.
	v.Tabs.SelectIndex(1)
	d.frame()
	key(t, w, fyne.KeyF2)
	if w.Canvas().Focused() != v.Inspector.name {
		t.Fatalf("F2 from the source tab focused %T", w.Canvas().Focused())
	}
}
