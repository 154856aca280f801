package compiler

import (
	"context"
	"testing"
	"time"

	"hlstudio/dataset"
	"hlstudio/engine/vocab"
	"hlstudio/internal/ollamatest"
)

// The whole pipeline against a real `ollama serve` with the tiny model in
// tree mode: at temperature 0 it answers one data row, which verifies
// under the pure policy; the attempt is stored; the same request again is
// served from the compile cache and no chat request reaches the server.
func TestCompileReal(t *testing.T) {
	srv := ollamatest.Start(t)
	counter := ollamatest.NewCounter(t, srv.Host)
	llm := newFakeClient(t, counter.URL, OllamaOptions{FirstTokenTimeout: 30 * time.Second})
	st := openStore(t)
	c := &Compiler{LLM: llm, Store: st, Vocab: vocab.New(), Policy: policy(t, "pure")}
	ctx := context.Background()
	cfg := Config{Model: srv.Model, Mode: ModeTree, NumPredict: 200}

	res, err := c.Compile(ctx, "Store a constant", cfg, nil)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	if res.Cached || res.Tree == nil || res.Tree.Len() == 0 || len(res.Attempts) != 1 || res.Digest == "" {
		t.Fatalf("result %+v", res)
	}
	chats := counter.Count("/api/chat")
	if chats != 1 {
		t.Fatalf("%d chat requests for one attempt", chats)
	}
	stored, err := st.Attempts(ctx, dataset.AttemptFilter{Prompt: "Store a constant"})
	if err != nil || len(stored) != 1 || stored[0].Tree != res.Code || stored[0].ModelDigest != res.Digest {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	t.Logf("tree %q; model %v, compiler overhead %v", res.Code, res.Attempts[0].Model, res.Overhead)

	again, err := c.Compile(ctx, "store a constant", cfg, nil)
	if err != nil || !again.Cached || again.Code != res.Code {
		t.Fatalf("second compile: %+v, %v", again, err)
	}
	if n := counter.Count("/api/chat"); n != chats {
		t.Fatalf("the cached compile reached the server: %d chat requests, want %d", n, chats)
	}
}
