package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"hlstudio/dataset"
)

func init() {
	commands["import"] = command{summary: "import folders of .hl training files into the dataset", run: runImport}
}

func runImport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("import", flag.ContinueOnError)
	fl.SetOutput(stderr)
	db := dbFlag(fl)
	validationDir := fl.String("validation-dir", "validation", "files under folders with this name go to the validation split")
	status := fl.String("status", "approved", "status of newly added snippets (draft, approved, rejected)")
	prune := fl.Bool("prune", false, "delete snippets whose files under the folders given no longer exist")
	watch := fl.Bool("watch", false, "after importing, keep watching the folders and apply changes until interrupted")
	verbose := fl.Bool("v", false, "also list the files moved and the files skipped as duplicates")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: hlstudio import [--db FILE] [--validation-dir NAME] [--status S] [--prune] [--watch] PATH...")
		fmt.Fprintln(stderr, "\nImports .hl files (folders searched recursively, symbolic links followed): the first comment")
		fmt.Fprintln(stderr, "of a file is the prompt, the rest the code; the folder below PATH becomes a tag. Importing")
		fmt.Fprintln(stderr, "again updates what changed; a file renamed or moved keeps its snippet (reported as moved).")
		fmt.Fprintln(stderr, "Exit status: 0 ok, 1 some files or paths failed (the others are imported), 2 usage.")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil || !flagsBeforeArgs("import", "the paths", fl, stderr) {
		return exitUsage
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return exitUsage
	}
	st, err := dataset.ParseStatus(*status)
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio import: --status: %v\n", err)
		return exitUsage
	}
	store, ok := openStore("import", *db, true, stderr)
	if !ok {
		return exitUsage
	}
	defer store.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var bar *progressBar
	if isTerminal(stderr) {
		bar = &progressBar{w: stderr}
	}
	// Pruning waits until every path is imported: a file moved from one
	// path given to another keeps its snippet rather than losing it.
	opts := dataset.ImportOptions{ValidationDir: *validationDir, Status: st,
		Progress: func(p dataset.Progress) { bar.show(p.Done, p.Total, p.File) }}
	// A path that cannot be read is reported like a file that fails, and
	// the others are still imported, one path at a time so that a folder
	// that cannot be walked stops only itself.
	var rep dataset.ImportReport
	var imported []string
	badPaths, stopped := 0, false
	for _, p := range fl.Args() {
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", p, pathReason(err))
			badPaths++
			continue
		}
		r, err := store.Import(ctx, []string{p}, opts)
		bar.clear()
		printImport(stdout, stderr, r, *verbose)
		rep.Add(r)
		if err != nil {
			fmt.Fprintf(stderr, "hlstudio import: %v\n", err)
			badPaths++
			// Ctrl+C, or the store failing: the other paths would too.
			if stopped = ctx.Err() != nil || errors.Is(err, dataset.ErrReadOnly) || errors.Is(err, dataset.ErrCorrupt); stopped {
				break
			}
			continue
		}
		imported = append(imported, p)
	}
	if *prune && !stopped && len(imported) > 0 {
		n, err := store.Prune(ctx, imported, opts)
		rep.Deleted += n
		if err != nil {
			fmt.Fprintf(stderr, "hlstudio import: %v\n", err)
			badPaths++
			stopped = true
		}
	}
	fmt.Fprintf(stdout, "imported into %s: %s\n", store.Path(), rep)
	if badPaths > 0 && !stopped {
		fmt.Fprintf(stderr, "hlstudio import: %d of %d paths could not be imported\n", badPaths, fl.NArg())
	}
	if *watch && !stopped && len(imported) > 0 {
		return watchFolders(ctx, store, imported, opts, stdout, stderr, *verbose)
	}
	if rep.Failed > 0 || badPaths > 0 {
		return exitRuntime
	}
	return exitOK
}

func printImport(stdout, stderr io.Writer, rep dataset.ImportReport, verbose bool) {
	for _, e := range rep.Errors {
		fmt.Fprintln(stderr, e)
	}
	for _, ig := range rep.Ignored {
		fmt.Fprintf(stderr, "%s: %s\n", ig.Path, ig.Reason)
	}
	if verbose {
		for _, m := range rep.Moves {
			fmt.Fprintf(stdout, "%s: moved, snippet %d was %s\n", m.File, m.SnippetID, m.From)
		}
		for _, s := range rep.Skips {
			fmt.Fprintf(stdout, "%s: skipped, the same prompt and tree as snippet %d (%s)\n", s.File, s.DuplicateOf, s.Source)
		}
	}
}

// watchFolders keeps the store in step with the folders until ctx ends.
func watchFolders(ctx context.Context, store *dataset.Store, paths []string, opts dataset.ImportOptions, stdout, stderr io.Writer, verbose bool) int {
	opts.Progress = nil
	changes := make(chan dataset.WatchReport)
	for _, p := range paths {
		first := true
		w, err := store.Watch(ctx, p, opts, func(r dataset.WatchReport) {
			if first { // the initial sync repeats the import just reported
				first = false
				return
			}
			select {
			case changes <- r:
			case <-ctx.Done():
			}
		})
		if err != nil {
			fmt.Fprintf(stderr, "hlstudio import: watch %s: %v\n", p, err)
			return exitRuntime
		}
		defer w.Close()
	}
	fmt.Fprintln(stdout, "watching for changes; press Ctrl+C to stop")
	for {
		select {
		case <-ctx.Done():
			return exitOK
		case r := <-changes:
			printImport(stdout, stderr, r.ImportReport, verbose)
			if r.Err != nil {
				fmt.Fprintf(stderr, "hlstudio import: %v\n", r.Err)
			}
			fmt.Fprintf(stdout, "changed: %d added, %d updated, %d moved, %d deleted, %d failed\n", r.Added, r.Updated, r.Moved, r.Deleted, r.Failed)
		}
	}
}
