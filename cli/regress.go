package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/engine/vocab"
)

func init() {
	commands["regress"] = command{summary: "re-generate regression snippets with a model and grade them against the curated trees", run: runRegress}
}

func runRegress(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("regress", flag.ContinueOnError)
	fl.SetOutput(stderr)
	host := hostFlag(fl)
	model := fl.String("model", "", "model to grade (default: the server's first installed model)")
	mode := fl.String("mode", "", "text or tree (default by the model's name)")
	policyName := fl.String("policy", "sandbox", "policy the trees must satisfy")
	attempts := fl.Int("attempts", 3, "attempts per prompt")
	parallel := fl.Int("parallel", 2, "prompts in flight at once against the one server")
	dbPath := dbFlag(fl)
	status := fl.String("status", "", "grade snippets with these statuses (comma-separated: draft, approved, rejected; any for all) instead of the regression snippets")
	asJSON := fl.Bool("json", false, "print the results as JSON")
	var tags argList
	fl.Var(&tags, "tag", "grade snippets with this tag instead of the regression snippets (repeatable)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: hlstudio regress [flags]")
		fmt.Fprintln(stderr, "\nRe-generates the prompts of the regression snippets (those with a regression pair), or")
		fmt.Fprintln(stderr, "of the snippets --tag/--status select, and compares each new tree with the curated one:")
		fmt.Fprintln(stderr, "exact, different (with a structural similarity 0..1), refused or failed. Every attempt")
		fmt.Fprintln(stderr, "is stored in the dataset. Exit status 5 when no Ollama server answers.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil || fl.NArg() != 0 {
		if err == nil {
			fmt.Fprintf(stderr, "hlstudio regress: unexpected argument %q\n", fl.Arg(0))
			fl.Usage()
		}
		return exitUsage
	}
	// The filters are read as search and export read theirs.
	filter, err := (&filterFlags{status: *status, tags: tags}).filter()
	if err == nil {
		err = checkMode(*mode)
	}
	if err == nil && *attempts < 1 {
		err = fmt.Errorf("--attempts %d: want 1 or more", *attempts)
	}
	if err == nil && *parallel < 1 {
		err = fmt.Errorf("--parallel %d: want 1 or more", *parallel)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio regress: %v\n", err)
		return exitUsage
	}
	onlyRegressions := len(tags) == 0 && *status == ""
	policy, llm, store, code := compileSetup("regress", *policyName, *host, *dbPath, false, stderr)
	if code != exitOK {
		return code
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	cases, err := regressionCases(ctx, store, filter, onlyRegressions)
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio regress: %v\n", err)
		return exitRuntime
	}
	if len(cases) == 0 {
		fmt.Fprintln(stderr, "hlstudio regress: nothing to grade: no snippet has a regression pair (or matches the filters)")
		return exitOK
	}
	if *model == "" {
		if *model, err = firstModel(ctx, llm); err != nil {
			return ollamaFailure(stderr, "regress", err)
		}
	}
	// Asked once up front, so a missing server is one message, not one per prompt.
	if _, err := llm.Show(ctx, *model); err != nil {
		return ollamaFailure(stderr, "regress", err)
	}
	fmt.Fprintf(stderr, "grading %d prompts with %s under policy %s\n", len(cases), *model, policy.Name)
	c := &compiler.Compiler{LLM: llm, Store: store, Vocab: vocab.New(), Policy: policy}
	cfg := compiler.Config{Model: *model, Mode: compiler.Mode(*mode), Attempts: *attempts}
	finished := 0
	results := c.Regress(ctx, cases, cfg, *parallel, func(r compiler.RegressResult) {
		finished++
		fmt.Fprintf(stderr, "[%d/%d] snippet %d: %s\n", finished, len(cases), r.Case.SnippetID, r.Verdict)
	})
	if *asJSON {
		writeJSON(stdout, results)
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SNIPPET\tVERDICT\tSIMILARITY\tATTEMPTS\tPROMPT")
	counts := map[string]int{}
	total := 0.0
	for _, r := range results {
		counts[r.Verdict]++
		total += r.Similarity
		fmt.Fprintf(tw, "%d\t%s\t%.2f\t%d\t%s\n", r.Case.SnippetID, r.Verdict, r.Similarity, r.Attempts, clipText(r.Case.Prompt, 60))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d prompts: %d exact, %d different, %d refused, %d failed; mean similarity %.2f\n",
		len(results), counts[compiler.VerdictExact], counts[compiler.VerdictDifferent], counts[compiler.VerdictRefused],
		counts[compiler.VerdictFailed], total/float64(len(results)))
	return exitOK
}

// regressionCases are the snippets to grade: those with a regression pair,
// or (onlyRegressions false) those the filter selects.
func regressionCases(ctx context.Context, store *dataset.Store, f dataset.Filter, onlyRegressions bool) ([]compiler.RegressCase, error) {
	var cases []compiler.RegressCase
	err := store.Each(ctx, f, func(s *dataset.Snippet) error {
		if onlyRegressions {
			pairs, err := store.Regressions(ctx, s.ID)
			if err != nil || len(pairs) == 0 {
				return err
			}
		}
		cases = append(cases, compiler.RegressCase{SnippetID: s.ID, Prompt: s.Prompt, Want: s.Code})
		return nil
	})
	return cases, err
}

func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
