package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hlstudio/dataset"
)

// dialogButton finds a button of the dialog on top of w by its label.
func dialogButton(t *testing.T, w fyne.Window, label string) *formButton {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog is showing (looking for %q)", label)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*formButton); ok && b.Text == label && b.Visible() {
			return b
		}
	}
	t.Fatalf("the dialog has no %q button", label)
	return nil
}

// openRow opens the library's row whose prompt contains text.
func openRow(t *testing.T, s *Studio, text string) dataset.Snippet {
	t.Helper()
	s.Library.mu.Lock()
	row := -1
	var sn dataset.Snippet
	for i, h := range s.Library.hits {
		if strings.Contains(h.Prompt, text) {
			row, sn = i, h.Snippet
			break
		}
	}
	s.Library.mu.Unlock()
	if row < 0 {
		t.Fatalf("no library row says %q", text)
	}
	s.Library.Select(row)
	s.Library.OpenSelected()
	return sn
}

// Unsaved edits are never thrown away without asking: opening another
// snippet or quitting asks "Discard unsaved changes?" with Save, Discard
// and Cancel, operable from the keyboard (the focus starts on Save, Space
// presses the focused button, Escape cancels); the title shows a • while
// there are unsaved changes.
func TestUnsavedChangesAskBeforeOpenOrQuit(t *testing.T) {
	s, store, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	if s.Unsaved() || strings.Contains(w.Title(), "•") {
		t.Fatalf("a freshly opened snippet is unsaved (title %q)", w.Title())
	}
	if _, err := s.Doc.AddSibling(RootID, ".note"); err != nil {
		t.Fatal(err)
	}
	edited := s.Doc.Text()
	if !s.Unsaved() || !strings.Contains(w.Title(), "•") {
		t.Fatalf("after an edit: unsaved %v, title %q", s.Unsaved(), w.Title())
	}

	// Open another snippet: asked; Escape cancels and keeps the edit.
	openRow(t, s, "email")
	if w.Canvas().Overlays().Top() == nil || s.Doc.Text() != edited {
		t.Fatalf("opening another snippet replaced the edited tree without asking")
	}
	if f, ok := w.Canvas().Focused().(*formButton); !ok || f.Text != "Save" {
		t.Errorf("the focus is on %v, want the Save button", w.Canvas().Focused())
	}
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.Canvas().Overlays().Top() != nil || s.Doc.Text() != edited || !s.Doc.CanUndo() {
		t.Fatalf("Escape did not cancel: dialog %v, tree changed %v", w.Canvas().Overlays().Top() != nil, s.Doc.Text() != edited)
	}

	// Again, and Discard with the keyboard: the other snippet opens.
	email := openRow(t, s, "email")
	discard := dialogButton(t, w, "Discard")
	w.Canvas().Focus(discard)
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if s.open.ID != email.ID || !strings.Contains(s.Doc.Text(), "validators.email") || s.Unsaved() {
		t.Fatalf("after Discard: open %d, unsaved %v, tree %q", s.open.ID, s.Unsaved(), s.Doc.Text())
	}
	if got, _ := store.Snippet(t.Context(), sum.ID); got.Version != 1 {
		t.Errorf("Discard saved the edit: version %d", got.Version)
	}

	// Quit: at once when nothing is unsaved; asked otherwise, and Save
	// saves a version of the open snippet before quitting.
	quits := 0
	var quit *fyne.MenuItem
	for _, m := range s.MainMenu(func() { quits++ }).Items {
		for _, it := range m.Items {
			if it.Label == "Quit" {
				quit = it
			}
		}
	}
	quit.Action()
	if quits != 1 {
		t.Fatalf("quit with nothing unsaved: %d quits", quits)
	}
	s.Doc.AddSibling(RootID, ".note")
	quit.Action()
	quit.Action() // a second Ctrl+Q while asking does not stack dialogs
	if quits != 1 || w.Canvas().Overlays().Top() == nil {
		t.Fatalf("Ctrl+Q with unsaved edits quit at once (%d)", quits)
	}
	test.Tap(dialogButton(t, w, "Cancel"))
	if quits != 1 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("Cancel: %d quits", quits)
	}
	quit.Action()
	test.Tap(dialogButton(t, w, "Save"))
	got, _ := store.Snippet(t.Context(), email.ID)
	if quits != 2 || got.Version != 2 || !strings.Contains(got.Code, ".note") || s.Unsaved() {
		t.Fatalf("Save and quit: %d quits, version %d, unsaved %v (%s)", quits, got.Version, s.Unsaved(), s.Message())
	}

	// A changed prompt of an open snippet is an unsaved change too.
	s.Prompt.prompt.SetText("Check an email address")
	if !s.Unsaved() || !strings.Contains(w.Title(), "•") {
		t.Errorf("a changed prompt: unsaved %v, title %q", s.Unsaved(), w.Title())
	}
}

// The window's title names the open snippet and marks unsaved changes.
func TestWindowTitle(t *testing.T) {
	for _, c := range []struct {
		open    int64
		unsaved bool
		want    string
	}{{0, false, "hlstudio"}, {0, true, "hlstudio — new snippet • unsaved"},
		{5, false, "hlstudio — snippet 5"}, {5, true, "hlstudio — snippet 5 • unsaved"}} {
		if got := windowTitle(c.open, c.unsaved); got != c.want {
			t.Errorf("windowTitle(%d, %v) = %q, want %q", c.open, c.unsaved, got, c.want)
		}
	}
}

// The window shows the document's state too (the title may be off screen
// or absent without a window manager).
func TestDocStateInWindow(t *testing.T) {
	s, _, _ := newNoOllamaStudio(t)
	if s.docState.Text != "" {
		t.Fatalf("a new studio says %q", s.docState.Text)
	}
	s.Doc.AddSibling(RootID, ".x")
	if s.docState.Text != "new snippet • unsaved" {
		t.Fatalf("after an edit: %q", s.docState.Text)
	}
}
