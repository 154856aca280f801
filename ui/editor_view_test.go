package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/hyperlambda"
)

func viewWindow(t *testing.T, src, policy string) (*EditorView, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	v := NewEditorView(w, mustDoc(t, src, policy))
	w.SetContent(v)
	w.Resize(fyne.NewSize(1000, 600))
	return v, w
}

func TestViewRenameInInspectorTurnsRowRed(t *testing.T) {
	v, w := viewWindow(t, "if\r\n   .cond:bool:true\r\n   .lambda\r\n      .x\r\n", "sandbox")
	if !strings.HasPrefix(v.Summary(), "Nothing is blocked under sandbox") || v.summary.Importance != widget.SuccessImportance {
		t.Fatalf("summary %q", v.Summary())
	}
	v.Tree.Select(byPath(t, v.Doc, "/0/1/0"))
	w.Canvas().Focus(v.Tree.tree)
	pressKey(w, fyne.KeyF2)
	if w.Canvas().Focused() != v.Inspector.name {
		t.Fatalf("F2 did not move to the inspector's name")
	}
	retype(v.Inspector.name, "no.such.slot")
	if r := treeRow(t, w, "no.such.slot"); r.name.Importance != widget.DangerImportance {
		t.Fatalf("row drawn %v", r.name.Importance)
	}
	if !strings.Contains(v.Inspector.Finding(), "no slot is named no.such.slot") {
		t.Fatalf("finding %q", v.Inspector.Finding())
	}
	if !strings.HasPrefix(v.Summary(), "1 node is blocked under sandbox") || v.summary.Importance != widget.DangerImportance {
		t.Fatalf("summary %q", v.Summary())
	}
	// Ctrl+Z in the focused entry is the entry's own; from the tree it
	// undoes the rename.
	w.Canvas().Focus(v.Tree.tree)
	v.Tree.tree.TypedShortcut(&fyne.ShortcutUndo{})
	if r := treeRow(t, w, ".x"); r.name.Importance != widget.MediumImportance {
		t.Fatalf("after undo the row is drawn %v", r.name.Importance)
	}
	if v.Inspector.name.Text != ".x" {
		t.Fatalf("inspector shows %q after undo", v.Inspector.name.Text)
	}
}

func TestViewPolicyPicker(t *testing.T) {
	v, w := viewWindow(t, "log.info:hello\r\n", "pure")
	if v.policy.Selected != "pure" {
		t.Fatalf("picker shows %q", v.policy.Selected)
	}
	if r := treeRow(t, w, "log.info"); r.name.Importance != widget.DangerImportance {
		t.Fatalf("log.info under pure drawn %v", r.name.Importance)
	}
	v.policy.SetSelected("sandbox")
	if v.Doc.Policy().Name != "sandbox" || v.Doc.Blocking() != 0 {
		t.Fatalf("policy %s, %d blocked", v.Doc.Policy().Name, v.Doc.Blocking())
	}
	if r := treeRow(t, w, "log.info"); r.name.Importance != widget.SuccessImportance {
		t.Fatalf("log.info under sandbox drawn %v", r.name.Importance)
	}
	p := mustPolicy(t, "pure")
	p.Name = "mine"
	v.SetPolicy(p)
	if v.policy.Selected != "" || !strings.Contains(v.policy.PlaceHolder, "mine") {
		t.Fatalf("a file policy shows as %q / %q", v.policy.Selected, v.policy.PlaceHolder)
	}
}

func TestViewSourceAndTreeStayInSync(t *testing.T) {
	v, w := viewWindow(t, ".a\r\n", "pure")
	v.Tabs.SelectIndex(1)
	v.Source.Entry().SetText(".a\nstrings.concat\n   .:x\n")
	v.Source.Flush()
	treeRow(t, w, "strings.concat")
	v.Tree.Select(byPath(t, v.Doc, "/1"))
	v.Tree.Do(ActDelete)
	if got := v.Source.Text(); got != ".a\n" {
		t.Fatalf("source after a tree delete: %q", got)
	}
	v.Tabs.SelectIndex(0)
	v.Tree.Do(ActUndo)
	v.Tabs.SelectIndex(1)
	if got := v.Source.Text(); !strings.Contains(got, "strings.concat") {
		t.Fatalf("source after undo in the tree: %q", got)
	}
}

// Every small tree loaded opens fully, not only the first: a snippet
// opened after another, or a generation, shows its branches; a branch the
// person closes stays closed while they edit.
func TestViewOpensEachLoadedTree(t *testing.T) {
	v, _ := viewWindow(t, "if\r\n   .lambda\r\n      .x\r\n", "sandbox")
	if !v.Tree.tree.IsBranchOpen(byPath(t, v.Doc, "/0/0")) {
		t.Fatal("first tree not open")
	}
	root, err := hyperlambda.ParseString("while\r\n   .lambda\r\n      .y\r\n", hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v.Doc.Reset(root)
	branch := byPath(t, v.Doc, "/0/0")
	if !v.Tree.tree.IsBranchOpen(byPath(t, v.Doc, "/0")) || !v.Tree.tree.IsBranchOpen(branch) {
		t.Fatal("the second tree opened collapsed")
	}
	v.Tree.tree.CloseBranch(branch)
	if err := v.Doc.Replace("while\r\n   .lambda\r\n      .z\r\n"); err != nil {
		t.Fatal(err)
	}
	if v.Tree.tree.IsBranchOpen(byPath(t, v.Doc, "/0/0")) {
		t.Fatal("an edit of the text reopened a branch the person closed")
	}
	gen, _ := hyperlambda.ParseString("for-each\r\n   .lambda\r\n      .w\r\n", hyperlambda.ParseOptions{})
	v.Doc.ReplaceTree(gen, "generate")
	if !v.Tree.tree.IsBranchOpen(byPath(t, v.Doc, "/0/0")) {
		t.Fatal("a generated tree opened collapsed")
	}
}
