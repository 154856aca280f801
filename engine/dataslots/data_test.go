package dataslots_test

import (
	"path/filepath"
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
)

// Each case gets a fresh per-user data folder, so "{data}/sandbox" holds a
// new empty database.
func TestCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Setenv("XDG_DATA_HOME", t.TempDir())
			enginetest.RunCases(t, f, vocab.New)
		})
	}
}
