package compiler

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"hlstudio/dataset"
	"hlstudio/engine/vocab"
	"hlstudio/internal/hlgen"
	"hlstudio/internal/ollamatest"
)

// benchStore is a dataset of 2,000 approved generated snippets, so
// retrieval searches a realistic index.
func benchStore(b *testing.B) *dataset.Store {
	st := openStore(b)
	r := rand.New(rand.NewSource(1))
	ctx := context.Background()
	for i := range 2000 {
		code := hlgen.Snippet(r)
		if _, err := st.AddSnippet(ctx, dataset.Snippet{Prompt: fmt.Sprintf("Validate the arguments and return record %d from the users table", i),
			Code: code, Status: dataset.StatusApproved}); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

// The compiler's own work per attempt (retrieval of 3 examples, prompt
// assembly, parsing, the policy check, storing the attempt) against the
// tiny model's time for the same attempt, in the same run. Reported as
// overhead-ms, model-ms and their ratio; the goal is under 5 ms.
func BenchmarkAttemptOverheadVsModel(b *testing.B) {
	srv := ollamatest.Start(b)
	llm, err := NewOllama(OllamaOptions{Host: srv.Host, FirstTokenTimeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	c := &Compiler{LLM: llm, Store: benchStore(b), Vocab: vocab.New(), Policy: policy(b, "pure")}
	cfg := Config{Model: srv.Model, Mode: ModeTree, NumPredict: 200, NoCache: true}
	ctx := context.Background()
	if _, err := c.Compile(ctx, "warm up", cfg, nil); err != nil { // loads the model
		b.Fatal(err)
	}
	var overhead, model time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, err := c.Compile(ctx, fmt.Sprintf("Return user %d from the users table", i), cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		overhead += res.Overhead
		for _, a := range res.Attempts {
			model += a.Model
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(overhead.Microseconds())/1000/n, "overhead-ms/op")
	b.ReportMetric(float64(model.Microseconds())/1000/n, "model-ms/op")
	b.ReportMetric(float64(overhead)/float64(model), "overhead/model")
}

// A cache hit, from request to verified tree: the goal is under 1 ms.
func BenchmarkCacheHit(b *testing.B) {
	llm := &scripted{digest: "d1", answers: []string{goodProgram}}
	c := &Compiler{LLM: llm, Store: benchStore(b), Vocab: vocab.New(), Policy: policy(b, "pure")}
	ctx := context.Background()
	cfg := Config{Model: "tiny", Mode: ModeText}
	if _, err := c.Compile(ctx, "Return one", cfg, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := c.Compile(ctx, "Return one", cfg, nil)
		if err != nil || !res.Cached {
			b.Fatal(err)
		}
	}
}

// The same work with an instant scripted model: the compiler's overhead
// alone, without a server (for profiling and machines without one).
func BenchmarkAttemptOverhead(b *testing.B) {
	llm := &scripted{digest: "d1", answers: []string{goodProgram}}
	c := &Compiler{LLM: llm, Store: benchStore(b), Vocab: vocab.New(), Policy: policy(b, "pure")}
	cfg := Config{Model: "tiny", Mode: ModeText, NoCache: true}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := c.Compile(ctx, fmt.Sprintf("Return user %d from the users table", i), cfg, nil); err != nil {
			b.Fatal(err)
		}
	}
}
