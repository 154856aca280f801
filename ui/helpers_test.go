package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

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

// lastLaidOut is the last object of type T laid out under o (nil when
// none): the one widget of its kind in a dialog.
func lastLaidOut[T fyne.CanvasObject](o fyne.CanvasObject) (found T) {
	for _, c := range test.LaidOutObjects(o) {
		if t, ok := c.(T); ok {
			found = t
		}
	}
	return found
}
