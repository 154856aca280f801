package compiler

import (
	"errors"
	"strings"
	"testing"
	"time"

	"hlstudio/internal/ollamatest"
)

// A stream line over the api package's 8 MB scanner limit: the scanner
// stops, its ErrTooLong is dropped, and Chat reports "ended the chat
// stream without a done message (0 lines, 8000000 bytes, then the server
// closed it): the server may have crashed" - the server did not close
// anything, the client gave up on a line. It must be reported as a
// malformed (oversized) stream line, not as a server crash. (Compile
// also retries it as a repairable attempt, downloading it again each time.)
func TestOversizedLineDiagnosed(t *testing.T) {
	huge := ollamatest.ChatChunk("tiny", strings.Repeat("x", 9<<20))
	f := ollamatest.NewFake(t)
	f.Handle("/api/chat", ollamatest.Lines(huge, ollamatest.ChatDone("tiny", "stop")))
	o := newFakeClient(t, f.URL, OllamaOptions{FirstTokenTimeout: 10 * time.Second})
	_, err := chatOnce(o, "tiny")
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !errors.Is(err, ErrMalformedStream) || strings.Contains(msg, "server closed it") || strings.Contains(msg, "crashed") {
		t.Errorf("an oversized line is misreported:\n%s", msg)
	}
}

// A line that is JSON but not an object (`"hello"`, `[1]`) is a malformed
// stream line too; before audit 20 the api package returns its text as a plain
// error and it is reported as the server failing: `Ollama at ... failed
// during chat with model "tiny": "hello"; see the server log`.
func TestNonObjectLineDiagnosed(t *testing.T) {
	for _, line := range []string{`"hello"`, `[1,2]`, `42`} {
		f := ollamatest.NewFake(t)
		f.Handle("/api/chat", ollamatest.Lines(line, ollamatest.ChatDone("tiny", "stop")))
		o := newFakeClient(t, f.URL, OllamaOptions{FirstTokenTimeout: 10 * time.Second})
		_, err := chatOnce(o, "tiny")
		if !errors.Is(err, ErrMalformedStream) {
			t.Errorf("line %s: %v, want a malformed stream error", line, err)
		}
	}
}
