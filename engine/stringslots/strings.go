// Package stringslots is the strings.* slot family: text built and
// inspected with the reference's conversions to text (.NET ToString: bool
// is "True", dates MM/dd/yyyy HH:mm:ss). Produced text counts against the
// run's output budget.
package stringslots

import (
	"errors"
	"strings"
	"unicode/utf16"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

type fn func(r *engine.Run, n *hyperlambda.Node) error

func str(n *hyperlambda.Node) (string, error) {
	v, err := hyperlambda.Value(n)
	return hyperlambda.StringOf(v), err
}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	value := whitelist.ValueSpec{Expr: true}
	slots := []struct {
		name, doc string
		role      whitelist.Role
		fn        fn
	}{
		{"strings.concat", "joins its children's values (or the selected values) as text", whitelist.Code, concat},
		{"strings.join", "joins the selected nodes' values with the first child's value", whitelist.Code, join},
		{"strings.split", "splits its value on each child's value; children become the parts", whitelist.Code, split},
		{"strings.replace", "replaces the first child's value with the second's in its value", whitelist.Code, replace},
		{"strings.length", "length of its value in UTF-16 units, as the reference", whitelist.NoChildren, unary(func(s string) any { return int32(len(utf16.Encode([]rune(s)))) })},
		{"strings.to-lower", "lower case", whitelist.NoChildren, unary(func(s string) any { return strings.ToLower(s) })},
		{"strings.to-upper", "upper case", whitelist.NoChildren, unary(func(s string) any { return strings.ToUpper(s) })},
		{"strings.trim", "removes white space at both ends", whitelist.NoChildren, unary(func(s string) any { return strings.TrimSpace(s) })},
		{"strings.contains", "whether its value contains the child's value", whitelist.Code, test(strings.Contains)},
		{"strings.starts-with", "whether its value starts with the child's value", whitelist.Code, test(strings.HasPrefix)},
		{"strings.ends-with", "whether its value ends with the child's value", whitelist.Code, test(strings.HasSuffix)},
	}
	for _, s := range slots {
		if err := e.Register(engine.Slot{Sig: whitelist.Signature{Name: s.name, Doc: s.doc, Value: value, Children: s.role}, Fn: engine.SlotFunc(s.fn)}); err != nil {
			return err
		}
	}
	return nil
}

func setText(r *engine.Run, n *hyperlambda.Node, s string) error {
	if err := r.Output(len(s)); err != nil {
		return err
	}
	n.Value = s
	return nil
}

func concat(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	var b strings.Builder
	var parts []*hyperlambda.Node
	if x, ok := n.Value.(*hyperlambda.Expression); ok {
		sel, err := x.Evaluate(n)
		if err != nil {
			return err
		}
		parts = sel
	} else {
		parts = n.Children()
	}
	for _, p := range parts {
		s, err := str(p)
		if err != nil {
			return err
		}
		b.WriteString(s)
	}
	n.Clear()
	return setText(r, n, b.String())
}

func join(r *engine.Run, n *hyperlambda.Node) error {
	x, ok := n.Value.(*hyperlambda.Expression)
	if !ok {
		return errors.New("needs an expression selecting the items")
	}
	items, err := x.Evaluate(n)
	if err != nil {
		return err
	}
	if err := r.Eval(n); err != nil {
		return err
	}
	sep := ""
	if n.Len() > 0 {
		if sep, err = str(n.Child(0)); err != nil {
			return err
		}
	}
	texts := make([]string, 0, len(items))
	for _, it := range items {
		s, err := str(it)
		if err != nil {
			return err
		}
		texts = append(texts, s)
	}
	n.Clear()
	return setText(r, n, strings.Join(texts, sep))
}

func split(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	s, err := str(n)
	if err != nil {
		return err
	}
	var seps []string
	for _, c := range n.Children() {
		sep, err := str(c)
		if err != nil {
			return err
		}
		if sep != "" {
			seps = append(seps, sep)
		}
	}
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	n.Clear()
	n.Value = nil
	for _, p := range parts {
		if p != "" { // empty entries are removed, as in the reference
			n.Add(hyperlambda.New("", p))
		}
	}
	return r.Created(n.Len())
}

func replace(r *engine.Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	s, err := str(n)
	if err != nil {
		return err
	}
	if n.Len() < 1 {
		return errors.New("needs a child with the text to replace")
	}
	what, err := str(n.Child(0))
	if err != nil {
		return err
	}
	with := ""
	if n.Len() > 1 {
		if with, err = str(n.Child(1)); err != nil {
			return err
		}
	}
	if what == "" {
		return errors.New("the text to replace is empty")
	}
	return setText(r, n, strings.ReplaceAll(s, what, with))
}

func unary(f func(string) any) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		s, err := str(n)
		if err != nil {
			return err
		}
		v := f(s)
		if t, ok := v.(string); ok {
			return setText(r, n, t)
		}
		n.Value = v
		return nil
	}
}

func test(f func(s, sub string) bool) fn {
	return func(r *engine.Run, n *hyperlambda.Node) error {
		if err := r.Eval(n); err != nil {
			return err
		}
		if n.Len() != 1 {
			return errors.New("needs exactly one child to compare with")
		}
		s, err := str(n)
		if err != nil {
			return err
		}
		sub, err := str(n.Child(0))
		if err != nil {
			return err
		}
		n.Value = f(s, sub)
		return nil
	}
}
