package whitelist

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch loads the policy file at path, calls onChange with the result, and
// again (debounced) every time the file changes on disk, until ctx ends.
// It watches the file's folder, not the file, so editors that save by
// writing a new file and renaming it over the old one are seen too. A
// file that fails to load is reported as the error; the caller keeps its
// last good policy.
func Watch(ctx context.Context, path string, debounce time.Duration, onChange func(*Policy, error)) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	if err := w.Add(filepath.Dir(abs)); err != nil {
		w.Close()
		return err
	}
	load := func() {
		src, err := os.ReadFile(abs)
		if err != nil {
			onChange(nil, err)
			return
		}
		onChange(Parse(path, src))
	}
	load()
	go func() {
		defer w.Close()
		var timer *time.Timer
		var fire <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Clean(ev.Name) != abs {
					continue
				}
				// Saves arrive as bursts of events: wait for quiet.
				if timer == nil {
					timer = time.NewTimer(debounce)
				} else {
					timer.Reset(debounce)
				}
				fire = timer.C
			case <-fire:
				fire = nil
				load()
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				onChange(nil, err)
			}
		}
	}()
	return nil
}
