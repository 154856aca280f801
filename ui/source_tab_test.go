package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// sourceWindow shows a source tab whose pauses are run by hand: the
// returned func runs every pause scheduled so far, as if time passed.
func sourceWindow(t *testing.T, src string) (*SourceTab, *Document, func()) {
	t.Helper()
	test.NewTempApp(t)
	d := mustDoc(t, src, "pure")
	s := NewSourceTab(d)
	var pending []func()
	s.after = func(wait time.Duration, fn func()) {
		if wait != SourceDebounce {
			t.Errorf("waits %v", wait)
		}
		pending = append(pending, fn)
	}
	w := test.NewTempWindow(t, s)
	w.Resize(fyne.NewSize(500, 400))
	return s, d, func() {
		for _, fn := range pending {
			fn()
		}
		pending = nil
	}
}

func TestSourceShowsCanonicalText(t *testing.T) {
	s, _, _ := sourceWindow(t, "if\r\n   .cond:int:  42\r\n")
	if got, want := s.Text(), "if\n   .cond:int:42\n"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
}

func TestSourceEditReplacesTreeAfterPause(t *testing.T) {
	s, d, pause := sourceWindow(t, ".a\r\n")
	s.Entry().CursorRow = 1
	test.Type(s.Entry(), "log.info:hi\n")
	if got := joinLines(d.Text()); got != ".a" {
		t.Fatalf("the tree changed before the pause: %s", got)
	}
	pause()
	if got := joinLines(d.Text()); got != ".a|log.info:hi" {
		t.Fatalf("after the pause: %s", got)
	}
	if d.UndoName() != "edit text" {
		t.Fatalf("undo step %q", d.UndoName())
	}
	d.Undo()
	if d.CanUndo() {
		t.Fatalf("typing made more than one undo step")
	}
	if got := s.Text(); got != ".a\n" {
		t.Fatalf("undo did not reach the text: %q", got)
	}
}

func TestSourceSyntaxErrorKeepsTree(t *testing.T) {
	s, d, pause := sourceWindow(t, ".a\r\n   .b\r\n")
	before := d.Text()
	for _, tc := range []struct {
		text      string
		line, col int32
	}{
		{".a\n      .b\n", 2, 1},
		{".a\n   .b:int:x\n", 2, 11},
		{".a\n   .b:\"open\n", 2, 7},
	} {
		s.Entry().SetText(tc.text)
		pause()
		if d.Text() != before {
			t.Fatalf("%q changed the tree", tc.text)
		}
		if p := s.ErrorPos(); p.Line != tc.line || p.Col != tc.col {
			t.Errorf("%q: error at %d:%d, want %d:%d (%s)", tc.text, p.Line, p.Col, tc.line, tc.col, s.Status())
		}
		if want := fmt.Sprintf("Line %d, column %d: ", tc.line, tc.col); !strings.HasPrefix(s.Status(), want) {
			t.Errorf("status %q, want it to start %q", s.Status(), want)
		}
		if s.Text() != tc.text {
			t.Errorf("the bad text was replaced")
		}
	}
	test.Tap(s.goToErr)
	if s.Entry().CursorRow != 1 || s.Entry().CursorColumn != 6 {
		t.Errorf("go to error: cursor at %d:%d", s.Entry().CursorRow, s.Entry().CursorColumn)
	}
	s.Entry().SetText(".a\n   .c\n")
	pause()
	if s.Status() != "" || joinLines(d.Text()) != ".a|   .c" {
		t.Fatalf("fixed text: status %q tree %s", s.Status(), joinLines(d.Text()))
	}
}

func TestSourceOnlyTheLastPauseParses(t *testing.T) {
	s, d, pause := sourceWindow(t, ".a\r\n")
	changes := 0
	d.OnChange(func() { changes++ })
	s.Entry().CursorRow = 1
	test.Type(s.Entry(), ".b") // two keystrokes schedule two pauses
	pause()
	if changes != 1 {
		t.Fatalf("%d parses replaced the tree, want 1", changes)
	}
}

func TestSourceFollowsTree(t *testing.T) {
	s, d, _ := sourceWindow(t, ".a\r\n")
	d.AddChild(byPath(t, d, "/0"), "strings.concat")
	if got := s.Text(); got != ".a\n   strings.concat\n" {
		t.Fatalf("text %q", got)
	}
	s.Hide()
	d.SetName(byPath(t, d, "/0"), ".z")
	if strings.Contains(s.Text(), ".z") {
		t.Fatalf("a hidden tab formatted the tree")
	}
	s.Show()
	if got := s.Text(); got != ".z\n   strings.concat\n" {
		t.Fatalf("shown again: %q", got)
	}
}

// Tab in the source types one level of indentation (a tab character is
// not indentation in Hyperlambda but part of the next name, which put the
// node at the wrong level under a name starting with a tab); Escape then
// Tab leaves the editor, so the keyboard is not trapped in it.
func TestSourceTabIndentsAndEscapeTabLeaves(t *testing.T) {
	s, d, pause := sourceWindow(t, ".a\r\n")
	e := s.entry
	e.CursorRow = 1
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	test.Type(e, ".b:1")
	pause()
	if got := joinLines(d.Text()); got != ".a|   .b:1" {
		t.Fatalf("Tab then .b:1 under .a: %q", got)
	}
	if !e.AcceptsTab() {
		t.Fatal("Tab does not indent in the source")
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.AcceptsTab() {
		t.Fatal("after Escape, Tab does not leave the source")
	}
	test.Type(e, "2")
	if !e.AcceptsTab() {
		t.Fatal("a key typed after Escape did not give Tab back to indenting")
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	e.FocusGained()
	if !e.AcceptsTab() {
		t.Fatal("coming back to the source, Tab does not indent")
	}
}

// Enter in the source starts the new line at the level of the line it
// breaks (up to the cursor), as a code editor does.
func TestSourceEnterKeepsTheIndentation(t *testing.T) {
	s, d, pause := sourceWindow(t, ".a\r\n   .b\r\n")
	e := s.entry
	e.CursorRow, e.CursorColumn = 1, len("   .b")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(e, ".c")
	e.CursorRow, e.CursorColumn = 2, 1 // inside the indentation: one space carried
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got, want := e.Text, ".a\n   .b\n \n   .c\n"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	e.SetText(".a\n   .b\n")
	e.CursorRow, e.CursorColumn = 1, len("   .b")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Type(e, ".c")
	pause()
	if got := joinLines(d.Text()); got != ".a|   .b|   .c" {
		t.Fatalf("the tree: %q", got)
	}
}
