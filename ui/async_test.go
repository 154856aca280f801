package ui

import (
	"sync"
	"testing"
	"time"
)

// uiQueue holds what background work asked to run on the UI goroutine;
// drainUI runs it on the test's goroutine, as the event loop would.
var uiQueue struct {
	sync.Mutex
	fns []func()
}

func init() {
	onUI = func(f func()) {
		uiQueue.Lock()
		uiQueue.fns = append(uiQueue.fns, f)
		uiQueue.Unlock()
	}
}

func drainUI() {
	for {
		uiQueue.Lock()
		fns := uiQueue.fns
		uiQueue.fns = nil
		uiQueue.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

// waitFor runs queued UI work and polls cond until it holds; what is
// reported on failure comes from describe.
func waitFor(t *testing.T, cond func() bool, describe func() string) {
	t.Helper()
	for range 1000 {
		drainUI()
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting: %s", describe())
}
