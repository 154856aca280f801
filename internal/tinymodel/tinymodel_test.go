package tinymodel

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteIsReproducible(t *testing.T) {
	var a, b, c bytes.Buffer
	for _, w := range []struct {
		buf  *bytes.Buffer
		seed uint64
	}{{&a, DefaultSeed}, {&b, DefaultSeed}, {&c, DefaultSeed + 1}} {
		if err := Write(w.buf, w.seed); err != nil {
			t.Fatal(err)
		}
	}
	if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
		t.Error("the same seed gave different files")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("another seed gave the same file")
	}
	if n := a.Len(); n < 500_000 || n > 540_000 {
		t.Errorf("size %d bytes, want about 520 KB", n)
	}
}

func TestHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := WriteFile(path, DefaultSeed); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if string(b[:4]) != "GGUF" || le.Uint32(b[4:]) != 3 {
		t.Fatalf("header %q version %d", b[:4], le.Uint32(b[4:]))
	}
	// 3 global tensors and 9 per layer; 26 metadata entries.
	if n := le.Uint64(b[8:]); n != 3+9*nLayer {
		t.Errorf("%d tensors", n)
	}
	if n := le.Uint64(b[16:]); n != 26 {
		t.Errorf("%d metadata entries", n)
	}
	// The first key is written right after the header: length, then bytes.
	if n := le.Uint64(b[24:]); string(b[32:32+n]) != "general.alignment" {
		t.Errorf("first key %q", b[32:32+n])
	}
}

func TestVocabulary(t *testing.T) {
	tokens, types, scores := vocabulary()
	if len(tokens) != 354 || len(types) != len(tokens) || len(scores) != len(tokens) {
		t.Fatalf("%d tokens, %d types, %d scores", len(tokens), len(types), len(scores))
	}
	for _, want := range []string{"{", "}", `"`, ".", "0", "a", "\u2581", "<0x0A>", "</s>"} {
		found := false
		for _, tok := range tokens {
			found = found || tok == want
		}
		if !found {
			t.Errorf("no token %q", want)
		}
	}
}

func TestModelfile(t *testing.T) {
	mf := Modelfile("./tiny.gguf")
	for _, want := range []string{"FROM ./tiny.gguf\n", `TEMPLATE """`, "PARAMETER num_ctx 2048", "PARAMETER num_thread 1"} {
		if !strings.Contains(mf, want) {
			t.Errorf("Modelfile lacks %q:\n%s", want, mf)
		}
	}
}
