package engine

import (
	"fmt"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// checkArgs applies a slot's signature to its node before the slot runs,
// so every slot reports a missing value, a missing argument or a literal of
// the wrong type in the same words. Unknown arguments are not errors here
// (the static check warns about them), as in the reference.
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
		if _, x := found.Value.(*hyperlambda.Expression); a.Type != "" && found.Value != nil && !x && hyperlambda.TypeOf(found.Value) != a.Type {
			return fmt.Errorf("argument [%s] must be of type %s, not %s", a.Name, a.Type, hyperlambda.TypeOf(found.Value))
		}
	}
	return nil
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
