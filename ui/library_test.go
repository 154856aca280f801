package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hlstudio/dataset"
)

func TestLibrary(t *testing.T) {
	test.NewTempApp(t)
	store := tempStore(t)
	ctx := context.Background()
	add := func(prompt, code string, st dataset.Status) dataset.Snippet {
		s, err := store.AddSnippet(ctx, dataset.Snippet{Prompt: prompt, Code: code, Status: st})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sum := add("Return the sum of two numbers", "math.add\n   .:int:1\n   .:int:2\n", dataset.StatusApproved)
	add("Send a welcome email", "log.info:welcome\n", dataset.StatusDraft)
	add("Sum the prices of an order", "math.add\n   .:int:1\n   .:int:2\n", dataset.StatusDraft) // same tree: duplicate
	if _, err := store.AddRegression(ctx, dataset.Regression{SnippetID: sum.ID, Bad: "math.plus", Reason: "invented slot"}); err != nil {
		t.Fatal(err)
	}

	w := test.NewTempWindow(t, nil)
	l := newTestLibrary(t, w, store)
	w.SetContent(l.Object())
	var opened []dataset.Snippet
	l.OnOpen = func(s dataset.Snippet) { opened = append(opened, s) }

	l.Refresh()
	l.WaitSearch()
	waitFor(t, func() bool { return l.count.Text == "3 snippets" }, func() string { return l.count.Text })

	test.Type(l.search, "sum")
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() == 2 }, func() string { return l.count.Text })
	l.mu.Lock()
	first := l.hits[0]
	badgesRegression := l.regressions[sum.ID]
	l.mu.Unlock()
	if !badgesRegression || first.Duplicates == 0 {
		t.Errorf("badges: regression %v, duplicates %d", badgesRegression, first.Duplicates)
	}

	l.status.SetSelected(string(dataset.StatusDraft))
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() == 1 }, func() string { return l.count.Text })
	l.Select(0)
	l.OpenSelected()
	if len(opened) != 1 || opened[0].Prompt != "Sum the prices of an order" {
		t.Fatalf("opened %+v", opened)
	}

	// Bulk: approve the checked snippet; the change is in its history.
	l.mu.Lock()
	l.checked[opened[0].ID] = true
	l.mu.Unlock()
	l.bulkStatus.SetSelected(string(dataset.StatusApproved))
	l.ApplyStatus()
	if s, _ := store.Snippet(ctx, opened[0].ID); s.Status != dataset.StatusApproved || s.Version != 2 {
		t.Fatalf("bulk status: %+v", s)
	}

	// Import: progress, the broken file reported with its position, the
	// rest imported.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.hl"), []byte("// Return hello\nreturn:hello\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.hl"), []byte("// Broken\n.a\n  b\n"), 0o644)
	l.Import(dir)
	l.WaitImport()
	waitFor(t, func() bool { return strings.Contains(l.message.Text, "1 added") }, func() string { return l.message.Text })
	if !strings.Contains(l.message.Text, "broken.hl:3:") || !l.importBar.Hidden {
		t.Errorf("import message %q", l.message.Text)
	}
}

// From the search field, Down (or Enter) moves into the hits, where Enter
// opens the highlighted one: a search is typed and its snippet opened
// without the mouse. With no hits the keys leave the focus in the field.
func TestLibrarySearchDownMovesIntoTheHits(t *testing.T) {
	s, _, w := newTestStudio(t)
	l := s.Library
	w.Canvas().Focus(l.search)
	test.Type(l.search, "no such words anywhere")
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() == 0 }, func() string { return l.count.Text })
	dialogKey(w, fyne.KeyDown, false)
	if w.Canvas().Focused() != l.search {
		t.Fatalf("Down with no hits moved the focus to %T", w.Canvas().Focused())
	}
	// The highlight an earlier search's arrows left (the fourth row) is
	// not where a new search starts.
	l.search.SetText("")
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() == 5 }, func() string { return l.count.Text })
	w.Canvas().Focus(l.list)
	for range 3 {
		dialogKey(w, fyne.KeyDown, false)
	}
	l.search.SetText("sum")
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() > 0 }, func() string { return l.count.Text })
	for _, key := range []fyne.KeyName{fyne.KeyDown, fyne.KeyReturn} {
		w.Canvas().Focus(l.search)
		dialogKey(w, key, false)
		if w.Canvas().Focused() != l.list {
			t.Fatalf("%s in the search field: the focus is on %T, not the hits", key, w.Canvas().Focused())
		}
	}
	dialogKey(w, fyne.KeyReturn, false)
	l.mu.Lock()
	want := l.hits[0].Snippet
	l.mu.Unlock()
	if s.open.ID != want.ID {
		t.Errorf("Enter in the hits opened snippet %d, want the first hit, %d", s.open.ID, want.ID)
	}
	// Down typed before the words' search has answered waits for it: the
	// first row of the earlier search is not the one the person sees next.
	w.Canvas().Focus(l.search)
	l.search.SetText("email")
	dialogKey(w, fyne.KeyDown, false)
	if w.Canvas().Focused() == l.list {
		t.Fatal("Down moved into the hits of the earlier search")
	}
	waitFor(t, func() bool { return w.Canvas().Focused() == l.list }, func() string { return l.count.Text })
	dialogKey(w, fyne.KeyReturn, false)
	if !strings.Contains(s.Prompt.prompt.Text, "email") {
		t.Errorf("Enter after the search answered opened %q", s.Prompt.prompt.Text)
	}
}

// The library works from the keyboard: arrows move the highlight and
// Enter opens the highlighted snippet.
func TestLibraryEnterOpensTheHighlightedRow(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	w.Canvas().Focus(s.Library.list)
	dialogKey(w, fyne.KeyDown, false)
	dialogKey(w, fyne.KeyReturn, false)
	s.Library.mu.Lock()
	want := s.Library.hits[1].Snippet
	s.Library.mu.Unlock()
	if s.open.ID != want.ID || s.Prompt.prompt.Text != want.Prompt {
		t.Errorf("Down, Enter opened snippet %d (prompt %q), want the second row's, snippet %d", s.open.ID, s.Prompt.prompt.Text, want.ID)
	}
}
