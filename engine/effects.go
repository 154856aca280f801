package engine

import (
	"context"

	"hlstudio/hyperlambda"
)

// Context is the run's context: it ends when the time budget runs out or
// the run is stopped. Slots that block (HTTP, SQL) pass it on, so a slow
// server is cut by the run's budget rather than by its own timeout.
func (r *Run) Context() context.Context { return r.ctx }

// Interrupted returns the run's budget or cancellation error once its
// context has ended, nil before: a slot whose I/O failed calls it to
// report the budget rather than the I/O error it caused.
func (r *Run) Interrupted() error {
	if err := r.ctx.Err(); err != nil {
		return r.deadlineError(err)
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
	r.denials = append(r.denials, Denial{Slot: slot, Path: n.Path(), Reason: reason})
	return &DeniedError{Slot: slot, Path: n.Path(), Policy: r.policy.Name, Reason: reason}
}

// Call evaluates body as a function (its own result scope, as [invoke])
// under the active policy and moves its result into n: execute-file runs
// a loaded file with it.
func (r *Run) Call(body, n *hyperlambda.Node) error { return r.callUnder(r.policy, body, n) }
