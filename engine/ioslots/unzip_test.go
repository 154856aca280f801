package ioslots_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/whitelist"
)

// zipOf builds a zip of the named contents, in order.
func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip holds one entry whose header says it is 10 bytes while its
// data inflates to size bytes: a zip bomb that hides its size.
func lyingZip(t *testing.T, name string, size int) []byte {
	t.Helper()
	content := make([]byte, size)
	// The deflated bytes of content, taken from an honest zip's entry.
	honest := zipOf(t, [2]string{"x", string(content)})
	zr, err := zip.NewReader(bytes.NewReader(honest), int64(len(honest)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	var deflated bytes.Buffer
	deflated.ReadFrom(rc)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(content[:10]),
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 10})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	zw.Close()
	return buf.Bytes()
}

// Entries that would be written outside the destination folder, over
// the policy's write size (declared or hidden), onto a database file or
// through a symlink leaving the root are refused; the sandbox and what is
// outside it are byte for byte what they were.
func TestUnzipEscapes(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	root := filepath.Join(tmp, "sandbox")
	for _, d := range []string{outside, filepath.Join(root, "in"), filepath.Join(root, "out"), filepath.Join(root, "db")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	p := policy(t, root, "      \r\n   data\r\n      databases\r\n         app:/db/app.db\r\n")
	cases := []struct {
		name   string
		zip    []byte
		folder string
		want   string // "denied: substring" or "error: substring"
	}{
		{"parent", zipOf(t, [2]string{"ok.txt", "a"}, [2]string{"../evil.txt", "x"}), "/out/", "denied: outside folder"},
		{"nested parent", zipOf(t, [2]string{"a/../../evil.txt", "x"}), "/out/", "denied: outside folder"},
		{"absolute", zipOf(t, [2]string{"/etc/evil.txt", "x"}), "/out/", "denied: an absolute path"},
		{"backslash parent", zipOf(t, [2]string{`..\evil.txt`, "x"}), "/out/", "denied: outside folder"},
		{"drive", zipOf(t, [2]string{"C:/evil.txt", "x"}), "/out/", "denied: outside folder"},
		{"declared oversize", zipOf(t, [2]string{"big.txt", strings.Repeat("x", 2000)}), "/out/", "denied: over max-write-bytes"},
		{"hidden oversize", lyingZip(t, "bomb.txt", 200_000), "/out/", "any: bomb.txt"},
		{"database file", zipOf(t, [2]string{"db/app.db", "x"}), "/", "denied: database file"},
		{"symlinked folder", zipOf(t, [2]string{"evil.txt", "x"}), "/link/", "denied: outside the sandbox root"},
		{"symlinked subfolder", zipOf(t, [2]string{"link/evil.txt", "x"}), "/", "denied: outside the sandbox root"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(root, "in", "z.zip"), c.zip, 0o600); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, tmp)
			_, err := run(t, p, "io.file.unzip:/in/z.zip\r\n   folder:\""+c.folder+"\"\r\n")
			if err == nil {
				t.Fatal("extracted")
			}
			kind, text, _ := strings.Cut(c.want, ": ")
			var de *engine.DeniedError
			switch {
			case kind == "denied" && !errors.As(err, &de):
				t.Fatalf("want a denial, got %T %v", err, err)
			case !strings.Contains(err.Error(), text):
				t.Fatalf("error %q does not say %q", err, text)
			}
			if after := snapshot(t, tmp); after != before {
				t.Fatalf("files changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// Extracting charges the run a step per 4 KiB written (and the zip's
// reading), so a zip of many large files is bounded by the step budget.
func TestUnzipCharges(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "out"), 0o700); err != nil {
		t.Fatal(err)
	}
	roomy := func(extra string) *whitelist.Policy {
		p, err := whitelist.Parse("roomy.hl", []byte("name:roomy\r\nallow\r\n   effects:pure,read-files,write-files\r\nconstraints\r\n   files\r\n      root:\""+
			filepath.ToSlash(root)+"\"\r\n      max-read-bytes:long:1048576\r\n      max-write-bytes:long:1048576\r\n"+extra))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// 8 files of 40,960 bytes: 10 steps each at 4 KiB a step.
	var entries [][2]string
	for i := 0; i < 8; i++ {
		entries = append(entries, [2]string{string(rune('a'+i)) + ".txt", strings.Repeat("x", 40960)})
	}
	if err := os.WriteFile(filepath.Join(root, "z.zip"), zipOf(t, entries...), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := run(t, roomy(""), "io.file.unzip:/z.zip\r\n   folder:/out/\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if res.Usage.Steps < 80 {
		t.Fatalf("%d steps for 320 KiB extracted", res.Usage.Steps)
	}
	_, err = run(t, roomy("budgets\r\n   steps:long:40\r\n"), "io.file.unzip:/z.zip\r\n   folder:/out/\r\n")
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "steps" {
		t.Fatalf("want the steps budget, got %v", err)
	}
}
