package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"hlstudio/compiler"
	"hlstudio/internal/ollamatest"
)

func TestModelsAgainstRealServer(t *testing.T) {
	srv := ollamatest.Start(t)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"models", "--host", srv.Addr}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !regexp.MustCompile(`(?m)^NAME +SIZE +FAMILY .*\ntiny:latest +520\.\d kB +llama +\S+ +\S+ +[0-9a-f]{12}$`).MatchString(stdout.String()) {
		t.Errorf("table:\n%s", stdout.String())
	}

	stdout.Reset()
	t.Setenv("OLLAMA_HOST", srv.Addr)
	if code := run([]string{"models", "--json"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var models []compiler.ModelInfo
	if err := json.Unmarshal(stdout.Bytes(), &models); err != nil || len(models) != 1 || models[0].Family != "llama" || len(models[0].Digest) != 64 {
		t.Errorf("json %s: %v", stdout.String(), err)
	}

	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"pull", "--host", ollamatest.RefusedHost(t), "x"}, nil, &stdout, &stderr); code != exitUnreachable {
		t.Errorf("pull from nowhere: exit %d: %s", code, stderr.String())
	}
}

func TestPullProgress(t *testing.T) {
	f := ollamatest.NewFake(t)
	f.Handle("/api/pull", ollamatest.Lines(
		`{"status":"pulling manifest"}`,
		`{"status":"pulling aaa","digest":"sha256:aaa","total":2000000,"completed":0}`,
		`{"status":"pulling aaa","digest":"sha256:aaa","total":2000000,"completed":1000}`,
		`{"status":"pulling aaa","digest":"sha256:aaa","total":2000000,"completed":1000000}`,
		`{"status":"pulling aaa","digest":"sha256:aaa","total":2000000,"completed":2000000}`,
		`{"status":"success"}`,
	))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"pull", "--host", f.URL, "m"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := "pulling manifest\npulling aaa: 0% (0 B of 2.0 MB)\npulling aaa: 50% (1.0 MB of 2.0 MB)\npulling aaa: 100% (2.0 MB of 2.0 MB)\nsuccess: 100% (2.0 MB of 2.0 MB)\n"
	if stderr.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", stderr.String(), want)
	}
	if !strings.HasPrefix(stdout.String(), "pulled m into "+f.URL) {
		t.Errorf("stdout %q", stdout.String())
	}

	f.Handle("/api/pull", ollamatest.Lines(`{"error":"pull model manifest: file does not exist"}`))
	stderr.Reset()
	if code := run([]string{"pull", "--host", f.URL, "nope"}, nil, &stdout, &stderr); code != exitRuntime ||
		!strings.Contains(stderr.String(), `the registry has no model "nope"`) {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 520436: "520.4 kB", 4_700_000_000: "4.7 GB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
