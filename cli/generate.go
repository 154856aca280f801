package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/engine/vocab"
	"hlstudio/whitelist"
)

func init() {
	commands["generate"] = command{summary: "compile a prompt into a verified tree with a local model", run: runGenerate}
}

func runGenerate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("generate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	host := hostFlag(fl)
	model := fl.String("model", "", "model to use (default: the server's first installed model)")
	mode := fl.String("mode", "", "text or tree (default: tree, or text for models tuned on Hyperlambda)")
	policyName := fl.String("policy", "sandbox", "policy the tree must satisfy: a built-in name or a file")
	attempts := fl.Int("attempts", 3, "attempts before giving up; each repair sends the errors back")
	examples := fl.Int("examples", 3, "approved snippets retrieved as examples (0 for none)")
	dbPath := dbFlag(fl)
	noCache := fl.Bool("no-cache", false, "ask the model even when the compile cache has the answer")
	asJSON := fl.Bool("json", false, "print a JSON report with every attempt instead of the tree")
	fl.Usage = func() {
		fmt.Fprintln(stderr, `usage: hlstudio generate [flags] "what the function should do"`)
		fmt.Fprintln(stderr, "\nStreams progress to stderr and prints the verified tree. Exit status: 0 a verified tree,")
		fmt.Fprintln(stderr, "3 every attempt was invalid or denied, 5 no Ollama server answers (approved snippets")
		fmt.Fprintln(stderr, "close to the prompt are listed instead), 1 other failures, 2 usage.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	if fl.NArg() != 1 || strings.TrimSpace(fl.Arg(0)) == "" {
		if flagsBeforeArgs("generate", "the prompt", fl, stderr) {
			fl.Usage()
		}
		return exitUsage
	}
	if err := checkMode(*mode); err != nil {
		fmt.Fprintf(stderr, "hlstudio generate: %v\n", err)
		return exitUsage
	}
	if *attempts < 1 {
		fmt.Fprintf(stderr, "hlstudio generate: --attempts %d: want 1 or more\n", *attempts)
		return exitUsage
	}
	if *examples < 0 {
		fmt.Fprintf(stderr, "hlstudio generate: --examples %d: want 0 (none) or more\n", *examples)
		return exitUsage
	}
	policy, llm, store, code := compileSetup("generate", *policyName, *host, *dbPath, true, stderr)
	if code != exitOK {
		return code
	}
	defer store.Close()
	var err error

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *model == "" {
		if *model, err = firstModel(ctx, llm); err != nil {
			if errors.Is(err, compiler.ErrOllamaUnreachable) {
				// Still worth going on: the compiler offers retrieved snippets.
				*model = "(none)"
			} else {
				fmt.Fprintf(stderr, "hlstudio generate: %v\n", err)
				return exitRuntime
			}
		} else {
			fmt.Fprintf(stderr, "model: %s\n", *model)
		}
	}
	c := &compiler.Compiler{LLM: llm, Store: store, Vocab: vocab.New(), Policy: policy}
	cfg := compiler.Config{Model: *model, Mode: compiler.Mode(*mode), Attempts: *attempts, Examples: *examples, NoCache: *noCache}
	if *examples == 0 {
		cfg.Examples = -1
	}
	res, err := c.Compile(ctx, fl.Arg(0), cfg, progressPrinter(stderr))
	var ce *compiler.CompileError
	switch {
	case errors.As(err, &ce):
		if *asJSON {
			writeJSON(stdout, generateReport(res, policy, err))
		}
		fmt.Fprintf(stderr, "hlstudio generate: %v\n", err)
		return exitDenied
	case err != nil:
		return ollamaFailure(stderr, "generate", err)
	}
	if *asJSON {
		writeJSON(stdout, generateReport(res, policy, nil))
	}
	if res.Retrieved {
		fmt.Fprintf(stderr, "hlstudio generate: %s\n", res.Offline)
		if len(res.Candidates) == 0 {
			fmt.Fprintln(stderr, "No approved snippet in the dataset is close to the prompt.")
		} else if !*asJSON {
			fmt.Fprintf(stderr, "Closest approved snippets (retrieved, not generated):\n")
			for _, s := range res.Candidates {
				fmt.Fprintf(stdout, "// snippet %d: %s\n%s\n", s.ID, s.Prompt, s.Code)
			}
		}
		return exitUnreachable
	}
	if !*asJSON {
		io.WriteString(stdout, res.Code)
	}
	return exitOK
}

// checkMode checks --mode of generate and regress: text, tree, or empty
// for the model's default.
func checkMode(mode string) error {
	if mode != "" && mode != string(compiler.ModeText) && mode != string(compiler.ModeTree) {
		return fmt.Errorf("--mode %q: use text or tree", mode)
	}
	return nil
}

// compileSetup is what generate and regress start with: the policy, the
// Ollama client and the dataset; a non-zero code ends the command.
func compileSetup(cmd, policyName, host, dbPath string, create bool, stderr io.Writer) (*whitelist.Policy, *compiler.Ollama, *dataset.Store, int) {
	policy, err := loadPolicy(policyName)
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio %s: %v\n", cmd, err)
		return nil, nil, nil, exitUsage
	}
	llm, err := compiler.NewOllama(compiler.OllamaOptions{Host: host})
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio %s: %v\n", cmd, err)
		return nil, nil, nil, exitUsage
	}
	store, ok := openStore(cmd, dbPath, create, stderr)
	if !ok {
		return nil, nil, nil, exitRuntime
	}
	return policy, llm, store, exitOK
}

func firstModel(ctx context.Context, llm *compiler.Ollama) (string, error) {
	models, err := llm.Models(ctx)
	if err != nil {
		return "", err
	}
	if len(models) == 0 {
		return "", fmt.Errorf("no model is installed on %s: install one with `ollama pull qwen2.5-coder:7b` (or `hlstudio pull`), or pass --model", llm.Host())
	}
	return models[0].Name, nil
}

// progressPrinter shows a compilation on stderr: attempts, the streamed
// answer, refusals, cache hits.
func progressPrinter(w io.Writer) func(compiler.Event) {
	return func(e compiler.Event) {
		switch e.Kind {
		case compiler.EventCached:
			fmt.Fprintln(w, "cached: the same request was compiled before (use --no-cache to ask the model)")
		case compiler.EventAttempt:
			fmt.Fprintf(w, "attempt %d: ", e.Attempt)
		case compiler.EventToken:
			io.WriteString(w, strings.ReplaceAll(e.Text, "\n", " "))
		case compiler.EventRejected:
			fmt.Fprintf(w, "\nrefused:\n%s\n", e.Text)
		}
	}
}

type generateReportJSON struct {
	Policy     string                   `json:"policy"`
	PolicyHash string                   `json:"policy_hash"`
	Result     *compiler.Result         `json:"result,omitempty"`
	Prompt     string                   `json:"prompt,omitempty"`
	PromptHash string                   `json:"prompt_hash,omitempty"`
	Error      string                   `json:"error,omitempty"`
	Attempts   []compiler.AttemptRecord `json:"attempts,omitempty"`
}

func generateReport(res *compiler.Result, policy *whitelist.Policy, err error) generateReportJSON {
	rep := generateReportJSON{Policy: policy.Name, PolicyHash: policy.Hash, Result: res}
	if res != nil && res.Attempts == nil {
		res.Attempts = []compiler.AttemptRecord{} // "attempts": [] when none was made (offline)
	}
	if res != nil && res.Prompt != nil {
		rep.Prompt, rep.PromptHash = res.Prompt.String(), res.Prompt.Hash
	}
	var ce *compiler.CompileError
	if errors.As(err, &ce) {
		rep.Error, rep.Attempts = err.Error(), ce.Attempts
	}
	return rep
}
