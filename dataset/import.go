package dataset

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"hlstudio/internal/english"
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

// Move is a file found at a new path with the prompt and tree of a stored
// snippet whose file no longer exists: the file was renamed or moved, and
// the snippet, with its status, notes, versions and regression pairs,
// moved with it.
type Move struct {
	File      string
	SnippetID int64
	From      string // the snippet's source before
}

// Ignored is a path an import did not follow, and why: a symbolic link
// that leads nowhere, or to a folder imported already (through another
// link, or above it, which would never end).
type Ignored struct {
	Path   string
	Reason string
}

// ImportReport counts what an import did. Every file found is counted
// once in Added, Updated, Moved, Unchanged, Skipped or Failed.
type ImportReport struct {
	Files     int
	Added     int
	Updated   int
	Moved     int // files that took over the snippet of a file that is gone
	Unchanged int
	Skipped   int // exact duplicates (same prompt and tree) of stored snippets
	Failed    int
	Deleted   int // with Prune: snippets whose file is gone
	Errors    []*FileError
	Skips     []Skip
	Moves     []Move
	Ignored   []Ignored // links not followed (not counted in Files)
}

func (r ImportReport) String() string {
	s := fmt.Sprintf("%s: %d added, %d updated, %d unchanged, %d skipped as duplicates, %d failed",
		english.Count(r.Files, "file", "files"), r.Added, r.Updated, r.Unchanged, r.Skipped, r.Failed)
	if r.Moved > 0 {
		s += fmt.Sprintf(", %d moved", r.Moved)
	}
	if len(r.Ignored) > 0 {
		s += ", " + english.Count(len(r.Ignored), "link", "links") + " not followed"
	}
	if r.Deleted > 0 {
		s += fmt.Sprintf(", %d deleted", r.Deleted)
	}
	return s
}

// Add adds the counts and lists of o to r.
func (r *ImportReport) Add(o ImportReport) { r.add(o) }

func (r *ImportReport) add(o ImportReport) {
	r.Files += o.Files
	r.Added += o.Added
	r.Updated += o.Updated
	r.Moved += o.Moved
	r.Unchanged += o.Unchanged
	r.Skipped += o.Skipped
	r.Failed += o.Failed
	r.Deleted += o.Deleted
	r.Errors = append(r.Errors, o.Errors...)
	r.Skips = append(r.Skips, o.Skips...)
	r.Moves = append(r.Moves, o.Moves...)
	r.Ignored = append(r.Ignored, o.Ignored...)
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

// inValidation reports whether dir is a validation folder or inside one.
func inValidation(dir, validationDir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for _, part := range strings.Split(filepath.ToSlash(abs), "/") {
		if strings.EqualFold(part, validationDir) {
			return true
		}
	}
	return false
}

// placement is where the import root puts its files: in the validation
// split when it is itself a validation folder (or inside one), else in
// train when it has a validation folder, else in no split.
type placement struct {
	root          string
	validationDir string
	hasValidation bool // a folder below the root is a validation folder
	inValidation  bool // the root is a validation folder, or inside one
}

func newPlacement(root, validationDir string, hasValidation bool) placement {
	return placement{root: root, validationDir: validationDir, hasValidation: hasValidation,
		inValidation: inValidation(root, validationDir)}
}

// layout places a file found under the root.
func (pl placement) layout(path string) (hlFile, error) {
	src, err := sourceOf(path)
	if err != nil {
		return hlFile{}, err
	}
	f := hlFile{path: path, source: src}
	rel, err := filepath.Rel(pl.root, filepath.Dir(path))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		rel = ""
	}
	var folders []string
	validation := pl.inValidation
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		switch {
		case part == "":
		case strings.EqualFold(part, pl.validationDir):
			validation = true
		default:
			folders = append(folders, part)
		}
	}
	f.tag = strings.Join(folders, "/")
	switch {
	case validation:
		f.split = SplitValidation
	case pl.hasValidation:
		f.split = SplitTrain
	}
	return f, nil
}

// tree is what walking a folder found.
type tree struct {
	dirs          []string // the folders walked, the root first
	files         []string // the .hl files, sorted
	hasValidation bool     // a folder below the root is a validation folder
	ignored       []Ignored
}

// walk lists the folders and .hl files under root, skipping hidden
// folders. Symbolic links are followed, the root's too: a link to a file
// is read as that file (under the link's path), a link to a folder is
// walked as a folder, unless that folder was walked already (a link to a
// folder above it would never end; a second way into a folder would list
// its files twice): such a link, and a link that leads nowhere, is listed
// in ignored with the reason.
// unwrapPath is err's reason without the path a *fs.PathError repeats.
func unwrapPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// specialKind names a file system entry that is neither a file nor a
// folder.
func specialKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

func walk(root, validationDir string) (tree, error) {
	var t tree
	seen := map[string]string{} // a folder's real path: the path it was walked as
	var visit func(dir string) error
	visit = func(dir string) error {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return err
		}
		if first, ok := seen[real]; ok {
			t.ignored = append(t.ignored, Ignored{Path: dir, Reason: "not followed: the same folder as " + first + ", imported already"})
			return nil
		}
		seen[real] = dir
		t.dirs = append(t.dirs, dir)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			typ := e.Type()
			if typ&fs.ModeSymlink != 0 {
				fi, err := os.Stat(p)
				if err != nil {
					target, _ := os.Readlink(p)
					t.ignored = append(t.ignored, Ignored{Path: p, Reason: fmt.Sprintf("not followed: a link to %s, which %s", target, linkReason(err))})
					continue
				}
				typ = fi.Mode().Type()
			}
			switch {
			case typ.IsDir():
				if strings.HasPrefix(e.Name(), ".") {
					continue
				}
				if strings.EqualFold(e.Name(), validationDir) {
					t.hasValidation = true
				}
				// A folder that cannot be read is reported, and the rest
				// imported (audit 18); prune keeps what is under it, as
				// its files are not known to be gone.
				if err := visit(p); err != nil {
					t.ignored = append(t.ignored, Ignored{Path: p, Reason: "not read: " + unwrapPath(err)})
				}
			case typ.IsRegular() && strings.HasSuffix(e.Name(), ".hl"):
				t.files = append(t.files, p)
			case strings.HasSuffix(e.Name(), ".hl"):
				t.ignored = append(t.ignored, Ignored{Path: p, Reason: "not read: " + specialKind(typ) + ", not a regular file"})
			}
		}
		return nil
	}
	err := visit(root)
	slices.Sort(t.files)
	return t, err
}

// linkReason says why a link cannot be followed.
func linkReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "cannot be read (permission denied)"
	}
	return "cannot be read: " + readReason(err)
}

// collected is what an import found under one path.
type collected struct {
	root    string
	files   []hlFile
	ignored []Ignored
}

// collect lists the .hl files under path (a folder, searched recursively,
// skipping hidden folders, following symbolic links) or path itself when
// it is a file.
func collect(path, validationDir string) (collected, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return collected{}, err
	}
	if !fi.IsDir() {
		// A file named on its own is in the validation split when any
		// folder above it is a validation folder.
		dir := filepath.Dir(path)
		f, err := newPlacement(dir, validationDir, false).layout(path)
		if err != nil {
			return collected{}, err
		}
		return collected{root: dir, files: []hlFile{f}}, nil
	}
	t, err := walk(path, validationDir)
	if err != nil {
		return collected{}, err
	}
	c := collected{root: path, ignored: t.ignored}
	pl := newPlacement(path, validationDir, t.hasValidation)
	for _, p := range t.files {
		f, err := pl.layout(p)
		if err != nil {
			return collected{}, err
		}
		c.files = append(c.files, f)
	}
	return c, nil
}

// Import reads folders (or single files) of .hl training files into the
// store: the first comment of a file is the prompt, the rest the code;
// files under a validation folder (or in a folder imported that is one)
// go to the validation split; the folder path below the folder given
// becomes a tag. A file that fails is reported in the ImportReport and the
// others are imported. Importing the same folder again updates the files
// that changed and nothing else; a file renamed or moved (its old path
// gone) keeps its snippet. With Prune, snippets whose files are gone are
// deleted once every path's files are imported, so that a file moved from
// one path given to another is moved, not deleted.
//
// The error is for what stops the whole import (a path that does not
// exist, the store failing, ctx cancelled); the batches committed before
// it stay.
func (s *Store) Import(ctx context.Context, paths []string, opts ImportOptions) (ImportReport, error) {
	var rep ImportReport
	var all []collected
	total := 0
	for _, p := range paths {
		c, err := collect(p, opts.validationDir())
		if err != nil {
			return rep, fmt.Errorf("import %s: %w", p, err)
		}
		all = append(all, c)
		rep.Ignored = append(rep.Ignored, c.ignored...)
		total += len(c.files)
	}
	im := importer{s: s, opts: opts, total: total}
	for _, c := range all {
		if err := im.files(ctx, c.files); err != nil {
			rep.add(im.rep)
			return rep, err
		}
	}
	if opts.Prune {
		for _, c := range all {
			n, err := s.prune(ctx, c.root, c.files)
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

// Prune deletes the snippets imported from files under paths that no
// longer exist, as Import with Prune does after importing: import every
// path first, so that files moved between them keep their snippets.
func (s *Store) Prune(ctx context.Context, paths []string, opts ImportOptions) (int, error) {
	deleted := 0
	for _, p := range paths {
		c, err := collect(p, opts.validationDir())
		if err != nil {
			return deleted, fmt.Errorf("prune %s: %w", p, err)
		}
		n, err := s.prune(ctx, c.root, c.files)
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
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
	// Not stored under this path. The same prompt and tree stored from a
	// file that no longer exists is this file, renamed or moved: its
	// snippet moves here, curation and all. Stored from elsewhere, this
	// file is a duplicate.
	dup, moved, err := findDuplicate(ctx, tx, l.hash, l.prompt)
	if err != nil {
		return err
	}
	if moved == 0 && dup.ID == 0 {
		// Moved and edited at once: the tree differs, but the prompt
		// is the one a file that no longer exists was stored with.
		if moved, err = findMovedEdited(ctx, tx, l.prompt); err != nil {
			return err
		}
	}
	if moved != 0 {
		old, err := getSnippet(ctx, tx, moved)
		if err != nil {
			return err
		}
		sn.Status, sn.Notes, sn.AttemptID = old.Status, old.Notes, old.AttemptID
		sn.Tags = CleanTags(append(withoutFolderTags(old.Tags, old.Source, im.opts.validationDir()), l.tag))
		if _, _, err := updateSnippet(ctx, tx, old, sn, l.fileHash); err != nil {
			return err
		}
		rep.Moved++
		rep.Moves = append(rep.Moves, Move{File: l.path, SnippetID: old.ID, From: old.Source})
		return nil
	}
	if dup.ID != 0 {
		rep.Skipped++
		rep.Skips = append(rep.Skips, Skip{File: l.path, DuplicateOf: dup.ID, Source: dup.Source})
		return nil
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

// findDuplicate looks for the snippets with a prompt and tree: dup is the
// first, moved the first whose source is a file that no longer exists.
func findDuplicate(ctx context.Context, tx *wtx, treeHash, prompt string) (dup Snippet, moved int64, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, source FROM snippets WHERE tree_hash = ? AND prompt = ? ORDER BY id", treeHash, prompt)
	if err != nil {
		return dup, 0, classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var src string
		if err := rows.Scan(&id, &src); err != nil {
			return dup, 0, err
		}
		if dup.ID == 0 {
			dup.ID, dup.Source = id, src
		}
		if moved == 0 && fileGone(src) {
			moved = id
		}
	}
	return dup, moved, classify(rows.Err())
}

// findMovedEdited returns the snippet stored with prompt from a file that
// no longer exists, when there is exactly one: a file renamed and edited
// in the same step. None for an empty prompt (files without one share
// it), nor when several gone files had the prompt (which one this file
// was cannot be told; it is imported as new).
func findMovedEdited(ctx context.Context, tx *wtx, prompt string) (int64, error) {
	if strings.TrimSpace(prompt) == "" {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, source FROM snippets WHERE prompt = ? ORDER BY id", prompt)
	if err != nil {
		return 0, classify(err)
	}
	defer rows.Close()
	var found int64
	for rows.Next() {
		var id int64
		var src string
		if err := rows.Scan(&id, &src); err != nil {
			return 0, err
		}
		if fileGone(src) {
			if found != 0 {
				return 0, nil
			}
			found = id
		}
	}
	return found, classify(rows.Err())
}

// fileGone reports whether source names an imported file that no longer
// exists (not a snippet typed in or generated).
func fileGone(source string) bool {
	path := filepath.FromSlash(source)
	if source == "" || source == SourceGenerated || !filepath.IsAbs(path) {
		return false
	}
	_, err := os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// withoutFolderTags drops from tags the folder tag an import gave the file
// at source: the folders it was in, below the folder imported, without
// validation folders. Which folder was imported is not stored, so a tag
// is taken for the folder tag when its folders are the last folders of
// the path. A tag a person added that happens to look like that goes too.
func withoutFolderTags(tags []string, source, validationDir string) []string {
	var dirs []string
	for _, part := range strings.Split(path.Dir(source), "/") {
		if part != "" && !strings.EqualFold(part, validationDir) {
			dirs = append(dirs, part)
		}
	}
	var out []string
	for _, t := range tags {
		parts := strings.Split(t, "/")
		if len(parts) <= len(dirs) && slices.Equal(parts, dirs[len(dirs)-len(parts):]) {
			continue
		}
		out = append(out, t)
	}
	return out
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
	// substr counts characters, as length does (not Go's bytes).
	rows, err := s.db.QueryContext(ctx, "SELECT id, source FROM snippets WHERE substr(source, 1, length(?)) = ?", prefix, prefix)
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

// ExportMarker is the file WriteFiles leaves in its folder, listing the
// files it wrote: a folder that has one was made by an hl export, and
// another may write into it.
const ExportMarker = ".hlstudio-export"

// ErrFolderNotExport is wrapped by WriteFiles' error for a folder that
// holds files and was not made by an hl export.
var ErrFolderNotExport = errors.New("the folder is not empty and was not made by an hl export")

// FilesReport says what WriteFiles wrote.
type FilesReport struct {
	Dir        string
	Files      int // .hl files written
	Validation int // of them, in validation folders
	HashSplit  int // of them, without a stored split: placed by HashSplit
	// Stale are the .hl files under Dir this export did not write, left
	// as they were (from an earlier export, or put there by hand): an
	// import of the folder would bring them back. Relative to Dir, with
	// forward slashes, sorted.
	Stale []string
	// NotWritten are the snippets left out, with the reason: a prompt no
	// comment holds as it is (see FormatHL).
	NotWritten []string
}

// Text is the report as the export command prints it.
func (r *FilesReport) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrote %s to %s (%d in validation folders; %d without a stored split, placed by the hash split the JSONL export uses)\n",
		english.Count(r.Files, ".hl file", ".hl files"), r.Dir, r.Validation, r.HashSplit)
	if n := len(r.Stale); n > 0 {
		fmt.Fprintf(&b, "WARNING %s in %s, not written by this export, were left as they are; importing the folder would bring them back: %s",
			english.Count(n, "other .hl file", "other .hl files"), r.Dir, strings.Join(r.Stale[:min(n, 5)], ", "))
		if n > 5 {
			fmt.Fprintf(&b, " and %d more", n-5)
		}
		b.WriteString("\n")
	}
	for _, w := range r.NotWritten {
		fmt.Fprintf(&b, "WARNING not written: %s\n", w)
	}
	return b.String()
}

// WriteFiles writes the snippets matching opts.Filter as .hl files under
// dir, in the layout Import reads: the prompt as the first comment, then
// the code; the snippet's first tag as the folder, and validation-split
// snippets in a validation folder below it. A snippet without a stored
// split goes where Export puts it, by HashSplit with opts.SplitRatio, so
// that importing the folder and exporting JSONL gives the same split. A
// file imported from disk keeps its name; others are named snippet-ID.hl.
//
// dir must be empty (hidden files aside), missing, or made by an earlier
// WriteFiles (see ExportMarker): files are overwritten by name, and
// writing into a folder of someone's own files could overwrite them.
// Nothing is deleted: .hl files there that this export did not write are
// listed in the report's Stale. With no snippet matching, the error is
// ErrNothingToExport and nothing is written.
func (s *Store) WriteFiles(ctx context.Context, dir string, opts ExportOptions) (*FilesReport, error) {
	ratio := opts.SplitRatio
	if ratio == 0 {
		ratio = 0.9
	}
	if !(ratio > 0 && ratio <= 1) {
		return nil, fmt.Errorf("split ratio %v: want a number above 0 and at most 1", ratio)
	}
	if ok, err := s.anyMatch(ctx, opts.Filter); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrNothingToExport
	}
	if err := checkExportFolder(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rep := &FilesReport{Dir: dir}
	written := map[string]bool{} // relative, forward slashes
	err := s.Each(ctx, opts.Filter, func(sn *Snippet) error {
		folder := ""
		if len(sn.Tags) > 0 {
			folder = filepath.FromSlash(sn.Tags[0])
		}
		split := sn.Split
		if split == SplitNone {
			split = HashSplit(sn.Prompt, sn.TreeHash, ratio)
			rep.HashSplit++
		}
		if split == SplitValidation {
			folder = filepath.Join(folder, "validation")
			rep.Validation++
		}
		name := fmt.Sprintf("snippet-%d.hl", sn.ID)
		if base := path.Base(sn.Source); strings.HasSuffix(sn.Source, ".hl") && base != "" {
			name = base
		}
		rel := filepath.Join(folder, name)
		if written[filepath.ToSlash(rel)] {
			rel = filepath.Join(folder, strings.TrimSuffix(name, ".hl")+fmt.Sprintf("-%d.hl", sn.ID))
		}
		written[filepath.ToSlash(rel)] = true
		text, err := FormatHL(sn.Prompt, sn.Code)
		if errors.Is(err, ErrPromptNotWritable) {
			delete(written, filepath.ToSlash(rel))
			rep.NotWritten = append(rep.NotWritten, fmt.Sprintf("snippet %d: %v", sn.ID, err))
			return nil
		}
		if err != nil {
			return fmt.Errorf("snippet %d: %w", sn.ID, err)
		}
		file := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := writeFileAtomic(file, []byte(text)); err != nil {
			return err
		}
		rep.Files++
		return nil
	})
	if rep.Files > 0 {
		// Written even after a failure: the folder holds this export's files.
		names := slices.Sorted(maps.Keys(written))
		marker := "# written by hlstudio export --format hl\n" + strings.Join(names, "\n") + "\n"
		if merr := writeFileAtomic(filepath.Join(dir, ExportMarker), []byte(marker)); merr != nil && err == nil {
			err = merr
		}
	}
	if err != nil {
		return rep, err
	}
	if rep.Files == 0 { // the snippets went between the check and the walk
		return rep, ErrNothingToExport
	}
	t, _ := walk(dir, "validation") // a folder that cannot be read hides only its own files
	for _, f := range t.files {
		if rel, err := filepath.Rel(dir, f); err == nil && !written[filepath.ToSlash(rel)] {
			rep.Stale = append(rep.Stale, filepath.ToSlash(rel))
		}
	}
	return rep, nil
}

// checkExportFolder refuses a folder WriteFiles should not write into:
// one holding files (hidden ones aside) that has no ExportMarker.
func checkExportFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, ExportMarker)); err == nil {
		return nil
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			return fmt.Errorf("%s: %w (it holds %s); export into an empty or new folder, so that no file of yours is overwritten", dir, ErrFolderNotExport, e.Name())
		}
	}
	return nil
}

// writeFileAtomic writes through a temporary file and a rename, so a
// watcher or a crash never sees half a file. The file is made readable
// by others as os.WriteFile makes it (0644 less the umask).
func writeFileAtomic(path string, data []byte) error {
	tmp, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
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
