package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"hlstudio/hyperlambda"
	"hlstudio/internal/english"
	"hlstudio/internal/textdiff"
)

func init() {
	commands["fmt"] = command{
		summary: "format Hyperlambda files canonically (like gofmt)",
		run:     runFmt,
	}
}

const fmtUsage = `usage: hlstudio fmt [-l] [-d] [-w] [--comments] [path ...]

Formats Hyperlambda in the canonical form of the reference serializer
(CRLF line ends, three spaces a level, minimal quoting). Paths may be files
or folders (searched recursively for *.hl); with none, standard input is
formatted to standard output. Syntax errors are reported as
file:line:col: message and the other files are still processed.

`

type fmtFlags struct {
	list, diff, write, comments bool
}

func runFmt(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var f fmtFlags
	fl.BoolVar(&f.list, "l", false, "list files whose formatting differs from the canonical form")
	fl.BoolVar(&f.diff, "d", false, "print diffs instead of the formatted text")
	fl.BoolVar(&f.write, "w", false, "write the canonical form back to the files")
	fl.BoolVar(&f.comments, "comments", false, "keep comments (without it, comments are not part of the canonical form)")
	fl.Usage = func() {
		fmt.Fprint(stderr, fmtUsage)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil || !flagsBeforeArgs("fmt", "the paths", fl, stderr) {
		return 2
	}
	paths := fl.Args()
	if len(paths) == 0 {
		if f.write {
			fmt.Fprintln(stderr, "hlstudio fmt: cannot use -w with standard input")
			return 2
		}
		src, err := io.ReadAll(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "hlstudio fmt: reading standard input: %v\n", err)
			return 2
		}
		res := formatOne("<standard input>", src, f)
		res.print(stdout, stderr, f)
		if res.err != nil {
			return 2
		}
		return 0
	}

	files, walkErrs := collectHL(paths)
	status := 0
	for _, err := range walkErrs {
		fmt.Fprintf(stderr, "hlstudio fmt: %v\n", err)
		status = 2
	}
	// Files are independent: format them on all cores, print in path order.
	results := make([]fmtResult, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = formatFile(files[i], f)
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range results {
		results[i].print(stdout, stderr, f)
		if results[i].err != nil {
			status = 2
		}
	}
	return status
}

// collectHL expands folders into their *.hl files (sorted) and keeps named
// files whatever their extension, as gofmt does.
func collectHL(paths []string) ([]string, []error) {
	var files []string
	var errs []error
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".hl") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, errs
}

type fmtResult struct {
	name     string
	src, out []byte
	err      error // reported as is (already carries the file name)
}

func formatFile(path string, f fmtFlags) fmtResult {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmtResult{name: path, err: err}
	}
	res := formatOne(path, src, f)
	if res.err == nil && f.write && !bytes.Equal(res.src, res.out) {
		res.err = rewriteFile(path, res.src, res.out)
	}
	return res
}

func formatOne(name string, src []byte, f fmtFlags) fmtResult {
	res := fmtResult{name: name, src: src}
	root, err := hyperlambda.Parse(src, hyperlambda.ParseOptions{Comments: f.comments})
	if err != nil {
		res.err = fmt.Errorf("%s:%w", name, err)
		return res
	}
	if f.write && !f.comments {
		// Rewriting without comment mode would delete the file's comments.
		if n := countComments(src); n > 0 {
			res.err = fmt.Errorf("%s: has %s that -w would delete; add --comments to keep them", name, english.Count(n, "comment", "comments"))
			return res
		}
	}
	res.out = hyperlambda.AppendFormat(nil, root.Children(), hyperlambda.FormatOptions{Comments: f.comments})
	return res
}

func countComments(src []byte) int {
	root, err := hyperlambda.Parse(src, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		return 0
	}
	n := 0
	root.Walk(func(x *hyperlambda.Node) bool {
		if x.Name == ".." {
			n++
		}
		return true
	})
	return n
}

func (r fmtResult) print(stdout, stderr io.Writer, f fmtFlags) {
	if r.err != nil {
		var se *hyperlambda.SyntaxError
		if errors.As(r.err, &se) {
			fmt.Fprintln(stderr, r.err) // already file:line:col: message
		} else {
			fmt.Fprintf(stderr, "hlstudio fmt: %v\n", r.err)
		}
		return
	}
	changed := !bytes.Equal(r.src, r.out)
	if f.list && changed {
		fmt.Fprintln(stdout, r.name)
	}
	if f.diff && changed {
		fmt.Fprint(stdout, textdiff.Unified(r.name+".orig", r.name, string(r.src), string(r.out)))
	}
	if !f.list && !f.diff && !f.write {
		stdout.Write(r.out)
	}
}

// rewriteFile writes data over the file at path, which held orig, as gofmt
// does: in place, so that a symlink is written through to its target and
// the file keeps its inode (hard links), owner and mode. A backup copy
// beside it holds orig while the file is written and is removed after;
// when writing fails, the original is put back, or the error says where
// the backup is. A file without write permission is refused, even for
// root. Every error names path.
func rewriteFile(path string, orig, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %v", path, pathReason(err))
	}
	if info.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s is read-only (mode %v): not rewritten", path, info.Mode().Perm())
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("%s: cannot write it: %v", path, pathReason(err))
	}
	defer f.Close()
	backup, err := writeBackup(path, orig)
	if err != nil {
		return fmt.Errorf("%s: not rewritten: cannot write a backup copy in %s: %v", path, filepath.Dir(path), pathReason(err))
	}
	_, err = f.WriteAt(data, 0)
	if err == nil {
		err = f.Truncate(int64(len(data)))
	}
	if err != nil {
		// Put the original back through the same descriptor.
		_, rerr := f.WriteAt(orig, 0)
		if rerr == nil {
			rerr = f.Truncate(int64(len(orig)))
		}
		if rerr == nil {
			rerr = f.Close()
		}
		if rerr != nil {
			return fmt.Errorf("%s: writing failed (%v) and so did restoring it (%v); the original is in %s", path, pathReason(err), pathReason(rerr), backup)
		}
		os.Remove(backup)
		return fmt.Errorf("%s: writing failed: %v (the file is unchanged)", path, pathReason(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: writing failed: %v; the original is in %s", path, pathReason(err), backup)
	}
	os.Remove(backup)
	return nil
}

// writeBackup copies orig to a new file beside path (path.NNN.orig, not
// *.hl, so that fmt and import pass it by) and returns its name.
func writeBackup(path string, orig []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.orig")
	if err != nil {
		return "", err
	}
	_, err = f.Write(orig)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// pathReason is the reason of a file-system error without the operation
// and path it carries, for messages that name the user's file themselves.
func pathReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
