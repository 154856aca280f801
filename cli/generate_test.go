package cli

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

// generate --json with no server: the report lists no attempts as [] (not
// null) and the retrieved snippets with snake_case keys like the rest.
func TestGenerateOfflineJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "studio.db")
	store, err := dataset.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddSnippet(context.Background(), dataset.Snippet{Prompt: "Keep a constant", Code: ".c:1\n", Status: dataset.StatusApproved}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"generate", "--db", db, "--host", ollamatest.RefusedHost(t), "--model", "tiny", "--json", "Keep a constant"}, nil, &stdout, &stderr)
	if code != exitUnreachable {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	var rep struct {
		Result struct {
			Attempts   []json.RawMessage
			Candidates []map[string]any
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), `"attempts": []`) || len(rep.Result.Candidates) != 1 {
		t.Fatalf("report %s", stdout.String())
	}
	for _, key := range []string{"id", "prompt", "code", "tree_hash", "status", "attempt_id"} {
		if _, ok := rep.Result.Candidates[0][key]; !ok {
			t.Errorf("candidate has no %q key: %v", key, rep.Result.Candidates[0])
		}
	}
}

func TestGenerateUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// No server and no dataset are needed: the flags are checked first.
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generate"}, "usage: hlstudio generate"},
		{[]string{"generate", "--mode", "poem", "x"}, `--mode "poem": use text or tree`},
		{[]string{"generate", "--policy", "nosuch", "x"}, `no policy "nosuch"`},
		{[]string{"generate", "--attempts", "0", "x"}, "--attempts 0: want 1 or more"},
		{[]string{"generate", "--attempts", "-1", "x"}, "--attempts -1: want 1 or more"},
		{[]string{"generate", "--examples", "-3", "x"}, "--examples -3: want 0 (none) or more"},
		{[]string{"regress", "--status", "bogus"}, `--status: unknown status "bogus"`},
		{[]string{"regress", "--status", "approved,bogus"}, `--status: unknown status "bogus"`},
		{[]string{"regress", "--mode", "foo"}, `--mode "foo": use text or tree`},
		{[]string{"regress", "--attempts", "0"}, "--attempts 0: want 1 or more"},
		{[]string{"regress", "--parallel", "0"}, "--parallel 0: want 1 or more"},
		{[]string{"regress", "extra"}, `unexpected argument "extra"`},
	} {
		stderr.Reset()
		if code := run(c.args, nil, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr.String(), c.want)
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
	if code := run([]string{"regress", "--db", db, "--host", srv.Addr, "--mode", "tree", "--policy", "pure", "--status", "approved,draft", "--json"}, nil, &stdout, &stderr); code != exitOK {
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
