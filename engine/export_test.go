package engine

import (
	"context"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// SetReuseCopies turns the reuse of dynamic slot bodies' copies on or
// off, returning the previous setting.
func SetReuseCopies(on bool) bool {
	old := reuseCopies
	reuseCopies = on
	return old
}

// SpareCopies runs lambda and returns how many copies of dynamic slot
// bodies the engine's slots keep for reuse when it has ended: the copies
// it and the runs before made, when none was dropped.
func SpareCopies(e *Engine, lambda *hyperlambda.Node, policy *whitelist.Policy) (int, error) {
	_, r, err := e.execute(context.Background(), lambda, policy)
	n := 0
	for _, s := range r.spare {
		n += len(s.free) // none: handed back
	}
	for _, dyn := range e.dynamic {
		if dyn.spares != nil {
			n += len(dyn.spares.free)
		}
	}
	return n, err
}

// ReusableBody is reusableBody, for table tests.
var ReusableBody = reusableBody

// SlotSpares returns the copies of dynamic slot name's body that runs
// left for the next, and the body's template.
func SlotSpares(e *Engine, name string) (*hyperlambda.Template, []*hyperlambda.Instance) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	dyn, ok := e.dynamic[name]
	if !ok || dyn.spares == nil {
		return nil, nil
	}
	dyn.spares.mu.Lock()
	defer dyn.spares.mu.Unlock()
	return dyn.body, append([]*hyperlambda.Instance(nil), dyn.spares.free...)
}
