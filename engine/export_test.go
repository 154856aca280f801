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
// bodies the run kept for reuse when it ended: the copies it made, when
// none was dropped.
func SpareCopies(e *Engine, lambda *hyperlambda.Node, policy *whitelist.Policy) (int, error) {
	_, r, err := e.execute(context.Background(), lambda, policy)
	n := 0
	for _, s := range r.spare {
		n += len(s.free)
	}
	return n, err
}

// ReusableBody is reusableBody, for table tests.
var ReusableBody = reusableBody
