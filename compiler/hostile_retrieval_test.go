package compiler

import (
	"context"
	"strings"
	"testing"

	"hlstudio/dataset"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
)

// Few-shot examples are approved snippets, whatever policy they were
// approved under. Under policy pure, the system prompt lists the slots the
// model may use, and then an example answers with log.info, which pure
// denies: the model is shown a refused program as a model answer (and the
// attempt it inspires is refused and repaired). Retrieval must leave out
// (or at least not present as answers) examples the active policy refuses.
func TestExamplesRespectPolicy(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if _, err := st.AddSnippet(ctx, dataset.Snippet{Prompt: "Log a greeting", Code: "log.info:hello\n", Status: dataset.StatusApproved}); err != nil {
		t.Fatal(err)
	}
	llm := &scripted{digest: "d1", answers: []string{goodProgram}}
	c := &Compiler{LLM: llm, Store: st, Vocab: vocab.New(), Policy: policy(t, "pure")}
	if _, err := c.Compile(ctx, "Log a greeting", Config{Model: "tiny", Mode: ModeText}, nil); err != nil {
		t.Fatal(err)
	}
	for _, m := range llm.requests[0].Messages[1:] {
		if m.Role == "assistant" && strings.Contains(m.Content, "log.info") {
			t.Errorf("the model was shown an example answer the policy denies: %q", m.Content)
		}
	}
}

// A text-mode answer with a NUL byte in a data node's name is accepted and
// its code returned, but the project's own reader (hyperlambda.Parse, used
// for files: "a NUL byte (a binary file) is a syntax error") refuses that
// code: a compiled program that cannot be saved and opened again. NUL (and
// other bytes Parse refuses) must be refused as an attempt error.
func TestCompiledCodeReadable(t *testing.T) {
	llm := &scripted{digest: "d1", answers: []string{".a\x00b\nreturn:int:1\n", goodProgram}}
	c := &Compiler{LLM: llm, Vocab: vocab.New(), Policy: policy(t, "pure")}
	res, err := c.Compile(context.Background(), "Return one", Config{Model: "tiny", Mode: ModeText}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hyperlambda.Parse([]byte(res.Code), hyperlambda.ParseOptions{}); err != nil {
		t.Errorf("compiled code %q does not read back: %v", res.Code, err)
	}
}
