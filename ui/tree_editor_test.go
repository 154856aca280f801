package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/whitelist"
)

// editorWindow shows a tree editor of src in a test window with its
// shortcuts bound, the tree focused.
func editorWindow(t *testing.T, src, policy string) (*TreeEditor, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	e := NewTreeEditor(mustDoc(t, src, policy))
	w := test.NewTempWindow(t, e)
	w.Resize(fyne.NewSize(700, 500))
	e.BindShortcuts(w.Canvas())
	w.Canvas().Focus(e.tree)
	return e, w
}

// row finds the laid-out tree row showing a node name.
func treeRow(t *testing.T, w fyne.Window, name string) *nodeRow {
	t.Helper()
	for _, o := range test.LaidOutObjects(w.Content()) {
		if r, ok := o.(*nodeRow); ok && r.Visible() && r.name.Text == name {
			return r
		}
	}
	t.Fatalf("no row shows %q", name)
	return nil
}

func pressKey(w fyne.Window, name fyne.KeyName) {
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: name})
}

func TestEditorKeysAndShortcuts(t *testing.T) {
	type input struct {
		key      fyne.KeyName  // a plain key to the focused tree
		shift    bool          // with Shift held
		shortcut fyne.Shortcut // else a shortcut
	}
	for _, tc := range []struct {
		name  string
		path  string
		input []input
		want  string
	}{
		{"Enter adds a sibling", "/0", []input{{key: fyne.KeyReturn}}, ".a|   .x:int:1|.new|.b|.c|   .y"},
		{"Ctrl+Enter adds a child", "/1", []input{{shortcut: ctrl(fyne.KeyReturn)}}, ".a|   .x:int:1|.b|   .new|.c|   .y"},
		{"Delete", "/2", []input{{key: fyne.KeyDelete}}, ".a|   .x:int:1|.b"},
		{"Alt+Up", "/2", []input{{shortcut: alt(fyne.KeyUp)}}, ".a|   .x:int:1|.c|   .y|.b"},
		{"Alt+Down", "/0", []input{{shortcut: alt(fyne.KeyDown)}}, ".b|.a|   .x:int:1|.c|   .y"},
		{"Tab indents", "/1", []input{{key: fyne.KeyTab}}, ".a|   .x:int:1|   .b|.c|   .y"},
		{"Shift+Tab outdents", "/2/0", []input{{key: fyne.KeyTab, shift: true}}, ".a|   .x:int:1|.b|.c|.y"},
		{"Ctrl+C Ctrl+V", "/0", []input{{shortcut: &fyne.ShortcutCopy{}}, {shortcut: &fyne.ShortcutPaste{}}},
			".a|   .x:int:1|.a|   .x:int:1|.b|.c|   .y"},
		{"Ctrl+X Ctrl+Shift+V", "/0", []input{{shortcut: &fyne.ShortcutCut{}}, {shortcut: ctrlShift(fyne.KeyV)}},
			".b|   .a|      .x:int:1|.c|   .y"},
		{"Ctrl+D", "/2/0", []input{{shortcut: ctrl(fyne.KeyD)}}, ".a|   .x:int:1|.b|.c|   .y|   .y"},
		{"Ctrl+Z undoes", "/0", []input{{key: fyne.KeyDelete}, {key: fyne.KeyDelete}, {shortcut: &fyne.ShortcutUndo{}}},
			".b|.c|   .y"},
		{"Ctrl+Shift+Z redoes", "/0", []input{{key: fyne.KeyDelete}, {shortcut: &fyne.ShortcutUndo{}}, {shortcut: ctrlShift(fyne.KeyZ)}},
			".b|.c|   .y"},
		{"Ctrl+Y redoes", "/0", []input{{key: fyne.KeyDelete}, {shortcut: &fyne.ShortcutUndo{}}, {shortcut: &fyne.ShortcutRedo{}}},
			".b|.c|   .y"},
	} {
		// Shortcuts reach the editor through the focused tree and, with no
		// focus, through the window.
		for _, via := range []string{"tree", "window"} {
			t.Run(tc.name+" via "+via, func(t *testing.T) {
				e, w := editorWindow(t, sampleHL, "pure")
				e.Select(byPath(t, e.doc, tc.path))
				for _, in := range tc.input {
					switch {
					case in.shortcut != nil && via == "tree":
						e.tree.TypedShortcut(in.shortcut)
					case in.shortcut != nil:
						w.Canvas().Unfocus()
						w.Canvas().(fyne.Shortcutable).TypedShortcut(in.shortcut)
						w.Canvas().Focus(e.tree)
					case in.shift:
						e.tree.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
						pressKey(w, in.key)
						e.tree.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
					default:
						pressKey(w, in.key)
					}
				}
				if got := joinLines(e.doc.Text()); got != tc.want {
					t.Fatalf("got  %s\nwant %s", got, tc.want)
				}
				if e.Message() != "" {
					t.Fatalf("message %q", e.Message())
				}
			})
		}
	}
}

func TestEditorSelectionFollowsEdits(t *testing.T) {
	e, w := editorWindow(t, sampleHL, "pure")
	var seen []widget.TreeNodeID
	e.OnSelected(func(id widget.TreeNodeID) { seen = append(seen, id) })
	e.Do(ActExpandAll)
	e.Select(byPath(t, e.doc, "/0"))
	pressKey(w, fyne.KeyReturn)
	if n := e.doc.Node(e.Selected()); n == nil || n.Name != NewNodeName {
		t.Fatalf("the new sibling is not selected")
	}
	pressKey(w, fyne.KeyDown)
	if got := e.doc.Node(e.Selected()).Name; got != ".b" {
		t.Fatalf("Down selected %q", got)
	}
	pressKey(w, fyne.KeyUp)
	pressKey(w, fyne.KeyUp)
	if got := e.doc.Node(e.Selected()).Path(); got != "/0/0" {
		t.Fatalf("Up Up selected %s, want the open child /0/0", got)
	}
	pressKey(w, fyne.KeyDelete)
	e.Do(ActUndo)
	if got := e.doc.Node(e.Selected()).Name; got != ".x" {
		t.Fatalf("undo selected %q, want the restored .x", got)
	}
	if len(seen) < 5 {
		t.Fatalf("listeners saw %v", seen)
	}
	pressKey(w, fyne.KeyTab) // .x is a first child: refused, said why
	if e.Message() == "" || e.message.Importance != widget.DangerImportance {
		t.Fatalf("a refused indent said %q", e.Message())
	}
}

func TestEditorColoursByLabel(t *testing.T) {
	e, w := editorWindow(t, "if\r\n   .cond:bool:true\r\n   .lambda\r\n      .x:hello\r\n", "pure")
	e.Do(ActExpandAll)
	id := byPath(t, e.doc, "/0/1/0")
	if r := treeRow(t, w, ".x"); r.name.Importance != widget.MediumImportance || r.value.Text != "hello" || r.typ.Text != "string" {
		t.Fatalf("data row: %v %q %q", r.name.Importance, r.typ.Text, r.value.Text)
	}
	if r := treeRow(t, w, "if"); r.name.Importance != widget.SuccessImportance {
		t.Fatalf("allowed [if] drawn as %v", r.name.Importance)
	}
	for _, tc := range []struct {
		name  string
		label whitelist.Label
		imp   widget.Importance
	}{
		{"made.up.slot", whitelist.LabelUnknownSlot, widget.DangerImportance},
		{"log.info", whitelist.LabelDenied, widget.DangerImportance},
		{"strings.concat", whitelist.LabelAllowed, widget.SuccessImportance},
	} {
		e.doc.SetName(id, tc.name)
		r := treeRow(t, w, tc.name)
		if r.name.Importance != tc.imp {
			t.Errorf("%s: importance %v, want %v", tc.name, r.name.Importance, tc.imp)
		}
		if got, want := r.icon.Resource.Name(), LabelIcon(tc.label).Name(); got != want {
			t.Errorf("%s: icon %s, want %s", tc.name, got, want)
		}
	}
	for _, l := range []whitelist.Label{whitelist.LabelDenied, whitelist.LabelUnknownSlot} {
		if LabelColor(l) != "error" {
			t.Errorf("%v is drawn in %s", l, LabelColor(l))
		}
	}
}

func TestEditorFind(t *testing.T) {
	e, w := editorWindow(t, ".a\r\n   .x:int:1\r\n.b:alpha\r\n.c\r\n   .A\r\n", "pure")
	w.Canvas().(fyne.Shortcutable).TypedShortcut(ctrl(fyne.KeyF))
	if w.Canvas().Focused() != e.find {
		t.Fatalf("Ctrl+F did not focus the find entry")
	}
	test.Type(e.find, "a")
	if got := e.doc.Node(e.Selected()).Path(); got != "/0" {
		t.Fatalf("typing selected %s", got)
	}
	if e.Message() != "Match 1 of 3." {
		t.Fatalf("message %q", e.Message())
	}
	e.find.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.Canvas().Focus(e.tree)
	pressKey(w, fyne.KeyF3)
	if got := e.doc.Node(e.Selected()).Path(); got != "/2/0" {
		t.Fatalf("Enter, F3 selected %s, want the collapsed /2/0 opened", got)
	}
	e.tree.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftRight})
	pressKey(w, fyne.KeyF3)
	e.tree.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftRight})
	if got := e.doc.Node(e.Selected()).Path(); got != "/1" {
		t.Fatalf("Shift+F3 selected %s", got)
	}
	e.SetFindText("nothing like it")
	if e.message.Importance != widget.DangerImportance {
		t.Fatalf("no match said %q", e.Message())
	}
}

func TestEditorExpandCollapse(t *testing.T) {
	e, _ := editorWindow(t, sampleHL, "pure")
	e.Do(ActCollapseAll)
	a := byPath(t, e.doc, "/0")
	if e.tree.IsBranchOpen(a) {
		t.Fatal("collapse all left /0 open")
	}
	e.Do(ActExpandAll)
	if !e.tree.IsBranchOpen(a) {
		t.Fatal("expand all left /0 closed")
	}
}

func TestEditorPassesOtherShortcutsOn(t *testing.T) {
	e, w := editorWindow(t, sampleHL, "pure")
	quit := 0
	w.Canvas().AddShortcut(ctrl(fyne.KeyQ), func(fyne.Shortcut) { quit++ })
	e.tree.TypedShortcut(ctrl(fyne.KeyQ))
	if quit != 1 {
		t.Fatalf("Ctrl+Q on the focused tree reached the window %d times", quit)
	}
}

// BenchmarkEditorLoad is a 10,000-node tree shown in a new editor, all
// branches open, laid out and painted once by the test driver.
func BenchmarkEditorLoad(b *testing.B) {
	test.NewTempApp(b)
	text := bigDoc(b, 10000).Text()
	p := mustPolicy(b, "sandbox")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, _ := ParseDocument(text, editVocab, p)
		e := NewTreeEditor(d)
		e.tree.OpenAllBranches()
		w := test.NewWindow(e)
		w.Resize(fyne.NewSize(900, 700))
		w.Canvas().Capture()
		w.Close()
	}
}

// BenchmarkEditorEdit is a rename in a 10,000-node editor: relabel and
// tree refresh (the rows on screen updated); Paint adds the test driver's
// software painting of the whole window, which a GPU does far faster.
func BenchmarkEditorEdit(b *testing.B)      { benchmarkEditorEdit(b, false) }
func BenchmarkEditorEditPaint(b *testing.B) { benchmarkEditorEdit(b, true) }

func benchmarkEditorEdit(b *testing.B, capture bool) {
	test.NewTempApp(b)
	e := NewTreeEditor(bigDoc(b, 10000))
	e.tree.OpenAllBranches()
	w := test.NewWindow(e)
	defer w.Close()
	w.Resize(fyne.NewSize(900, 700))
	id := e.doc.ChildIDs(RootID)[0]
	e.Select(id)
	names := [2]string{"log.info", "strings.concat"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.doc.SetName(id, names[i&1])
		if capture {
			w.Canvas().Capture()
		}
	}
}
