package dataset

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ImportOptions control Import.
type ImportOptions struct {
	// ValidationDir names the folders whose files go to the validation
	// split ("validation" when empty). Files elsewhere go to train when the
	// folder imported has a validation folder, and to no split otherwise
	// (export then splits them by hash).
	ValidationDir string
	// Status of newly added snippets: approved when empty, since a
	// training folder holds examples someone already wrote with care.
	// Re-imports keep the status a curator set.
	Status Status
	// Prune deletes the snippets imported from files under the folders
	// given that no longer exist.
	Prune bool
	// Progress, when set, is called after each file and each commit.
	Progress func(Progress)
	// BatchSize is how many files go in one transaction (0 = 500). Each
	// committed batch survives a crash of the importing process.
	BatchSize int
}

// Progress reports how far an import is.
type Progress struct {
	Done      int    // files handled
	Total     int    // files found
	Committed int    // files whose result is committed to the store
	File      string // the file just handled
}

// Skip is a file left out because an identical snippet is already stored.
type Skip struct {
	File        string
	DuplicateOf int64  // the stored snippet with the same prompt and tree
	Source      string // that snippet's source
}

// ImportReport counts what an import did. Every file found is counted
// once in Added, Updated, Unchanged, Skipped or Failed.
type ImportReport struct {
	Files     int
	Added     int
	Updated   int
	Unchanged int
	Skipped   int // exact duplicates (same prompt and tree) of stored snippets
	Failed    int
	Deleted   int // with Prune: snippets whose file is gone
	Errors    []*FileError
	Skips     []Skip
}

func (r ImportReport) String() string {
	s := fmt.Sprintf("%d files: %d added, %d updated, %d unchanged, %d skipped as duplicates, %d failed",
		r.Files, r.Added, r.Updated, r.Unchanged, r.Skipped, r.Failed)
	if r.Deleted > 0 {
		s += fmt.Sprintf(", %d deleted", r.Deleted)
	}
	return s
}

func (r *ImportReport) add(o ImportReport) {
	r.Files += o.Files
	r.Added += o.Added
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Skipped += o.Skipped
	r.Failed += o.Failed
	r.Deleted += o.Deleted
	r.Errors = append(r.Errors, o.Errors...)
	r.Skips = append(r.Skips, o.Skips...)
}

// hlFile is a file to import and where its layout puts it.
type hlFile struct {
	path   string // as given or found (for messages)
	source string // absolute, forward slashes (the snippet's Source)
	split  Split
	tag    string // the folder below the import root, without validation folders
}

func (o ImportOptions) validationDir() string {
	if o.ValidationDir == "" {
		return "validation"
	}
	return o.ValidationDir
}

// sourceOf is the Source stored for a file path.
func sourceOf(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(abs), nil
}

// layout places a file found under root.
func layout(root, path string, rootHasValidation bool, validationDir string) (hlFile, error) {
	src, err := sourceOf(path)
	if err != nil {
		return hlFile{}, err
	}
	f := hlFile{path: path, source: src}
	rel, err := filepath.Rel(root, filepath.Dir(path))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		rel = ""
	}
	var folders []string
	validation := false
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		switch {
		case part == "":
		case strings.EqualFold(part, validationDir):
			validation = true
		default:
			folders = append(folders, part)
		}
	}
	f.tag = strings.Join(folders, "/")
	switch {
	case validation:
		f.split = SplitValidation
	case rootHasValidation:
		f.split = SplitTrain
	}
	return f, nil
}

// collect lists the .hl files under path (a folder, searched recursively,
// skipping hidden folders) or path itself when it is a file.
func collect(path, validationDir string) (root string, files []hlFile, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", nil, err
	}
	if !fi.IsDir() {
		dir := filepath.Dir(path)
		f, err := layout(dir, path, false, validationDir)
		if err != nil {
			return "", nil, err
		}
		// A file named on its own is in the validation split when any
		// folder above it is a validation folder.
		abs, _ := filepath.Abs(dir)
		for _, part := range strings.Split(filepath.ToSlash(abs), "/") {
			if strings.EqualFold(part, validationDir) {
				f.split = SplitValidation
			}
		}
		return dir, []hlFile{f}, nil
	}
	var paths []string
	hasValidation := false
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if strings.EqualFold(d.Name(), validationDir) {
				hasValidation = true
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".hl") && d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	slices.Sort(paths)
	for _, p := range paths {
		f, err := layout(path, p, hasValidation, validationDir)
		if err != nil {
			return "", nil, err
		}
		files = append(files, f)
	}
	return path, files, nil
}

// Import reads folders (or single files) of .hl training files into the
// store: the first comment of a file is the prompt, the rest the code;
// files under a validation folder go to the validation split; the folder
// path below the folder given becomes a tag. A file that fails is
// reported in the ImportReport and the others are imported. Importing the
// same folder again updates the files that changed and nothing else.
//
// The error is for what stops the whole import (a path that does not
// exist, the store failing, ctx cancelled); the batches committed before
// it stay.
func (s *Store) Import(ctx context.Context, paths []string, opts ImportOptions) (ImportReport, error) {
	var rep ImportReport
	type rooted struct {
		root  string
		files []hlFile
	}
	var all []rooted
	total := 0
	for _, p := range paths {
		root, files, err := collect(p, opts.validationDir())
		if err != nil {
			return rep, fmt.Errorf("import %s: %w", p, err)
		}
		all = append(all, rooted{root, files})
		total += len(files)
	}
	im := importer{s: s, opts: opts, total: total}
	for _, r := range all {
		if err := im.files(ctx, r.files); err != nil {
			rep.add(im.rep)
			return rep, err
		}
		if opts.Prune {
			n, err := s.prune(ctx, r.root, r.files)
			im.rep.Deleted += n
			if err != nil {
				rep.add(im.rep)
				return rep, err
			}
		}
	}
	rep.add(im.rep)
	return rep, nil
}

// importer carries one import's state across batches.
type importer struct {
	s         *Store
	opts      ImportOptions
	total     int
	done      int
	committed int
	rep       ImportReport
}

// loaded is a file read, hashed and parsed, ready to be written.
type loaded struct {
	hlFile
	fileHash           string
	prompt, code, hash string
	err                *FileError
}

// load does the work on a file that needs no database, so that it runs
// on another core while the writer is busy with SQLite.
func load(f hlFile) loaded {
	l := loaded{hlFile: f}
	src, err := os.ReadFile(f.path)
	if err != nil {
		l.err = &FileError{Reason: readReason(err)}
		return l
	}
	sum := sha256.Sum256(src)
	l.fileHash = hex.EncodeToString(sum[:])
	l.prompt, l.code, err = ParseHL(src)
	if err == nil {
		l.hash, err = TreeHash(l.code)
	}
	if err != nil {
		if !errors.As(err, &l.err) {
			l.err = &FileError{Reason: err.Error()}
		}
	}
	return l
}

// files imports files in batches, one transaction each.
func (im *importer) files(ctx context.Context, files []hlFile) error {
	batch := im.opts.BatchSize
	if batch <= 0 {
		batch = 500
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan loaded, 64)
	go func() {
		defer close(ready)
		for _, f := range files {
			select {
			case ready <- load(f):
			case <-ctx.Done():
				return
			}
		}
	}()
	for left := len(files); left > 0; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(batch, left)
		var part ImportReport
		err := im.s.tx(ctx, func(tx *wtx) error {
			part = ImportReport{}
			for i := 0; i < n; i++ {
				l, ok := <-ready
				if !ok {
					return ctx.Err()
				}
				if err := im.file(ctx, tx, l, &part); err != nil {
					return err
				}
				if im.opts.Progress != nil {
					im.opts.Progress(Progress{Done: im.done + i + 1, Total: im.total, Committed: im.committed, File: l.path})
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		im.rep.add(part)
		im.done += n
		im.committed = im.done
		left -= n
		if im.opts.Progress != nil {
			im.opts.Progress(Progress{Done: im.done, Total: im.total, Committed: im.committed})
		}
	}
	return nil
}

// file writes one loaded file inside tx, counting the outcome in rep.
// Only a store failure is returned; a bad file is counted and reported.
func (im *importer) file(ctx context.Context, tx *wtx, l loaded, rep *ImportReport) error {
	rep.Files++
	var id int64
	var oldHash string
	var oldSplit Split
	var hasTag bool
	err := tx.QueryRowContext(ctx, `SELECT id, source_hash, split,
		EXISTS (SELECT 1 FROM snippet_tags t WHERE t.snippet_id = s.id AND t.tag = ?)
		FROM snippets s WHERE source = ? ORDER BY id LIMIT 1`, l.tag, l.source).Scan(&id, &oldHash, &oldSplit, &hasTag)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return classify(err)
	}
	if exists && l.err == nil && oldHash == l.fileHash && oldSplit == l.split && (l.tag == "" || hasTag) {
		rep.Unchanged++
		return nil
	}
	if l.err != nil {
		l.err.File = l.path
		rep.Failed++
		rep.Errors = append(rep.Errors, l.err)
		return nil
	}
	sn := Snippet{Prompt: l.prompt, Code: l.code, TreeHash: l.hash, Split: l.split, Source: l.source}
	if exists {
		old, err := getSnippet(ctx, tx, id)
		if err != nil {
			return err
		}
		sn.Status, sn.Notes, sn.AttemptID = old.Status, old.Notes, old.AttemptID
		sn.Tags = CleanTags(append([]string{l.tag}, old.Tags...))
		_, changed, err := updateSnippet(ctx, tx, old, sn, l.fileHash)
		if err != nil {
			return err
		}
		if changed {
			rep.Updated++
		} else {
			rep.Unchanged++ // a new file hash, the same content (e.g. only line ends changed)
		}
		return nil
	}
	var dupID int64
	var dupSource string
	err = tx.QueryRowContext(ctx, "SELECT id, source FROM snippets WHERE tree_hash = ? AND prompt = ? LIMIT 1", l.hash, l.prompt).Scan(&dupID, &dupSource)
	switch {
	case err == nil:
		rep.Skipped++
		rep.Skips = append(rep.Skips, Skip{File: l.path, DuplicateOf: dupID, Source: dupSource})
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return classify(err)
	}
	sn.Tags = CleanTags([]string{l.tag})
	sn.Status = im.opts.Status
	if sn.Status == "" {
		sn.Status = StatusApproved
	}
	if err := insertSnippet(ctx, tx, &sn, l.fileHash); err != nil {
		return err
	}
	rep.Added++
	return nil
}

func readReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// prune deletes snippets imported from files under root that are not in
// files (and no longer exist).
func (s *Store) prune(ctx context.Context, root string, files []hlFile) (int, error) {
	prefix, err := sourceOf(root)
	if err != nil {
		return 0, err
	}
	prefix = strings.TrimSuffix(prefix, "/") + "/"
	keep := make(map[string]bool, len(files))
	for _, f := range files {
		keep[f.source] = true
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, source FROM snippets WHERE substr(source, 1, ?) = ?", len(prefix), prefix)
	if err != nil {
		return 0, classify(err)
	}
	var gone []int64
	for rows.Next() {
		var id int64
		var src string
		if err := rows.Scan(&id, &src); err != nil {
			rows.Close()
			return 0, err
		}
		if !keep[src] && strings.HasSuffix(src, ".hl") {
			if _, err := os.Stat(filepath.FromSlash(src)); errors.Is(err, os.ErrNotExist) {
				gone = append(gone, id)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, classify(err)
	}
	if len(gone) == 0 {
		return 0, nil
	}
	err = s.tx(ctx, func(tx *wtx) error {
		for _, id := range gone {
			if _, err := tx.ExecContext(ctx, "DELETE FROM snippets WHERE id = ?", id); err != nil {
				return classify(err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(gone), nil
}

// deleteSource removes the snippet imported from a file that was deleted.
func (s *Store) deleteSource(ctx context.Context, source string) (bool, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM snippets WHERE source = ?", source)
	if err != nil {
		return false, classify(err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// WriteFiles writes the snippets matching f as .hl files under dir, in the
// layout Import reads: the prompt as the first comment, then the code;
// the snippet's first tag as the folder, and validation-split snippets in
// a validation folder below it. A file imported from disk keeps its name;
// others are named snippet-ID.hl. It returns the number of files written.
func (s *Store) WriteFiles(ctx context.Context, f Filter, dir string) (int, error) {
	n := 0
	used := map[string]bool{}
	err := s.Each(ctx, f, func(sn *Snippet) error {
		folder := ""
		if len(sn.Tags) > 0 {
			folder = filepath.FromSlash(sn.Tags[0])
		}
		if sn.Split == SplitValidation {
			folder = filepath.Join(folder, "validation")
		}
		name := fmt.Sprintf("snippet-%d.hl", sn.ID)
		if base := filepath.Base(filepath.FromSlash(sn.Source)); strings.HasSuffix(sn.Source, ".hl") && base != "" {
			name = base
		}
		rel := filepath.Join(folder, name)
		if used[rel] {
			rel = filepath.Join(folder, strings.TrimSuffix(name, ".hl")+fmt.Sprintf("-%d.hl", sn.ID))
		}
		used[rel] = true
		text, err := FormatHL(sn.Prompt, sn.Code)
		if err != nil {
			return fmt.Errorf("snippet %d: %w", sn.ID, err)
		}
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := writeFileAtomic(path, []byte(text)); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// writeFileAtomic writes through a temporary file and a rename, so a
// watcher or a crash never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
