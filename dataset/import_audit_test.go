package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// deepTree makes, under dir, a chain of folders whose path is longer than
// PATH_MAX (4096 bytes on Linux), with openat, so that nothing can name the
// deepest ones by path: any walker that stats them by path fails with
// ENAMETOOLONG. It stands for any subfolder that cannot be read (a folder
// of another user, mode 000, as seen by a non-root user; a folder removed
// while the import walks), which cannot be made in a test that runs as root.
func deepTree(t *testing.T, dir string) {
	t.Helper()
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("d", 200)
	for i := 0; i < 25; i++ {
		if err := syscall.Mkdirat(fd, name, 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := syscall.Openat(fd, name, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
		syscall.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		fd = next
	}
	syscall.Close(fd)
}

// TestImportUnreadableSubfolderImportsTheRest: one subfolder that
// cannot be walked must be reported (path and reason) and the rest of the
// folder imported. Before audit 18, walk returned the first error of any subfolder and
// Import gives up before importing anything: "import DIR: lstat
// DIR/ddd.../ddd...: file name too long", 0 files.
func TestImportUnreadableSubfolderImportsTheRest(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"good/a.hl": hl("Read the customers.", "data.read\n   table:customers"),
		"good/b.hl": hl("Read the orders.", "data.read\n   table:orders"),
	})
	deepTree(t, dir)
	rep, err := s.Import(bg, []string{dir}, ImportOptions{})
	if err != nil {
		t.Errorf("Import: %v; want the unreadable subfolder reported and the rest imported", err)
	}
	if rep.Added != 2 {
		t.Errorf("added %d snippets, want the 2 readable files: %v", rep.Added, rep)
	}
	reported := len(rep.Errors) > 0 || len(rep.Ignored) > 0
	if !reported {
		t.Errorf("the folder that could not be read is not named in the report: %v", rep)
	}
}

// TestImportNamesSpecialFiles: a .hl entry that is not a regular
// file (a named pipe, a link to a device) cannot be imported; the import
// must not hang on it (it does not) and must name it with the reason, as
// it names a link to nowhere. Before audit 18 it was left out without a word: the
// report counts neither file and lists nothing.
func TestImportNamesSpecialFiles(t *testing.T) {
	s := openTemp(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ok.hl": hl("Read the customers.", "data.read\n   table:customers")})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.hl"), 0o644); err != nil {
		t.Skip("no fifo:", err)
	}
	if err := os.Symlink("/dev/null", filepath.Join(dir, "device.hl")); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Import(bg, []string{dir}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 {
		t.Fatalf("report %v", rep)
	}
	named := map[string]bool{}
	for _, e := range rep.Errors {
		named[filepath.Base(e.File)] = true
	}
	for _, ig := range rep.Ignored {
		named[filepath.Base(ig.Path)] = true
	}
	for _, name := range []string{"pipe.hl", "device.hl"} {
		if !named[name] {
			t.Errorf("%s (not a regular file) was skipped without being named in the report: %v", name, rep)
		}
	}
}
