package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// highlighted is the snippet of the library's highlighted row (0 for none).
func highlighted(s *Studio) int64 {
	h, ok := s.Library.current()
	if !ok {
		return 0
	}
	return h.ID
}

// Cancelling the unsaved-changes question puts the library's highlight
// back on the snippet still open: History and Open act on it, not on the
// one that was not opened.
func TestStudioCancelOpenKeepsHighlight(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	s.Doc.AddSibling(RootID, ".note")

	openRow(t, s, "email")
	test.Tap(dialogButton(t, w, "Cancel"))
	if s.open.ID != sum.ID || highlighted(s) != sum.ID {
		t.Fatalf("after Cancel: open %d, highlighted %d, want %d", s.open.ID, highlighted(s), sum.ID)
	}

	openRow(t, s, "email")
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if highlighted(s) != sum.ID {
		t.Fatalf("after Escape: highlighted %d, want %d", highlighted(s), sum.ID)
	}

	// Discard opens the other one, which stays highlighted.
	email := openRow(t, s, "email")
	test.Tap(dialogButton(t, w, "Discard"))
	if s.open.ID != email.ID || highlighted(s) != email.ID {
		t.Fatalf("after Discard: open %d, highlighted %d", s.open.ID, highlighted(s))
	}
}

// With a new snippet (none open) Cancel leaves no row highlighted.
func TestStudioCancelOpenNewSnippetUnhighlights(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	s.Doc.AddSibling(RootID, ".note")
	openRow(t, s, "email")
	test.Tap(dialogButton(t, w, "Cancel"))
	if s.open.ID != 0 || highlighted(s) != 0 {
		t.Fatalf("after Cancel: open %d, highlighted %d", s.open.ID, highlighted(s))
	}
}
