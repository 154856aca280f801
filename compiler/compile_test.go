package compiler

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"hlstudio/assets"
	"hlstudio/dataset"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// scripted is a model that answers from a script and records what it was
// sent: the repair loop's behaviour does not depend on a model's quality.
type scripted struct {
	mu       sync.Mutex
	answers  []string
	requests []ChatRequest
	digest   string
	showErr  error
	context  int // the trained context Show reports
}

func (s *scripted) Host() string { return "http://scripted" }

func (s *scripted) Show(ctx context.Context, model string) (*ModelDetails, error) {
	if s.showErr != nil {
		return nil, s.showErr
	}
	return &ModelDetails{ModelInfo: ModelInfo{Name: model, Digest: s.digest}, ContextLength: s.context}, nil
}

func (s *scripted) Chat(ctx context.Context, req ChatRequest, onToken func(string)) (ChatResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	answer := s.answers[0]
	if len(s.answers) > 1 {
		s.answers = s.answers[1:]
	}
	for _, tok := range strings.SplitAfter(answer, " ") {
		onToken(tok)
	}
	return ChatResult{Content: answer, Done: true, DoneReason: "stop"}, nil
}

func (s *scripted) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func policy(t testing.TB, name string) *whitelist.Policy {
	t.Helper()
	src, ok := assets.Policy(name)
	if !ok {
		t.Fatalf("no built-in policy %s", name)
	}
	p, err := whitelist.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openStore(t testing.TB) *dataset.Store {
	t.Helper()
	st, err := dataset.Open(filepath.Join(t.TempDir(), "studio.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

const goodProgram = ".x:int:1\nreturn:x:-\n"

// First answer does not parse, the second binds a slot the policy denies,
// the third is good: three attempts are stored, each repair request
// carries the previous error, and temperatures rise from 0.
func TestRepairLoop(t *testing.T) {
	llm := &scripted{digest: "d1", answers: []string{
		"Here is the code:\n```\n.x\n  two-space-indent\n```",
		"log.info:hello",
		"```hyperlambda\n" + goodProgram + "```\nThis returns one.",
	}}
	st := openStore(t)
	c := &Compiler{LLM: llm, Store: st, Vocab: vocab.New(), Policy: policy(t, "pure")}
	var events []EventKind
	var tokens strings.Builder
	res, err := c.Compile(context.Background(), "Return one", Config{Model: "tiny", Mode: ModeText}, func(e Event) {
		events = append(events, e.Kind)
		if e.Kind == EventToken {
			tokens.WriteString(e.Text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Code != ".x:int:1\r\nreturn:x:-\r\n" || res.Cached || len(res.Attempts) != 3 {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(res.Attempts[0].Error, "indentation") || !strings.Contains(res.Attempts[1].Error, "log.info is not allowed by policy pure") {
		t.Errorf("attempt errors %q / %q", res.Attempts[0].Error, res.Attempts[1].Error)
	}
	for i, want := range []float64{0, 0.4, 0.8} {
		if got := llm.requests[i].Options["temperature"]; got != want {
			t.Errorf("attempt %d temperature %v, want %v", i+1, got, want)
		}
	}
	// The repair requests carry the conversation so far and the error.
	second := llm.requests[1].Messages
	if last := second[len(second)-1]; last.Role != "user" || !strings.Contains(last.Content, "indentation") {
		t.Errorf("second request ends with %+v", last)
	}
	third := llm.requests[2].Messages
	if last := third[len(third)-1]; !strings.Contains(last.Content, "log.info") || len(third) != len(second)+2 {
		t.Errorf("third request ends with %+v (%d messages)", last, len(third))
	}
	stored, err := st.Attempts(context.Background(), dataset.AttemptFilter{Prompt: "Return one"})
	if err != nil || len(stored) != 3 {
		t.Fatalf("stored attempts %d, %v", len(stored), err)
	}
	if stored[0].Error != "" || !stored[0].HasTree || stored[2].Error == "" || stored[0].ModelDigest != "d1" {
		t.Errorf("newest stored attempt %+v", stored[0])
	}
	var opts map[string]any
	json.Unmarshal(stored[0].Options, &opts)
	if opts["prompt_hash"] != res.Prompt.Hash || opts["policy"] != "pure" {
		t.Errorf("stored options %s", stored[0].Options)
	}
	if events[0] != EventPrompt || !strings.Contains(tokens.String(), "return:x:-") {
		t.Errorf("events %v tokens %q", events, tokens.String())
	}
}

// Every attempt refused: a CompileError carrying all of them.
func TestAllAttemptsRefused(t *testing.T) {
	llm := &scripted{digest: "d1", answers: []string{"data.frobnicate:x"}}
	c := &Compiler{LLM: llm, Vocab: vocab.New(), Policy: policy(t, "pure")}
	_, err := c.Compile(context.Background(), "Do it", Config{Model: "tiny", Mode: ModeText, Attempts: 2}, nil)
	ce, ok := err.(*CompileError)
	if !ok || len(ce.Attempts) != 2 || !strings.Contains(err.Error(), "no such slot") && !strings.Contains(err.Error(), "data.frobnicate") {
		t.Fatalf("got %v", err)
	}
}

// A second identical request is answered from the cache without the
// model; a different policy, model build or system prompt misses.
func TestCompileCache(t *testing.T) {
	llm := &scripted{digest: "d1", answers: []string{goodProgram}}
	st := openStore(t)
	c := &Compiler{LLM: llm, Store: st, Vocab: vocab.New(), Policy: policy(t, "pure")}
	ctx := context.Background()
	cfg := Config{Model: "tiny", Mode: ModeText}
	if _, err := c.Compile(ctx, "Return one", cfg, nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Compile(ctx, "  return   ONE ", cfg, nil)
	if err != nil || !res.Cached || llm.calls() != 1 || res.Code == "" {
		t.Fatalf("second call: cached=%v calls=%d err=%v", res != nil && res.Cached, llm.calls(), err)
	}
	c.Policy = policy(t, "sandbox")
	if res, err := c.Compile(ctx, "Return one", cfg, nil); err != nil || res.Cached || llm.calls() != 2 {
		t.Fatalf("another policy was served from the cache (calls %d, %v)", llm.calls(), err)
	}
	llm.digest = "d2"
	c.digests = nil // the memo would hold d1 for a minute
	if res, err := c.Compile(ctx, "Return one", cfg, nil); err != nil || res.Cached || llm.calls() != 3 {
		t.Fatalf("another model build was served from the cache (calls %d, %v)", llm.calls(), err)
	}
	if res, err := c.Compile(ctx, "Return one", Config{Model: "tiny", Mode: ModeTree}, nil); err == nil && res.Cached {
		t.Fatalf("another mode was served from the cache")
	}
}

// With the server unreachable the compiler says so once and offers the
// closest approved snippets, marked as retrieved.
func TestOfflineRetrieval(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	for _, s := range []dataset.Snippet{
		{Prompt: "Return the sum of two numbers", Code: "math.add\n   .:int:1\n   .:int:2\n", Status: dataset.StatusApproved},
		{Prompt: "Send an email", Code: "log.info:mail\n", Status: dataset.StatusApproved},
	} {
		if _, err := st.AddSnippet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	unreachable := &OllamaError{Kind: ErrOllamaUnreachable, Host: "http://127.0.0.1:1"}
	llm := &scripted{showErr: unreachable}
	c := &Compiler{LLM: llm, Store: st, Vocab: vocab.New(), Policy: policy(t, "pure")}
	var offline int
	res, err := c.Compile(ctx, "sum of numbers", Config{Model: "tiny"}, func(e Event) {
		if e.Kind == EventOffline {
			offline++
		}
	})
	if err != nil || !res.Retrieved || len(res.Candidates) == 0 || res.Candidates[0].Prompt != "Return the sum of two numbers" {
		t.Fatalf("res %+v err %v", res, err)
	}
	if offline != 1 || res.Offline == "" || llm.calls() != 0 {
		t.Errorf("offline events %d, text %q, chat calls %d", offline, res.Offline, llm.calls())
	}
}

func TestExtractCode(t *testing.T) {
	cases := []struct{ in, want string }{
		{"return:x:-", "return:x:-"},
		{"```\n.a\n```", ".a"},
		{"Sure! Here it is:\n```hyperlambda\n.a\n   b\n```\nDone.", ".a\n   b"},
		{"Here is the program:\n.a:1", ".a:1"},
		{"  \n.a\n", ".a"},
	}
	for _, c := range cases {
		if got := ExtractCode(c.in); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}

// Trees survive the trip through rows: what tree mode's few-shot examples
// show is what RowsToTree rebuilds.
func TestRowsRoundTrip(t *testing.T) {
	for _, src := range []string{
		goodProgram,
		".arguments\n   email:string\n   age:int\n.empty:\"\"\n.none\nif\n   eq:x:@.arguments/*/age\n      .:int:3\n   .lambda\n      return:date:\"2026-01-01T00:00:00.000Z\"\n",
	} {
		root, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var doc Rows
		if err := json.Unmarshal([]byte(RowsJSON(src)), &doc); err != nil {
			t.Fatal(err)
		}
		back, err := RowsToTree(doc.Rows)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := format(back), format(root); got != want {
			t.Errorf("round trip:\n%s\nwant:\n%s", got, want)
		}
	}
}

func TestDefaultMode(t *testing.T) {
	for model, want := range map[string]Mode{"qwen2.5-coder:7b": ModeTree, "hyperlambda-7b:latest": ModeText, "me/hl-coder": ModeText} {
		if got := DefaultMode(model); got != want {
			t.Errorf("%s: %s, want %s", model, got, want)
		}
	}
}

// Regress re-generates each case, bypassing the cache, and grades it
// against the curated tree; results keep the cases' order whatever the
// parallelism.
func TestRegress(t *testing.T) {
	llm := &scripted{digest: "d1", answers: []string{goodProgram}}
	c := &Compiler{LLM: llm, Store: openStore(t), Vocab: vocab.New(), Policy: policy(t, "pure")}
	cases := []RegressCase{
		{SnippetID: 1, Prompt: "one", Want: goodProgram},
		{SnippetID: 2, Prompt: "two", Want: ".x:int:2\nreturn:x:-\n"},
		{SnippetID: 3, Prompt: "three", Want: "  bad"},
	}
	var calls int
	res := c.Regress(context.Background(), cases, Config{Model: "tiny", Mode: ModeText}, 3, func(RegressResult) { calls++ })
	if calls != 3 || res[0].Verdict != VerdictExact || res[1].Verdict != VerdictDifferent || res[2].Verdict != VerdictFailed {
		t.Fatalf("%+v", res)
	}
	if res[1].Similarity != 0.5 {
		t.Errorf("similarity %v, want 0.5 (one of two nodes relabelled)", res[1].Similarity)
	}
	// Again: no cache hit, the model is asked each time.
	before := llm.calls()
	c.Regress(context.Background(), cases[:1], Config{Model: "tiny", Mode: ModeText}, 1, nil)
	if llm.calls() != before+1 {
		t.Errorf("regress was served from the cache")
	}
	llm.answers = []string{"no.such.slot"}
	if r := c.Regress(context.Background(), cases[:1], Config{Model: "tiny", Mode: ModeText, Attempts: 1}, 1, nil); r[0].Verdict != VerdictRefused {
		t.Errorf("%+v", r[0])
	}
}

// The model's vocabulary lists a slot once: the reference's other names
// for it (sqlite.read for data.read, crypto.hash.md5 for crypto.hash)
// run, but are left out of the prompt.
func TestSystemPromptLeavesOutAliases(t *testing.T) {
	sys := systemPrompt(vocab.New(), policy(t, "sandbox"), ModeTree)
	for _, want := range []string{"`data.read`", "`crypto.hash:x:…`"} {
		if !strings.Contains(sys, "- "+want) {
			t.Errorf("the prompt lacks %s", want)
		}
	}
	// As listed ("`name`" or "`name:…`"): sqlite.connections.flush, a
	// slot of its own, contains "sqlite.connect" and is listed.
	for _, alias := range []string{"sqlite.read", "sqlite.connect", "crypto.hash.md5", "mysql.read", "pgsql.connect", "mssql.select"} {
		if strings.Contains(sys, "`"+alias+"`") || strings.Contains(sys, "`"+alias+":") {
			t.Errorf("the prompt lists the alias %s", alias)
		}
	}
}

// The context a request asks for: none while the server's default (4,096
// tokens without a large GPU) holds the prompt and the answer's room; else
// the power of two that does, within the model's trained context.
func TestNumCtx(t *testing.T) {
	kb := func(n int) []Message { return []Message{{Role: "system", Content: strings.Repeat("x", n*1024)}} }
	for _, c := range []struct {
		msgs                []Message
		numPredict, trained int
		want                int
	}{
		{kb(1), 2048, 0, 0},
		{kb(5), 2048, 0, 0},      // 1,712 + 2,048 tokens: the default holds them
		{kb(6), 2048, 0, 8192},   // 2,053 + 2,048: it does not
		{kb(25), 2048, 0, 16384}, // the assembled prompt's size
		{kb(25), 2048, 8192, 8192},
		{kb(25), 2048, 2048, 2048},
		{kb(100), 2048, 0, 65536},
	} {
		if got := numCtx(c.msgs, c.numPredict, c.trained); got != c.want {
			t.Errorf("%d KB, num_predict %d, trained %d: num_ctx %d, want %d", len(c.msgs[0].Content)/1024, c.numPredict, c.trained, got, c.want)
		}
	}
}

// A compilation asks for a context that holds its assembled prompt (the
// server's default cut it from the front), within the model's trained one.
func TestCompileAsksForContextThatHoldsThePrompt(t *testing.T) {
	for _, trained := range []int{0, 8192} {
		llm := &scripted{answers: []string{"return:int:1\n"}, digest: "d", context: trained}
		c := &Compiler{LLM: llm, Vocab: vocab.New(), Policy: policy(t, "pure")}
		if _, err := c.Compile(context.Background(), "Return one", Config{Model: "tiny", Mode: ModeText}, nil); err != nil {
			t.Fatal(err)
		}
		req := llm.requests[0]
		size := 0
		for _, m := range req.Messages {
			size += len(m.Content)
		}
		n, _ := req.Options["num_ctx"].(int)
		switch {
		case trained > 0 && n != trained:
			t.Errorf("trained %d: num_ctx %v, want the trained context", trained, req.Options["num_ctx"])
		case trained == 0 && (n < size/3+2048 || n&(n-1) != 0):
			t.Errorf("num_ctx %v for %d bytes of prompt and 2,048 of answer", req.Options["num_ctx"], size)
		}
	}
}
