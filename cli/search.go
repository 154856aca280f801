package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"hlstudio/dataset"
)

func init() {
	commands["search"] = command{summary: "search the dataset's prompts and code, ranked", run: runSearch}
}

type searchHit struct {
	ID         int64    `json:"id"`
	Rank       float64  `json:"rank"`
	Status     string   `json:"status"`
	Split      string   `json:"split"`
	Tags       []string `json:"tags"`
	Source     string   `json:"source"`
	Prompt     string   `json:"prompt"`
	Code       string   `json:"code"`
	Duplicates int      `json:"duplicates"`
}

func runSearch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("search", flag.ContinueOnError)
	fl.SetOutput(stderr)
	db := dbFlag(fl)
	limit := fl.Int("limit", 20, "at most this many results")
	asJSON := fl.Bool("json", false, "print the results as JSON, with their code")
	similar := fl.Bool("similar", false, "treat the words as a prompt and list the approved snippets closest to it (as the compiler's few-shot retrieval does)")
	dups := fl.Int64("duplicates", 0, "list the near duplicates of the snippet with this id")
	var filter filterFlags
	filter.add(fl, "")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: hlstudio search [--db FILE] [--status S] [--tag T ...] [--split S] [--source P] [--since DATE] [--limit N] [--json] WORDS...")
		fmt.Fprintln(stderr, "       hlstudio search [--db FILE] [--limit N] [--json] --similar WORDS...")
		fmt.Fprintln(stderr, "       hlstudio search [--db FILE] [--limit N] [--json] --duplicates ID")
		fmt.Fprintln(stderr, "\nRanked full-text search over prompts and code. --similar is a switch: the words are a prompt,")
		fmt.Fprintln(stderr, "and the approved snippets closest to it are listed. Exit status 2 for usage errors and an")
		fmt.Fprintln(stderr, "unknown snippet id.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil || !flagsBeforeArgs("search", "the words", fl, stderr) {
		return exitUsage
	}
	dupsGiven := false
	fl.Visit(func(f *flag.Flag) { dupsGiven = dupsGiven || f.Name == "duplicates" })
	f, err := filter.filter()
	switch {
	case err != nil:
	case *limit < 1:
		err = fmt.Errorf("--limit %d: want 1 or more", *limit)
	case dupsGiven && *similar:
		err = fmt.Errorf("use --similar or --duplicates, not both")
	case dupsGiven && fl.NArg() > 0:
		err = fmt.Errorf("--duplicates takes a snippet id, not words (%q)", fl.Arg(0))
	case *similar && fl.NArg() == 0:
		err = fmt.Errorf("--similar needs the words of a prompt")
	}
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio search: %v\n", err)
		return exitUsage
	}
	text := strings.Join(fl.Args(), " ")
	store, ok := openStoreToRead("search", *db, stderr)
	if !ok {
		return exitUsage
	}
	defer store.Close()
	ctx := context.Background()

	var hits []dataset.Hit
	switch {
	case dupsGiven:
		if _, err := store.Snippet(ctx, *dups); errors.Is(err, dataset.ErrNotFound) {
			fmt.Fprintf(stderr, "hlstudio search: --duplicates: no snippet %d\n", *dups)
			return exitUsage
		}
		var sns []dataset.Snippet
		sns, err = store.Duplicates(ctx, *dups)
		if len(sns) > *limit {
			sns = sns[:*limit]
		}
		for _, sn := range sns {
			hits = append(hits, dataset.Hit{Snippet: sn})
		}
	case *similar:
		var sns []dataset.Snippet
		sns, err = store.Similar(ctx, text, *limit)
		for _, sn := range sns {
			hits = append(hits, dataset.Hit{Snippet: sn})
		}
	default:
		hits, err = store.Search(ctx, dataset.Query{Text: text, Filter: f, Limit: *limit})
	}
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio search: %v\n", err)
		return exitRuntime
	}
	if *asJSON {
		out := make([]searchHit, 0, len(hits))
		for _, h := range hits {
			out = append(out, searchHit{ID: h.ID, Rank: h.Rank, Status: string(h.Status), Split: string(h.Split), Tags: h.Tags,
				Source: h.Source, Prompt: h.Prompt, Code: h.Code, Duplicates: h.Duplicates})
		}
		writeJSON(stdout, out)
		return exitOK
	}
	for _, h := range hits {
		prompt, _, _ := strings.Cut(h.Prompt, "\n")
		split := string(h.Split)
		if split == "" {
			split = "-"
		}
		dup := ""
		if h.Duplicates > 0 {
			dup = fmt.Sprintf(" (%d near duplicates)", h.Duplicates)
		}
		fmt.Fprintf(stdout, "%6d  %-8s  %-10s  %s%s\n", h.ID, h.Status, split, prompt, dup)
	}
	return exitOK
}
