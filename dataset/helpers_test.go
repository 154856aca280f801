package dataset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var bg = context.Background()

// openTemp opens a new store in a temporary folder.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "studio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// writeTree writes files (path -> content, forward slashes) under dir.
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// hl is a training file: a prompt comment and code, with LF line ends.
func hl(prompt string, code ...string) string {
	return "// " + prompt + "\n" + strings.Join(code, "\n") + "\n"
}

func mustAdd(t testing.TB, s *Store, sn Snippet) Snippet {
	t.Helper()
	out, err := s.AddSnippet(bg, sn)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tempDirForExample is a temporary folder for examples, which have no
// testing.T; the process's temp folder is cleaned by the OS.
func tempDirForExample() string {
	dir, err := os.MkdirTemp("", "hlstudio-example-")
	if err != nil {
		panic(err)
	}
	return dir
}
