package stringslots

import (
	"errors"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// [strings.builder] evaluates its children with a text buffer in scope,
// which [strings.builder.append] (in those children, or in slots they
// call) appends to; afterwards, failed or not, the builder's value is the
// text, as in the reference (149 uses of append in the public corpus).

type buildersKey struct{}

// builders is the run's stack of builders in scope, innermost last.
type builders struct{ stack []*strings.Builder }

func runBuilders(r *engine.Run) *builders {
	return r.Extension(buildersKey{}, func() any { return &builders{} }).(*builders)
}

func builder(r *engine.Run, n *hyperlambda.Node) error {
	bs := runBuilders(r)
	var b strings.Builder
	bs.stack = append(bs.stack, &b)
	err := r.Eval(n)
	bs.stack = bs.stack[:len(bs.stack)-1]
	n.Value = b.String()
	return err
}

func builderAppend(r *engine.Run, n *hyperlambda.Node) error {
	bs := runBuilders(r)
	if len(bs.stack) == 0 {
		return errors.New("appends to a [strings.builder] around it, and there is none")
	}
	s, err := str(n)
	if err != nil {
		return err
	}
	if err := r.Output(len(s)); err != nil {
		return err
	}
	bs.stack[len(bs.stack)-1].WriteString(s)
	n.Clear()
	n.Value = nil
	return nil
}
