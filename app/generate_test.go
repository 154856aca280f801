package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/internal/ollamatest"
)

// generate against the real tiny server: tree mode verifies (a data row),
// the second run is served from the cache; text mode from the tiny model
// is gibberish, refused three times (exit 3) with every attempt in the
// JSON report; no server at all exits 5 and lists retrieved snippets.
func TestGenerate(t *testing.T) {
	srv := ollamatest.Start(t)
	db := filepath.Join(t.TempDir(), "studio.db")
	gen := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"generate", "--db", db}, args...), nil, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := gen("--host", srv.Addr, "--policy", "pure", "--mode", "tree", "Keep a constant")
	if code != exitOK || out == "" || !strings.Contains(errOut, "model: tiny:latest") || !strings.Contains(errOut, "attempt 1: ") {
		t.Fatalf("tree mode: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	code, again, errOut := gen("--host", srv.Addr, "--policy", "pure", "--mode", "tree", "keep a  constant")
	if code != exitOK || again != out || !strings.Contains(errOut, "cached:") {
		t.Fatalf("second run: exit %d, stdout %q, stderr %q", code, again, errOut)
	}

	code, out, errOut = gen("--host", srv.Addr, "--model", "tiny", "--mode", "text", "--attempts", "2", "--json", "Do something")
	if code != exitDenied || !strings.Contains(errOut, "no valid program after 2 attempts") {
		t.Fatalf("text mode: exit %d, stderr %q", code, errOut)
	}
	var rep struct {
		Policy   string
		Attempts []struct{ Raw, Error string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Attempts) != 2 || rep.Attempts[1].Error == "" || rep.Policy != "sandbox" {
		t.Fatalf("report %s: %v", out, err)
	}

	code, out, errOut = gen("--host", ollamatest.RefusedHost(t), "--model", "tiny", "Keep a constant")
	if code != exitUnreachable || !strings.Contains(errOut, "ollama serve") {
		t.Fatalf("offline: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestGenerateUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{{"generate"}, {"generate", "--mode", "poem", "x"}, {"generate", "--policy", "nosuch", "x"}} {
		stderr.Reset()
		if code := run(args, nil, &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
