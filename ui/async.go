package ui

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"
)

// onUI runs f on the Fyne goroutine; background work (generation, runs,
// searches, imports, file watching) reports through it. Tests replace it
// with a queue they drain on their own goroutine, which is what the real
// event loop does and the test driver does not.
var onUI = fyne.Do

// job is one piece of cancellable background work at a time (a
// generation, a run, an import): begun on the UI goroutine, ended by its
// goroutine, finished on the UI goroutine once its result is shown.
type job struct {
	mu     sync.Mutex
	cancel context.CancelFunc // set from begin until finish
	done   chan struct{}      // closed when the goroutine ends
}

// begin starts the job unless one is running; the goroutine calls ended
// when it returns.
func (j *job) begin() (ctx context.Context, ended func(), ok bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cancel != nil {
		return nil, nil, false
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	j.cancel, j.done = cancel, done
	return ctx, func() { close(done) }, true
}

// finish marks the job over, releasing its context.
func (j *job) finish() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cancel != nil {
		j.cancel()
		j.cancel = nil
	}
}

// Cancel asks the running job to stop.
func (j *job) Cancel() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cancel != nil {
		j.cancel()
	}
}

// Wait blocks until the job's goroutine has ended.
func (j *job) Wait() {
	j.mu.Lock()
	done := j.done
	j.mu.Unlock()
	if done != nil {
		<-done
	}
}

func (j *job) running() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cancel != nil
}
