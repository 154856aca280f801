package compiler

import (
	"context"
	"strings"
	"testing"
	"time"

	"hlstudio/engine/vocab"
)

// verify builds its problem list with f.Node.Path() for every denied or
// unknown node (computed even when the line number is used instead), and
// Path finds each node's index by scanning its siblings: O(n²) in the
// number of refused siblings. An answer of 900,000 `log.info:x` lines
// (10 MB, under the parser's 16 MB limit) keeps a core busy for about 150 s
// on this machine, and nothing looks at the context meanwhile: Cancel does
// nothing until it is over. Here 200,000 lines (2.2 MB: ~6.5 s in verify,
// of which parsing and checking the tree take 0.11 s) and the person
// cancels as soon as the answer is in; Compile must return. The 5 s limit
// only stops the hang.
func TestCancelDuringVerify(t *testing.T) {
	answer := strings.Repeat("log.info:x\n", 200_000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	llm := &cancelingLLM{scripted: scripted{digest: "d1", answers: []string{answer}}, cancel: cancel}
	c := &Compiler{LLM: llm, Vocab: vocab.New(), Policy: policy(t, "pure")}
	done := make(chan error, 1)
	go func() {
		_, err := c.Compile(ctx, "Log things", Config{Model: "tiny", Mode: ModeText, Attempts: 1}, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("no error")
		}
	case <-time.After(5 * time.Second):
		t.Errorf("Compile still running 5 s after the cancel: checking a 2.2 MB answer ignores the context (Node.Path per finding is quadratic)")
	}
}
