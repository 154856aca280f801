package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchDebounce is how long a watched folder must be quiet before its
// changes are applied: editors save in bursts of events.
const WatchDebounce = 150 * time.Millisecond

// WatchReport is what one round of changes in a watched folder did.
type WatchReport struct {
	ImportReport
	Err error // a failure of the watch or the store; the watch goes on
}

// Watcher keeps the store in step with a folder until closed.
type Watcher struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// Close stops the watch and waits until it has stopped.
func (w *Watcher) Close() error {
	w.cancel()
	<-w.done
	return nil
}

// Watch imports root (with Prune, so the store matches the folder), then
// applies every creation, change, rename and deletion of a .hl file under
// it within WatchDebounce of the last event, calling onChange with what
// each round did. It watches folders, not files, so editors that save by
// writing a new file and renaming it over the old one are seen too, and a
// file seen twice in a burst is imported once. A file that fails to parse
// is reported and its stored snippet kept.
func (s *Store) Watch(ctx context.Context, root string, opts ImportOptions, onChange func(WatchReport)) (*Watcher, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, errors.New(root + ": not a folder")
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ws := &watchState{s: s, root: abs, opts: opts, fw: fw, dirs: map[string]bool{}, pending: map[string]bool{}, onChange: onChange}
	// Watch first, then import: a file written in between is seen twice
	// rather than missed.
	if err := ws.addTree(abs); err != nil {
		fw.Close()
		cancel()
		return nil, err
	}
	// The import below reads every file: what addTree queued is done.
	clear(ws.pending)
	opts.Prune = true
	rep, err := s.Import(ctx, []string{abs}, opts)
	if err != nil {
		fw.Close()
		cancel()
		return nil, err
	}
	if onChange != nil {
		onChange(WatchReport{ImportReport: rep})
	}
	w := &Watcher{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		defer fw.Close()
		ws.loop(ctx)
	}()
	return w, nil
}

type watchState struct {
	s        *Store
	root     string
	opts     ImportOptions
	fw       *fsnotify.Watcher
	dirs     map[string]bool // folders being watched
	pending  map[string]bool // .hl paths with events since the last round
	prune    bool            // a folder went away: look for vanished files
	onChange func(WatchReport)
}

// addTree watches dir and the folders below it (fsnotify is not
// recursive), queueing the .hl files found: they may have been written
// before the watch on their folder began. Links are followed as Import
// follows them.
func (ws *watchState) addTree(dir string) error {
	t, err := walk(dir, ws.opts.validationDir())
	if err != nil && dir == ws.root {
		return err
	}
	// Below the root, a folder that went away while walking: what was
	// found is still watched.
	for _, d := range t.dirs {
		if ws.dirs[d] {
			continue
		}
		if err := ws.fw.Add(d); err != nil {
			if d == ws.root {
				return err
			}
			continue
		}
		ws.dirs[d] = true
	}
	for _, p := range t.files {
		ws.pending[p] = true
	}
	return nil
}

func (ws *watchState) loop(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case ev, ok := <-ws.fw.Events:
			if !ok {
				return
			}
			ws.event(ev)
			timer.Reset(WatchDebounce)
		case err, ok := <-ws.fw.Errors:
			if !ok {
				return
			}
			ws.report(WatchReport{Err: err})
		case <-timer.C:
			ws.flush(ctx)
		}
	}
}

func (ws *watchState) event(ev fsnotify.Event) {
	p := filepath.Clean(ev.Name)
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			// Hidden folders are skipped, as import skips them (audit 18).
			if !strings.HasPrefix(filepath.Base(p), ".") {
				ws.addTree(p)
			}
			return
		}
	}
	if ws.dirs[p] && ev.Has(fsnotify.Remove|fsnotify.Rename) {
		// A folder went away (or was moved out): its files are gone.
		for d := range ws.dirs {
			if d == p || strings.HasPrefix(d, p+string(filepath.Separator)) {
				delete(ws.dirs, d)
			}
		}
		ws.prune = true
		return
	}
	if strings.HasSuffix(p, ".hl") && !strings.HasPrefix(filepath.Base(p), ".") {
		ws.pending[p] = true
	}
}

// flush applies the changes seen since the last round.
func (ws *watchState) flush(ctx context.Context) {
	var rep WatchReport
	paths := make([]string, 0, len(ws.pending))
	for p := range ws.pending {
		paths = append(paths, p)
	}
	clear(ws.pending)
	slices.Sort(paths)
	hasValidation := false
	for d := range ws.dirs {
		if rel, err := filepath.Rel(ws.root, d); err == nil {
			for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
				if strings.EqualFold(part, ws.opts.validationDir()) {
					hasValidation = true
				}
			}
		}
	}
	pl := newPlacement(ws.root, ws.opts.validationDir(), hasValidation)
	var files []hlFile
	var gone []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() {
			f, err := pl.layout(p)
			if err == nil {
				files = append(files, f)
			}
			continue
		}
		// Gone, or no longer a file; a file that cannot be looked at now
		// (its folder unreadable) keeps its snippet, as prune does.
		if err == nil || errors.Is(err, os.ErrNotExist) {
			gone = append(gone, p)
		}
	}
	// The files found are imported first: a file renamed or moved shows
	// as one gone and one new, and the new one takes over the snippet of
	// the one gone, which then has none left to delete.
	if len(files) > 0 {
		im := importer{s: ws.s, opts: ws.opts, total: len(files)}
		if err := im.files(ctx, files); err != nil && rep.Err == nil {
			rep.Err = err
		}
		rep.add(im.rep)
	}
	for _, p := range gone {
		// Gone (deleted, or renamed away): drop its snippet.
		src, err := sourceOf(p)
		if err != nil {
			continue
		}
		deleted, err := ws.s.deleteSource(ctx, src)
		if err != nil {
			if rep.Err == nil {
				rep.Err = err
			}
		} else if deleted {
			rep.Deleted++
		}
	}
	if ws.prune {
		ws.prune = false
		c, err := collect(ws.root, ws.opts.validationDir())
		if err == nil {
			var n int
			n, err = ws.s.prune(ctx, ws.root, c.files)
			rep.Deleted += n
		}
		if err != nil && rep.Err == nil {
			rep.Err = err
		}
	}
	if rep.Files > 0 || rep.Deleted > 0 || rep.Err != nil {
		ws.report(rep)
	}
}

func (ws *watchState) report(r WatchReport) {
	if ws.onChange != nil {
		ws.onChange(r)
	}
}

// WatchedFolder is a folder registered to be watched whenever the studio
// runs.
type WatchedFolder struct {
	Path          string
	ValidationDir string
	Added         time.Time
}

// AddWatchedFolder registers a folder (stored as an absolute path).
func (s *Store) AddWatchedFolder(ctx context.Context, path, validationDir string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if validationDir == "" {
		validationDir = "validation"
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO watched_folders (path, validation_dir, added) VALUES (?, ?, ?)
		ON CONFLICT (path) DO UPDATE SET validation_dir = excluded.validation_dir`, abs, validationDir, toMillis(now()))
	return classify(err)
}

// RemoveWatchedFolder unregisters a folder; its snippets stay.
func (s *Store) RemoveWatchedFolder(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, "DELETE FROM watched_folders WHERE path = ?", abs)
	return classify(err)
}

// WatchedFolders lists the registered folders.
func (s *Store) WatchedFolders(ctx context.Context) ([]WatchedFolder, error) {
	return queryAll(ctx, s.db, "SELECT path, validation_dir, added FROM watched_folders ORDER BY path", nil, func(r scanner) (WatchedFolder, error) {
		var w WatchedFolder
		var added int64
		err := r.Scan(&w.Path, &w.ValidationDir, &added)
		w.Added = fromMillis(added)
		return w, err
	})
}
