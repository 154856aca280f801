package compiler

import (
	"context"
	"net/http"
	"testing"
	"time"

	"hlstudio/dataset"
	"hlstudio/engine/vocab"
	"hlstudio/internal/ollamatest"
)

// hostileFake is a fake Ollama that knows model "tiny" (digest "abc") and
// answers /api/chat with the given handlers in turn, a compiler over it
// under policy pure, and the store the compiler records into.
func hostileFake(t *testing.T, chat ...http.HandlerFunc) (*ollamatest.Fake, *Compiler, *dataset.Store) {
	t.Helper()
	f := ollamatest.NewFake(t)
	f.Handle("/api/show", ollamatest.JSON(map[string]any{"details": map[string]any{"family": "llama"}}))
	f.Handle("/api/tags", ollamatest.JSON(map[string]any{"models": []map[string]any{
		{"name": "tiny:latest", "digest": "abc"},
		{"name": "other:latest", "digest": "def"},
	}}))
	f.Handle("/api/chat", chat...)
	o := newFakeClient(t, f.URL, OllamaOptions{FirstTokenTimeout: 10 * time.Second})
	st := openStore(t)
	return f, &Compiler{LLM: o, Store: st, Vocab: vocab.New(), Policy: policy(t, "pure")}, st
}

// hostileStored is every attempt stored for prompt, oldest first.
func hostileStored(t *testing.T, st *dataset.Store, prompt string) []dataset.Attempt {
	t.Helper()
	got, err := st.Attempts(context.Background(), dataset.AttemptFilter{Prompt: prompt})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(got)-1; i < j; i, j = i+1, j-1 {
		got[i], got[j] = got[j], got[i]
	}
	return got
}

// hostileCtx bounds a test that could hang; it is a stop, not a speed check.
func hostileCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
