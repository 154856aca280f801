package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hlstudio/dataset"
)

// Audit 23: a value typed in the inspector that does not convert to the
// node's type ("x5" for an int) is shown with an inline error while the
// tree keeps the old value. That text is the person's work, as broken
// Source text is: it must count as unsaved, and opening another snippet
// must ask before throwing it away. Before audit 23, the studio says nothing is
// unsaved, Save answers "unchanged" and opening another snippet silently
// drops the typed value.
func TestInspectorBadValueIsNotLostSilently(t *testing.T) {
	s, store, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	if err := s.Doc.Replace(".x:int:5\n" + s.Doc.Text()); err != nil {
		t.Fatal(err)
	}
	s.Save(dataset.StatusDraft)
	if s.Unsaved() {
		t.Fatalf("unsaved right after a save: %q", s.Message())
	}
	saved, _ := store.Snippet(t.Context(), sum.ID)

	s.Editor.Tree.Select(byPath(t, s.Doc, "/0"))
	in := s.Editor.Inspector
	w.Canvas().Focus(in.value)
	test.Type(in.value, "x") // the value field now reads "x5"
	if in.value.Text != "x5" || in.ValueError() == "" {
		t.Fatalf("setup: value %q, error %q", in.value.Text, in.ValueError())
	}

	if !s.Unsaved() || !strings.Contains(w.Title(), "•") {
		t.Errorf("a typed value the tree does not have is not unsaved work: unsaved %v, title %q", s.Unsaved(), w.Title())
	}
	s.Save(dataset.StatusDraft)
	if strings.Contains(s.Message(), "unchanged") {
		t.Errorf("Save over a value that does not convert says %q, as if nothing were typed", s.Message())
	}
	openRow(t, s, "email")
	if overlay(w) == nil && !strings.Contains(s.Message(), "unsaved") {
		t.Errorf("opening another snippet dropped the typed value %q without asking (message %q, tree now %q)",
			"x5", s.Message(), clip(s.Doc.Text(), 40))
	}
	if got, _ := store.Snippet(t.Context(), sum.ID); got.Version != saved.Version {
		t.Logf("snippet %d went from version %d to %d", sum.ID, saved.Version, got.Version)
	}
}
