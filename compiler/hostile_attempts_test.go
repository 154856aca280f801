package compiler

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"hlstudio/engine/vocab"
	"hlstudio/internal/ollamatest"
)

// "Every generation attempt is kept": a chat that ends in a server error
// (HTTP 500 or 429, an error line mid-stream, a done line carrying an
// error, no first token) is an attempt like any other and must be stored,
// with what the model had streamed so far and the error. Before audit 20, Compile
// returns the error at once and stores nothing.
func TestAttemptKeptOnServerError(t *testing.T) {
	const m = "tiny"
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		partial string
	}{
		{"HTTP 500", ollamatest.Status(500, "application/json", `{"error":"llama runner process has terminated"}`), ""},
		{"HTTP 429", ollamatest.Status(429, "application/json", `{"error":"server busy, too many requests"}`), ""},
		{"error mid-stream", ollamatest.Lines(ollamatest.ChatChunk(m, ".x:int:1\n"), ollamatest.ErrorLine("an error was encountered while running the model")), ".x:int:1\n"},
		{"done with error", ollamatest.Lines(ollamatest.ChatChunk(m, ".x:"), `{"model":"tiny","done":true,"done_reason":"stop","error":"runner crashed"}`), ".x:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c, st := hostileFake(t, tc.h)
			_, err := c.Compile(hostileCtx(t), "Return one", Config{Model: m, Mode: ModeText, Attempts: 1}, nil)
			if err == nil || !strings.Contains(err.Error(), f.URL) {
				t.Fatalf("error %v, want one naming %s", err, f.URL)
			}
			stored := hostileStored(t, st, "Return one")
			if len(stored) != 1 {
				t.Fatalf("%d attempts stored after a failed chat, want 1 (error was: %v)", len(stored), err)
			}
			if stored[0].Error == "" || stored[0].RawOutput != tc.partial || stored[0].HasTree {
				t.Errorf("stored attempt %+v, want the error and raw output %q", stored[0], tc.partial)
			}
		})
	}
}

// Canceling during the stream must return promptly with a cancellation
// error and store the partial attempt, marked as canceled.
func TestCanceledAttemptRecorded(t *testing.T) {
	lines := []string{ollamatest.ChatChunk("tiny", "return:")}
	for range 200 {
		lines = append(lines, ollamatest.ChatChunk("tiny", " "))
	}
	slow := ollamatest.Slow(10*time.Millisecond, append(lines, ollamatest.ChatDone("tiny", "stop"))...)

	t.Run("during the first stream", func(t *testing.T) {
		_, c, st := hostileFake(t, slow)
		ctx, cancel := context.WithCancel(hostileCtx(t))
		defer cancel()
		_, err := c.Compile(ctx, "Return one", Config{Model: "tiny", Mode: ModeText}, func(e Event) {
			if e.Kind == EventToken {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want a cancellation", err)
		}
		stored := hostileStored(t, st, "Return one")
		if len(stored) != 1 {
			t.Fatalf("%d attempts stored, want the canceled one", len(stored))
		}
		if !strings.Contains(stored[0].RawOutput, "return:") || !strings.Contains(strings.ToLower(stored[0].Error), "cancel") {
			t.Errorf("stored attempt raw %q error %q, want the partial answer marked canceled", stored[0].RawOutput, stored[0].Error)
		}
	})

	t.Run("during the repair", func(t *testing.T) {
		_, c, st := hostileFake(t, ollamatest.Chat("tiny", "log.info:hello\n"), slow)
		ctx, cancel := context.WithCancel(hostileCtx(t))
		defer cancel()
		res, err := c.Compile(ctx, "Return one", Config{Model: "tiny", Mode: ModeText}, func(e Event) {
			if e.Kind == EventToken && e.Attempt == 2 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want a cancellation", err)
		}
		if stored := hostileStored(t, st, "Return one"); len(stored) != 2 {
			t.Errorf("%d attempts stored, want the refused one and the canceled one", len(stored))
		}
		// The caller is told what happened before the cancel, too.
		if res == nil || len(res.Attempts) != 2 {
			t.Errorf("result %+v: the attempts so far are lost to the caller", res)
		}
	})

	// The generation finished; the person canceled while it was being
	// checked and stored: the answer the model produced must still be kept.
	t.Run("after the answer, before it is stored", func(t *testing.T) {
		st := openStore(t)
		ctx, cancel := context.WithCancel(hostileCtx(t))
		defer cancel()
		llm := &cancelingLLM{scripted: scripted{digest: "d1", answers: []string{goodProgram}}, cancel: cancel}
		c := &Compiler{LLM: llm, Store: st, Vocab: vocab.New(), Policy: policy(t, "pure")}
		_, err := c.Compile(ctx, "Return one", Config{Model: "tiny", Mode: ModeText}, nil)
		t.Logf("error: %v", err)
		if stored := hostileStored(t, st, "Return one"); len(stored) != 1 || stored[0].RawOutput != goodProgram {
			t.Errorf("%d attempts stored, want the finished generation kept", len(stored))
		}
	})
}

// cancelingLLM answers like scripted, then cancels the caller's context as
// the answer is handed over (a person pressing Cancel at that moment).
type cancelingLLM struct {
	scripted
	cancel context.CancelFunc
}

func (l *cancelingLLM) Chat(ctx context.Context, req ChatRequest, onToken func(string)) (ChatResult, error) {
	res, err := l.scripted.Chat(ctx, req, onToken)
	l.cancel()
	return res, err
}
