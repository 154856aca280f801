package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"hlstudio/dataset"
)

// tempStore is a new library in the test's temporary folder, closed when
// the test ends.
func tempStore(t *testing.T) *dataset.Store {
	t.Helper()
	store, err := dataset.Open(filepath.Join(t.TempDir(), "studio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// newTestLibrary is a library over store in w, closed before the store
// (cleanups run last first): a search still running when the store's
// folder is removed made files there, and the removal failed.
func newTestLibrary(t *testing.T, w fyne.Window, store *dataset.Store) *Library {
	t.Helper()
	l := NewLibrary(w, store)
	t.Cleanup(l.Close)
	return l
}
