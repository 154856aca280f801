package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"hlstudio/dataset"
)

func init() {
	commands["export"] = command{summary: "export fine-tuning JSONL (OpenAI, ShareGPT, Alpaca) or .hl files from the dataset", run: runExport}
}

func runExport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	db := dbFlag(fl)
	format := fl.String("format", "", "openai, sharegpt or alpaca; or hl to write the snippets back as .hl files")
	out := fl.String("out", "", "output folder (created when missing)")
	systemFile := fl.String("system-prompt", "", "file holding the system prompt (default: a short built-in one)")
	ratio := fl.Float64("split-ratio", 0.9, "share of snippets without a stored split that go to train, chosen by hash")
	baseModel := fl.String("base-model", "", "write an Ollama Modelfile FROM this model")
	adapter := fl.String("adapter", "", "the Modelfile's ADAPTER path (default: a commented ./adapter)")
	maxTokens := fl.Int("max-tokens", dataset.DefaultMaxTokens, "warn about examples longer than this many tokens (estimated)")
	var filter filterFlags
	filter.add(fl, "approved")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: hlstudio export [--db FILE] --format openai|sharegpt|alpaca|hl [--status approved] [--tag T ...]")
		fmt.Fprintln(stderr, "       [--system-prompt FILE] [--split-ratio 0.9] [--base-model M] --out DIR")
		fmt.Fprintln(stderr, "\nWrites train.jsonl, validation.jsonl, regressions.jsonl (when there are regression pairs),")
		fmt.Fprintln(stderr, "a Modelfile (with --base-model) and report.txt. The examples are checked first; nothing")
		fmt.Fprintln(stderr, "but the report is written when one fails. --format hl writes .hl files where an import")
		fmt.Fprintln(stderr, "puts them back in the same split, into a new or empty folder or one an hl export made")
		fmt.Fprintln(stderr, "(it deletes nothing, and lists the .hl files there it did not write). Exit status: 0 ok,")
		fmt.Fprintln(stderr, "1 failed checks or nothing to export, 2 usage.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	if fl.NArg() > 0 || *out == "" || *format == "" {
		if fl.NArg() > 0 {
			fmt.Fprintf(stderr, "hlstudio export: unexpected argument %q\n", fl.Arg(0))
		} else {
			fmt.Fprintln(stderr, "hlstudio export: --format and --out are required")
		}
		fl.Usage()
		return exitUsage
	}
	f, err := filter.filter()
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio export: %v\n", err)
		return exitUsage
	}
	opts := dataset.ExportOptions{Filter: f, SplitRatio: *ratio, BaseModel: *baseModel, Adapter: *adapter, MaxTokens: *maxTokens}
	if *format != "hl" {
		if opts.Format, err = dataset.ParseFormat(*format); err != nil {
			fmt.Fprintf(stderr, "hlstudio export: --format: %v, or hl\n", err)
			return exitUsage
		}
	}
	if !(*ratio > 0 && *ratio <= 1) { // so that NaN is refused too
		fmt.Fprintf(stderr, "hlstudio export: --split-ratio %v: want a number above 0 and at most 1\n", *ratio)
		return exitUsage
	}
	if *systemFile != "" {
		text, err := os.ReadFile(*systemFile)
		if err != nil {
			fmt.Fprintf(stderr, "hlstudio export: --system-prompt: %v\n", err)
			return exitUsage
		}
		// A byte order mark from the editor is not part of the prompt.
		if opts.SystemPrompt = dataset.CleanSystemPrompt(string(text)); opts.SystemPrompt == "" {
			fmt.Fprintf(stderr, "hlstudio export: --system-prompt: %s is empty\n", *systemFile)
			return exitUsage
		}
	}
	store, ok := openStoreToRead("export", *db, stderr)
	if !ok {
		return exitUsage
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *format == "hl" {
		rep, err := store.WriteFiles(ctx, *out, opts)
		if rep != nil {
			io.WriteString(stdout, rep.Text())
		}
		if err != nil {
			fmt.Fprintf(stderr, "hlstudio export: %v\n", err)
			return exitRuntime
		}
		return exitOK
	}
	var bar *progressBar
	if isTerminal(stderr) {
		bar = &progressBar{w: stderr}
		total, _ := store.Count(ctx, dataset.Query{Filter: f})
		opts.Progress = func(done int) { bar.show(done, total, "examples") }
	}
	rep, err := store.Export(ctx, *out, opts)
	bar.clear()
	if rep != nil {
		io.WriteString(stdout, rep.Text(err == nil))
	}
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio export: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
