// Package threadslots is the reference's fork, join and semaphore (fork
// has 152 uses in the public corpus: fire-and-forget work, or parallel
// calls gathered by join), run without threads. A run is one sequence of
// steps under one guard and one set of budgets, so a fork runs at once,
// to its end, before the statement after it: the same results as the
// reference when the forks do not race each other, and a run that replays
// identically. The cost is time: forks are not parallel. As in the
// reference, a fork runs a copy (it cannot reach the nodes around it),
// and join keeps the executed copies of its forks as its children.
package threadslots

import (
	"errors"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	slots := []engine.Slot{
		{Sig: whitelist.Signature{Name: "fork", Doc: "runs its children as a separate lambda (a copy that cannot reach the nodes around it); here at once, to its end, before the next statement",
			Children: whitelist.Code}, Fn: fork},
		{Sig: whitelist.Signature{Name: "join", Doc: "runs a copy of each [fork] child and waits for them all; its children become the executed copies",
			Children: whitelist.Code}, Fn: join},
		{Sig: whitelist.Signature{Name: "semaphore", Doc: "runs its children while holding the named semaphore (one run is one sequence, so nothing else holds it)",
			Value: whitelist.ValueSpec{Required: true, Expr: true, Doc: "the semaphore's name"}, Children: whitelist.Code}, Fn: semaphore},
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

// join runs a copy of each child, which must all be forks, as the
// reference's threads do, and then holds the executed copies: what the
// forks computed can be read after the join.
func join(r *engine.Run, n *hyperlambda.Node) error {
	copies := make([]*hyperlambda.Node, 0, n.Len())
	for _, c := range n.Children() {
		if c.Name != "fork" {
			return errors.New("[join] can only have [fork] children")
		}
		cp, err := r.Clone(c)
		if err != nil {
			return err
		}
		if err := r.Call(cp, hyperlambda.New("", nil)); err != nil {
			return err
		}
		copies = append(copies, cp)
	}
	n.Clear()
	for _, cp := range copies {
		n.Add(cp)
	}
	return nil
}

func semaphore(r *engine.Run, n *hyperlambda.Node) error {
	v, err := hyperlambda.Value(n)
	if err != nil {
		return err
	}
	if hyperlambda.StringOf(v) == "" {
		return errors.New("a semaphore needs a name, e.g. semaphore:orders")
	}
	return r.Eval(n)
}
