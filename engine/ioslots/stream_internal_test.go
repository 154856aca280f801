package ioslots

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// A file stream is read only under the sandbox it was opened in: one
// from another sandbox (here forged, as no run can carry one across) is
// refused, and its file is not read.
func TestStreamOtherSandbox(t *testing.T) {
	tmp := t.TempDir()
	opened, active := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	for _, d := range []string{opened, active} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(opened, "secret.txt")
	if err := os.WriteFile(secret, []byte("SECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The same name in the active sandbox, so only the check on the
	// sandbox stands between the stream and a read.
	if err := os.WriteFile(filepath.Join(active, "secret.txt"), []byte("public"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(secret)
	if err != nil {
		t.Fatal(err)
	}
	p, err := whitelist.Parse("b.hl", []byte("name:b\r\nallow\r\n   effects:pure,read-files,write-files\r\nconstraints\r\n   files\r\n      root:\""+filepath.ToSlash(active)+"\"\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{".s\r\nio.stream.read:x:-\r\n", ".s\r\nio.stream.save-file:/copy.txt\r\n   get-value:x:@.s\r\n"} {
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		lambda.Child(0).Value = &Stream{name: "/secret.txt", dir: opened, rel: "secret.txt", ident: fi}
		_, err = e.Execute(context.Background(), lambda, p)
		var de *engine.DeniedError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "opened in another file sandbox") {
			t.Errorf("%q: %v", src, err)
		}
		if v, ok := lambda.Child(1).Value.([]byte); ok {
			t.Errorf("read %q", v)
		}
	}
	if _, err := os.Stat(filepath.Join(active, "copy.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("copy.txt was written: %v", err)
	}
}
