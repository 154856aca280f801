package compiler

import (
	"strings"
	"testing"

	"hlstudio/internal/ollamatest"
)

// A server that ignores num_predict (a hostile or broken one) streams as
// much as it likes: Chat keeps it all in memory and Compile stores it and
// sends it back in the repair turn. With num_predict 64 no honest answer
// is more than a few KB; ~10 MB must be cut off with an error, not
// accepted. (An endless stream without done is the same case without an
// end: before audit 20 only the caller's context stops it, after using unbounded
// memory.)
func TestAnswerSizeBounded(t *testing.T) {
	// Blank lines: cheap to check (the program is empty), so the test is
	// about size alone; 66 KB per stream line, under the api's 8 MB limit.
	chunk := strings.Repeat(" \n", 33000)
	lines := make([]string, 0, 151)
	for range 150 { // ~10 MB
		lines = append(lines, ollamatest.ChatChunk("tiny", chunk))
	}
	f, c, st := hostileFake(t, ollamatest.Lines(append(lines, ollamatest.ChatDone("tiny", "stop"))...))
	_, err := c.Compile(hostileCtx(t), "Log things", Config{Model: "tiny", Mode: ModeText, NumPredict: 64, Attempts: 2}, nil)
	if err == nil {
		t.Fatal("a 10 MB answer to num_predict 64 was accepted")
	}
	const limit = 1 << 20
	for _, a := range hostileStored(t, st, "Log things") {
		if len(a.RawOutput) > limit {
			t.Errorf("attempt stored with %d bytes of raw output for num_predict 64", len(a.RawOutput))
		}
	}
	for i, r := range f.Requests() {
		if r.Path == "/api/chat" && len(r.Body) > limit {
			t.Errorf("chat request %d sent %d bytes: the runaway answer was fed back to the model", i, len(r.Body))
		}
	}
}

// The repair turn lists every refused node: an answer of 20,000 denied
// calls (220 KB) becomes a 1.7 MB feedback message, the next request is
// ~2 MB and the one after ~4 MB, and the CompileError a person reads is
// 1.7 MB long. The list fed back (and shown) must be bounded.
func TestRepairFeedbackBounded(t *testing.T) {
	answer := strings.Repeat("log.info:x\n", 20000)
	f, c, _ := hostileFake(t, ollamatest.Chat("tiny", answer))
	_, err := c.Compile(hostileCtx(t), "Log things", Config{Model: "tiny", Mode: ModeText, Attempts: 3}, nil)
	if err == nil {
		t.Fatal("accepted")
	}
	const limit = 64 << 10
	if n := len(err.Error()); n > limit {
		t.Errorf("the compile error is %d bytes long", n)
	}
	var sizes []int
	for _, r := range f.Requests() {
		if r.Path == "/api/chat" {
			sizes = append(sizes, len(r.Body))
		}
	}
	if len(sizes) != 3 {
		t.Fatalf("%d chat requests", len(sizes))
	}
	// Each repair adds the answer (220 KB) and the feedback; the feedback
	// part must stay small.
	for i := 1; i < len(sizes); i++ {
		if grow := sizes[i] - sizes[i-1] - len(answer); grow > limit {
			t.Errorf("repair request %d grew by %d bytes besides the answer itself", i+1, grow)
		}
	}
}
