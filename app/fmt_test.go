package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/hyperlambda"
	"hlstudio/internal/hlgen"
)

// writeFolder writes n generated snippets as .hl files, with LF line ends
// and an unneeded quote or two so that most differ from canonical form.
func writeFolder(t testing.TB, n int) string {
	dir := t.TempDir()
	r := rand.New(rand.NewSource(7))
	for i := 0; i < n; i++ {
		src := hlgen.Snippet(r)
		if i%3 == 0 {
			src = strings.ReplaceAll(src, "\r\n", "\n")
		}
		if i%5 == 0 {
			src = strings.Replace(src, "database-type:sqlite", "database-type:\"sqlite\"", 1)
		}
		sub := filepath.Join(dir, fmt.Sprintf("group%02d", i%40))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("s%05d.hl", i)), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFmtFolderOfThousands(t *testing.T) {
	const n = 3000
	dir := writeFolder(t, n)
	var out, errb bytes.Buffer
	if code := runFmt([]string{"-l", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("fmt -l: exit %d: %s", code, errb.String())
	}
	listed := strings.Count(out.String(), "\n")
	if listed < n/3 || listed > n {
		t.Fatalf("fmt -l listed %d of %d files", listed, n)
	}
	out.Reset()
	if code := runFmt([]string{"-w", "--comments", dir}, nil, &out, &errb); code != 0 {
		t.Fatalf("fmt -w: exit %d: %s", code, errb.String())
	}
	if code := runFmt([]string{"-l", "--comments", dir}, nil, &out, &errb); code != 0 || out.Len() != 0 {
		t.Fatalf("after -w, fmt -l still lists: %q (exit %d, %s)", out.String(), code, errb.String())
	}
	// Every rewritten file is the canonical form of what it held.
	files, _ := collectHL([]string{dir})
	if len(files) != n {
		t.Fatalf("found %d files, want %d", len(files), n)
	}
	for _, f := range files[:50] {
		data, _ := os.ReadFile(f)
		root, err := hyperlambda.Parse(data, hyperlambda.ParseOptions{Comments: true})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := hyperlambda.Format(root.Children(), hyperlambda.FormatOptions{Comments: true}); got != string(data) {
			t.Fatalf("%s is not canonical after -w", f)
		}
	}
}

func TestUnifiedDiff(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\n"
	b := "a\nb\nc\nD\ne\nf\ng\nh\nx\n"
	want := "--- x.orig\n+++ x\n@@ -1,8 +1,9 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n+x\n"
	if got := unifiedDiff("x.orig", "x", a, b); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("x.orig", "x", "a\nb\n", "a\r\nb\r\n"); !strings.Contains(got, "line ends only") {
		t.Fatalf("line-end-only change: %q", got)
	}
	if unifiedDiff("a", "b", "same", "same") != "" {
		t.Fatal("equal texts must give no diff")
	}
}

func BenchmarkFmtFolder(b *testing.B) {
	dir := writeFolder(b, 3000)
	b.ResetTimer()
	for b.Loop() {
		var out, errb bytes.Buffer
		if code := runFmt([]string{"-l", "--comments", dir}, nil, &out, &errb); code != 0 {
			b.Fatal(errb.String())
		}
	}
}
