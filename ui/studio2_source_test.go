package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"hlstudio/dataset"
)

// manualSource shows the studio's source tab and runs its pauses by hand
// (the returned func).
func manualSource(s *Studio) func() {
	var pending []func()
	s.Editor.Source.after = func(_ time.Duration, fn func()) { pending = append(pending, fn) }
	s.Editor.Tabs.SelectIndex(1)
	return func() {
		for _, fn := range pending {
			fn()
		}
		pending = nil
	}
}

// Source text that does not parse is unsaved work: the title says so,
// opening another snippet asks first, and after Discard the source tab
// shows the new snippet's tree, not the old text (which, fixed, would
// have replaced the new tree).
func TestStudioBrokenSourceIsUnsaved(t *testing.T) {
	s, store, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	pause := manualSource(s)
	sum := openRow(t, s, "sum")
	bad := ".arguments\n   a:int\nreturn:\"open\n"
	typeSource(s.Editor.Source, bad)
	pause()
	if !s.Unsaved() || !strings.Contains(w.Title(), "•") {
		t.Fatalf("broken source text: unsaved %v, title %q", s.Unsaved(), w.Title())
	}

	// Ctrl+S refuses, saying where the error is, and saves nothing.
	s.Save("draft")
	if got, _ := store.Snippet(t.Context(), sum.ID); got.Version != 1 {
		t.Fatalf("saved the last good tree as version %d", got.Version)
	}
	if m := s.Message(); !strings.Contains(m, "line 3, column 8") || !strings.HasPrefix(m, "Not saved") {
		t.Fatalf("save with broken source says %q", m)
	}
	if !s.Unsaved() {
		t.Fatal("a refused save cleared the unsaved mark")
	}

	// Opening another snippet asks; Discard opens it with its own text.
	email := openRow(t, s, "email")
	if overlay(w) == nil {
		t.Fatal("opening another snippet over broken source text did not ask")
	}
	if s.open.ID != sum.ID || s.Editor.Source.Text() != bad {
		t.Fatalf("asking changed the editor: open %d, text %q", s.open.ID, s.Editor.Source.Text())
	}
	test.Tap(dialogButton(t, w, "Discard"))
	if s.open.ID != email.ID || s.Editor.Source.Text() != s.Editor.Source.treeText() || !strings.Contains(s.Editor.Source.Text(), "validators.email") {
		t.Fatalf("after Discard: open %d, source %q", s.open.ID, s.Editor.Source.Text())
	}
	if s.Editor.Source.Status() != "" || s.Unsaved() || s.Editor.Source.Unapplied() != nil {
		t.Fatalf("after Discard: status %q, unsaved %v", s.Editor.Source.Status(), s.Unsaved())
	}
	pause()
	if !strings.Contains(s.Doc.Text(), "validators.email") {
		t.Fatalf("a pause put the old text in the new tree: %q", s.Doc.Text())
	}
}

// Text typed in the source tab and not yet parsed is unsaved too, and a
// save applies it first: it is what is saved.
func TestStudioSaveAppliesPendingSource(t *testing.T) {
	s, store, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	pause := manualSource(s)
	sum := openRow(t, s, "sum")
	typeSource(s.Editor.Source, s.Doc.Text()+".typed\n")
	if !s.Unsaved() {
		t.Fatal("typed source text is not unsaved")
	}
	s.Save("draft")
	got, _ := store.Snippet(t.Context(), sum.ID)
	if got.Version != 2 || !strings.Contains(got.Code, ".typed") || s.Unsaved() || strings.Contains(w.Title(), "•") {
		t.Fatalf("save with pending text: version %d, code %q, unsaved %v (%s)", got.Version, got.Code, s.Unsaved(), s.Message())
	}
	pause()
	if s.Unsaved() {
		t.Fatal("the pause after the save made the tree unsaved")
	}

	// Pending text is applied before asking too: opening another snippet
	// asks about it.
	typeSource(s.Editor.Source, s.Doc.Text()+".more\n")
	openRow(t, s, "email")
	if overlay(w) == nil || s.open.ID != sum.ID {
		t.Fatalf("opening another snippet over typed text did not ask (open %d)", s.open.ID)
	}
	test.Tap(dialogButton(t, w, "Cancel"))
	if !strings.Contains(s.Editor.Source.Text(), ".more") {
		t.Fatalf("Cancel dropped the typed text: %q", s.Editor.Source.Text())
	}
}

// Opening a file resets the source tab as opening a snippet does.
func TestStudioOpenFileResetsSource(t *testing.T) {
	s, _, w := newTestStudio(t)
	pause := manualSource(s)
	s.Prompt.prompt.SetText("Anything")
	typeSource(s.Editor.Source, ".a\n   .x:\"open\n")
	pause()
	s.OpenHL("f.hl", []byte("// Return one\nreturn:int:1\n"))
	if overlay(w) == nil {
		t.Fatal("opening a file over broken source text did not ask")
	}
	test.Tap(dialogButton(t, w, "Discard"))
	if s.Editor.Source.Text() != "return:int:1\n" || s.Editor.Source.Status() != "" || s.Unsaved() {
		t.Fatalf("after opening the file: source %q, status %q", s.Editor.Source.Text(), s.Editor.Source.Status())
	}
}

// Open .hl… takes any Hyperlambda: a training file's first comment is the
// prompt; a file without one opens with no prompt (saying so); text that
// does not parse is refused at its file, line and column.
func TestStudioOpenHLFiles(t *testing.T) {
	s, _, _ := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	openRow(t, s, "sum")
	for _, c := range []struct{ src, prompt, tree, message string }{
		{"// Return one\nreturn:int:1\n", "Return one", "return:int:1", "Opened f.hl."},
		{"return:int:2\n", "", "return:int:2", "Opened f.hl, which has no prompt (the file does not start with a comment"},
		{"// A prompt and no code\n", "", "// A prompt and no code", "Opened f.hl, which has no prompt (there is no code after the prompt comment)"},
		{"// Broken\n.a\n     .b\n", "", "", "f.hl:3:"},
	} {
		s.OpenHL("f.hl", []byte(c.src))
		if !strings.HasPrefix(s.Message(), c.message) {
			t.Errorf("%q: message %q, want it to start %q", c.src, s.Message(), c.message)
		}
		if c.tree == "" {
			continue
		}
		if got := strings.TrimSpace(strings.ReplaceAll(s.Doc.Text(), "\r\n", "\n")); got != c.tree || s.Prompt.prompt.Text != c.prompt || s.Unsaved() {
			t.Errorf("%q: tree %q, prompt %q, unsaved %v", c.src, got, s.Prompt.prompt.Text, s.Unsaved())
		}
		if h, highlighted := s.Library.current(); highlighted {
			t.Errorf("%q: the library still highlights snippet %d", c.src, h.ID)
		}
	}
}

// What is dropped on the window: one .hl file opens, one folder is
// imported, anything else is refused saying what works.
func TestStudioDropped(t *testing.T) {
	s, store, _ := newTestStudio(t)
	dir := t.TempDir()
	hl, txt := filepath.Join(dir, "a.hl"), filepath.Join(dir, "notes.txt")
	os.WriteFile(hl, []byte("// Say A\nreturn:a\n"), 0o644)
	os.WriteFile(txt, []byte("notes\n"), 0o644)
	s.Dropped([]fyne.URI{storage.NewFileURI(hl)})
	if !strings.Contains(s.Doc.Text(), "return:a") || s.Prompt.prompt.Text != "Say A" {
		t.Errorf("dropping a.hl: tree %q, prompt %q (%s)", s.Doc.Text(), s.Prompt.prompt.Text, s.Message())
	}
	s.Dropped([]fyne.URI{storage.NewFileURI(txt)})
	if !strings.HasPrefix(s.Message(), "notes.txt is not a .hl file") {
		t.Errorf("dropping notes.txt: %q", s.Message())
	}
	s.Dropped([]fyne.URI{storage.NewFileURI(hl), storage.NewFileURI(txt)})
	if !strings.HasPrefix(s.Message(), "Drop one .hl file") {
		t.Errorf("dropping two files: %q", s.Message())
	}
	s.Dropped([]fyne.URI{storage.NewFileURI(dir)})
	s.Library.WaitImport()
	waitFor(t, func() bool { return strings.Contains(s.Library.message.Text, "1 added") }, func() string { return s.Library.message.Text })
	if n, _ := store.Count(t.Context(), dataset.Query{}); n != 6 {
		t.Errorf("dropping the folder: %d snippets, want the 5 samples and a.hl", n)
	}
}
