package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/hyperlambda"
)

// guardedView is an editor view with the source tab shown and its pauses
// run by hand (the returned func), as sourceWindow does.
func guardedView(t *testing.T, src string) (*EditorView, fyne.Window, func()) {
	t.Helper()
	v, w := viewWindow(t, src, "pure")
	var pending []func()
	v.Source.after = func(_ time.Duration, fn func()) { pending = append(pending, fn) }
	v.Tabs.SelectIndex(1)
	return v, w, func() {
		for _, fn := range pending {
			fn()
		}
		pending = nil
	}
}

// typeSource replaces the source text the way a person does.
func typeSource(s *SourceTab, text string) {
	s.Entry().TypedShortcut(&fyne.ShortcutSelectAll{})
	s.Entry().TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	test.Type(s.Entry(), text)
}

// A tree edit while the source text has a syntax error would overwrite the
// person's text with the tree's: the edit is refused, saying why, until
// the text is fixed or reverted.
func TestSourceErrorBlocksTreeEdits(t *testing.T) {
	v, w, pause := guardedView(t, sampleHL)
	tree := v.Doc.Text()
	bad := ".a\n   .x:int:oops\n.b\n"
	typeSource(v.Source, bad)
	// Before the pause: the edit first parses the text, which has an error.
	v.Tree.Select(byPath(t, v.Doc, "/1"))
	w.Canvas().Focus(v.Tree.tree)
	pressKey(w, fyne.KeyDelete)
	if v.Doc.Text() != tree {
		t.Fatalf("the tree was edited: %s", joinLines(v.Doc.Text()))
	}
	if v.Source.Text() != bad {
		t.Fatalf("the source text was replaced by %q", v.Source.Text())
	}
	if m := v.Tree.Message(); !strings.Contains(m, "line 2, column 11") || v.Tree.message.Importance != widget.DangerImportance {
		t.Fatalf("the tree says %q", m)
	}
	if !v.Inspector.name.Disabled() || !v.Inspector.typ.Disabled() || v.Inspector.Blocked() == "" {
		t.Fatalf("the inspector can still edit (%q)", v.Inspector.Blocked())
	}
	for _, a := range []Action{ActAddChild, ActIndent, ActPaste, ActUndo, ActDuplicate} {
		v.Tree.Do(a)
		if v.Doc.Text() != tree || v.Source.Text() != bad {
			t.Fatalf("action %d went through", a)
		}
	}
	v.Tree.Do(ActCopy) // not an edit: allowed
	if v.Tree.Message() == "" {
		t.Fatal("the status line no longer says why edits are refused")
	}
	pause()
	if v.Source.Text() != bad || !v.Source.revert.Visible() {
		t.Fatalf("the pause dropped the text or Revert is hidden")
	}

	// Fixed: the text replaces the tree and edits work again.
	typeSource(v.Source, ".a\n   .x:int:2\n.b\n")
	pause()
	if joinLines(v.Doc.Text()) != ".a|   .x:int:2|.b" || v.Tree.Message() != "" || v.Inspector.Blocked() != "" {
		t.Fatalf("fixed text: tree %s, message %q, inspector %q", joinLines(v.Doc.Text()), v.Tree.Message(), v.Inspector.Blocked())
	}
	v.Tree.Select(byPath(t, v.Doc, "/1"))
	v.Tree.Do(ActDelete)
	if joinLines(v.Doc.Text()) != ".a|   .x:int:2" || v.Source.Text() != ".a\n   .x:int:2\n" {
		t.Fatalf("after the fix a delete gave %s / %q", joinLines(v.Doc.Text()), v.Source.Text())
	}

	// Reverted: the tree's text is back and edits work.
	typeSource(v.Source, ".a\n   .x:\"open\n")
	pause()
	test.Tap(v.Source.revert)
	if v.Source.Text() != ".a\n   .x:int:2\n" || v.Source.Status() != "" || v.Source.revert.Visible() {
		t.Fatalf("revert: %q, status %q", v.Source.Text(), v.Source.Status())
	}
	if v.Tree.Message() != "" || v.Inspector.Blocked() != "" || v.Inspector.name.Disabled() {
		t.Fatalf("still refusing after revert: %q", v.Tree.Message())
	}
	v.Tree.Do(ActUndo)
	if joinLines(v.Doc.Text()) != ".a|   .x:int:2|.b" {
		t.Fatalf("undo after revert: %s", joinLines(v.Doc.Text()))
	}
}

// Text typed and not yet parsed is applied before a tree edit, so the edit
// does not drop it.
func TestSourcePendingTextAppliedBeforeTreeEdit(t *testing.T) {
	v, _, pause := guardedView(t, ".a\r\n")
	typeSource(v.Source, ".a\n.b\n")
	v.Tree.Select(byPath(t, v.Doc, "/0"))
	v.Tree.Do(ActAddChild)
	if got := joinLines(v.Doc.Text()); got != ".a|   "+NewNodeName+"|.b" {
		t.Fatalf("tree %s", got)
	}
	pause() // the pause after the typing has nothing left to do
	if got := joinLines(v.Doc.Text()); got != ".a|   "+NewNodeName+"|.b" || !strings.Contains(v.Source.Text(), NewNodeName) {
		t.Fatalf("after the pause: tree %s, text %q", got, v.Source.Text())
	}
	v.Tree.Do(ActUndo)
	v.Tree.Do(ActUndo)
	if got := joinLines(v.Doc.Text()); got != ".a" {
		t.Fatalf("two undos: %s", got)
	}
}

// A change the editors cannot refuse (a generation, another snippet
// opened, a policy) keeps text that is not applied, and says so, also
// when the tab was hidden meanwhile.
func TestSourceKeepsUnappliedTextOnOutsideChange(t *testing.T) {
	v, _, pause := guardedView(t, sampleHL)
	bad := ".a\n   .x:int:oops\n"
	typeSource(v.Source, bad)
	pause()
	v.Doc.SetPolicy(mustPolicy(t, "sandbox"))
	if v.Source.Text() != bad || strings.Contains(v.Source.Status(), "changed") {
		t.Fatalf("a new policy: text %q, status %q", v.Source.Text(), v.Source.Status())
	}
	v.Tabs.SelectIndex(0) // the source tab hidden
	generated, err := hyperlambda.ParseString(".g\r\n", hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v.Doc.ReplaceTree(generated, "generate")
	v.Tabs.SelectIndex(1)
	if v.Source.Text() != bad {
		t.Fatalf("the generation replaced the text: %q", v.Source.Text())
	}
	if s := v.Source.Status(); !strings.HasPrefix(s, "Line 2, column 11: ") || !strings.Contains(s, "changed elsewhere") {
		t.Fatalf("status %q", s)
	}
	if v.Tree.Message() == "" {
		t.Fatal("tree edits are not refused")
	}
	v.Source.Revert()
	if v.Source.Text() != ".g\n" || v.Tree.Message() != "" {
		t.Fatalf("revert: %q, tree says %q", v.Source.Text(), v.Tree.Message())
	}

	// Typed text waiting for its pause when the tree changes elsewhere: it
	// is kept, not applied over the new tree, until Apply or Revert.
	typeSource(v.Source, ".mine\n")
	v.Doc.SetName(byPath(t, v.Doc, "/0"), ".theirs")
	pause()
	if joinLines(v.Doc.Text()) != ".theirs" || v.Source.Text() != ".mine\n" {
		t.Fatalf("tree %s, text %q", joinLines(v.Doc.Text()), v.Source.Text())
	}
	if !v.Source.apply.Visible() || !v.Source.revert.Visible() || v.Tree.Message() == "" {
		t.Fatalf("no Apply/Revert offered, or edits not refused; status %q", v.Source.Status())
	}
	test.Tap(v.Source.apply)
	if joinLines(v.Doc.Text()) != ".mine" || v.Source.Status() != "" || v.Tree.Message() != "" {
		t.Fatalf("apply: tree %s, status %q", joinLines(v.Doc.Text()), v.Source.Status())
	}
}
