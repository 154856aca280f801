package compiler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"
	"time"

	"hlstudio/dataset"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Mode is how the model writes the program.
type Mode string

const (
	// ModeText: the model writes Hyperlambda text; fences and prose around
	// it are stripped.
	ModeText Mode = "text"
	// ModeTree: the model fills a JSON schema of flat rows (grammar
	// constrained), rebuilt into a tree.
	ModeTree Mode = "tree"
)

// DefaultMode is tree mode for general models, text mode for models whose
// name says they were tuned on Hyperlambda.
func DefaultMode(model string) Mode {
	m := strings.ToLower(model)
	if strings.Contains(m, "hyperlambda") || strings.HasPrefix(m, "hl-") || strings.Contains(m, "/hl-") {
		return ModeText
	}
	return ModeTree
}

// Config is one compilation's settings.
type Config struct {
	Model    string
	Mode     Mode // "" means DefaultMode(Model)
	Attempts int  // 0 means 3
	// Temperatures per attempt: the first is 0 (the model's best guess),
	// later ones step up by TemperatureStep (0 means 0.4), at most 1.
	TemperatureStep float64
	Seed            int
	NumPredict      int // 0 means 2048 tokens
	Examples        int // few-shot snippets retrieved; 0 means 3, negative none
	NoCache         bool
}

func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = DefaultMode(c.Model)
	}
	if c.Attempts <= 0 {
		c.Attempts = 3
	}
	if c.TemperatureStep <= 0 {
		c.TemperatureStep = 0.4
	}
	if c.NumPredict <= 0 {
		c.NumPredict = 2048
	}
	if c.Examples == 0 {
		c.Examples = 3
	}
	return c
}

// LLM is what the compiler needs of a model server; *Ollama is one.
type LLM interface {
	Host() string
	Show(ctx context.Context, model string) (*ModelDetails, error)
	Chat(ctx context.Context, req ChatRequest, onToken func(string)) (ChatResult, error)
}

// Store is what the compiler needs of the dataset; *dataset.Store is one.
// Nil means no storage: no few-shot examples, no cache, attempts not kept.
type Store interface {
	AddAttempt(ctx context.Context, a dataset.Attempt) (int64, error)
	CacheGet(ctx context.Context, key string) (tree string, ok bool, err error)
	CachePut(ctx context.Context, key, tree string) error
	Similar(ctx context.Context, prompt string, k int) ([]dataset.Snippet, error)
}

// Compiler turns prompts into verified trees under one policy. It is safe
// for concurrent use.
type Compiler struct {
	LLM    LLM
	Store  Store
	Vocab  whitelist.Vocabulary
	Policy *whitelist.Policy

	mu      sync.Mutex
	digests map[string]digestMemo
	systems map[systemKey]string
}

type systemKey struct {
	policy *whitelist.Policy
	mode   Mode
}

// system returns the system prompt for the compiler's policy and mode,
// built once: it lists the whole allowed vocabulary.
func (c *Compiler) system(mode Mode) string {
	k := systemKey{c.Policy, mode}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.systems[k]; ok {
		return s
	}
	if c.systems == nil {
		c.systems = map[systemKey]string{}
	}
	s := systemPrompt(c.Vocab, c.Policy, mode)
	c.systems[k] = s
	return s
}

type digestMemo struct {
	digest  string
	context int // the model's trained context in tokens, 0 if unknown
	at      time.Time
}

// digestTTL bounds how long a model's digest is trusted without asking
// the server: long enough that a cache hit never waits for the network,
// short enough that a re-pulled model is noticed.
const digestTTL = time.Minute

// EventKind says what an Event reports.
type EventKind int

// Events, in the order a compilation may send them.
const (
	EventPrompt   EventKind = iota // the assembled prompt is ready (Prompt)
	EventCached                    // the tree came from the compile cache
	EventAttempt                   // attempt Attempt starts
	EventToken                     // a streamed token (Text)
	EventRejected                  // attempt Attempt failed verification (Text: why)
	EventOffline                   // the server is unreachable (Text: what to do)
)

// Event is progress for a person watching.
type Event struct {
	Kind    EventKind
	Attempt int
	Text    string
	Prompt  *Prompt
}

// AttemptRecord is one try: what the model said and what was wrong.
type AttemptRecord struct {
	Number      int           `json:"number"`
	Temperature float64       `json:"temperature"`
	Raw         string        `json:"raw"`
	Error       string        `json:"error,omitempty"`
	Model       time.Duration `json:"model_ns"`    // waiting for the model
	Overhead    time.Duration `json:"overhead_ns"` // ours: parse, check, storage
	StoredID    int64         `json:"stored_id,omitempty"`
}

// Result is a compilation's outcome.
type Result struct {
	Tree     *hyperlambda.Node   `json:"-"`
	Code     string              `json:"code"` // canonical Hyperlambda of Tree
	Findings []whitelist.Finding `json:"-"`
	Prompt   *Prompt             `json:"-"`
	Mode     Mode                `json:"mode"`
	Model    string              `json:"model"`
	Digest   string              `json:"digest"`
	Cached   bool                `json:"cached"`
	Attempts []AttemptRecord     `json:"attempts"`
	// Retrieved is set when the server was unreachable: Candidates are the
	// closest approved snippets, not generated for this prompt, and
	// Offline says what happened in words.
	Retrieved  bool              `json:"retrieved"`
	Candidates []dataset.Snippet `json:"candidates,omitempty"`
	Offline    string            `json:"offline,omitempty"`
	// Overhead is the compiler's own time (assembly, retrieval, parsing,
	// checking, storage), against the model's time in the attempts.
	Overhead time.Duration `json:"overhead_ns"`
}

// CompileError is returned when no attempt produced a verified tree.
type CompileError struct {
	Attempts []AttemptRecord
}

func (e *CompileError) Error() string {
	last := e.Attempts[len(e.Attempts)-1]
	return fmt.Sprintf("no valid program after %d attempts; the last one: %s", len(e.Attempts), last.Error)
}

// Compile turns prompt into a tree the policy allows, or says why not.
// The model is an untrusted frontend: its output is parsed and checked,
// and sent back with the errors for repair, up to cfg.Attempts times.
func (c *Compiler) Compile(ctx context.Context, prompt string, cfg Config, progress func(Event)) (*Result, error) {
	if progress == nil {
		progress = func(Event) {}
	}
	cfg = cfg.withDefaults()
	if strings.TrimSpace(prompt) == "" {
		return nil, errors.New("the prompt is empty: say what the function should do")
	}
	if cfg.Model == "" {
		return nil, errors.New("no model chosen: pass --model, or pick one in the studio")
	}
	start := time.Now()
	var modelTime time.Duration
	res := &Result{Mode: cfg.Mode, Model: cfg.Model}
	system := c.system(cfg.Mode)

	t0 := time.Now()
	digest, err := c.digest(ctx, cfg.Model)
	modelTime += time.Since(t0)
	if err != nil {
		var oe *OllamaError
		if errors.As(err, &oe) && oe.Kind == ErrOllamaUnreachable {
			res.Prompt = assemble(system, cfg.Mode, prompt, nil)
			return c.offline(ctx, prompt, res, oe, progress)
		}
		return nil, err
	}
	res.Digest = digest

	// The cache is asked before anything slower: a hit needs neither the
	// model nor the retrieval of examples.
	key := cacheKey(prompt, digest, cfg, hashOf(system), c.Policy.Hash)
	if c.Store != nil && !cfg.NoCache {
		if code, ok, err := c.Store.CacheGet(ctx, key); err == nil && ok {
			// Checked again: the cache holds text, and the check is cheap.
			if tree, findings, verr := c.checkCode(code); verr == nil {
				res.Tree, res.Findings, res.Code, res.Cached = tree, findings, format(tree), true
				res.Prompt = assemble(system, cfg.Mode, prompt, nil)
				res.Overhead = time.Since(start) - modelTime
				progress(Event{Kind: EventCached})
				return res, nil
			}
		}
	}

	var examples []dataset.Snippet
	if c.Store != nil && cfg.Examples > 0 {
		if examples, err = c.Store.Similar(ctx, prompt, cfg.Examples); err != nil {
			return nil, fmt.Errorf("retrieving examples: %w", err)
		}
		examples = c.allowedExamples(examples)
	}
	res.Prompt = assemble(system, cfg.Mode, prompt, examples)
	progress(Event{Kind: EventPrompt, Prompt: res.Prompt})

	options := map[string]any{"seed": cfg.Seed, "num_predict": cfg.NumPredict}
	msgs := res.Prompt.Messages(cfg.Mode)
	trained := c.trainedContext(cfg.Model)
	for i := 1; i <= cfg.Attempts; i++ {
		temp := min(float64(i-1)*cfg.TemperatureStep, 1)
		options := maps.Clone(options) // each request keeps its own
		options["temperature"] = temp
		if n := numCtx(msgs, cfg.NumPredict, trained); n > 0 {
			options["num_ctx"] = n
		}
		progress(Event{Kind: EventAttempt, Attempt: i})
		req := ChatRequest{Model: cfg.Model, Messages: msgs, Options: options}
		if cfg.Mode == ModeTree {
			req.Format = RowsSchema()
		}
		t0 := time.Now()
		out, err := c.LLM.Chat(ctx, req, func(tok string) { progress(Event{Kind: EventToken, Attempt: i, Text: tok}) })
		spent := time.Since(t0)
		modelTime += spent
		rec := AttemptRecord{Number: i, Temperature: temp, Raw: out.Content, Model: spent}
		var fatal error
		if err != nil {
			var oe *OllamaError
			// A cut or truncated answer is a failed attempt worth repairing;
			// anything else (server gone, model missing, cancel) ends here,
			// kept like any other attempt (audit 20).
			if !errors.As(err, &oe) || (oe.Kind != ErrTokenLimit && oe.Kind != ErrStreamIncomplete && oe.Kind != ErrMalformedStream) {
				fatal = err
			}
			rec.Error = err.Error()
		}
		t1 := time.Now()
		var tree *hyperlambda.Node
		var findings []whitelist.Finding
		if rec.Error == "" {
			var verr error
			if tree, findings, verr = c.verify(out.Content, cfg.Mode); verr != nil {
				rec.Error = verr.Error()
			}
		}
		code := ""
		if tree != nil {
			code = format(tree)
		}
		// Stored whatever the caller's context: a generation that ended,
		// even by a cancel, is kept (audit 20).
		keep := context.WithoutCancel(ctx)
		if c.Store != nil {
			opts, _ := json.Marshal(map[string]any{"mode": cfg.Mode, "options": options, "attempt": i,
				"prompt_hash": res.Prompt.Hash, "policy": c.Policy.Name, "policy_hash": c.Policy.Hash})
			id, err := c.Store.AddAttempt(keep, dataset.Attempt{Prompt: prompt, Model: cfg.Model, ModelDigest: digest,
				Options: opts, RawOutput: out.Content, Error: rec.Error, Duration: spent, Tree: code, HasTree: rec.Error == "" && tree != nil})
			if err != nil {
				return res, fmt.Errorf("storing attempt %d: %w", i, err)
			}
			rec.StoredID = id
		}
		rec.Overhead = time.Since(t1)
		res.Attempts = append(res.Attempts, rec)
		if fatal != nil {
			res.Overhead = time.Since(start) - modelTime
			return res, fatal
		}
		if rec.Error == "" {
			res.Tree, res.Findings, res.Code = tree, findings, code
			if c.Store != nil && !cfg.NoCache {
				if err := c.Store.CachePut(keep, key, code); err != nil {
					return nil, fmt.Errorf("caching the tree: %w", err)
				}
			}
			res.Overhead = time.Since(start) - modelTime
			return res, nil
		}
		progress(Event{Kind: EventRejected, Attempt: i, Text: rec.Error})
		msgs = append(msgs,
			Message{Role: "assistant", Content: out.Content},
			Message{Role: "user", Content: feedback(rec.Error, cfg.Mode)})
	}
	res.Overhead = time.Since(start) - modelTime
	return res, &CompileError{Attempts: res.Attempts}
}

// feedback is the repair request after a failed attempt.
func feedback(problem string, mode Mode) string {
	what := "the whole corrected program only"
	if mode == ModeTree {
		what = "the whole corrected program as rows"
	}
	return "That answer was refused:\n" + problem + "\nAnswer again with " + what + ", using only the slots you may use."
}

// verify turns model output into a tree and checks it under the policy:
// a syntax error, an empty program, an unknown slot or a denied binding
// refuses it, with every problem listed.
func (c *Compiler) verify(output string, mode Mode) (*hyperlambda.Node, []whitelist.Finding, error) {
	if strings.ContainsRune(output, 0) {
		// A tree holding one formats to text no Hyperlambda reader takes
		// (audit 20).
		return nil, nil, errors.New("the answer holds a NUL character")
	}
	if mode != ModeTree {
		return c.checkCode(ExtractCode(output))
	}
	rows, err := DecodeRows(output)
	if err != nil {
		return nil, nil, err
	}
	root, err := RowsToTree(rows)
	if err != nil {
		return nil, nil, err
	}
	return c.checkTree(root)
}

// checkCode parses Hyperlambda text (a cached tree's, or an answer's
// program) and checks it; the cache's text is code already, never taken
// out of fences again (audit 20: a fence inside a string value was).
func (c *Compiler) checkCode(code string) (*hyperlambda.Node, []whitelist.Finding, error) {
	root, err := hyperlambda.ParseString(code, hyperlambda.ParseOptions{MaxDepth: c.Policy.Budgets.Depth})
	if err != nil {
		return nil, nil, err
	}
	return c.checkTree(root)
}

// maxProblems bounds the refusals listed in a repair request and an error:
// an answer of thousands of denied calls made megabytes of both (audit 20).
const maxProblems = 20

func (c *Compiler) checkTree(root *hyperlambda.Node) (*hyperlambda.Node, []whitelist.Finding, error) {
	if root.Len() == 0 {
		return nil, nil, errors.New("the program is empty")
	}
	findings := whitelist.Check(root, c.Vocab, c.Policy)
	var problems []string
	refused := 0
	for _, f := range findings {
		if f.Label != whitelist.LabelDenied && f.Label != whitelist.LabelUnknownSlot {
			continue
		}
		if refused++; refused > maxProblems {
			continue
		}
		var where string
		if f.Node.Pos.IsValid() {
			where = fmt.Sprintf("line %d", f.Node.Pos.Line)
		} else {
			where = f.Node.Path() // found by scanning siblings: only for the few listed
		}
		problems = append(problems, fmt.Sprintf("- %s [%s]: %s", where, f.Node.Name, f.Reason))
	}
	if refused > maxProblems {
		problems = append(problems, fmt.Sprintf("- and %d more refused nodes", refused-maxProblems))
	}
	if len(problems) > 0 {
		return root, findings, errors.New(strings.Join(problems, "\n"))
	}
	return root, findings, nil
}

// allowedExamples keeps the snippets whose code the policy allows: one it
// refuses would show the model an answer it must not give (audit 20).
func (c *Compiler) allowedExamples(examples []dataset.Snippet) []dataset.Snippet {
	kept := examples[:0]
	for _, ex := range examples {
		if _, _, err := c.checkCode(ex.Code); err == nil {
			kept = append(kept, ex)
		}
	}
	return kept
}

var fence = regexp.MustCompile("(?s)```[a-zA-Z0-9_-]*[ \t]*\r?\n(.*?)```")

// ExtractCode takes the program out of a text-mode answer: the first
// fenced block if there is one, else the text without a leading prose
// paragraph that ends with a colon ("Here is the code:").
func ExtractCode(s string) string {
	if m := fence.FindStringSubmatch(s); m != nil {
		return strings.TrimRight(m[1], " \t\r\n")
	}
	s = strings.TrimSpace(s)
	if first, rest, ok := strings.Cut(s, "\n"); ok && strings.HasSuffix(strings.TrimSpace(first), ":") && strings.Contains(first, " ") {
		s = strings.TrimSpace(rest)
	}
	return s
}

func format(tree *hyperlambda.Node) string {
	return hyperlambda.Format(tree.Children(), hyperlambda.FormatOptions{})
}

// cacheKey identifies a compilation: the same request, model build,
// options, system prompt and policy give the same tree.
func cacheKey(prompt, digest string, cfg Config, systemHash, policyHash string) string {
	// The name too: a model whose digest the server does not report has
	// none, and two such models shared entries (audit 20).
	return hashOf(strings.Join([]string{dataset.NormalizePrompt(prompt), cfg.Model, digest, string(cfg.Mode),
		fmt.Sprintf("seed=%d num_predict=%d attempts=%d step=%g", cfg.Seed, cfg.NumPredict, cfg.Attempts, cfg.TemperatureStep),
		systemHash, policyHash}, "\x00"))
}

func (c *Compiler) digest(ctx context.Context, model string) (string, error) {
	c.mu.Lock()
	m, ok := c.digests[model]
	c.mu.Unlock()
	if ok && time.Since(m.at) < digestTTL {
		return m.digest, nil
	}
	d, err := c.LLM.Show(ctx, model)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.digests == nil {
		c.digests = map[string]digestMemo{}
	}
	c.digests[model] = digestMemo{digest: d.Digest, context: d.ContextLength, at: time.Now()}
	c.mu.Unlock()
	return d.Digest, nil
}

// trainedContext is model's trained context as its digest's answer said
// (0 if unknown).
func (c *Compiler) trainedContext(model string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.digests[model].context
}

// serverDefaultContext is the context Ollama gives a model when a request
// names none and the machine has less than 23 GiB of GPU memory.
const serverDefaultContext = 4096

// numCtx is the context a request asks for (0: the server's default).
// The assembled prompt (instructions, the vocabulary, examples: ~25 KB)
// plus the answer's room is more than the 4,096 tokens Ollama gives by
// default on a machine without a large GPU, and the server then cut the
// prompt from the front: the model never saw most of its instructions.
// Asked only when the default may be short, as a power of two (each new
// size makes the server load the model again), and never past the
// model's trained context. Tokens are counted as 3 bytes each, on the
// safe side for code and markup.
func numCtx(msgs []Message, numPredict, trained int) int {
	size := 0
	for _, m := range msgs {
		size += len(m.Content) + 16 // the template's role markers
	}
	need := size/3 + numPredict
	if need <= serverDefaultContext {
		return 0
	}
	n := 2 * serverDefaultContext
	for n < need {
		n *= 2
	}
	if trained > 0 {
		n = min(n, trained)
	}
	return n
}

// offline answers when the server cannot be reached: the closest approved
// snippets, marked as retrieved, and one plain sentence saying why.
func (c *Compiler) offline(ctx context.Context, prompt string, res *Result, oe *OllamaError, progress func(Event)) (*Result, error) {
	res.Retrieved, res.Offline = true, oe.Error()
	progress(Event{Kind: EventOffline, Text: res.Offline})
	if c.Store != nil {
		cands, err := c.Store.Similar(ctx, prompt, 5)
		if err != nil {
			return nil, fmt.Errorf("%s; and the dataset could not be searched: %w", res.Offline, err)
		}
		res.Candidates = cands
	}
	return res, nil
}
