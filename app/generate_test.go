package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/compiler"
	"hlstudio/dataset"
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

// regress grades the regression snippets (and only those by default)
// against the real tiny server, and prints a table with a summary.
func TestRegressCommand(t *testing.T) {
	srv := ollamatest.Start(t)
	db := filepath.Join(t.TempDir(), "studio.db")
	store, err := dataset.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fixed, err := store.AddSnippet(ctx, dataset.Snippet{Prompt: "Keep a constant", Code: ".z:.c\n", Status: dataset.StatusApproved, Tags: []string{"consts"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddRegression(ctx, dataset.Regression{SnippetID: fixed.ID, Bad: "z:.c", Reason: "dropped the dot"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddSnippet(ctx, dataset.Snippet{Prompt: "Unrelated", Code: ".a\n", Status: dataset.StatusApproved}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	var stdout, stderr bytes.Buffer
	code := run([]string{"regress", "--db", db, "--host", srv.Addr, "--mode", "tree", "--policy", "pure"}, nil, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "SNIPPET  VERDICT") || !strings.Contains(out, "Keep a constant") || strings.Contains(out, "Unrelated") ||
		!strings.Contains(out, "1 prompts:") || !strings.Contains(stderr.String(), "[1/1] snippet") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"regress", "--db", db, "--host", srv.Addr, "--mode", "tree", "--policy", "pure", "--status", "approved", "--json"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var results []compiler.RegressResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil || len(results) != 2 {
		t.Fatalf("%s: %v", stdout.String(), err)
	}
	if code := run([]string{"regress", "--db", db, "--host", ollamatest.RefusedHost(t), "--model", "tiny"}, nil, &stdout, &stderr); code != exitUnreachable {
		t.Errorf("unreachable: exit %d", code)
	}
}
