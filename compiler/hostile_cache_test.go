package compiler

import (
	"context"
	"encoding/json"
	"testing"

	"hlstudio/engine/vocab"
	"hlstudio/internal/ollamatest"
)

// The cache holds the canonical code of the compiled tree; a hit must give
// that same tree back. Before audit 20, a hit runs the code through ExtractCode, which
// takes the first ``` fence it finds, even one inside a verbatim string
// value, so the hit returns a different program (here `return:int:42`
// instead of the compiled `.doc` + `return:int:7`).
func TestCacheReturnsCompiledTree(t *testing.T) {
	rows, _ := json.Marshal(Rows{Rows: []Row{
		{Depth: 0, Name: ".doc", Value: "Example:\r\n```\r\nreturn:int:42\r\n```"},
		{Depth: 0, Name: "return", Type: "int", Value: "7"},
	}})
	llm := &scripted{digest: "d1", answers: []string{string(rows)}}
	c := &Compiler{LLM: llm, Store: openStore(t), Vocab: vocab.New(), Policy: policy(t, "pure")}
	cfg := Config{Model: "tiny", Mode: ModeTree}
	first, err := c.Compile(context.Background(), "Return seven", cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Compile(context.Background(), "Return seven", cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Cached {
		t.Fatalf("not served from the cache")
	}
	if second.Code != first.Code {
		t.Errorf("the cache returned another program:\ncompiled: %q\ncached:   %q", first.Code, second.Code)
	}
}

// Ollama accepts fully qualified names ("registry.ollama.ai/library/tiny:latest",
// "library/tiny") for the model the list calls "tiny:latest"; Show finds
// no digest for them (checked against the real 0.17.4 server too).
func TestShowDigestQualifiedName(t *testing.T) {
	f := ollamatest.NewFake(t)
	f.Handle("/api/show", ollamatest.JSON(map[string]any{"details": map[string]any{"family": "llama"}}))
	f.Handle("/api/tags", ollamatest.JSON(map[string]any{"models": []map[string]any{{"name": "tiny:latest", "digest": "abc"}}}))
	o := newFakeClient(t, f.URL, OllamaOptions{})
	for _, name := range []string{"registry.ollama.ai/library/tiny:latest", "library/tiny"} {
		d, err := o.Show(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if d.Digest != "abc" {
			t.Errorf("Show(%q) digest %q, want abc", name, d.Digest)
		}
	}
}

// The cache key has the model's digest but not its name: when no digest is
// known (as above), a tree compiled by one model is served for another.
func TestCacheSeparatesModels(t *testing.T) {
	llm := &scripted{digest: "", answers: []string{goodProgram}}
	c := &Compiler{LLM: llm, Store: openStore(t), Vocab: vocab.New(), Policy: policy(t, "pure")}
	ctx := context.Background()
	if _, err := c.Compile(ctx, "Return one", Config{Model: "library/modelA", Mode: ModeText}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Compile(ctx, "Return one", Config{Model: "library/modelB", Mode: ModeText}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cached || llm.calls() != 2 {
		t.Errorf("model B was answered from model A's cache entry (cached=%v, chat calls %d)", res.Cached, llm.calls())
	}
}
