package dataset

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// The benchmark corpus: 20,000 realistic snippets, about 15 MB, written
// once per test binary run.
const benchFiles = 20000

var (
	benchOnce   sync.Once
	benchDir    string
	benchBytes  int
	benchDB     string
	benchDBOnce sync.Once
)

func benchCorpus(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hlstudio-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
		benchBytes = writeCorpus(b, filepath.Join(dir, "corpus"), benchFiles, 42)
	})
	return filepath.Join(benchDir, "corpus")
}

// benchStore is a store holding the corpus, imported once.
func benchStore(b *testing.B) string {
	corpus := benchCorpus(b)
	benchDBOnce.Do(func() {
		benchDB = filepath.Join(benchDir, "loaded.db")
		s, err := Open(benchDB)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(bg, []string{corpus}, ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		s.Close()
	})
	return benchDB
}

// openBench opens the loaded store for a benchmark, outside its timing.
func openBench(b *testing.B) *Store {
	s, err := Open(benchStore(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	b.ResetTimer()
	return s
}

func BenchmarkImport20k(b *testing.B) {
	corpus := benchCorpus(b)
	b.SetBytes(int64(benchBytes))
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "studio.db")
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := s.Import(bg, []string{corpus}, ImportOptions{})
		if err != nil || rep.Added+rep.Skipped != benchFiles {
			b.Fatalf("%s %v", rep, err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

func BenchmarkReimportUnchanged20k(b *testing.B) {
	s := openBench(b)
	for i := 0; i < b.N; i++ {
		rep, err := s.Import(bg, []string{benchCorpus(b)}, ImportOptions{})
		if err != nil || rep.Unchanged+rep.Skipped != benchFiles {
			b.Fatalf("%s %v", rep, err)
		}
	}
}

func BenchmarkExport20k(b *testing.B) {
	s := openBench(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rep, err := s.Export(bg, b.TempDir(), ExportOptions{Format: FormatOpenAI, BaseModel: "m"})
		if err != nil || rep.Train.Examples+rep.Validation.Examples < benchFiles-100 {
			b.Fatalf("%v %v", rep, err)
		}
	}
}

func BenchmarkSearchRanked(b *testing.B) {
	s := openBench(b)
	for i := 0; i < b.N; i++ {
		hits, err := s.Search(bg, Query{Text: "records customers paging", Limit: 50})
		if err != nil || len(hits) == 0 {
			b.Fatal(hits, err)
		}
	}
}

// BenchmarkSearchAsYouType is one search per key typed: every prefix of
// "records customers", the short ones matching most of the corpus.
func BenchmarkSearchAsYouType(b *testing.B) {
	s := openBench(b)
	const typed = "records customers"
	for i := 0; i < b.N; i++ {
		for n := 1; n <= len(typed); n++ {
			if _, err := s.Search(bg, Query{Text: typed[:n], Limit: 50}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkSimilar(b *testing.B) {
	s := openBench(b)
	for i := 0; i < b.N; i++ {
		hits, err := s.Similar(bg, "Create an endpoint that returns the orders of a customer with paging and sorting", 5)
		if err != nil || len(hits) != 5 {
			b.Fatal(hits, err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	path := benchStore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Count(bg, Query{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}
