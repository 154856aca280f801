package whitelist

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch loads the policy file at path, calls onChange with the result, and
// again (debounced) every time the file changes on disk, until ctx ends:
// no call starts after it has ended. It watches the file's folder, not the
// file, so editors that save by writing a new file and renaming it over
// the old one are seen too; a path that is a symbolic link is followed to
// its target's folder as well, and a folder replaced by another of the
// same name is watched again once it is there. A file that fails to load
// is reported as the error; the caller keeps its last good policy.
func Watch(ctx context.Context, path string, debounce time.Duration, onChange func(*Policy, error)) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	dir := filepath.Dir(abs)
	if err := w.Add(dir); err != nil {
		w.Close()
		return err
	}
	// The link's target, and its folder, are watched too (audit 22: an
	// edit of the target went unseen); resolved again after each load, as
	// the link may be pointed elsewhere.
	target := abs
	follow := func() {
		if real, err := filepath.EvalSymlinks(abs); err == nil && real != target {
			if filepath.Dir(real) != dir {
				w.Add(filepath.Dir(real)) // best effort: the folder of the link still reports
			}
			target = real
		}
	}
	load := func() {
		follow()
		src, err := os.ReadFile(abs)
		var p *Policy
		if err == nil {
			p, err = Parse(path, src)
		}
		// A load can take a while: a watch stopped meanwhile (the studio
		// chose another file) must not report it (audit 22).
		if ctx.Err() != nil {
			return
		}
		onChange(p, err)
	}
	load()
	go func() {
		defer w.Close()
		var timer *time.Timer
		var fire <-chan time.Time
		wait := func(d time.Duration) {
			if timer == nil {
				timer = time.NewTimer(d)
			} else {
				timer.Reset(d)
			}
			fire = timer.C
		}
		// lost: the folder went away, watched again once it is back;
		// told: that the file is gone was reported.
		lost, told := false, false
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				name := filepath.Clean(ev.Name)
				if name == dir && ev.Has(fsnotify.Remove|fsnotify.Rename) {
					lost = true
					wait(debounce)
					continue
				}
				if name != abs && name != target {
					continue
				}
				// Saves arrive as bursts of events: wait for quiet.
				wait(debounce)
			case <-fire:
				fire = nil
				if lost {
					w.Remove(dir)
					if err := w.Add(dir); err != nil {
						if !told {
							load() // says the file cannot be read
							told = true
						}
						wait(max(debounce, 100*time.Millisecond))
						continue
					}
					lost, told = false, false
				}
				load()
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				if ctx.Err() == nil {
					onChange(nil, err)
				}
			}
		}
	}()
	return nil
}
