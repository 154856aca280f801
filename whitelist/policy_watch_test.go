package whitelist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type audit22Event struct {
	p   *Policy
	err error
}

func audit22Watch(t *testing.T, ctx context.Context, path string, debounce time.Duration) <-chan audit22Event {
	t.Helper()
	events := make(chan audit22Event, 100)
	if err := Watch(ctx, path, debounce, func(p *Policy, err error) { events <- audit22Event{p, err} }); err != nil {
		t.Fatal(err)
	}
	return events
}

func audit22Next(t *testing.T, events <-chan audit22Event, what string) (audit22Event, bool) {
	t.Helper()
	select {
	case e := <-events:
		return e, true
	case <-time.After(3 * time.Second):
		t.Errorf("%s: no reload within 3 s (deadline against hangs only)", what)
		return audit22Event{}, false
	}
}

// Audit 22: a policy file opened through a symlink (dotfiles kept in a
// repository and linked into place are common) is watched by its link's
// folder: a change to the file it points to is never seen, and the run
// keeps the old policy without a word, though the studio says "it
// reloads when the file changes".
func TestWatchFollowsASymlinkedPolicyFile(t *testing.T) {
	real, links := t.TempDir(), t.TempDir()
	target := filepath.Join(real, "p.hl")
	if err := os.WriteFile(target, []byte("name:one\r\nallow\r\n   eval\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(links, "p.hl")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := audit22Watch(t, ctx, link, 20*time.Millisecond)
	if e, _ := audit22Next(t, events, "initial"); e.err != nil || e.p.Name != "one" {
		t.Fatalf("initial: %+v", e)
	}
	if err := os.WriteFile(target, []byte("name:two\r\nallow\r\n   eq\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if e, ok := audit22Next(t, events, "after editing the link's target"); ok && (e.err != nil || e.p.Name != "two") {
		t.Errorf("after editing the target: %+v", e)
	}
}

// Watch promises onChange "until ctx ends"; the studio cancels a file's
// watch when another policy is chosen and relies on no later call. A
// reload already under way when ctx ends still reports, after cancel
// has returned: the previous file's policy lands on top of the new one.
func TestWatchNoCallAfterCancel(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.hl")
	// Large enough that reading it takes a while.
	var b strings.Builder
	b.WriteString("name:big\r\nallow\r\n")
	for i := range 300000 {
		b.WriteString("   slot")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(".n\r\n")
	}
	big := b.String()
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	var canceled, late atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := time.Now()
	if err := Watch(ctx, path, time.Millisecond, func(p *Policy, err error) {
		if canceled.Load() {
			late.Store(true)
		}
	}); err != nil {
		t.Fatal(err)
	}
	loadTime := time.Since(started)
	os.WriteFile(path, []byte(big+"   eq\r\n"), 0o644)
	time.Sleep(loadTime / 3) // the reload is reading the file
	cancel()
	canceled.Store(true)
	time.Sleep(2*loadTime + 200*time.Millisecond)
	if late.Load() {
		t.Errorf("onChange was called after ctx ended (a load takes %v)", loadTime)
	}
}

// The watch is on the folder as it was: when the folder is renamed away
// (a checkout switching branches, a sync tool replacing it) and a new one
// with a new policy file takes its place, the watch follows the old,
// moved folder and never reports again: the caller keeps a policy that
// is no longer the file at the path, and is not told.
func TestWatchReportsWhenItsFolderIsReplaced(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "policies")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "p.hl")
	if err := os.WriteFile(path, []byte("name:one\r\nallow\r\n   eval\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := audit22Watch(t, ctx, path, 20*time.Millisecond)
	if e, _ := audit22Next(t, events, "initial"); e.err != nil || e.p.Name != "one" {
		t.Fatalf("initial: %+v", e)
	}
	if err := os.Rename(dir, filepath.Join(base, "old")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(dir, 0o755)
	if err := os.WriteFile(path, []byte("name:two\r\nallow\r\n   eq\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Either the new file's policy, or an error saying the watch lost it.
	audit22Next(t, events, "after the folder was replaced")
}
