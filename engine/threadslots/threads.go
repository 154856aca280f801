// Package threadslots is the reference's fork, join and semaphore (fork
// has 152 uses in the public corpus: fire-and-forget work, or parallel
// calls gathered by join), run without threads. A run is one sequence of
// steps under one guard and one set of budgets, so a fork runs at once,
// to its end, before the statement after it: the same results as the
// reference when the forks do not race each other, and a run that replays
// identically. The cost is time: forks are not parallel.
package threadslots

import (
	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	slots := []engine.Slot{
		{Sig: whitelist.Signature{Name: "fork", Doc: "runs its children as a separate lambda (a copy that cannot reach the nodes around it); here at once, to its end, before the next statement",
			Children: whitelist.Code}, Fn: fork},
		{Sig: whitelist.Signature{Name: "join", Doc: "runs its children and waits for the forks among them (here every fork has ended when it returns)",
			Children: whitelist.Code}, Fn: eval},
		{Sig: whitelist.Signature{Name: "semaphore", Doc: "runs its children while holding the named semaphore (one run is one sequence, so nothing else holds it)",
			Value: whitelist.ValueSpec{Expr: true, Doc: "the semaphore's name"}, Children: whitelist.Code}, Fn: eval},
	}
	return e.RegisterAll(slots...)
}

// fork runs a copy of its children as a function, as the reference runs
// a clone on its thread: expressions in it cannot reach the nodes around
// the fork, and what it returns is dropped.
func fork(r *engine.Run, n *hyperlambda.Node) error {
	body, err := r.Clone(n)
	if err != nil {
		return err
	}
	return r.Call(body, hyperlambda.New("", nil))
}

func eval(r *engine.Run, n *hyperlambda.Node) error { return r.Eval(n) }
