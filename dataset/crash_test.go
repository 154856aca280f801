package dataset

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The child half of TestImportKilledMidway: it imports slowly, printing
// each commit, until the parent kills it.
func TestImportChild(t *testing.T) {
	db, dir := os.Getenv("HLSTUDIO_TEST_CHILD_DB"), os.Getenv("HLSTUDIO_TEST_CHILD_DIR")
	if db == "" {
		t.Skip("run by TestImportKilledMidway")
	}
	s, err := Open(db)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	s.Import(bg, []string{dir}, ImportOptions{BatchSize: 50, Progress: func(p Progress) {
		if p.File == "" { // after a commit
			fmt.Printf("committed %d\n", p.Committed)
		}
		time.Sleep(time.Millisecond) // leave the parent time to kill mid-import
	}})
	fmt.Println("finished")
}

func TestImportKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	const files = 1500
	writeCorpus(t, filepath.Join(dir, "corpus"), files, 7)
	db := filepath.Join(dir, "studio.db")

	cmd := exec.Command(os.Args[0], "-test.run=^TestImportChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HLSTUDIO_TEST_CHILD_DB="+db, "HLSTUDIO_TEST_CHILD_DIR="+filepath.Join(dir, "corpus"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			committed, _ = strconv.Atoi(n)
			if committed >= 300 {
				cmd.Process.Kill() // SIGKILL: no deferred code, no clean close
				break
			}
		}
		if strings.HasPrefix(line, "finished") || strings.HasPrefix(line, "error") {
			t.Fatalf("child: %s", line)
		}
	}
	cmd.Wait()
	if committed < 300 {
		t.Fatalf("the child stopped after %d commits", committed)
	}

	s, err := Open(db)
	if err != nil {
		t.Fatalf("the file left by a killed import does not open: %v", err)
	}
	defer s.Close()
	if err := s.CheckIntegrity(bg); err != nil {
		t.Fatal(err)
	}
	n, _ := s.Count(bg, Query{})
	if n < committed || n >= files {
		t.Fatalf("%d rows after a kill following %d committed of %d", n, committed, files)
	}
	// Search indexes stayed consistent with the rows.
	if m, _ := s.Count(bg, Query{Text: "variant"}); m != n {
		t.Errorf("%d rows but %d in the search index", n, m)
	}
	// Importing again finishes the job without duplicating a row.
	rep, err := s.Import(bg, []string{filepath.Join(dir, "corpus")}, ImportOptions{})
	if err != nil || rep.Unchanged != n || rep.Added != files-n {
		t.Fatalf("resume: %s %v", rep, err)
	}
}

func TestConcurrentReadersDuringImport(t *testing.T) {
	dir := t.TempDir()
	const files = 600
	writeCorpus(t, filepath.Join(dir, "corpus"), files, 3)
	s, err := Open(filepath.Join(dir, "studio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Another process would open its own store on the same file.
	other, err := Open(filepath.Join(dir, "studio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	var done atomic.Bool
	var wg sync.WaitGroup
	var reads atomic.Int64
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(st *Store) {
			defer wg.Done()
			last := 0
			for !done.Load() {
				n, err := st.Count(bg, Query{})
				if err != nil {
					t.Errorf("count during import: %v", err)
					return
				}
				if n < last {
					t.Errorf("count went back from %d to %d", last, n)
				}
				last = n
				if _, err := st.Search(bg, Query{Text: "records", Limit: 5}); err != nil {
					t.Errorf("search during import: %v", err)
					return
				}
				reads.Add(1)
			}
		}([]*Store{s, other}[i%2])
	}
	rep, err := s.Import(bg, []string{filepath.Join(dir, "corpus")}, ImportOptions{BatchSize: 25})
	done.Store(true)
	wg.Wait()
	if err != nil || rep.Added != files {
		t.Fatalf("import: %s %v", rep, err)
	}
	if reads.Load() == 0 {
		t.Error("no read ran during the import")
	}
	// A second writer waits for the first instead of failing.
	errs := make(chan error, 2)
	for _, st := range []*Store{s, other} {
		go func(st *Store) {
			for i := 0; i < 50; i++ {
				if _, err := st.AddSnippet(bg, Snippet{Prompt: fmt.Sprint("p", i), Code: "a"}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}(st)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent writers: %v", err)
		}
	}
}
