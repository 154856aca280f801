package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds. The bound only keeps a watcher that
// never applies a change from hanging the test; how soon it applies one
// is not asserted (a loaded machine, -race), only logged.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 30*time.Second {
		if cond() {
			t.Logf("%s after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: not seen within 30 s", what)
}

func TestWatch(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.hl": hl("A", "log.info:a"), "sub/b.hl": hl("B", "log.info:b")})
	var mu sync.Mutex
	var reports []WatchReport
	w, err := s.Watch(bg, dir, ImportOptions{}, func(r WatchReport) {
		mu.Lock()
		reports = append(reports, r)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	count := func() int { n, _ := s.Count(bg, Query{}); return n }
	prompts := func() map[string]int64 {
		m := map[string]int64{}
		s.Each(bg, Filter{}, func(sn *Snippet) error { m[sn.Prompt] = sn.ID; return nil })
		return m
	}
	if count() != 2 {
		t.Fatalf("initial sync: %d snippets", count())
	}

	writeTree(t, dir, map[string]string{"c.hl": hl("C", "log.info:c")})
	waitFor(t, "created file", func() bool { return count() == 3 })

	idA := prompts()["A"]
	writeTree(t, dir, map[string]string{"a.hl": hl("A changed", "log.info:a")})
	waitFor(t, "changed file", func() bool { _, ok := prompts()["A changed"]; return ok })
	if prompts()["A changed"] != idA || count() != 3 {
		t.Errorf("a change made a new row: %v", prompts())
	}

	// An editor that saves by writing a new file and renaming it over.
	tmp := filepath.Join(dir, "sub", ".b.hl.swp")
	os.WriteFile(tmp, []byte(hl("B saved by rename", "log.info:b")), 0o644)
	os.Rename(tmp, filepath.Join(dir, "sub", "b.hl"))
	waitFor(t, "file saved by rename", func() bool { _, ok := prompts()["B saved by rename"]; return ok })

	// A file renamed keeps its snippet (and its curation).
	idC := prompts()["C"]
	s.SetStatus(bg, idC, StatusRejected)
	os.Rename(filepath.Join(dir, "c.hl"), filepath.Join(dir, "sub", "c2.hl"))
	waitFor(t, "renamed file", func() bool {
		sn, err := s.Snippet(bg, idC)
		return err == nil && sn.Source == filepath.ToSlash(filepath.Join(dir, "sub", "c2.hl"))
	})
	if sn, _ := s.Snippet(bg, idC); sn.Status != StatusRejected || !slices.Equal(sn.Tags, []string{"sub"}) || count() != 3 {
		t.Errorf("renamed: %+v, %d snippets", sn, count())
	}

	os.Remove(filepath.Join(dir, "sub", "c2.hl"))
	waitFor(t, "deleted file", func() bool { return count() == 2 })

	// A new folder with a file in it, written at once.
	writeTree(t, dir, map[string]string{"new/validation/d.hl": hl("D", "log.info:d")})
	waitFor(t, "file in a new folder", func() bool { return count() == 3 })
	if n, _ := s.Count(bg, Query{Filter: Filter{Split: SplitValidation, Tags: []string{"new"}}}); n != 1 {
		t.Error("the new file is not in the validation split with its folder tag")
	}

	// A broken save is reported and the stored snippet kept.
	writeTree(t, dir, map[string]string{"a.hl": "// A broken\nfoo\n  bar\n"})
	waitFor(t, "broken file reported", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reports) > 0 && reports[len(reports)-1].Failed == 1
	})
	if _, ok := prompts()["A changed"]; !ok {
		t.Error("a broken save dropped the snippet")
	}

	// A folder moved away takes its snippets with it.
	os.Rename(filepath.Join(dir, "new"), filepath.Join(t.TempDir(), "moved"))
	waitFor(t, "folder moved away", func() bool { return count() == 2 })

	w.Close()
	writeTree(t, dir, map[string]string{"e.hl": hl("E", "log.info:e")})
	time.Sleep(3 * WatchDebounce)
	if count() != 2 {
		t.Error("a closed watcher still imports")
	}
}

func TestWatchedFolders(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	if err := s.AddWatchedFolder(bg, dir, ""); err != nil {
		t.Fatal(err)
	}
	s.AddWatchedFolder(bg, dir, "holdout")
	ws, _ := s.WatchedFolders(bg)
	if len(ws) != 1 || ws[0].Path != dir || ws[0].ValidationDir != "holdout" {
		t.Fatalf("%+v", ws)
	}
	s.RemoveWatchedFolder(bg, dir)
	if ws, _ := s.WatchedFolders(bg); len(ws) != 0 {
		t.Errorf("after remove: %+v", ws)
	}
	if _, err := s.Watch(bg, filepath.Join(dir, "missing"), ImportOptions{}, nil); err == nil {
		t.Error("watching a missing folder")
	}
}
