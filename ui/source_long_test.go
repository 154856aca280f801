package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hlstudio/internal/benchcmp"
)

// lines is a tree of n top-level data nodes.
func lines(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(".n\n")
	}
	return b.String()
}

// A text longer than the tab edits as text is shown read-only, the
// entry never holding it; the tree stays editable and the text follows
// it; a short text is edited again.
func TestSourceLongTextIsShownReadOnly(t *testing.T) {
	s, d, _ := sourceWindow(t, ".a\r\n")
	s.maxEditLines = 5
	if err := d.Replace(lines(6)); err != nil {
		t.Fatal(err)
	}
	if !s.Long() || s.entry.Visible() || !s.lines.Visible() || s.entry.Text != "" {
		t.Fatalf("long %v, entry shown %v holding %d bytes, lines shown %v", s.Long(), s.entry.Visible(), len(s.entry.Text), s.lines.Visible())
	}
	if s.Text() != lines(6) || len(s.shown) != 6 || s.shown[5] != ".n" {
		t.Fatalf("text %q, lines %q", s.Text(), s.shown)
	}
	if !strings.Contains(s.Status(), "6 lines") || !s.editText.Visible() || s.revert.Visible() {
		t.Fatalf("status %q, Edit as text shown %v, Revert shown %v", s.Status(), s.editText.Visible(), s.revert.Visible())
	}
	if err := s.Unapplied(); err != nil || s.Dirty() {
		t.Fatalf("a read-only text holds nothing unapplied: %v, dirty %v", err, s.Dirty())
	}
	s.Flush() // nothing typed: must not replace the tree with the empty entry
	if d.Text() != strings.ReplaceAll(lines(6), "\n", "\r\n") {
		t.Fatalf("the tree changed: %q", d.Text())
	}
	if err := d.Replace(lines(7)); err != nil || s.Text() != lines(7) {
		t.Fatalf("the text does not follow the tree: %v %q", err, s.Text())
	}
	if err := d.Replace(lines(2)); err != nil {
		t.Fatal(err)
	}
	if s.Long() || !s.entry.Visible() || s.lines.Visible() || s.Text() != lines(2) || s.editText.Visible() || s.shown != nil {
		t.Fatalf("short again: long %v, entry %q shown %v, lines shown %v", s.Long(), s.Text(), s.entry.Visible(), s.lines.Visible())
	}
}

// Edit as text puts a long text in the entry, for that text.
func TestSourceEditLongTextAnyway(t *testing.T) {
	s, d, pause := sourceWindow(t, lines(6))
	s.maxEditLines = 5
	s.Revert()
	if !s.Long() {
		t.Fatal("not shown read-only")
	}
	s.editText.OnTapped()
	if s.Long() || s.entry.Text != lines(6) || !s.entry.Visible() {
		t.Fatalf("after Edit as text: long %v, entry %q", s.Long(), s.entry.Text)
	}
	s.Entry().SetText(lines(6) + ".typed\n")
	pause()
	if !strings.HasSuffix(d.Text(), ".typed\r\n") || s.Long() {
		t.Fatalf("typing into the long text: tree %q, long %v", d.Text(), s.Long())
	}
	if err := d.Replace(lines(2)); err != nil {
		t.Fatal(err)
	}
	if err := d.Replace(lines(8)); err != nil {
		t.Fatal(err)
	}
	if !s.Long() {
		t.Fatal("the choice outlived its text: a new long text is in the entry")
	}
}

// A paste that makes the text too long goes to the tree, not into the
// entry; one that does not parse is pasted into the entry, kept to be
// fixed.
func TestSourceLongPaste(t *testing.T) {
	s, d, _ := sourceWindow(t, ".a\r\n.b\r\n")
	s.maxEditLines = 5
	s.Revert()
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent(lines(6))
	s.entry.CursorRow, s.entry.CursorColumn = 1, 0
	s.entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if want := ".a\r\n" + strings.ReplaceAll(lines(6), "\n", "\r\n") + ".b\r\n"; d.Text() != want {
		t.Fatalf("tree after the paste:\n%q\nwant\n%q", d.Text(), want)
	}
	if !s.Long() || s.entry.Text != "" {
		t.Fatalf("long %v, entry holds %q", s.Long(), s.entry.Text)
	}
	d.Undo() // one step back to the short text, in the entry
	if s.Long() || s.Text() != ".a\n.b\n" {
		t.Fatalf("after undo: long %v, text %q", s.Long(), s.Text())
	}

	bad := strings.Repeat(".x\n", 6) + "  two-spaces\n"
	clip.SetContent(bad)
	s.entry.CursorRow, s.entry.CursorColumn = 0, 0
	s.entry.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if s.Long() || s.entry.Text != bad+".a\n.b\n" {
		t.Fatalf("a paste that does not parse: long %v, entry %q", s.Long(), s.entry.Text)
	}
	if d.Text() != ".a\r\n.b\r\n" {
		t.Fatalf("the tree changed: %q", d.Text())
	}
}

func TestAfterPaste(t *testing.T) {
	for _, c := range []struct {
		text     string
		cursor   int
		selected string
		want     string
		ok       bool
	}{
		{"ab", 1, "", "aXb", true},
		{"éb", 1, "", "éXb", true},   // the cursor counts runes
		{"abc", 3, "bc", "aX", true}, // selected leftwards of the cursor
		{"abc", 0, "ab", "Xc", true}, // selected rightwards
		{"abc", 0, "abc", "X", true}, // all
		{"abc", 1, "zz", "", false},  // not beside the cursor
		{"ab", 5, "", "", false},     // past the end
	} {
		got, ok := afterPaste(c.text, c.cursor, c.selected, "X")
		if got != c.want || ok != c.ok {
			t.Errorf("afterPaste(%q, %d, %q) = %q, %v; want %q, %v", c.text, c.cursor, c.selected, got, ok, c.want, c.ok)
		}
	}
}

// Showing a text of SourceEditLines+1 lines read-only against the same
// text in the entry (Edit as text), in the same run: the entry's cost is
// the square of the length (see SourceEditLines).
func BenchmarkSourceLongText(b *testing.B) {
	test.NewTempApp(b)
	d := mustDoc(b, strings.Repeat(".item:\"a value as long as a typical line\"\n", SourceEditLines+1), "pure")
	s := NewSourceTab(d)
	w := test.NewTempWindow(b, s)
	w.Resize(fyne.NewSize(800, 600))
	show := func(asText bool) func() {
		return func() {
			s.editLong = asText
			s.long = false
			s.entry.SetText("") // each run lays the whole text out afresh
			s.reload()
			if s.Long() == asText {
				b.Fatal("not shown as asked")
			}
		}
	}
	benchcmp.Compare(b, show(false), show(true), "lines-ns/show", "entry-ns/show", "x-entry")
}

// A tab made with a long text lays its words out at its width once it
// has one: measured before, the wrapped status stood a word a line and
// took the text's room.
func TestSourceLongTextLayout(t *testing.T) {
	s, _, _ := sourceWindow(t, lines(SourceEditLines+1))
	if !s.Long() {
		t.Fatal("not shown read-only")
	}
	if s.status.Size().Height > 4*s.status.MinSize().Height/3 || s.lines.Size().Height < 200 {
		t.Fatalf("status %v (min %v), lines %v in a 500x400 window", s.status.Size(), s.status.MinSize(), s.lines.Size())
	}
}

// The read-only lines take the keyboard: Tab reaches them, and the keys
// scroll them.
func TestSourceLongTextKeys(t *testing.T) {
	s, _, _ := sourceWindow(t, lines(SourceEditLines+1))
	c := fyne.CurrentApp().Driver().CanvasForObject(s)
	c.FocusNext()
	if c.Focused() != s.lines {
		t.Fatalf("Tab focused %T, not the lines", c.Focused())
	}
	for _, k := range []struct {
		key  fyne.KeyName
		down bool // the view moved down from where it was
	}{{fyne.KeyPageDown, true}, {fyne.KeyEnd, true}, {fyne.KeyPageUp, false}, {fyne.KeyHome, false}, {fyne.KeyDown, true}} {
		before := s.lines.GetScrollOffset()
		for i := 0; i < 40 && k.key == fyne.KeyDown; i++ {
			s.lines.TypedKey(&fyne.KeyEvent{Name: k.key})
		}
		s.lines.TypedKey(&fyne.KeyEvent{Name: k.key})
		if after := s.lines.GetScrollOffset(); (after > before) != k.down {
			t.Errorf("%s: offset %v -> %v", k.key, before, after)
		}
	}
}
