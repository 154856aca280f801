// Package nodevalues checks that the runtime knows every place where it
// puts a *hyperlambda.Node into a value (a node value: a handle on a
// node). The reuse of dynamic slot bodies' copies and of result scopes
// (engine/reuse.go) is sound only while the run has made none, so each
// such place must mark the run (Run.MadeNodeValue) or be accounted for;
// four adversarial audits found places that did not. It is a module of
// its own so that golang.org/x/tools stays out of the product's go.mod.
package nodevalues

import (
	"go/token"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// known are the places (function, and the type boxed) that put a
// *hyperlambda.Node, or a value holding one, into an interface, and how
// each is accounted for.
var known = map[string]string{
	"(*hlstudio/engine.Run).unwrapOne *hlstudio/hyperlambda.Node":     "node_reference: Run.MadeNodeValue",
	"hlstudio/engine.slotReference *hlstudio/hyperlambda.Node":        "Run.MadeNodeValue",
	"hlstudio/engine.slotForEach *hlstudio/hyperlambda.Node":          "[.dp]: Run.MadeNodeValue",
	"hlstudio/engine.slotInclude *hlstudio/hyperlambda.Node":          "[.dp]: Run.MadeNodeValue",
	"hlstudio/engine.slotConvert *hlstudio/hyperlambda.Node":          "type:node, a new tree: Run.MadeNodeValue",
	"hlstudio/engine.slotSort$1 *hlstudio/hyperlambda.Node":           "[.lhs], [.rhs] of the comparator: Run.MadeNodeValue in slotSort before it runs",
	"hlstudio/engine.slotSort []*hlstudio/hyperlambda.Node":           "the list handed to sort.SliceStable, never a value",
	"(*hlstudio/hyperlambda.cloner).value *hlstudio/hyperlambda.Node": "copies of node values: Run.Clone marks the run when the copied tree holds one; a dynamic slot's template (HoldsNodeValues) when called or fetched",
	"hlstudio/hyperlambda.ConvertText *hlstudio/hyperlambda.Node":     "parsed :node: values (new trees): [convert] and [hyper2lambda] mark the run; other parsers' reach the run's nodes only through a copy (Run.Clone) or a call's arguments (checked)",
}

func TestEveryNodeValueMakerIsKnown(t *testing.T) {
	cfg := &packages.Config{Mode: packages.LoadAllSyntax, Dir: "../..", BuildFlags: []string{"-tags=sqlite_fts5"}}
	pkgs, err := packages.Load(cfg, "./engine/...", "./hyperlambda")
	if err != nil {
		t.Fatal(err)
	}
	if packages.PrintErrors(pkgs) > 0 {
		t.Fatal("the packages do not load")
	}
	prog, _ := ssautil.AllPackages(pkgs, ssa.InstantiateGenerics)
	prog.Build()
	found := map[string]token.Position{}
	marks := map[string]bool{} // engine functions that call Run.MadeNodeValue
	for fn := range ssautil.AllFunctions(prog) {
		for _, b := range fn.Blocks {
			for _, ins := range b.Instrs {
				if c, ok := ins.(ssa.CallInstruction); ok {
					if callee := c.Common().StaticCallee(); callee != nil && callee.String() == "(*hlstudio/engine.Run).MadeNodeValue" {
						marks[fn.String()] = true
					}
				}
			}
		}
	}
	for fn := range ssautil.AllFunctions(prog) {
		if fn.Pkg == nil || !strings.HasPrefix(fn.Pkg.Pkg.Path(), "hlstudio/") {
			continue
		}
		if file := prog.Fset.Position(fn.Pos()).Filename; strings.HasSuffix(file, "_test.go") || strings.Contains(file, "/enginetest/") {
			continue
		}
		for _, b := range fn.Blocks {
			for _, ins := range b.Instrs {
				if mi, ok := ins.(*ssa.MakeInterface); ok && strings.Contains(mi.X.Type().String(), "hlstudio/hyperlambda.Node") {
					found[fn.String()+" "+mi.X.Type().String()] = prog.Fset.Position(fn.Pos())
				}
			}
		}
	}
	var names []string
	for name := range found {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := known[name]; !ok {
			t.Errorf("%s (%s): a node goes into a value; if a program can hold it, call Run.MadeNodeValue there (see engine/reuse.go), then list it here", name, found[name])
		}
	}
	// Every engine place in the list marks the run itself (a closure: the
	// function it is in).
	for name := range known {
		fn, _, _ := strings.Cut(name, " ")
		if strings.Contains(fn, "hlstudio/engine.") && !marks[fn] && !marks[strings.Split(fn, "$")[0]] {
			t.Errorf("%s does not call Run.MadeNodeValue", fn)
		}
	}
	for name := range known {
		if _, ok := found[name]; !ok {
			t.Errorf("%s: no node goes into a value there any more: take it off the list", name)
		}
	}
}
