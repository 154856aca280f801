package engine

import (
	"fmt"

	"hlstudio/hyperlambda"
)

// ArgDecl is one argument a lambda declares in its top-level [.arguments]:
// `email:string` declares email of type string, as Magic's endpoints do.
type ArgDecl struct {
	Name string
	Type string // a Hyperlambda type name, or "" when the declaration says none
}

// DeclaredArguments lists the arguments lambda declares, in order.
func DeclaredArguments(lambda *hyperlambda.Node) []ArgDecl {
	var out []ArgDecl
	for _, c := range lambda.Children() {
		if c.Name != ".arguments" {
			continue
		}
		for _, a := range c.Children() {
			typ, _ := a.Value.(string)
			out = append(out, ArgDecl{Name: a.Name, Type: typ})
		}
		break
	}
	return out
}

// ConvertArgument converts text given for a declared argument to its
// declared type; an undeclared or untyped argument stays text.
func ConvertArgument(decls []ArgDecl, name, text string) (any, error) {
	for _, d := range decls {
		if d.Name != name || d.Type == "" || d.Type == "string" {
			continue
		}
		v, err := hyperlambda.ConvertText(text, d.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return v, nil
	}
	return text, nil
}

// BindArguments gives lambda its arguments the way an endpoint does: the
// top-level [.arguments] declaration is removed and args (a node whose
// children are the values) is inserted first as [.arguments], so
// `@.arguments/*/x` finds the values, never the declaration.
func BindArguments(lambda, args *hyperlambda.Node) {
	for _, c := range append([]*hyperlambda.Node(nil), lambda.Children()...) {
		if c.Name == ".arguments" {
			c.Detach()
		}
	}
	args.Name = ".arguments"
	lambda.Insert(0, args)
}
