package engine

import (
	"context"
	"sync/atomic"
	"time"

	"hlstudio/hyperlambda"
)

// Context is the run's context: it ends when the time budget runs out or
// the run is stopped. Slots that block (HTTP, SQL) pass it on, so a slow
// server is cut by the run's budget rather than by its own timeout.
func (r *Run) Context() context.Context {
	if r.ctx == nil {
		r.ctx, r.cancel = context.WithDeadline(r.base, r.deadline)
	}
	return r.ctx
}

// release stops the deadline timer, if Context made one.
func (r *Run) release() {
	if r.cancel != nil {
		r.cancel()
	}
}

// Compute runs work, computation that cannot look at the deadline itself
// (a regular expression over a long text: RE2 is linear in the text
// times the pattern's size, seconds in one call; audit 16), charging its
// cost in steps first. Work costing more than a few steps runs on a
// goroutine of its own so that the run ends at its deadline even when
// the work does not; the goroutine then finishes in the background, its
// work bounded by the steps charged for it, and work made of many pieces
// stops between them once abandoned (safe to call from work's goroutine)
// says the run has given up on it. work must touch nothing the run keeps
// (no nodes): it may outlive the slot.
func (r *Run) Compute(steps int64, work func(abandoned func() bool)) error {
	if err := r.Charge(steps); err != nil {
		return err
	}
	if steps < 64 {
		work(notAbandoned)
		return nil
	}
	var gaveUp atomic.Bool
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		work(gaveUp.Load)
	}()
	select {
	case p := <-done:
		if p != nil {
			panic(p) // the slot's panic, where the run reports it
		}
		return nil
	case <-r.Context().Done():
		gaveUp.Store(true)
		return r.Interrupted()
	}
}

func notAbandoned() bool { return false }

// Interrupted returns the run's budget or cancellation error once its
// context has ended, nil before: a slot whose I/O failed calls it to
// report the budget rather than the I/O error it caused.
func (r *Run) Interrupted() error {
	if err := r.base.Err(); err != nil {
		return r.deadlineError(err)
	}
	if r.ctx != nil {
		if err := r.ctx.Err(); err != nil {
			return r.deadlineError(err)
		}
	} else if !time.Now().Before(r.deadline) {
		return r.deadlineError(context.DeadlineExceeded)
	}
	return nil
}

// Deny refuses the invocation at n for a reason found in its arguments
// (a path outside the sandbox, a host the policy does not list): recorded
// with the run's denials and, like a policy denial, not catchable.
func (r *Run) Deny(n *hyperlambda.Node, reason string) error {
	slot := n.Name
	if r.sig != nil {
		slot = r.sig.Name
	}
	return r.deny(slot, n, reason)
}

// deny records a refusal of slot at n and returns its error. What the
// record keeps counts against the output budget (a loop of refused
// [try-signal]s of a huge name kept every one; audit 15): past it, the
// budget error.
func (r *Run) deny(slot string, n *hyperlambda.Node, reason string) error {
	d := Denial{Slot: slot, Path: n.Path(), Reason: reason}
	if r.policy != r.runPolicy {
		d.Policy = r.policy.Name
	}
	if n.Root() != r.root {
		// In a copy (a dynamic slot's body, a [whitelist] lambda): its
		// path is not one of the run's tree (audit 15).
		d.Path = "(a copy run under " + r.policy.Name + ") " + d.Path
	}
	if err := r.Output(len(d.Slot) + len(d.Path) + len(d.Reason) + len(d.Policy)); err != nil {
		return err
	}
	r.denials = append(r.denials, d)
	return &DeniedError{Slot: slot, Path: d.Path, Policy: r.policy.Name, Reason: reason}
}

// Call evaluates body as a function (its own result scope, as [invoke])
// under the active policy and moves its result into n: execute-file runs
// a loaded file with it.
func (r *Run) Call(body, n *hyperlambda.Node) error { return r.callUnder(r.policy, body, n) }

// Wait blocks for d, or until the run's time budget or a stop ends it
// first. A wait that cannot end within the budget fails at once, with the
// time budget error the run would reach at its end (its usage is then
// what the wait would have made it), instead of idling until then.
func (r *Run) Wait(d time.Duration) error {
	if d > time.Until(r.deadline) {
		return &BudgetError{Budget: "time", Limit: int64(r.budgets.Time / time.Millisecond), Used: int64((time.Since(r.start) + d) / time.Millisecond)}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
	return r.Interrupted()
}
