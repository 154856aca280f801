package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"hlstudio/dataset"
)

// dbFlag adds --db, the dataset file, to a command's flags.
func dbFlag(fl *flag.FlagSet) *string {
	return fl.String("db", "", "dataset file (default $XDG_DATA_HOME/hlstudio/studio.db, or ~/.local/share/hlstudio/studio.db)")
}

// openStore opens the dataset named by --db, or the default one. With
// create it makes the file and its folder when missing (import does);
// without, a missing file is an error that says how to make one.
func openStore(cmd, path string, create bool, stderr io.Writer) (*dataset.Store, bool) {
	return openDataset(cmd, path, create, false, stderr)
}

// openStoreToRead opens the dataset for a command that only reads it
// (search, export): a file that cannot be written is opened read-only
// instead of refused.
func openStoreToRead(cmd, path string, stderr io.Writer) (*dataset.Store, bool) {
	return openDataset(cmd, path, false, true, stderr)
}

func openDataset(cmd, path string, create, readOnly bool, stderr io.Writer) (*dataset.Store, bool) {
	if path == "" {
		var err error
		if path, err = dataset.DefaultPath(); err != nil {
			fmt.Fprintf(stderr, "hlstudio %s: %v\n", cmd, err)
			return nil, false
		}
	}
	if _, err := os.Stat(path); !create && errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "hlstudio %s: no dataset at %s; import some .hl files first (hlstudio import) or pass --db\n", cmd, path)
		return nil, false
	}
	s, err := dataset.Create(path)
	if readOnly && errors.Is(err, dataset.ErrReadOnly) {
		s, err = dataset.OpenReadOnly(path)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio %s: %v\n", cmd, err)
		return nil, false
	}
	return s, true
}

// filterFlags are the snippet filters shared by export and search.
type filterFlags struct {
	status string
	tags   argList
	split  string
	source string
	since  string
}

func (f *filterFlags) add(fl *flag.FlagSet, defaultStatus string) {
	fl.StringVar(&f.status, "status", defaultStatus, "only snippets with these statuses (comma-separated: draft, approved, rejected; any for all)")
	fl.Var(&f.tags, "tag", "only snippets with this tag or a tag below it (repeatable: all must match)")
	fl.StringVar(&f.split, "split", "", "only snippets of this stored split (train, validation, or none for snippets without one)")
	fl.StringVar(&f.source, "source", "", "only snippets whose source starts with this (a folder path, or generated)")
	fl.StringVar(&f.since, "since", "", "only snippets changed on or after this date (2006-01-02 or RFC 3339)")
}

func (f *filterFlags) filter() (dataset.Filter, error) {
	var out dataset.Filter
	if s := strings.TrimSpace(f.status); s != "" && s != "any" {
		for _, part := range strings.Split(s, ",") {
			st, err := dataset.ParseStatus(part)
			if err != nil {
				return out, fmt.Errorf("--status: %v", err)
			}
			out.Status = append(out.Status, st)
		}
	}
	out.Tags = f.tags
	var err error
	if out.Split, err = dataset.ParseSplit(f.split); err != nil {
		return out, fmt.Errorf("--split: %v", err)
	}
	out.Source = f.source
	if f.since != "" {
		t, err := time.Parse("2006-01-02", f.since)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, f.since); err != nil {
				return out, fmt.Errorf("--since %q: want a date like 2006-01-02 or 2006-01-02T15:04:05Z", f.since)
			}
		}
		out.Since = t
	}
	return out, nil
}

// isTerminal reports whether w is a terminal, where progress is drawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBar draws "[=====     ] done/total what" on one terminal line,
// at most ten times a second.
type progressBar struct {
	w    io.Writer
	last time.Time
	on   bool
}

func (p *progressBar) show(done, total int, what string) {
	if p == nil || total == 0 || (time.Since(p.last) < 100*time.Millisecond && done < total) {
		return
	}
	p.last, p.on = time.Now(), true
	const width = 30
	fill := width * done / total
	if len(what) > 40 {
		what = "..." + what[len(what)-37:]
	}
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %d/%d %s", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total, what)
}

// clear removes the bar before other output.
func (p *progressBar) clear() {
	if p != nil && p.on {
		fmt.Fprint(p.w, "\r\033[K")
		p.on = false
	}
}
