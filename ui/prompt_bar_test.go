package ui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"hlstudio/compiler"
	"hlstudio/internal/ollamatest"
)

func newServer(t *testing.T, host string) *compiler.Ollama {
	t.Helper()
	o, err := compiler.NewOllama(compiler.OllamaOptions{Host: host, FirstTokenTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Against the real tiny server: models load, Generate fills the tree (one
// undo step), the same request again is marked cached.
func TestPromptBarGenerates(t *testing.T) {
	srv := ollamatest.Start(t)
	test.NewTempApp(t)
	store := tempStore(t)
	doc := mustDoc(t, ".old:tree\n", "pure")
	w := test.NewTempWindow(t, nil)
	b := NewPromptBar(w, doc, newServer(t, srv.Host), store, editVocab)
	w.SetContent(b.Object())
	var generated []Generated
	b.OnGenerated = func(g Generated) { generated = append(generated, g) }

	b.LoadModels()
	waitFor(t, func() bool { return b.model.Selected == "tiny:latest" }, func() string { return b.state.Text })
	b.mode.SetSelected(modeTree)
	test.Type(b.prompt, "Keep a constant")
	test.Tap(b.generate)
	b.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(b.state.Text, "Generated in 1 attempt") }, func() string { return b.state.Text })
	if doc.Text() == ".old:tree\r\n" || b.stream.Text == "" || len(generated) != 1 || generated[0].Err != nil {
		t.Fatalf("tree %q stream %q generated %+v", doc.Text(), b.stream.Text, generated)
	}
	if name := doc.UndoName(); name != "generate" {
		t.Errorf("undo step %q", name)
	}
	if b.showLast.Disabled() {
		t.Errorf("the assembled prompt cannot be shown")
	}

	test.Tap(b.generate)
	b.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(b.state.Text, "Cached") }, func() string { return b.state.Text })
	doc.Undo()
	doc.Undo()
	if doc.Text() != ".old:tree\r\n" {
		t.Errorf("undo did not restore the tree: %q", doc.Text())
	}
}

// No server: the state line says so and how to start one; Generate then
// offers retrieved snippets instead of failing.
func TestPromptBarOffline(t *testing.T) {
	test.NewTempApp(t)
	doc := mustDoc(t, "", "pure")
	b := NewPromptBar(nil, doc, newServer(t, ollamatest.RefusedHost(t)), nil, editVocab)
	b.LoadModels()
	waitFor(t, func() bool { return strings.Contains(b.state.Text, "ollama serve") }, func() string { return b.state.Text })
	test.Type(b.prompt, "Anything")
	test.Tap(b.generate)
	b.Wait()
	waitFor(t, func() bool { return strings.Contains(b.state.Text, "retrieved, not generated") }, func() string { return b.state.Text })
}

// Ollama started after the studio: the models were asked for while
// nothing answered, so none is picked; Generate asks again, picks one and
// generates, instead of offering retrieved snippets.
func TestPromptBarServerStartedLater(t *testing.T) {
	test.NewTempApp(t)
	server := &lateServer{scriptedServer: scriptedServer{answers: []string{"return:hello\n"}}}
	b := NewPromptBar(nil, mustDoc(t, "", "pure"), server, nil, editVocab)
	b.LoadModels()
	waitFor(t, func() bool { return strings.Contains(b.state.Text, "not running") }, func() string { return b.state.Text })
	if b.model.Selected != "" {
		t.Fatalf("model %q picked with no server", b.model.Selected)
	}
	server.up.Store(true)
	b.mode.SetSelected(modeText) // the scripted answer is Hyperlambda text
	test.Type(b.prompt, "Say hello")
	test.Tap(b.generate)
	b.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(b.state.Text, "Generated in 1 attempt") }, func() string { return b.state.Text })
	if b.model.Selected != "m:latest" || !strings.Contains(b.doc.Text(), "return:hello") {
		t.Errorf("model %q, tree %q", b.model.Selected, b.doc.Text())
	}
}

// A server that answers again after failing (the host set back in
// Settings) is said to be there, though the model picked before is still
// the one picked: the state line kept saying it was not running.
func TestPromptBarServerBackAfterFailing(t *testing.T) {
	test.NewTempApp(t)
	server := &lateServer{}
	server.up.Store(true)
	b := NewPromptBar(nil, mustDoc(t, "", "pure"), server, nil, editVocab)
	for _, c := range []struct {
		up   bool
		want string
	}{{true, "Ollama at http://scripted: 1 model."}, {false, "not running"}, {true, "Ollama at http://scripted: 1 model."}} {
		server.up.Store(c.up)
		b.LoadModels()
		waitFor(t, func() bool { return strings.Contains(b.state.Text, c.want) }, func() string { return b.state.Text })
	}
	if b.model.Selected != "m:latest" {
		t.Errorf("model %q", b.model.Selected)
	}
}

// lateServer is a scripted server that answers nothing until up.
type lateServer struct {
	scriptedServer
	up atomic.Bool
}

func (s *lateServer) Models(ctx context.Context) ([]compiler.ModelInfo, error) {
	if !s.up.Load() {
		return nil, errors.New("Ollama is not running at http://scripted")
	}
	return s.scriptedServer.Models(ctx)
}

// Cancel ends a generation waiting on a server that never answers.
func TestPromptBarCancel(t *testing.T) {
	test.NewTempApp(t)
	f := ollamatest.NewFake(t)
	f.Handle("/api/show", ollamatest.JSON(map[string]any{"details": map[string]any{}, "model_info": map[string]any{}}))
	f.Handle("/api/tags", ollamatest.JSON(map[string]any{"models": []map[string]any{{"name": "m:latest", "model": "m:latest", "digest": "abc"}}}))
	f.Handle("/api/chat", ollamatest.Hang())
	doc := mustDoc(t, "", "pure")
	b := NewPromptBar(nil, doc, newServer(t, f.URL), nil, editVocab)
	b.model.SetOptions([]string{"m:latest"})
	b.model.SetSelected("m:latest")
	test.Type(b.prompt, "Anything")
	test.Tap(b.generate)
	waitFor(t, func() bool { return strings.HasPrefix(b.state.Text, "Attempt 1") }, func() string { return b.state.Text })
	test.Tap(b.cancel)
	b.Wait()
	waitFor(t, func() bool { return b.state.Text == "Canceled." }, func() string { return b.state.Text })
	if b.generate.Disabled() {
		t.Errorf("Generate stays disabled")
	}
}

// A fast model's tokens do not each queue a layout of the whole answer
// (the pane fell a minute behind the server): at most one update of the
// stream pane waits for the UI, showing the newest text, and a new attempt
// starts the pane over.
func TestStreamUpdatesCoalesce(t *testing.T) {
	test.NewTempApp(t)
	b := NewPromptBar(nil, mustDoc(t, "", "pure"), newServer(t, ollamatest.RefusedHost(t)), nil, editVocab)
	drainUI()
	queued := func() int {
		uiQueue.Lock()
		defer uiQueue.Unlock()
		return len(uiQueue.fns)
	}
	var text strings.Builder
	b.progress(compiler.Event{Kind: compiler.EventAttempt, Attempt: 1}, &text)
	for range 1000 {
		b.progress(compiler.Event{Kind: compiler.EventToken, Text: `".r`}, &text)
	}
	if n := queued(); n > 2 {
		t.Fatalf("1,000 tokens queued %d updates for the UI", n)
	}
	drainUI()
	if want := "…" + strings.Repeat(`".r`, 1000)[3000-200:]; b.stream.Text != want {
		t.Fatalf("the pane shows %q, want the answer's last 200 bytes", b.stream.Text)
	}
	b.progress(compiler.Event{Kind: compiler.EventToken, Text: "late"}, &text)
	b.progress(compiler.Event{Kind: compiler.EventAttempt, Attempt: 2}, &text)
	b.progress(compiler.Event{Kind: compiler.EventToken, Text: "xy"}, &text)
	drainUI()
	if b.stream.Text != "xy" || !strings.Contains(b.state.Text, "Attempt 2") {
		t.Fatalf("after attempt 2 began: pane %q, state %q", b.stream.Text, b.state.Text)
	}
}

// While the model writes, the pane shows the answer's end (its last three
// lines, at most 200 bytes, cut at a character), where the newest tokens
// are; a failed generation's answer is shown whole once it ends.
func TestStreamShowsTheEndThenTheWholeFailedAnswer(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"", ""},
		{"a\nb\nc", "a\nb\nc"},
		{"a\nb\nc\nd", "…b\nc\nd"},
		{"x\n" + strings.Repeat("€", 100), "…" + strings.Repeat("€", 66)}, // 200 bytes back is inside a €
	} {
		if got := streamTail(c.text); got != c.want {
			t.Errorf("streamTail(%.20q…) = %.40q…, want %.40q…", c.text, got, c.want)
		}
	}
	test.NewTempApp(t)
	b := NewPromptBar(nil, mustDoc(t, "", "pure"), newServer(t, ollamatest.RefusedHost(t)), nil, editVocab)
	drainUI()
	var text strings.Builder
	answer := strings.Repeat("line of the answer\n", 50)
	b.progress(compiler.Event{Kind: compiler.EventAttempt, Attempt: 1}, &text)
	b.progress(compiler.Event{Kind: compiler.EventToken, Text: answer}, &text)
	drainUI()
	if b.stream.Text == answer || !strings.HasSuffix(answer, strings.TrimPrefix(b.stream.Text, "…")) {
		t.Fatalf("while streaming the pane shows %q", b.stream.Text)
	}
	b.job.begin()
	b.finish("p", nil, errors.New("refused"), false)
	if b.stream.Text != answer || !b.stream.Visible() {
		t.Fatalf("after a failed generation the pane shows %d bytes (visible %v), want the whole answer", len(b.stream.Text), b.stream.Visible())
	}
}
