package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// restoreFirst restores version 1 of snippet id from its history.
func restoreFirst(t *testing.T, s *Studio, id int64) {
	t.Helper()
	var keys escKeys
	hv, err := s.Library.newHistory(id, &keys)
	if err != nil {
		t.Fatal(err)
	}
	hv.list.Select(len(hv.versions) - 1)
	if hv.versions[hv.chosen].Version != 1 {
		t.Fatalf("the last row is version %d", hv.versions[hv.chosen].Version)
	}
	test.Tap(hv.restore)
}

// Restoring a version of the open snippet shows it in the editor, so the
// next save does not silently undo the restore; with unsaved edits it
// asks first (Cancel restores nothing).
func TestLibraryRestoreReloadsOpenSnippet(t *testing.T) {
	s, store, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	v1 := s.Doc.Text()
	s.Doc.AddSibling(RootID, ".note")
	s.Save("draft")
	if got, _ := store.Snippet(t.Context(), sum.ID); got.Version != 2 {
		t.Fatalf("version %d after a save (%s)", got.Version, s.Message())
	}

	restoreFirst(t, s, sum.ID)
	got, _ := store.Snippet(t.Context(), sum.ID)
	if got.Version != 3 || strings.Contains(got.Code, ".note") {
		t.Fatalf("restore stored version %d: %q", got.Version, got.Code)
	}
	if s.Doc.Text() != v1 || s.open.Version != 3 || s.Unsaved() {
		t.Fatalf("after restore the editor shows %q (open version %d, unsaved %v)", s.Doc.Text(), s.open.Version, s.Unsaved())
	}
	if strings.Contains(s.Editor.Source.Text(), ".note") {
		t.Fatalf("the source tab shows the version before: %q", s.Editor.Source.Text())
	}
	s.Save(got.Status) // as restored: nothing to save
	if got, _ := store.Snippet(t.Context(), sum.ID); got.Version != 3 || strings.Contains(got.Code, ".note") {
		t.Fatalf("the save after the restore undid it: version %d, %q", got.Version, got.Code)
	}

	// Unsaved edits: asked first; Cancel keeps them and restores nothing.
	s.Doc.AddSibling(RootID, ".mine")
	edited := s.Doc.Text()
	restoreFirst(t, s, sum.ID)
	if overlay(w) == nil {
		t.Fatal("restoring over unsaved edits did not ask")
	}
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if got, _ := store.Snippet(t.Context(), sum.ID); got.Version != 3 || s.Doc.Text() != edited {
		t.Fatalf("Cancel: version %d, tree %q", got.Version, s.Doc.Text())
	}
	// Save: the edits become a version, then the restore another one.
	restoreFirst(t, s, sum.ID)
	test.Tap(dialogButton(t, w, "Save"))
	got, _ = store.Snippet(t.Context(), sum.ID)
	if got.Version != 5 || s.Doc.Text() != v1 || s.open.Version != 5 || s.Unsaved() {
		t.Fatalf("Save then restore: version %d, tree %q, open version %d", got.Version, s.Doc.Text(), s.open.Version)
	}
	versions, _ := store.Versions(t.Context(), sum.ID)
	if len(versions) == 0 || !strings.Contains(versions[0].Code, ".mine") {
		t.Fatalf("the edits were not kept as a version: %+v", versions)
	}
}

// Restoring another snippet than the open one leaves the editor alone.
func TestLibraryRestoreOtherSnippet(t *testing.T) {
	s, store, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	email := openRow(t, s, "email")
	email.Code += ".x\n"
	if _, err := store.UpdateSnippet(t.Context(), email); err != nil {
		t.Fatal(err)
	}
	s.Library.WaitSearch()
	sum := openRow(t, s, "sum")
	s.Doc.AddSibling(RootID, ".mine")
	edited := s.Doc.Text()
	restoreFirst(t, s, email.ID)
	if overlay(w) != nil || s.open.ID != sum.ID || s.Doc.Text() != edited {
		t.Fatalf("restoring another snippet touched the editor: dialog %v, open %d", overlay(w) != nil, s.open.ID)
	}
	if got, _ := store.Snippet(t.Context(), email.ID); got.Version != 3 || strings.Contains(got.Code, ".x") {
		t.Fatalf("email: version %d, %q", got.Version, got.Code)
	}
}
