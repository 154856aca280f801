package engine

import (
	"fmt"
	"strings"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// checkArgs applies a slot's signature to its node before the slot runs,
// so every slot reports a missing value, a missing argument or a literal of
// the wrong type in the same words. Unknown arguments are not errors here
// (the static check warns about them), as in the reference. Signal calls
// it only for slots whose signature constrains something (Slot.checked).
func checkArgs(sig *whitelist.Signature, n *hyperlambda.Node) error {
	_, isExpr := n.Value.(*hyperlambda.Expression)
	switch {
	case sig.Value.Required && n.Value == nil:
		return fmt.Errorf("needs a value%s", valueHint(sig))
	case isExpr && !sig.Value.Expr && sig.Value.Type != "":
		return fmt.Errorf("takes a literal %s value, not an expression", sig.Value.Type)
	case !isExpr && n.Value != nil && sig.Value.Type != "" && hyperlambda.TypeOf(n.Value) != sig.Value.Type:
		return fmt.Errorf("value must be of type %s, not %s", sig.Value.Type, hyperlambda.TypeOf(n.Value))
	}
	if sig.OptionsBesideValue && n.Value == nil {
		return nil // its children are all data
	}
	for _, a := range sig.Args {
		var found *hyperlambda.Node
		for _, c := range n.Children() {
			if c.Name == a.Name {
				found = c
				break
			}
		}
		if found == nil {
			if a.Required {
				return fmt.Errorf("needs argument [%s]", a.Name)
			}
			continue
		}
		if _, x := found.Value.(*hyperlambda.Expression); !x {
			if err := checkArgType(&a, found.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkArgType(a *whitelist.Arg, v any) error {
	if a.Type != "" && v != nil && hyperlambda.TypeOf(v) != a.Type {
		return fmt.Errorf("argument [%s] must be of type %s, not %s", a.Name, a.Type, hyperlambda.TypeOf(v))
	}
	return nil
}

// declared returns the invoked slot's declaration of argument name. A
// slot may only read what its signature declares: the signature is the
// one list of a slot's arguments for the checker, the LLM's vocabulary and
// the documentation, so reading anything else is a programming error.
func (r *Run) declared(name string) (*whitelist.Arg, error) {
	if r.sig == nil {
		return nil, fmt.Errorf("argument [%s] read outside a slot invocation", name)
	}
	for i := range r.sig.Args {
		if r.sig.Args[i].Name == name {
			return &r.sig.Args[i], nil
		}
	}
	return nil, fmt.Errorf("slot [%s] reads argument [%s], which its signature does not declare", r.sig.Name, name)
}

// ArgNode returns the first child of n named as the declared argument
// name, or nil when it is absent (a code argument like [.lambda]).
func (r *Run) ArgNode(n *hyperlambda.Node, name string) (*hyperlambda.Node, error) {
	_, c, err := r.argNode(n, name)
	return c, err
}

func (r *Run) argNode(n *hyperlambda.Node, name string) (*whitelist.Arg, *hyperlambda.Node, error) {
	a, err := r.declared(name)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range n.Children() {
		if c.Name == a.Name {
			return a, c, nil
		}
	}
	if a.Required {
		return a, nil, fmt.Errorf("needs argument [%s]", a.Name)
	}
	return a, nil, nil
}

// Arg unpacks the declared argument name of the slot being invoked: the
// value of n's first child of that name, expressions followed, checked
// against the declared type after evaluation (checkArgs has already
// checked literals). ok is false when the argument is absent.
func (r *Run) Arg(n *hyperlambda.Node, name string) (v any, ok bool, err error) {
	a, c, err := r.argNode(n, name)
	if err != nil || c == nil {
		return nil, false, err
	}
	if v, err = value(c); err != nil {
		return nil, true, err
	}
	return v, true, checkArgType(a, v)
}

// FlagArg unpacks an on/off argument as the reference's GetEx<bool>
// reads one: a bool, or the text true or false in any case (a literal
// like images:false is text); def when the argument is absent or null.
func (r *Run) FlagArg(n *hyperlambda.Node, name string, def bool) (bool, error) {
	v, _, err := r.Arg(n, name)
	if err != nil || v == nil {
		return def, err
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, fmt.Errorf("[%s] must be true or false, not %q", name, x)
	}
	return false, fmt.Errorf("[%s] must be true or false, not %s", name, hyperlambda.TypeOf(v))
}

func valueHint(sig *whitelist.Signature) string {
	switch {
	case sig.Value.Expr && sig.Value.Type == "":
		return fmt.Sprintf(", e.g. %s:x:@.foo", sig.Name)
	case sig.Value.Type != "":
		return " of type " + sig.Value.Type
	}
	return ""
}
