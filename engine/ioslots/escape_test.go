package ioslots_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// snapshot records every name, mode and content under dir, so a test can
// assert that nothing outside the sandbox changed.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %s %d", p, fi.Mode(), fi.Size())
		if fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " %q", data)
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func policy(t testing.TB, root string, extra string) *whitelist.Policy {
	src := "name:jail\r\nallow\r\n   effects:pure,read-files,write-files\r\nconstraints\r\n   files\r\n      root:\"" + filepath.ToSlash(root) + "\"\r\n      max-read-bytes:long:1024\r\n      max-write-bytes:long:1024\r\n" + extra
	p, err := whitelist.Parse("jail.hl", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t testing.TB, p *whitelist.Policy, src string) (*engine.Result, error) {
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return vocab.New().Execute(context.Background(), lambda, p)
}

// Every escape attempt is refused, and the files outside the sandbox are
// byte for byte what they were.
func TestEscapes(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	root := filepath.Join(tmp, "sandbox")
	for _, d := range []string{outside, root} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("../outside/secret.txt", filepath.Join(root, "link")))
	must(os.Symlink(secret, filepath.Join(root, "abslink")))
	must(os.Symlink("../outside", filepath.Join(root, "dirlink")))
	must(os.Mkdir(filepath.Join(root, "sub"), 0o700))
	must(os.Symlink("../../outside", filepath.Join(root, "sub", "up")))
	must(syscall.Mkfifo(filepath.Join(root, "fifo"), 0o600))
	must(os.WriteFile(filepath.Join(root, "big.txt"), make([]byte, 2048), 0o600))
	device := ""
	if err := syscall.Mknod(filepath.Join(root, "null"), syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		device = "null" // only root may make devices; the FIFO covers the rest
	}
	p := policy(t, root, "")
	before := snapshot(t, tmp)

	cases := []struct{ src, want string }{
		{"io.file.load:/link", "leads outside the sandbox root"},
		{"io.file.load:/abslink", "leads outside the sandbox root"},
		{"io.file.load:/dirlink/secret.txt", "leads outside the sandbox root"},
		{"io.file.load:/sub/up/secret.txt", "leads outside the sandbox root"},
		{"io.file.save:/link\r\n   .:pwned", "leads outside the sandbox root"},
		{"io.file.save:/dirlink/new.txt\r\n   .:pwned", "leads outside the sandbox root"},
		{"io.file.copy:/link\r\n   .:/copy.txt", "leads outside the sandbox root"},
		{"io.file.copy:/big.txt\r\n   .:/dirlink/big.txt", "over max-read-bytes"},
		{"io.file.move:/sandbox-file\r\n   .:/dirlink/moved.txt", "no such file"},
		{"io.folder.create:/dirlink/new/", "leads outside the sandbox root"},
		{"io.folder.list:/dirlink/", "leads outside the sandbox root"},
		{"io.folder.delete:/", "refuses deleting the sandbox root"},
		{"io.folder.delete:/sub/up/", "is a file"},
		{"io.folder.copy:/sub/\r\n   .:/sub/inner/", "into itself"},
		{"io.file.load:../outside/secret.txt", "goes up a folder"},
		{"io.file.load:/sub/../../outside/secret.txt", "goes up a folder"},
		{"io.file.load:%2e%2e/outside/secret.txt", "percent-encoded"},
		{"io.file.load:..%2foutside%2fsecret.txt", "percent-encoded"},
		{"io.file.load:\"\u2024\u2024/outside/secret.txt\"", "looks like . or /"},
		{"io.file.load:\"..\\\\outside\\\\secret.txt\"", "backslash"},
		{"io.file.load:\"" + filepath.ToSlash(secret) + "\"", "no such file"}, // "/" is the sandbox root, never the host's
		{"io.file.load:/etc/passwd", "no such file"},
		{"io.file.load:~/.bashrc", "starts with ~"},
		{"io.file.load:\"file:///etc/passwd\"", "colon"},
		{"io.file.load:\"secret\\t.txt\"", "control character"},
		{"io.file.load:/fifo", "not a regular file"},
		{"io.file.save:/fifo\r\n   .:x", "not a regular file"},
		{"io.file.load:/big.txt", "2048 bytes is over max-read-bytes 1024"},
		{"io.file.save:/huge.txt\r\n   strings.concat\r\n" + strings.Repeat("      .:0123456789012345678901234567890123456789\r\n", 30), "over max-write-bytes 1024"},
	}
	if device != "" {
		cases = append(cases, struct{ src, want string }{"io.file.load:/null", "not a regular file"})
	}
	for _, c := range cases {
		err := runGuarded(t, p, c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %q", c.src, err, c.want)
		}
		var de *engine.DeniedError
		if strings.Contains(c.want, "refuse") || strings.Contains(c.want, "over max") || strings.Contains(c.want, "leads outside") {
			if !errors.As(err, &de) || de.Policy != "jail" {
				t.Errorf("%s: want a denial by policy jail, got %T", c.src, err)
			}
		}
		if after := snapshot(t, outside); after != snapshot(t, outside) || !strings.Contains(before, after) {
			t.Fatalf("%s changed files outside the sandbox:\n%s", c.src, after)
		}
	}
	if after := snapshot(t, tmp); after != before {
		t.Fatalf("the tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// A folder where a file is expected, and a copy or move onto itself, are
// ordinary errors in words (not refusals); what is not a regular file is
// named in words, not as a mode string.
func TestFolderErrors(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "notes"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := policy(t, root, "")
	for _, c := range []struct{ src, want string }{
		{"io.file.load:/notes/", "/notes/ is a folder, not a file"},
		{"io.file.load:/notes", "/notes is a folder, not a file"},
		{"io.file.load:/", "/ is a folder, not a file"},
		{"io.file.load.binary:/notes/", "/notes/ is a folder, not a file"},
		{"io.file.save:/notes\r\n   .:x", "/notes is a folder, not a file"},
		{"io.file.copy:/a.txt\r\n   .:/notes", "/notes is a folder, not a file"},
		{"io.file.move:/a.txt\r\n   .:/notes", "/notes is a folder, not a file"},
		{"io.file.copy:/a.txt\r\n   .:/a.txt", "you cannot [io.file.copy] /a.txt onto itself"},
		{"io.file.move:/a.txt\r\n   .:/", "you cannot [io.file.move] /a.txt onto itself"},
		{"io.folder.copy:/notes/\r\n   .:/notes", "you cannot [io.folder.copy] /notes/ onto itself"},
	} {
		_, err := run(t, p, c.src)
		var re *engine.RuntimeError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %T %v\nwant a runtime error with %q", c.src, err, err, c.want)
		}
	}
	_, err := run(t, p, "io.file.load:/fifo")
	var de *engine.DeniedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), `refuses "/fifo": it is a named pipe, not a regular file`) || strings.Contains(err.Error(), "---") {
		t.Errorf("fifo: %v", err)
	}
	if data, err := os.ReadFile(filepath.Join(root, "a.txt")); err != nil || string(data) != "a" {
		t.Errorf("a.txt changed: %q %v", data, err)
	}
}

// Text loaded from a file is always valid: bytes that are not UTF-8
// become U+FFFD (one per maximal invalid sequence, as .NET), a byte order
// mark chooses the encoding and is dropped, and a file name that is not
// UTF-8 is listed with U+FFFD; the executed lambda formats and parses
// back to itself.
func TestLoadedText(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{
		"latin1.txt":  []byte("caf\xe9 \xe2\x82!"),
		"bom8.txt":    []byte("\xef\xbb\xbfhello"),
		"bom16.txt":   {0xff, 0xfe, 'h', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde},
		"bom16b.txt":  {0xfe, 0xff, 0, 'h', 0xd8, 0x00},
		"bad\xffname": []byte("x"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res, err := run(t, policy(t, root, ""), "io.file.load:/latin1.txt\r\nio.file.load:/bom8.txt\r\nio.file.load:/bom16.txt\r\nio.file.load:/bom16b.txt\r\nio.file.list:/\r\n")
	if err != nil {
		t.Fatal(err)
	}
	kids := res.Lambda.Children()
	for i, want := range []string{"caf\uFFFD \uFFFD!", "hello", "h\u00e9\U0001F600", "h\uFFFD"} {
		if kids[i].Value != want {
			t.Errorf("%d: %q, want %q", i, kids[i].Value, want)
		}
	}
	if got := kids[4].Child(0).Value; got != "/bad\uFFFDname" {
		t.Errorf("listing: %q", got)
	}
	text := hyperlambda.Format(kids, hyperlambda.FormatOptions{})
	back, err := hyperlambda.ParseString(text, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatalf("the executed lambda does not parse back: %v\n%s", err, text)
	}
	if again := hyperlambda.Format(back.Children(), hyperlambda.FormatOptions{}); again != text {
		t.Fatalf("not a fixed point:\n%s\n%s", text, again)
	}
}

// The static check sees literal paths the policy refuses.
func TestStaticCheck(t *testing.T) {
	p := policy(t, t.TempDir(), "   data\r\n      databases\r\n         app:/app.db\r\n")
	root, _ := hyperlambda.ParseString("io.file.load:../x\r\nio.file.load:/ok.txt\r\nio.file.copy:/ok.txt\r\n   .:%2e%2e/x\r\nio.file.load:/app.db\r\nio.file.load:x:@.path\r\n", hyperlambda.ParseOptions{})
	var got []string
	for _, f := range whitelist.Check(root, vocab.New(), p) {
		if f.Node.Parent() == root {
			got = append(got, f.Label.String())
		}
	}
	want := "denied allowed denied denied allowed"
	if strings.Join(got, " ") != want {
		t.Errorf("labels %v, want %s", got, want)
	}
}

// runGuarded runs src under p and returns its error; a run that has not
// ended after 5 s fails the test as a hang (an escape attempt through a
// FIFO or a device would block).
func runGuarded(t *testing.T, p *whitelist.Policy, src string) error {
	t.Helper()
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err = vocab.New().Execute(context.Background(), lambda, p)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: hangs", src)
	}
	return err
}

// The database file is kept from io.* under any name (audit 17): os.Root
// follows links that stay inside the root, so a link to the file or to a
// folder holding it (made by anyone but the program), or a hard link,
// read and overwrote it when only its own name was refused.
func TestDatabaseFileUnderAnotherName(t *testing.T) {
	root := t.TempDir()
	db := filepath.Join(root, "app.db")
	if err := os.WriteFile(db, []byte("SQLite format 3\x00 secret rows"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("app.db", filepath.Join(root, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(root, "self")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(db, filepath.Join(root, "hard.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("later.db", filepath.Join(root, "dangling.txt")); err != nil {
		t.Fatal(err)
	}
	p := policy(t, root, "   data\r\n      databases\r\n         app:/app.db\r\n         later:/later.db\r\n      tables\r\n         todos:read\r\n")
	// The plain name is refused, as documented.
	if _, err := run(t, p, "io.file.load:/app.db"); err == nil {
		t.Fatal("the database file itself was read")
	}
	for _, src := range []string{
		"io.file.load:/notes.txt",
		"io.file.load.binary:/self/app.db",
		"io.file.copy:/notes.txt\r\n   .:/copy.bin",
		"io.file.save:/notes.txt\r\n   .:overwritten",
		"io.file.save:/self/app.db\r\n   .:overwritten",
		"io.file.load:/hard.txt",
		"io.file.save:/dangling.txt\r\n   .:a database made by the program",
	} {
		res, err := run(t, p, src)
		var de *engine.DeniedError
		if !errors.As(err, &de) {
			got := any(err)
			if err != nil {
				got = err.Error()
			}
			if err == nil {
				got = res.Lambda.Child(0).Value
			}
			t.Errorf("%s: reached the database file through a link (%.40q), want a denial", src, got)
		}
	}
	res, err := run(t, p, "io.file.list:/self/")
	if err == nil {
		for _, c := range res.Lambda.Child(0).Children() {
			if c.Value == "/self/app.db" {
				t.Errorf("io.file.list lists the database file under another name: %v", c.Value)
			}
		}
	}
	if data, _ := os.ReadFile(db); string(data) != "SQLite format 3\x00 secret rows" {
		t.Errorf("the database file was changed through io.*: %q", data)
	}
	if _, err := os.Lstat(filepath.Join(root, "later.db")); err == nil {
		t.Errorf("a write through a dangling link made the database file")
	}
}

// What a run writes to disk counts against its output budget (audit 16):
// every write was held to max-write-bytes, but a loop of them wrote
// without end, and the sandbox outlives the run.
func TestFileWritesCountAgainstTheOutputBudget(t *testing.T) {
	root := t.TempDir()
	p := policy(t, root, "budgets\r\n   output-bytes:long:8192\r\n")
	_, err := run(t, p, ".text:\""+strings.Repeat("x", 1000)+"\"\r\n.i:int:0\r\nwhile\r\n   lt\r\n      get-value:x:@.i\r\n      .:int:100\r\n   .lambda\r\n"+
		"      strings.concat\r\n         .:/f\r\n         get-value:x:@.i\r\n         .:.txt\r\n      io.file.save:x:@strings.concat\r\n         .:x:@.text\r\n      math.increment:x:@.i\r\n")
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "output-bytes" {
		t.Fatalf("got %v, want the output budget", err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) > 8 {
		t.Errorf("%d files of 1000 bytes written under an output budget of 8192", len(entries))
	}
}
