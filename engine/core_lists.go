package engine

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"hlstudio/hyperlambda"
	"hlstudio/netformat"
	"hlstudio/whitelist"
)

func registerLists(e *Engine) {
	e.mustRegister(sig("sort", "sorted copies of the selected nodes; its children compare [.lhs] and [.rhs] into [.result]", exprValue, whitelist.Code, whitelist.Pure), slotSort)
	e.mustRegister(sig("include", "runs its children once per selected node ([.dp] references it) and appends what they return to it", exprValue, whitelist.Code, whitelist.Pure), slotInclude)
	e.mustRegister(sig("apply", "copies the selected templates, filling {name} names and values from its children", exprValue, whitelist.Arguments, whitelist.Pure), slotApply)
	e.mustRegister(sig("format", "formats its value with [pattern] (.NET composite formatting, invariant culture: {0}, {0,8}, {0:D4}, {0:N2}, {0:yyyy-MM-dd}); "+
		"without [pattern] its value is the pattern and its children, evaluated, are {0}, {1}, ...", anyValue, whitelist.Code, whitelist.Pure,
		whitelist.Arg{Name: "pattern", Type: "string", Doc: ".NET composite format; the value is {0}"},
		whitelist.Arg{Name: "culture", Type: "string", Doc: "only the invariant culture (\"\" or invariant) is supported"}), slotFormat)
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
	r.MadeNodeValue() // [.lhs] and [.rhs] are handles on the sorted nodes
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
		r.MadeNodeValue() // [.dp] is a handle on d
		lambda.Insert(0, hyperlambda.New(".dp", d))
		res, err := r.evalScoped(lambda)
		if err != nil {
			return err
		}
		moveChildren(d, res)
	}
	return nil
}

// slotApply copies each template and fills the {name} names and string
// values of its descendants from the argument of that name: a value
// becomes the argument's value, a name its value as text, and either way
// copies of the argument's children are added (and filled in turn). A
// {name} without an argument is an error, as in the reference.
func slotApply(r *Run, n *hyperlambda.Node) error {
	templates, err := selected(n)
	if err != nil {
		return err
	}
	args := map[string]*hyperlambda.Node{}
	for _, a := range n.Children() {
		if _, dup := args[a.Name]; !dup {
			args[a.Name] = a // the first of a name, as the reference
		}
	}
	var out []*hyperlambda.Node
	for _, t := range templates {
		c, err := r.Clone(t)
		if err != nil {
			return err
		}
		if err := r.applyTemplate(c, args, c.Depth()); err != nil {
			return err
		}
		out = append(out, c.Children()...)
	}
	n.Clear()
	for _, c := range append([]*hyperlambda.Node(nil), out...) {
		n.Add(c)
	}
	return nil
}

func (r *Run) applyTemplate(t *hyperlambda.Node, args map[string]*hyperlambda.Node, depth int) error {
	if depth > r.budgets.Depth {
		return &BudgetError{Budget: "depth", Limit: int64(r.budgets.Depth), Used: int64(depth)}
	}
	arg := func(text string) (*hyperlambda.Node, error) {
		a, ok := args[text[1:len(text)-1]]
		if !ok {
			return nil, fmt.Errorf("the template expected an argument named [%s], which was not given", text[1:len(text)-1])
		}
		return a, nil
	}
	addChildren := func(x, a *hyperlambda.Node) error {
		for _, ac := range a.Children() {
			acc, err := r.Clone(ac)
			if err != nil {
				return err
			}
			x.Add(acc)
		}
		return nil
	}
	for i := 0; i < t.Len(); i++ {
		x := t.Child(i)
		if s, ok := x.Value.(string); ok && isPlaceholder(s) {
			a, err := arg(s)
			if err != nil {
				return err
			}
			if x.Value, err = value(a); err != nil {
				return err
			}
			if err := addChildren(x, a); err != nil {
				return err
			}
		}
		if isPlaceholder(x.Name) {
			a, err := arg(x.Name)
			if err != nil {
				return err
			}
			v, err := value(a)
			if err != nil {
				return err
			}
			x.Name = hyperlambda.StringOf(v)
			if err := addChildren(x, a); err != nil {
				return err
			}
		}
		if err := r.applyTemplate(x, args, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func isPlaceholder(s string) bool {
	return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}'
}

// slotFormat is the reference's [format]: its value (followed like GetEx)
// formatted with [pattern], .NET composite formatting in the invariant
// culture, the value being {0}. Without [pattern] (an hlstudio form that
// older code here relies on) the value is the pattern and the evaluated
// children are {0}, {1}, ...
// checkCulture refuses a [culture] other than the invariant one.
func checkCulture(r *Run, n *hyperlambda.Node) error {
	cv, ok, err := r.Arg(n, "culture")
	if err != nil {
		return err
	}
	if c := hyperlambda.StringOf(cv); ok && c != "" && !strings.EqualFold(c, "invariant") {
		return fmt.Errorf("culture %q is not supported: formatting uses the invariant culture (leave [culture] out)", c)
	}
	return nil
}

func slotFormat(r *Run, n *hyperlambda.Node) error {
	var pattern string
	var args []any
	if childNamed(n, "pattern") != nil {
		pv, _, err := r.Arg(n, "pattern")
		if err != nil {
			return err
		}
		if err := checkCulture(r, n); err != nil {
			return err
		}
		v, err := value(n)
		if err != nil {
			return err
		}
		pattern, args = hyperlambda.StringOf(pv), []any{v}
	} else {
		// [culture] is the declared argument here too, never a statement
		// (audit 21: the check labelled it data and it was signalled).
		culture := childNamed(n, "culture")
		if culture != nil {
			if err := checkCulture(r, n); err != nil {
				return err
			}
		}
		for _, c := range slices.Clone(n.Children()) {
			if c != culture && c.Parent() == n && IsStatement(c.Name) {
				if err := r.Signal(c.Name, c); err != nil {
					return err
				}
			}
		}
		v, err := value(n)
		if err != nil {
			return err
		}
		pattern = hyperlambda.StringOf(v)
		for _, c := range n.Children() {
			if c == culture {
				continue
			}
			cv, err := value(c)
			if err != nil {
				return err
			}
			args = append(args, cv)
		}
	}
	s, err := r.composite(pattern, args)
	if err != nil {
		return err
	}
	return r.SetText(n, s)
}

func childNamed(n *hyperlambda.Node, name string) *hyperlambda.Node {
	for _, c := range n.Children() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// maxAlignment is .NET's limit on a format item's alignment.
const maxAlignment = 1_000_000

// composite is .NET's String.Format: {index[,alignment][:format]} items,
// {{ and }} for braces; anything else in braces is an error.
func (r *Run) composite(pattern string, args []any) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case (c == '{' || c == '}') && i+1 < len(pattern) && pattern[i+1] == c:
			b.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				return "", errors.New("format pattern has an unclosed '{'")
			}
			item := pattern[i+1 : i+end]
			if strings.IndexByte(item, '{') >= 0 {
				return "", fmt.Errorf("format item {%s} holds a '{'", item)
			}
			s, err := r.formatItem(item, args)
			if err != nil {
				return "", err
			}
			if err := r.OutputRoom(b.Len() + len(s)); err != nil {
				return "", err
			}
			b.WriteString(s)
			i += end
		case c == '}':
			return "", fmt.Errorf("format pattern has a lone '}' at byte %d; write }} for a brace", i)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func (r *Run) formatItem(item string, args []any) (string, error) {
	head, spec, _ := strings.Cut(item, ":")
	idxText, alignText, hasAlign := strings.Cut(head, ",")
	idx, err := strconv.Atoi(strings.TrimSpace(idxText))
	if err != nil || idx < 0 || idx >= len(args) {
		return "", fmt.Errorf("format item {%s} does not name one of the %d arguments", item, len(args))
	}
	width := 0
	if hasAlign {
		if width, err = strconv.Atoi(strings.TrimSpace(alignText)); err != nil || width > maxAlignment || width < -maxAlignment {
			return "", fmt.Errorf("format item {%s}: the alignment must be an integer from %d to %d", item, -maxAlignment, maxAlignment)
		}
	}
	s, err := r.formatValue(args[idx], spec)
	if err != nil {
		return "", fmt.Errorf("format item {%s}: %w", item, err)
	}
	if pad := max(width, -width) - utf8.RuneCountInString(s); pad > 0 {
		if err := r.OutputRoom(pad + len(s)); err != nil {
			return "", err
		}
		if width > 0 {
			s = strings.Repeat(" ", pad) + s
		} else {
			s += strings.Repeat(" ", pad)
		}
	}
	return s, nil
}

// formatValue formats one argument with a .NET format string (see
// package netformat). A format that does not apply to the value's type
// is an error, never dropped.
func (r *Run) formatValue(v any, spec string) (string, error) {
	return netformat.Value(v, spec)
}
