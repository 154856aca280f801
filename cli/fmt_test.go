package cli

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

// TestFmtWriteInPlace: -w writes through a symlink to its target and keeps
// the file's inode (hard links) and mode, leaving no backup behind.
func TestFmtWriteInPlace(t *testing.T) {
	dir := t.TempDir()
	const messy, canonical = "foo:\"bar\"\n", "foo:bar\r\n"
	target := filepath.Join(dir, "target.hl")
	if err := os.WriteFile(target, []byte(messy), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.hl")
	if err := os.Symlink("target.hl", link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.hl")
	if err := os.Link(target, hard); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := runFmt([]string{"-w", link}, nil, &out, &errb); code != 0 {
		t.Fatalf("fmt -w: exit %d: %s", code, errb.String())
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link.hl is no longer a symlink (%v, %v)", fi.Mode(), err)
	}
	for _, p := range []string{target, hard} {
		if data, _ := os.ReadFile(p); string(data) != canonical {
			t.Errorf("%s holds %q, want %q", filepath.Base(p), data, canonical)
		}
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want -rw-r-----", fi.Mode().Perm())
	}
	a, _ := os.Stat(target)
	b, _ := os.Stat(hard)
	if !os.SameFile(a, b) {
		t.Error("the hard link was broken")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("files left in the folder: %v", entries)
	}
}

// TestFmtWriteRefusals: a read-only file is refused (even for root) and
// left alone; a failure to write the backup names the user's file and
// leaves it unchanged.
func TestFmtWriteRefusals(t *testing.T) {
	dir := t.TempDir()
	const messy = "foo:\"bar\"\n"
	ro := filepath.Join(dir, "x.hl")
	if err := os.WriteFile(ro, []byte(messy), 0o444); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := runFmt([]string{"-w", ro}, nil, &out, &errb); code != 2 {
		t.Fatalf("fmt -w of a read-only file: exit %d: %s", code, errb.String())
	}
	if want := "hlstudio fmt: " + ro + " is read-only (mode -r--r--r--): not rewritten\n"; errb.String() != want {
		t.Errorf("stderr %q, want %q", errb.String(), want)
	}
	if data, _ := os.ReadFile(ro); string(data) != messy {
		t.Errorf("the read-only file was rewritten: %q", data)
	}

	// A name so long that the backup's name is too long for the file system.
	long := filepath.Join(dir, strings.Repeat("n", 240)+".hl")
	if err := os.WriteFile(long, []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := runFmt([]string{"-w", long}, nil, &out, &errb); code != 2 {
		t.Fatalf("fmt -w without room for a backup: exit %d: %s", code, errb.String())
	}
	if want := "hlstudio fmt: " + long + ": not rewritten: cannot write a backup copy in " + dir + ": "; !strings.HasPrefix(errb.String(), want) {
		t.Errorf("stderr %q, want it to start %q", errb.String(), want)
	}
	if data, _ := os.ReadFile(long); string(data) != messy {
		t.Errorf("the file was changed: %q", data)
	}

	// In a folder that cannot be written (not testable as root, who may).
	if os.Geteuid() != 0 {
		sub := filepath.Join(dir, "locked")
		os.Mkdir(sub, 0o755)
		f := filepath.Join(sub, "y.hl")
		os.WriteFile(f, []byte(messy), 0o644)
		os.Chmod(sub, 0o555)
		defer os.Chmod(sub, 0o755)
		errb.Reset()
		if code := runFmt([]string{"-w", f}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), f+": not rewritten: cannot write a backup copy in "+sub) {
			t.Errorf("read-only folder: exit %d: %s", code, errb.String())
		}
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
