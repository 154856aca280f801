package dataset

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWatchSkipsHiddenFoldersAsImportDoes: Import skips hidden
// folders, so the store the watch keeps "in step with the folder" must
// not hold their files either. A hidden folder that appears while the
// folder is watched (moved in, e.g. an editor's or a tool's backup
// folder) is walked by addTree, which skips hidden folders only below the
// folder it is given, so its .hl files are imported; the next import of
// the same folder would not see them.
func TestWatchSkipsHiddenFoldersAsImportDoes(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.hl": hl("A", "log.info:a")})
	w, err := s.Watch(bg, dir, ImportOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// A hidden folder with a file, moved in at once.
	elsewhere := t.TempDir()
	writeTree(t, elsewhere, map[string]string{"backup/old.hl": hl("Hidden backup", "log.info:hidden")})
	if err := os.Rename(filepath.Join(elsewhere, "backup"), filepath.Join(dir, ".backup")); err != nil {
		t.Fatal(err)
	}
	// A visible file after it: once it is in, the events before it are
	// applied too (one debounced round, in order).
	writeTree(t, dir, map[string]string{"z.hl": hl("Z", "log.info:z")})
	prompts := func() map[string]bool {
		m := map[string]bool{}
		s.Each(bg, Filter{}, func(sn *Snippet) error { m[sn.Prompt] = true; return nil })
		return m
	}
	waitFor(t, "visible file imported", func() bool { return prompts()["Z"] })
	if prompts()["Hidden backup"] {
		t.Errorf("the watch imported a file in a hidden folder, which Import skips: %v", prompts())
	}
	// What Import itself makes of the folder, for comparison.
	s2 := openTemp(t)
	rep, err := s2.Import(bg, []string{dir}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 2 {
		t.Fatalf("Import found %d files; the comparison assumes it skips .backup", rep.Files)
	}
}
