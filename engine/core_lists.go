package engine

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

func registerLists(e *Engine) {
	e.mustRegister(sig("sort", "sorted copies of the selected nodes; its children compare [.lhs] and [.rhs] into [.result]", exprValue, whitelist.Code, whitelist.Pure), slotSort)
	e.mustRegister(sig("include", "runs its children once per selected node ([.dp] references it) and appends what they return to it", exprValue, whitelist.Code, whitelist.Pure), slotInclude)
	e.mustRegister(sig("apply", "copies the selected templates, filling {name} names and values from its children", exprValue, whitelist.Arguments, whitelist.Pure), slotApply)
	e.mustRegister(sig("format", "fills {0}, {1}, ... in its value with its children's values", anyValue, whitelist.Code, whitelist.Pure), slotFormat)
}

func slotSort(r *Run, n *hyperlambda.Node) error {
	items, err := selected(n)
	if err != nil {
		return err
	}
	comparator, err := r.Clone(n)
	if err != nil {
		return err
	}
	var sortErr error
	less := func(a, b *hyperlambda.Node) bool {
		if sortErr != nil {
			return false
		}
		lambda, err := r.Clone(comparator)
		if err != nil {
			sortErr = err
			return false
		}
		result := hyperlambda.New(".result", nil)
		lambda.Insert(0, hyperlambda.New(".rhs", b))
		lambda.Insert(0, hyperlambda.New(".lhs", a))
		lambda.Insert(0, result)
		if sortErr = r.Eval(lambda); sortErr != nil {
			return false
		}
		v, err := value(result)
		if err != nil {
			sortErr = err
			return false
		}
		c, ok := v.(int32)
		if !ok && v != nil {
			sortErr = fmt.Errorf("the comparison must set [.result] to an int, got %s", hyperlambda.TypeOf(v))
		}
		return c < 0
	}
	sorted := append([]*hyperlambda.Node(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool { return less(sorted[i], sorted[j]) })
	if sortErr != nil {
		return sortErr
	}
	n.Clear()
	if err := r.addClones(n, sorted); err != nil {
		return err
	}
	return nil
}

func slotInclude(r *Run, n *hyperlambda.Node) error {
	dest, err := selected(n)
	if err != nil {
		return err
	}
	for _, d := range dest {
		lambda, err := r.Clone(n)
		if err != nil {
			return err
		}
		lambda.Insert(0, hyperlambda.New(".dp", d))
		res, err := r.evalScoped(lambda)
		if err != nil {
			return err
		}
		moveChildren(d, res)
	}
	return nil
}

// slotApply copies each template and replaces names and string values of
// the form {name} by the argument of that name: its value, and its
// children are appended.
func slotApply(r *Run, n *hyperlambda.Node) error {
	templates, err := selected(n)
	if err != nil {
		return err
	}
	args := map[string]*hyperlambda.Node{}
	for _, a := range n.Children() {
		args[a.Name] = a
	}
	var out []*hyperlambda.Node
	for _, t := range templates {
		c, err := r.Clone(t)
		if err != nil {
			return err
		}
		var applyErr error
		c.Walk(func(x *hyperlambda.Node) bool {
			if s, ok := x.Value.(string); ok && strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				if a, ok := args[s[1:len(s)-1]]; ok {
					if x.Value, applyErr = value(a); applyErr != nil {
						return false
					}
					for _, ac := range a.Children() {
						acc, err := r.Clone(ac)
						if err != nil {
							applyErr = err
							return false
						}
						x.Add(acc)
					}
				}
			}
			if strings.HasPrefix(x.Name, "{") && strings.HasSuffix(x.Name, "}") {
				if a, ok := args[x.Name[1:len(x.Name)-1]]; ok {
					v, err := value(a)
					if err != nil {
						applyErr = err
						return false
					}
					x.Name = hyperlambda.StringOf(v)
				}
			}
			return true
		})
		if applyErr != nil {
			return applyErr
		}
		out = append(out, c.Children()...)
	}
	n.Clear()
	for _, c := range append([]*hyperlambda.Node(nil), out...) {
		n.Add(c)
	}
	return nil
}

// slotFormat is a subset of .NET composite formatting: {0}, {1}, ... are
// replaced by the children's values as strings; {{ and }} are braces.
func slotFormat(r *Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	v, err := value(n)
	if err != nil {
		return err
	}
	pattern := hyperlambda.StringOf(v)
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '{' && i+1 < len(pattern) && pattern[i+1] == '{', c == '}' && i+1 < len(pattern) && pattern[i+1] == '}':
			b.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				return errors.New("format pattern has an unclosed '{'")
			}
			spec := pattern[i+1 : i+end]
			idxText, _, _ := strings.Cut(spec, ":")
			idx, err := strconv.Atoi(strings.TrimSpace(idxText))
			if err != nil || idx < 0 || idx >= n.Len() {
				return fmt.Errorf("format item {%s} does not name one of the %d children", spec, n.Len())
			}
			cv, err := value(n.Child(idx))
			if err != nil {
				return err
			}
			b.WriteString(hyperlambda.StringOf(cv))
			i += end
		default:
			b.WriteByte(c)
		}
	}
	if err := r.Output(b.Len()); err != nil {
		return err
	}
	n.Clear()
	n.Value = b.String()
	return nil
}
