package ui

import (
	"path/filepath"
	"testing"

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
