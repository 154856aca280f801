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
	test.NewTempApp(t)
	store := tempStore(t)
	ctx := context.Background()
	sn, err := store.AddSnippet(ctx, dataset.Snippet{Prompt: "Return hello", Code: "return:hello\n", Status: dataset.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	l := NewLibrary(w, store)
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
	test.Tap(hv.restore)
	got, _ := store.Snippet(ctx, sn.ID)
	if got.Version != 3 || !strings.Contains(got.Code, "return:hello") || !strings.Contains(l.message.Text, "restored to version 1") {
		t.Errorf("after restore: version %d, code %q, message %q", got.Version, got.Code, l.message.Text)
	}
}
