package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hlstudio/dataset"
)

// The history of a snippet never edited shows its one version with its
// code and says why there is nothing to restore; Restore is disabled on
// the current version and enabled on an earlier one, and restoring saves
// the earlier code as a new version.
func TestLibraryHistoryShowsCurrentVersion(t *testing.T) {
	store, sn, w, l := libraryWithHello(t)
	ctx := context.Background()
	w.SetContent(l.Object())
	w.Resize(fyne.NewSize(800, 600))
	l.Refresh()
	l.WaitSearch()
	waitFor(t, func() bool { return l.length() == 1 }, func() string { return l.count.Text })
	l.Select(0)
	l.ShowHistory()
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no history dialog")
	}

	var keys escKeys
	hv, err := l.newHistory(sn.ID, &keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(hv.versions) != 1 || hv.versions[0].Version != 1 || !strings.Contains(hv.code.Text, "return:hello") {
		t.Fatalf("history of an unedited snippet: %d entries, code %q", len(hv.versions), hv.code.Text)
	}
	if !strings.Contains(hv.note.Text, "only version") {
		t.Errorf("note %q does not say version 1 is the only one", hv.note.Text)
	}
	if !hv.restore.Disabled() {
		t.Error("Restore is enabled with nothing to restore")
	}

	sn.Code = "return:bye\n"
	if _, err := store.UpdateSnippet(ctx, sn); err != nil {
		t.Fatal(err)
	}
	hv, err = l.newHistory(sn.ID, &keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(hv.versions) != 2 || hv.versions[0].Version != 2 || !strings.Contains(hv.code.Text, "return:bye") || !hv.restore.Disabled() {
		t.Fatalf("history after an edit: %d entries, code %q, restore disabled %v", len(hv.versions), hv.code.Text, hv.restore.Disabled())
	}
	hv.list.Select(1)
	if hv.restore.Disabled() || !strings.Contains(hv.code.Text, "return:hello") {
		t.Fatalf("earlier version: restore disabled %v, code %q", hv.restore.Disabled(), hv.code.Text)
	}
	// What restoring it changes, then its own text.
	if want := "--- v2 (current)\n+++ v1\n@@ -1 +1 @@\n-return:bye\n+return:hello\n"; hv.code.Text != want {
		t.Errorf("changes of v1:\n%s\nwant:\n%s", hv.code.Text, want)
	}
	test.Tap(hv.changes)
	if strings.TrimSpace(hv.code.Text) != "return:hello" {
		t.Errorf("text of v1: %q", hv.code.Text)
	}
	test.Tap(hv.changes)
	test.Tap(hv.restore)
	got, _ := store.Snippet(ctx, sn.ID)
	if got.Version != 3 || !strings.Contains(got.Code, "return:hello") || !strings.Contains(l.message.Text, "restored to version 1") {
		t.Errorf("after restore: version %d, code %q, message %q", got.Version, got.Code, l.message.Text)
	}
}

// What restoring version 1 would change, data-driven: a version that
// differs in its prompt only says so and that its tree is the current one;
// restoring also brings back a version's status, split and tags (one
// differing in status alone said only "The tree of v1 is the current tree").
func TestLibraryHistoryChangesBesidesTheTree(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*dataset.Snippet)
		want string
	}{
		{"prompt", func(sn *dataset.Snippet) { sn.Prompt = "Say hello" },
			"Prompt now:   Say hello\nPrompt of v1: Return hello\n\nThe tree of v1 is the current tree.\n"},
		{"status, split and tags", func(sn *dataset.Snippet) {
			sn.Status, sn.Split, sn.Tags = dataset.StatusDraft, dataset.SplitTrain, []string{"greeting"}
		}, "Status now:   draft\nStatus of v1: approved\n\n" +
			"Split now:   train\nSplit of v1: (none)\n\n" +
			"Tags now:   greeting\nTags of v1: (none)\n\n" +
			"The tree of v1 is the current tree.\n"},
	} {
		store, sn, _, l := libraryWithHello(t)
		c.edit(&sn)
		if _, err := store.UpdateSnippet(context.Background(), sn); err != nil {
			t.Fatal(err)
		}
		var keys escKeys
		hv, err := l.newHistory(sn.ID, &keys)
		if err != nil {
			t.Fatal(err)
		}
		hv.list.Select(1)
		if hv.code.Text != c.want {
			t.Errorf("%s: got:\n%s\nwant:\n%s", c.name, hv.code.Text, c.want)
		}
	}
}

// libraryWithHello is a library over a new store holding one approved
// snippet, "Return hello".
func libraryWithHello(t *testing.T) (*dataset.Store, dataset.Snippet, fyne.Window, *Library) {
	t.Helper()
	test.NewTempApp(t)
	store := tempStore(t)
	sn, err := store.AddSnippet(context.Background(), dataset.Snippet{Prompt: "Return hello", Code: "return:hello\n", Status: dataset.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	return store, sn, w, newTestLibrary(t, w, store)
}
