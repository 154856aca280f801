package ioslots_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hlstudio/engine"
	"hlstudio/engine/ioslots"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Streams reach no file outside the sandbox, by any path: symlinks out of
// it, ways up, pipes; the files outside are byte for byte what they were.
func TestStreamEscapes(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	root := filepath.Join(tmp, "sandbox")
	for _, d := range []string{outside, root} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.txt")
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(secret, []byte("SECRET"), 0o600))
	must(os.Symlink("../outside/secret.txt", filepath.Join(root, "link")))
	must(os.Symlink("../outside", filepath.Join(root, "dirlink")))
	must(syscall.Mkfifo(filepath.Join(root, "fifo"), 0o600))
	must(os.WriteFile(filepath.Join(root, "big.txt"), make([]byte, 2048), 0o600))
	p := policy(t, root, "")
	before := snapshot(t, tmp)

	zip := "io.content.zip-stream\r\n   .:a.txt\r\n      .:pwned\r\n"
	cases := []struct{ src, want string }{
		{"io.stream.open-file:/link", "leads outside the sandbox root"},
		{"io.stream.open-file:/dirlink/secret.txt", "leads outside the sandbox root"},
		{"io.stream.open-file:../outside/secret.txt", "goes up a folder"},
		{"io.stream.open-file:\"" + filepath.ToSlash(secret) + "\"", "no such file"},
		{"io.stream.open-file:/fifo", "not a regular file"},
		{"io.stream.open-file:/big.txt", "2048 bytes is over max-read-bytes 1024"},
		{zip + "io.stream.save-file:/link\r\n   get-value:x:@io.content.zip-stream", "leads outside the sandbox root"},
		{zip + "io.stream.save-file:/dirlink/new.txt\r\n   get-value:x:@io.content.zip-stream", "leads outside the sandbox root"},
		{zip + "io.stream.save-file:/dirlink/secret.txt\r\n   overwrite:bool:false\r\n   get-value:x:@io.content.zip-stream", "leads outside the sandbox root"},
		{zip + "io.stream.save-file:../outside/new.txt\r\n   get-value:x:@io.content.zip-stream", "goes up a folder"},
		{zip + "io.stream.save-file:/fifo\r\n   get-value:x:@io.content.zip-stream", "not a regular file"},
	}
	for _, c := range cases {
		err := runGuarded(t, p, c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %q", c.src, err, c.want)
		}
		var de *engine.DeniedError
		if c.want != "no such file" && (!errors.As(err, &de) || de.Policy != "jail") {
			t.Errorf("%s: want a denial by policy jail, got %T %v", c.src, err, err)
		}
	}
	if after := snapshot(t, tmp); after != before {
		t.Fatalf("the tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// A stream lives in the run that made it: put into another run's tree
// (by a host keeping the executed lambda, or through a dynamic slot's
// body, which the engine keeps across runs) it is refused, and the file
// is not read.
func TestStreamAcrossRuns(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := whitelist.Parse("slots.hl", []byte(`name:jail
allow
   effects:pure,read-files,spawns-code
constraints
   files
      root:"`+filepath.ToSlash(root)+`"
`))
	if err != nil {
		t.Fatal(err)
	}
	e := vocab.New()
	first, err := hyperlambda.ParseString(`io.stream.open-file:/a.txt
set-value:x:../*/slots.create/*/.stream
   get-value:x:@io.stream.open-file
slots.create:leak
   .stream
   io.stream.read:x:@.stream
   return:x:-
signal:leak
`, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Execute(context.Background(), first, p)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := res.Lambda.Child(3).Value.([]byte); string(got) != "hello" {
		t.Fatalf("the slot read %v in the run that opened the stream", res.Lambda.Child(3).Value)
	}
	stream, ok := res.Lambda.Child(0).Value.(*ioslots.Stream)
	if !ok {
		t.Fatalf("io.stream.open-file gave %T", res.Lambda.Child(0).Value)
	}

	// The executed lambda, kept by the host and run again.
	second := hyperlambda.New("", nil)
	second.Add(hyperlambda.New(".stream", stream))
	read2 := hyperlambda.New("io.stream.read", nil)
	read2.Value, _ = hyperlambda.ParseExpression("@.stream")
	second.Add(read2)
	_, err = e.Execute(context.Background(), second, p)
	if err == nil || !strings.Contains(err.Error(), "belongs to another run") {
		t.Errorf("a stream from another run: %v", err)
	}
	if second.Child(1).Value != read2.Value {
		t.Errorf("the read produced %v", second.Child(1).Value)
	}

	// Through the dynamic slot made by the first run.
	third, _ := hyperlambda.ParseString("signal:leak\r\n", hyperlambda.ParseOptions{})
	_, err = e.Execute(context.Background(), third, p)
	if err == nil || !strings.Contains(err.Error(), "belongs to another run") {
		t.Errorf("a stream kept in a dynamic slot: %v", err)
	}
}

// A host's stream (an uploaded file) is saved and read like the reference
// endpoints' [.arguments/*/file/*/stream], belongs to the run that first
// uses it, and its bytes are the host's, not shared with the tree.
func TestHostStream(t *testing.T) {
	root := t.TempDir()
	p := policy(t, root, "")
	data := []byte("uploaded bytes")
	upload := ioslots.NewStream("photo.png", data)
	lambda, err := hyperlambda.ParseString(`.arguments
   file
      name:photo.png
io.stream.save-file:/photo.png
   get-value:x:@.arguments/*/file/*/stream
io.file.load:/photo.png
`, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lambda.Child(0).Child(0).Add(hyperlambda.New("stream", upload))
	res, err := vocab.New().Execute(context.Background(), lambda, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Lambda.Child(2).Value; got != "uploaded bytes" {
		t.Errorf("saved %q", got)
	}
	if got := upload.String(); got != "[stream photo.png]" {
		t.Errorf("shown as %q", got)
	}
	again, _ := hyperlambda.ParseString(".s\r\nio.stream.read:x:-\r\n", hyperlambda.ParseOptions{})
	again.Child(0).Value = upload
	if _, err := vocab.New().Execute(context.Background(), again, p); err == nil || !strings.Contains(err.Error(), "belongs to another run") {
		t.Errorf("a host stream used by a second run: %v", err)
	}

	fresh := ioslots.NewStream("notes.txt", data)
	read, _ := hyperlambda.ParseString(".s\r\nio.stream.read:x:-\r\n", hyperlambda.ParseOptions{})
	read.Child(0).Value = fresh
	res, err = vocab.New().Execute(context.Background(), read, p)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Lambda.Child(1).Value.([]byte)
	got[0] = 'X'
	if data[0] != 'u' {
		t.Errorf("the read bytes share the stream's memory")
	}
}

// The zip holds every entry under a relative name with its content, and
// reads back as a zip; its bytes count against the output budget once
// when made and again when read.
func TestZipStream(t *testing.T) {
	p := policy(t, t.TempDir(), "")
	res, err := run(t, p, `.bytes:bytes:AAEC
io.content.zip-stream
   .:/foo1.txt
      .:howdy
   .:/another-folder/foo3.txt
      .:"2.0"
   .:bin/data
      get-value:x:@.bytes
io.stream.read:x:-
`)
	if err != nil {
		t.Fatal(err)
	}
	b := res.Lambda.Child(2).Value.([]byte)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"foo1.txt": "howdy", "another-folder/foo3.txt": "2.0", "bin/data": "\x00\x01\x02"}
	var order []string
	for _, f := range zr.File {
		order = append(order, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, _ := io.ReadAll(rc)
		rc.Close()
		if string(content) != want[f.Name] {
			t.Errorf("%s: %q, want %q", f.Name, content, want[f.Name])
		}
	}
	if strings.Join(order, " ") != "foo1.txt another-folder/foo3.txt bin/data" {
		t.Errorf("entries %v", order)
	}
	made, err := run(t, p, `.bytes:bytes:AAEC
io.content.zip-stream
   .:/foo1.txt
      .:howdy
   .:/another-folder/foo3.txt
      .:"2.0"
   .:bin/data
      get-value:x:@.bytes
`)
	if err != nil {
		t.Fatal(err)
	}
	if made.Usage.OutputBytes < int64(len(b)) || res.Usage.OutputBytes-made.Usage.OutputBytes != int64(len(b)) {
		t.Errorf("output %d bytes making a zip of %d, %d reading it too", made.Usage.OutputBytes, len(b), res.Usage.OutputBytes)
	}

	// A budget the zip fits in, and its read does not: the run fails at
	// the read, not before.
	budget := int64(len(b) + len(b)/2)
	small, err := whitelist.Parse("small.hl", []byte(strings.ReplaceAll(`name:small
allow
   effects:pure,read-files
budgets
   output-bytes:long:BUDGET
`, "BUDGET", itoa(budget))))
	if err != nil {
		t.Fatal(err)
	}
	src := ".bytes:bytes:AAEC\r\nio.content.zip-stream\r\n   .:/foo1.txt\r\n      .:howdy\r\n   .:/another-folder/foo3.txt\r\n      .:\"2.0\"\r\n   .:bin/data\r\n      get-value:x:@.bytes\r\n"
	if _, err := run(t, small, src); err != nil {
		t.Fatalf("the zip alone: %v", err)
	}
	res, err = run(t, small, src+"io.stream.read:x:-\r\n")
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "output-bytes" {
		t.Fatalf("reading past the budget: %v", err)
	}
	if res.Lambda.Child(2).Value != nil {
		if _, isExpr := res.Lambda.Child(2).Value.(*hyperlambda.Expression); !isExpr {
			t.Errorf("the refused read produced %v", res.Lambda.Child(2).Value)
		}
	}
}

func itoa(n int64) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// The executed lambda holding streams formats, and the text parses back
// to itself: a stream is shown as what it is, as text.
func TestStreamFormats(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := run(t, policy(t, root, ""), "io.stream.open-file:/a.txt\r\nio.content.zip-stream\r\n   .:a.txt\r\n      .:x\r\nio.stream.close:x:-\r\nlambda2json:x:@io.stream.open-file\r\n")
	if err != nil {
		t.Fatal(err)
	}
	text := hyperlambda.Format(res.Lambda.Children(), hyperlambda.FormatOptions{})
	for _, want := range []string{"io.stream.open-file:[file stream /a.txt]", "io.content.zip-stream:[stream zip of 1 entry, closed]", `lambda2json:"{\"io.stream.open-file\":\"[file stream /a.txt]\"}"`} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in\n%s", want, text)
		}
	}
	back, err := hyperlambda.ParseString(text, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatalf("does not parse back: %v\n%s", err, text)
	}
	if again := hyperlambda.Format(back.Children(), hyperlambda.FormatOptions{}); again != text {
		t.Fatalf("not a fixed point:\n%s\n%s", text, again)
	}
}
