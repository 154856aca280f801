package compiler

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"hlstudio/internal/ollamatest"
)

func newFakeClient(t *testing.T, host string, opts OllamaOptions) *Ollama {
	t.Helper()
	opts.Host = host
	o, err := NewOllama(opts)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// fakeHost serves handler at path on a fake, or, for a nil handler, is a
// host where nothing listens.
func fakeHost(t *testing.T, path string, handler http.HandlerFunc) string {
	if handler == nil {
		return ollamatest.RefusedHost(t)
	}
	f := ollamatest.NewFake(t)
	f.Handle(path, handler)
	return f.URL
}

func chatOnce(o *Ollama, model string) (ChatResult, error) {
	return o.Chat(context.Background(), ChatRequest{Model: model, Messages: []Message{{Role: "user", Content: "hi"}},
		Options: map[string]any{"temperature": 0}}, nil)
}

// Faults a real server cannot be made to show, each checked through the
// message a person reads.
func TestChatFaults(t *testing.T) {
	const m = "tiny"
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc // nil: nothing listens at the host
		kind    ErrorKind
		want    []string // in the message, besides the host
		content string   // partial content kept in the result
	}{
		{"connection refused", nil, ErrOllamaUnreachable,
			[]string{"Ollama is not running", "connection refused", "ollama serve`", "OLLAMA_HOST"}, ""},
		{"mid-stream cut", ollamatest.Cut(ollamatest.ChatChunk(m, "ab"), ollamatest.ChatChunk(m, "cd")), ErrStreamIncomplete,
			[]string{"without a done message", "2 chunks", "connection broke", "unexpected EOF", "try again"}, "abcd"},
		{"clean end without done", ollamatest.Lines(ollamatest.ChatChunk(m, "ab")), ErrStreamIncomplete,
			[]string{"without a done message", "1 chunks", "server closed it"}, "ab"},
		{"no first byte", ollamatest.Hang(), ErrNoFirstToken,
			[]string{"no answer from Ollama", `model "tiny"`, "within 200ms", "ollama ps", "first-token timeout"}, ""},
		{"malformed line", ollamatest.Lines(ollamatest.ChatChunk(m, "ab"), "this is not json", ollamatest.ChatDone(m, "stop")), ErrMalformedStream,
			[]string{"malformed chat stream line", `"this is not json"`, "OLLAMA_HOST"}, "ab"},
		{"wrongly typed line", ollamatest.Lines(`{"message":5}`), ErrMalformedStream,
			[]string{"malformed chat stream line", "cannot unmarshal"}, ""},
		{"HTTP 500 with JSON body", ollamatest.Status(500, "application/json", `{"error":"llama runner process has terminated: signal: killed"}`), ErrOllamaHTTP,
			[]string{"answered chat with HTTP 500", "llama runner process has terminated", "server log"}, ""},
		{"HTTP 500 with text body", ollamatest.Status(500, "text/plain", "out of memory\n"), ErrOllamaHTTP,
			[]string{"HTTP 500", "out of memory"}, ""},
		{"HTTP 502 without body", ollamatest.Status(502, "text/plain", ""), ErrOllamaHTTP,
			[]string{"HTTP 502", "no body"}, ""},
		{"error mid-stream", ollamatest.Lines(ollamatest.ChatChunk(m, "ab"), ollamatest.ErrorLine("an error was encountered while running the model")), ErrOllamaFailed,
			[]string{"failed during chat", "an error was encountered", "server log"}, "ab"},
		{"model not found", ollamatest.Status(404, "application/json", `{"error":"model 'tiny' not found"}`), ErrModelNotFound,
			[]string{`model "tiny" is not on the Ollama server`, "`ollama pull tiny`"}, ""},
		{"not Ollama", ollamatest.Status(404, "text/plain", "404 page not found"), ErrOllamaHTTP,
			[]string{"HTTP 404", "404 page not found", "OLLAMA_HOST"}, ""},
		{"token limit", ollamatest.Lines(ollamatest.ChatChunk(m, "abc"), ollamatest.ChatDone(m, "length")), ErrTokenLimit,
			[]string{"token limit", "num_predict"}, "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := fakeHost(t, "/api/chat", tc.handler)
			// Short for the hang only: a loaded machine must not turn a
			// quick answer into a timeout.
			timeout := 10 * time.Second
			if tc.kind == ErrNoFirstToken {
				timeout = 200 * time.Millisecond
			}
			o := newFakeClient(t, host, OllamaOptions{FirstTokenTimeout: timeout})
			res, err := chatOnce(o, m)
			var oe *OllamaError
			if !errors.As(err, &oe) {
				t.Fatalf("error %v (%T), want *OllamaError", err, err)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("kind %v, want %v", oe.Kind, tc.kind)
			}
			msg := err.Error()
			for _, want := range append(tc.want, host) {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			if res.Content != tc.content {
				t.Errorf("content %q, want %q", res.Content, tc.content)
			}
		})
	}
}

// What goes over the wire: options as a map keep zero temperature and seed,
// keep_alive and format are passed on.
func TestChatRequestBody(t *testing.T) {
	f := ollamatest.NewFake(t)
	f.Handle("/api/chat", ollamatest.Chat("m", "x"))
	ka := 30 * time.Second
	o := newFakeClient(t, f.URL, OllamaOptions{KeepAlive: &ka})
	var pieces []string
	res, err := o.Chat(context.Background(), ChatRequest{
		Model:    "m",
		Messages: []Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "hi"}},
		Options:  map[string]any{"temperature": 0, "seed": 0, "num_predict": 64},
		Format:   RowsSchema(),
	}, func(s string) { pieces = append(pieces, s) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Content != "x" || !res.Done || res.DoneReason != "stop" || len(pieces) != 1 || res.OutputTokens != 3 || res.PromptTokens != 5 {
		t.Errorf("result %+v, pieces %q", res, pieces)
	}
	var body struct {
		Model     string
		Messages  []Message
		Stream    *bool
		Options   map[string]any
		Format    json.RawMessage
		KeepAlive json.RawMessage `json:"keep_alive"`
	}
	reqs := f.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Stream == nil || !*body.Stream || len(body.Messages) != 2 || body.Messages[0].Role != "system" {
		t.Errorf("body %s", reqs[0].Body)
	}
	for k, want := range map[string]float64{"temperature": 0, "seed": 0, "num_predict": 64} {
		if v, ok := body.Options[k]; !ok || v != want {
			t.Errorf("option %s = %v (present %v), want %v", k, v, ok, want)
		}
	}
	if string(body.KeepAlive) != `"30s"` {
		t.Errorf("keep_alive %s", body.KeepAlive)
	}
	if string(body.Format) != string(RowsSchema()) {
		t.Errorf("format %s", body.Format)
	}

	// A request's own keep_alive wins over the client's.
	zero := time.Duration(0)
	if _, err := o.Chat(context.Background(), ChatRequest{Model: "m", KeepAlive: &zero}, nil); err != nil {
		t.Fatal(err)
	}
	if b := string(f.Requests()[1].Body); !strings.Contains(b, `"keep_alive":"0s"`) {
		t.Errorf("body %s", b)
	}
}

// The caller cancels while the server is still streaming.
func TestChatCancelFake(t *testing.T) {
	f := ollamatest.NewFake(t)
	lines := []string{ollamatest.ChatChunk("m", "a")}
	for i := 0; i < 50; i++ {
		lines = append(lines, ollamatest.ChatChunk("m", "b"))
	}
	f.Handle("/api/chat", ollamatest.Slow(20*time.Millisecond, append(lines, ollamatest.ChatDone("m", "stop"))...))
	o := newFakeClient(t, f.URL, OllamaOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := o.Chat(ctx, ChatRequest{Model: "m"}, func(s string) { cancel() })
	if !errors.Is(err, ErrCanceled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(err.Error(), "chat with model \"m\" at "+f.URL+" canceled") {
		t.Errorf("message %q", err)
	}
	// Canceled at the first chunk: none of the 50 after it was read.
	if res.Content != "a" {
		t.Errorf("content %q", res.Content)
	}
}

func TestPullFake(t *testing.T) {
	progress := func(status, digest string, total, completed int64) string {
		b, _ := json.Marshal(map[string]any{"status": status, "digest": digest, "total": total, "completed": completed})
		return string(b)
	}
	for _, tc := range []struct {
		name     string
		handler  http.HandlerFunc
		kind     ErrorKind // 0: success
		want     []string
		percents []float64
	}{
		{"success", ollamatest.Lines(
			progress("pulling manifest", "", 0, 0),
			progress("pulling aaa", "sha256:aaa", 300, 0),
			progress("pulling aaa", "sha256:aaa", 300, 150),
			progress("pulling bbb", "sha256:bbb", 100, 100),
			progress("pulling aaa", "sha256:aaa", 300, 300),
			progress("verifying sha256 digest", "", 0, 0),
			progress("success", "", 0, 0),
		), 0, nil, []float64{-1, 0, 50, 62.5, 100, 100, 100}},
		{"unknown model", ollamatest.Lines(progress("pulling manifest", "", 0, 0), ollamatest.ErrorLine("pull model manifest: file does not exist")),
			ErrModelNotFound, []string{`the registry has no model "nope"`, "file does not exist", "ollama.com/library"}, []float64{-1}},
		{"cut", ollamatest.Cut(progress("pulling aaa", "sha256:aaa", 300, 10)),
			ErrStreamIncomplete, []string{"pull stream", "without a done message", "unexpected EOF"}, []float64{10.0 / 3}},
		{"refused", nil, ErrOllamaUnreachable, []string{"ollama serve`"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := fakeHost(t, "/api/pull", tc.handler)
			o := newFakeClient(t, host, OllamaOptions{})
			var got []float64
			err := o.Pull(context.Background(), "nope", func(p PullProgress) { got = append(got, p.Percent) })
			if tc.kind == 0 && err != nil || tc.kind != 0 && !errors.Is(err, tc.kind) {
				t.Fatalf("error %v, want kind %v", err, tc.kind)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q: %s", want, err)
				}
			}
			if len(got) != len(tc.percents) {
				t.Fatalf("percents %v, want %v", got, tc.percents)
			}
			for i := range got {
				if d := got[i] - tc.percents[i]; d > 1e-9 || d < -1e-9 {
					t.Errorf("percents %v, want %v", got, tc.percents)
					break
				}
			}
		})
	}
}

func TestPullCancel(t *testing.T) {
	f := ollamatest.NewFake(t)
	f.Handle("/api/pull", ollamatest.Slow(20*time.Millisecond,
		`{"status":"pulling aaa","digest":"sha256:aaa","total":100,"completed":1}`,
		`{"status":"pulling aaa","digest":"sha256:aaa","total":100,"completed":2}`,
		`{"status":"pulling aaa","digest":"sha256:aaa","total":100,"completed":3}`,
		`{"status":"success"}`))
	o := newFakeClient(t, f.URL, OllamaOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last PullProgress
	err := o.Pull(ctx, "big", func(p PullProgress) { last = p; cancel() })
	if !errors.Is(err, ErrCanceled) || last.Completed != 1 || last.Total != 100 {
		t.Fatalf("error %v, last progress %+v", err, last)
	}
}

// Non-streaming calls: each failure names the host and the way out.
func TestListShowVersionFaults(t *testing.T) {
	calls := map[string]func(*Ollama) error{
		"version": func(o *Ollama) error { _, err := o.Version(context.Background()); return err },
		"list":    func(o *Ollama) error { _, err := o.Models(context.Background()); return err },
		"show":    func(o *Ollama) error { _, err := o.Show(context.Background(), "nope"); return err },
	}
	for _, tc := range []struct {
		name    string
		call    string
		path    string
		handler http.HandlerFunc
		kind    ErrorKind
		want    string
	}{
		{"version refused", "version", "", nil, ErrOllamaUnreachable, "ollama serve`"},
		{"list refused", "list", "", nil, ErrOllamaUnreachable, "connection refused"},
		{"show refused", "show", "", nil, ErrOllamaUnreachable, "Ollama is not running"},
		{"list 500", "list", "/api/tags", ollamatest.Status(500, "text/plain", "disk on fire"), ErrOllamaHTTP, "answered list models with HTTP 500: disk on fire"},
		{"show missing", "show", "/api/show", ollamatest.Status(404, "application/json", `{"error":"model 'nope' not found"}`), ErrModelNotFound, "`ollama pull nope`"},
		{"version hangs", "version", "/api/version", ollamatest.Hang(), ErrOllamaUnreachable, "no answer to version within 200ms"},
		{"version garbage", "version", "/api/version", ollamatest.Status(200, "text/html", "<html>"), ErrMalformedStream, "malformed version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := fakeHost(t, tc.path, tc.handler)
			timeout := 10 * time.Second
			if tc.name == "version hangs" {
				timeout = 200 * time.Millisecond
			}
			o := newFakeClient(t, host, OllamaOptions{RequestTimeout: timeout})
			err := calls[tc.call](o)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v, want kind %v", err, tc.kind)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, host) {
				t.Errorf("message lacks %q or the host: %s", tc.want, msg)
			}
		})
	}
}

func TestShowDigestFromList(t *testing.T) {
	f := ollamatest.NewFake(t)
	f.Handle("/api/show", ollamatest.JSON(map[string]any{
		"details":      map[string]any{"family": "llama", "families": []string{"llama"}, "format": "gguf", "parameter_size": "1M", "quantization_level": "F32"},
		"model_info":   map[string]any{"general.architecture": "llama", "llama.context_length": 2048},
		"capabilities": []string{"completion"},
		"template":     "{{ .Prompt }}",
	}))
	f.Handle("/api/tags", ollamatest.JSON(map[string]any{"models": []map[string]any{
		{"name": "other:latest", "digest": "111", "size": 1},
		{"name": "tiny:latest", "digest": "abc", "size": 520000, "details": map[string]any{"family": "llama"}},
	}}))
	o := newFakeClient(t, f.URL, OllamaOptions{})
	d, err := o.Show(context.Background(), "tiny")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "tiny:latest" || d.Digest != "abc" || d.Size != 520000 || d.Family != "llama" || d.Architecture != "llama" ||
		d.ContextLength != 2048 || len(d.Capabilities) != 1 || d.Quantization != "F32" || d.Template != "{{ .Prompt }}" {
		t.Errorf("details %+v", d)
	}
	models, err := o.Models(context.Background())
	if err != nil || len(models) != 2 || models[0].Name != "other:latest" || models[1].Family != "llama" {
		t.Errorf("models %+v, %v", models, err)
	}
}

func TestResolveOllamaHost(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"", "http://127.0.0.1:11434", ""},
		{"127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{":8080", "http://127.0.0.1:8080", ""},
		{"0.0.0.0", "http://0.0.0.0:11434", ""},
		{"box", "http://box:11434", ""},
		{"http://box", "http://box:80", ""},
		{"https://box", "https://box:443", ""},
		{"https://box:9000/ollama", "https://box:9000/ollama", ""},
		{`"[::1]:1234"`, "http://[::1]:1234", ""},
		{"[::1]", "http://[::1]:11434", ""},
		{" http://h:1 ", "http://h:1", ""},
		{"ftp://box", "", "scheme must be http or https"},
		{"box:port", "", `bad port "port"`},
		{"box:70000", "", "bad port"},
	} {
		u, err := ResolveOllamaHost(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && u.String() != tc.want:
			t.Errorf("%q: %s, want %s", tc.in, u, tc.want)
		}
	}
}

// The hint on an unreachable server starts one where the client looks:
// `ollama serve` alone listens on 127.0.0.1:11434 only.
func TestHowToStart(t *testing.T) {
	for _, tc := range []struct{ setting, want string }{
		{"", "start it with `ollama serve`"},
		{"localhost:11434", "start it with `ollama serve`"},
		{"0.0.0.0", "start it with `ollama serve`"},
		{"[::1]:11434", "start it with `ollama serve`"},
		{"127.0.0.1:11499", "start it with `OLLAMA_HOST=127.0.0.1:11499 ollama serve`"},
		{"[::1]:8080", "start it with `OLLAMA_HOST=[::1]:8080 ollama serve`"},
		{"box:11434", "start it on box with `OLLAMA_HOST=0.0.0.0:11434 ollama serve`"},
		{"http://10.0.0.2:3000", "start it on 10.0.0.2 with `OLLAMA_HOST=0.0.0.0:3000 ollama serve`"},
		{"https://box", "start Ollama behind https://box:443"},
		{"http://127.0.0.1:80/ollama", "start Ollama behind http://127.0.0.1:80/ollama"},
	} {
		u, err := ResolveOllamaHost(tc.setting)
		if err != nil {
			t.Fatalf("%q: %v", tc.setting, err)
		}
		if got := HowToStart(u.String()); got != tc.want {
			t.Errorf("%q (%s): %q, want %q", tc.setting, u, got, tc.want)
		}
	}
	// The unreachable error carries the hint for its host.
	host := ollamatest.RefusedHost(t)
	_, err := newFakeClient(t, host, OllamaOptions{}).Version(context.Background())
	if !errors.Is(err, ErrOllamaUnreachable) || !strings.Contains(err.Error(), HowToStart(host)) {
		t.Errorf("error %v lacks %q", err, HowToStart(host))
	}
}

func TestHostFromEnvironment(t *testing.T) {
	t.Setenv("OLLAMA_HOST", "127.0.0.1:4321")
	o, err := NewOllama(OllamaOptions{})
	if err != nil || o.Host() != "http://127.0.0.1:4321" {
		t.Fatalf("host %v, %v", o.Host(), err)
	}
	// An explicit setting wins over the environment.
	o, err = NewOllama(OllamaOptions{Host: "box:1"})
	if err != nil || o.Host() != "http://box:1" {
		t.Fatalf("host %v, %v", o.Host(), err)
	}
}

func TestStreamWatch(t *testing.T) {
	long := `{"a":"` + strings.Repeat("x", maxWatchedLine) + `"}`
	for _, tc := range []struct {
		name   string
		chunks []string
		lines  int
		bad    string
	}{
		{"split lines", []string{`{"a"`, ":1}\n{", `"b":2}` + "\n"}, 2, ""},
		{"garbage", []string{"{}\nnot", " json\n{}\n"}, 3, "not json"},
		{"last line unterminated", []string{"{}\n<html>"}, 2, "<html>"},
		{"blank lines", []string{"\n\n{}\n"}, 3, ""},
		{"too long to check", []string{long[:10], long[10:] + "\n", "{}\n"}, 2, ""},
	} {
		w := &streamWatch{}
		for _, c := range tc.chunks {
			w.observe([]byte(c), nil)
		}
		w.observe(nil, io.EOF)
		if _, bad := w.state(); w.lines != tc.lines || bad != tc.bad {
			t.Errorf("%s: %d lines, bad %q; want %d, %q", tc.name, w.lines, bad, tc.lines, tc.bad)
		}
	}
}
