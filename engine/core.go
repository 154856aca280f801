package engine

import (
	"errors"
	"fmt"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Signature shorthands for the core vocabulary.
var (
	exprValue = whitelist.ValueSpec{Required: true, Expr: true, Doc: "expression selecting nodes"}
	anyValue  = whitelist.ValueSpec{Expr: true}
	lambdaArg = whitelist.Arg{Name: ".lambda", Code: true, Doc: "code to run"}
)

func sig(name, doc string, v whitelist.ValueSpec, children whitelist.Role, effects whitelist.Effect, args ...whitelist.Arg) whitelist.Signature {
	return whitelist.Signature{Name: name, Doc: doc, Value: v, Children: children, Effects: effects, Args: args}
}

func registerCore(e *Engine) {
	e.mustRegister(sig("eval", "evaluates its children, or the children of the nodes its expression selects", anyValue, whitelist.Code, whitelist.Pure), slotEval)
	e.mustRegister(sig("if", "runs its children (or [.lambda]) when the condition is true", anyValue, whitelist.Code, whitelist.Pure, lambdaArg), slotIf)
	e.mustRegister(sig("else-if", "like [if], when no earlier branch of the chain ran", anyValue, whitelist.Code, whitelist.Pure, lambdaArg), slotIf)
	e.mustRegister(sig("else", "runs its children when no earlier branch of the chain ran", whitelist.ValueSpec{}, whitelist.Code, whitelist.Pure), slotElse)
	e.mustRegister(sig("while", "runs [.lambda] (or its children) while the condition is true", anyValue, whitelist.Code, whitelist.Pure, lambdaArg), slotWhile)
	e.mustRegister(sig("for-each", "runs its children once per selected node, with [.dp] referencing it", exprValue, whitelist.Code, whitelist.Pure), slotForEach)
	for _, name := range []string{"eq", "neq", "lt", "lte", "mt", "mte"} {
		e.mustRegister(sig(name, "compares two values (type-strict); value becomes bool", anyValue, whitelist.Code, whitelist.Pure), slotCompare)
	}
	e.mustRegister(sig("and", "true when every child is true (short-circuit)", whitelist.ValueSpec{}, whitelist.Code, whitelist.Pure), slotAndOr)
	e.mustRegister(sig("or", "true when any child is true (short-circuit)", whitelist.ValueSpec{}, whitelist.Code, whitelist.Pure), slotAndOr)
	e.mustRegister(sig("not", "negates its one child", whitelist.ValueSpec{}, whitelist.Code, whitelist.Pure), slotNot)
	e.mustRegister(sig("get-value", "value of the selected node", exprValue, whitelist.NoChildren, whitelist.Pure), slotGetValue)
	e.mustRegister(sig("get-name", "name of the selected node", exprValue, whitelist.NoChildren, whitelist.Pure), slotGetName)
	e.mustRegister(sig("get-count", "number of selected nodes", exprValue, whitelist.NoChildren, whitelist.Pure), slotGetCount)
	e.mustRegister(sig("get-nodes", "copies of the selected nodes as children", exprValue, whitelist.NoChildren, whitelist.Pure), slotGetNodes)
	for _, name := range []string{"exists", "not-exists", "null", "not-null"} {
		e.mustRegister(sig(name, "tests the selected nodes; value becomes bool", exprValue, whitelist.NoChildren, whitelist.Pure), slotExists)
	}
	e.mustRegister(sig("set-value", "sets the selected nodes' value to its child's value", exprValue, whitelist.Code, whitelist.Pure), slotSetValue)
	e.mustRegister(sig("set-name", "renames the selected nodes to its child's value", exprValue, whitelist.Code, whitelist.Pure), slotSetName)
	e.mustRegister(sig("add", "appends copies of its children's children to the selected nodes", exprValue, whitelist.Code, whitelist.Pure), slotAdd)
	e.mustRegister(sig("remove-nodes", "detaches the selected nodes", exprValue, whitelist.NoChildren, whitelist.Pure), slotRemoveNodes)
	e.mustRegister(sig("return", "returns its value or children from the current function", anyValue, whitelist.Data, whitelist.Pure), slotReturn)
	e.mustRegister(sig("return-value", "returns a value", anyValue, whitelist.NoChildren, whitelist.Pure), slotReturnValue)
	e.mustRegister(sig("return-nodes", "returns copies of the selected nodes, or its children", anyValue, whitelist.Data, whitelist.Pure), slotReturnNodes)
	e.mustRegister(sig("throw", "raises an error that [try] can catch", anyValue, whitelist.Arguments, whitelist.Pure,
		whitelist.Arg{Name: "status", Type: "int"}, whitelist.Arg{Name: "public", Type: "bool"}, whitelist.Arg{Name: "field", Type: "string"}), slotThrow)
	e.mustRegister(sig("try", "runs its children; on an error runs the following [.catch]; always runs [.finally]", whitelist.ValueSpec{}, whitelist.Code, whitelist.Pure), slotTry)
	e.mustRegister(whitelist.Signature{Name: "slots.create", Doc: "creates a dynamic slot from its children, run later under this run's policy",
		Value: whitelist.ValueSpec{Type: "string", Required: true}, Children: whitelist.Code, Effects: whitelist.SpawnsCode}, slotSlotsCreate)
	e.mustRegister(whitelist.Signature{Name: "function", Doc: "the reference's other name of [slots.create]",
		Value: whitelist.ValueSpec{Type: "string", Required: true}, Children: whitelist.Code, Effects: whitelist.SpawnsCode, AliasOf: "slots.create"}, slotSlotsCreate)
	e.mustRegister(whitelist.Signature{Name: "signal", Doc: "invokes a dynamic slot by name with its children as [.arguments]",
		Value: whitelist.ValueSpec{Type: "string", Required: true, Expr: true}, Children: whitelist.Arguments, Effects: whitelist.SpawnsCode, Dynamic: true}, slotSignal)
	e.mustRegister(whitelist.Signature{Name: "whitelist", Doc: "runs [.lambda] with only the slots in [vocabulary] (narrowing the active policy)",
		Children: whitelist.NoChildren, Effects: whitelist.Pure,
		Args: []whitelist.Arg{{Name: "vocabulary", Required: true, Doc: "one child per allowed slot name"}, {Name: ".lambda", Required: true, Code: true}}}, slotWhitelist)
	registerMore(e)
	registerLists(e)
}

func slotEval(r *Run, n *hyperlambda.Node) error {
	if n.Len() > 0 {
		if n.Value != nil {
			return errors.New("takes either children or an expression, not both")
		}
		return r.Eval(n)
	}
	if n.Value == nil {
		return nil
	}
	targets, err := selected(n)
	if err != nil {
		return err
	}
	for _, t := range targets {
		// Evaluating code selected at run time: every statement in it still
		// goes through Signal, so the policy applies to it.
		if err := r.Eval(t); err != nil {
			return err
		}
		if res := r.result(); res.Value != nil || res.Len() > 0 {
			return nil
		}
	}
	return nil
}

// condition evaluates an [if]/[while]-style condition: the node's value
// (form A) or its first non-[.lambda] child after evaluating the children
// (form B). body is what runs when it is true.
func condition(r *Run, n *hyperlambda.Node) (ok bool, body *hyperlambda.Node, err error) {
	if n.Value != nil {
		v, err := value(n)
		if err != nil {
			return false, nil, err
		}
		return truthy(v), n, nil
	}
	var cond, lambda *hyperlambda.Node
	for _, c := range n.Children() {
		switch {
		case c.Name == ".lambda":
			lambda = c
		case cond == nil:
			cond = c
		}
	}
	if cond == nil || lambda == nil {
		return false, nil, errors.New("needs a condition: a value, or a condition child and a [.lambda]")
	}
	v, err := r.ValueOf(cond)
	if err != nil {
		return false, nil, err
	}
	return truthy(v), lambda, nil
}

// chainTaken reports whether an earlier [if]/[else-if] of n's chain ran;
// it is an error for n not to follow one.
func chainTaken(n *hyperlambda.Node) (bool, error) {
	for p := n.Previous(); ; p = p.Previous() {
		if p == nil || (p.Name != "if" && p.Name != "else-if") {
			return false, fmt.Errorf("[%s] must follow [if] or [else-if]", n.Name)
		}
		if p.Value == true {
			return true, nil
		}
		if p.Name == "if" {
			return false, nil
		}
	}
}

func slotIf(r *Run, n *hyperlambda.Node) error {
	if n.Name == "else-if" {
		taken, err := chainTaken(n)
		if err != nil {
			return err
		}
		if taken {
			return nil
		}
	}
	ok, body, err := condition(r, n)
	if err != nil {
		return err
	}
	if ok {
		if err := r.Eval(body); err != nil {
			return err
		}
	}
	n.Value = ok
	return nil
}

func slotElse(r *Run, n *hyperlambda.Node) error {
	taken, err := chainTaken(n)
	if err != nil || taken {
		return err
	}
	n.Value = true
	return r.Eval(n)
}

func slotWhile(r *Run, n *hyperlambda.Node) error {
	// The body is restored after each round so mutations do not pile up.
	original, err := r.Clone(n)
	if err != nil {
		return err
	}
	for {
		if err := r.Step(); err != nil {
			return err
		}
		ok, body, err := condition(r, n)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := r.Eval(body); err != nil {
			return err
		}
		if res := r.result(); res.Value != nil || res.Len() > 0 {
			break
		}
		if err := r.restore(n, original); err != nil {
			return err
		}
	}
	n.Value = false
	return r.restore(n, original)
}

// restore puts n's children back as they are in original, reusing the
// nodes whose shape did not change; only nodes it must create count
// against the node budget.
func (r *Run) restore(n, original *hyperlambda.Node) error {
	return r.Created(n.ResetChildren(original))
}

func slotForEach(r *Run, n *hyperlambda.Node) error {
	items, err := selected(n)
	if err != nil {
		return err
	}
	if err := r.hold(len(items)); err != nil {
		return err
	}
	defer r.unhold(len(items))
	original, err := r.Clone(n)
	if err != nil {
		return err
	}
	var dp *hyperlambda.Node
	for _, item := range items {
		if err := r.Step(); err != nil {
			return err
		}
		// One [.dp] serves every round unless the body changed it.
		if dp == nil || dp.Parent() != nil || dp.Len() > 0 || dp.Name != ".dp" {
			dp = hyperlambda.New(".dp", nil)
		}
		dp.Value = item
		r.MadeNodeValue()
		n.Insert(0, dp)
		if err := r.Eval(n); err != nil {
			return err
		}
		if dp.Parent() == n {
			dp.Detach()
		}
		if err := r.restore(n, original); err != nil {
			return err
		}
		if res := r.result(); res.Value != nil || res.Len() > 0 {
			break
		}
	}
	return nil
}

// operands returns the two sides of a comparison: the value and one
// child, or two children, after evaluating the children.
func operands(r *Run, n *hyperlambda.Node) (a, b any, err error) {
	if err := r.Eval(n); err != nil {
		return nil, nil, err
	}
	kids := n.Children()
	switch {
	case n.Value != nil && len(kids) == 1:
		if a, err = value(n); err != nil {
			return nil, nil, err
		}
		b, err = value(kids[0])
	case n.Value == nil && len(kids) == 2:
		if a, err = value(kids[0]); err != nil {
			return nil, nil, err
		}
		b, err = value(kids[1])
	default:
		err = errors.New("compares a value with one child, or two children")
	}
	return a, b, err
}

func slotCompare(r *Run, n *hyperlambda.Node) error {
	a, b, err := operands(r, n)
	if err != nil {
		return err
	}
	var res bool
	if a == nil || b == nil {
		// null equals null and sorts before everything.
		switch {
		case a == nil && b == nil:
			res = n.Name == "eq" || n.Name == "lte" || n.Name == "mte"
		case a == nil:
			res = n.Name == "neq" || n.Name == "lt" || n.Name == "lte"
		default:
			res = n.Name == "neq" || n.Name == "mt" || n.Name == "mte"
		}
	} else {
		c, ok := compare(a, b)
		if x, isText := a.(string); isText && ok && n.Name != "eq" && n.Name != "neq" {
			c = textOrder(x, b.(string)) // equality stays ordinal, as the reference's Equals
		}
		switch n.Name {
		case "eq":
			res = ok && c == 0
		case "neq":
			res = !ok || c != 0
		case "lt":
			res = ok && c < 0
		case "lte":
			res = ok && c <= 0
		case "mt":
			res = ok && c > 0
		case "mte":
			res = ok && c >= 0
		}
	}
	n.Value = res
	return nil
}

func slotAndOr(r *Run, n *hyperlambda.Node) error {
	if n.Len() < 2 {
		return fmt.Errorf("needs at least two children")
	}
	want := n.Name == "or"
	res := !want
	for _, c := range n.Children() {
		v, err := r.ValueOf(c)
		if err != nil {
			return err
		}
		if truthy(v) == want {
			res = want
			break
		}
	}
	n.Value = res
	return nil
}

func slotNot(r *Run, n *hyperlambda.Node) error {
	if n.Len() != 1 {
		return errors.New("needs exactly one child")
	}
	if err := r.Eval(n); err != nil {
		return err
	}
	v, err := value(n.Child(0))
	if err != nil {
		return err
	}
	n.Value = !truthy(v)
	return nil
}

func single(n *hyperlambda.Node) (*hyperlambda.Node, error) {
	if x, ok := n.Value.(*hyperlambda.Expression); ok {
		if m, ok := x.EvaluateSingle(n); ok {
			return m, nil
		}
	}
	res, err := selected(n)
	if err != nil {
		return nil, err
	}
	if len(res) > 1 {
		return nil, fmt.Errorf("expression %s selects %d nodes where one is expected", n.Value, len(res))
	}
	if len(res) == 0 {
		return nil, nil
	}
	return res[0], nil
}

func slotGetValue(r *Run, n *hyperlambda.Node) error {
	src, err := single(n)
	if err != nil {
		return err
	}
	var v any
	if src != nil {
		if v, err = value(src); err != nil {
			return err
		}
	}
	n.Value = v
	return r.Output(sizeOf(v))
}

func slotGetName(r *Run, n *hyperlambda.Node) error {
	src, err := single(n)
	if err != nil {
		return err
	}
	if src == nil {
		n.Value = nil
		return nil
	}
	n.Value = src.Name
	return nil
}

func slotGetCount(r *Run, n *hyperlambda.Node) error {
	var one [1]*hyperlambda.Node // a single node stays on the stack
	res, err := Select(n, one[:0])
	if err != nil {
		return err
	}
	n.Value = int32(len(res))
	return nil
}

func slotGetNodes(r *Run, n *hyperlambda.Node) error {
	res, err := selected(n)
	if err != nil {
		return err
	}
	n.Value = nil
	return r.addClones(n, res)
}

func slotExists(r *Run, n *hyperlambda.Node) error {
	var one [1]*hyperlambda.Node // a single node stays on the stack
	res, err := Select(n, one[:0])
	if err != nil {
		return err
	}
	var v bool
	switch n.Name {
	case "exists":
		v = len(res) > 0
	case "not-exists":
		v = len(res) == 0
	default:
		anyValue := false
		for _, s := range res {
			if s.Value != nil {
				anyValue = true
			}
		}
		v = anyValue == (n.Name == "not-null")
	}
	n.Value = v
	return nil
}

// source evaluates n's children and returns the value of the single one
// (or nil when there is none).
func source(r *Run, n *hyperlambda.Node) (any, error) {
	if n.Len() > 1 {
		return nil, errors.New("takes at most one child as its source")
	}
	if err := r.Eval(n); err != nil {
		return nil, err
	}
	if n.Len() == 0 {
		return nil, nil
	}
	return value(n.Child(0))
}

// slotSetValue serves [set-value] and [set-x]; set-x takes its child's
// value as written, without evaluating or following expressions.
func slotSetValue(r *Run, n *hyperlambda.Node) error {
	var one [1]*hyperlambda.Node // a single node stays on the stack
	dest, err := Select(n, one[:0])
	if err != nil {
		return err
	}
	var v any
	if n.Name == "set-x" {
		if n.Len() > 1 {
			return errors.New("takes at most one child as its source")
		}
		if n.Len() == 1 {
			v = n.Child(0).Value
		}
	} else if v, err = source(r, n); err != nil {
		return err
	}
	for _, d := range dest {
		d.Value = v
	}
	return nil
}

func slotSetName(r *Run, n *hyperlambda.Node) error {
	dest, err := selected(n)
	if err != nil {
		return err
	}
	v, err := source(r, n)
	if err != nil {
		return err
	}
	name := hyperlambda.StringOf(v)
	for _, d := range dest {
		d.Name = name
	}
	return nil
}

// slotAdd serves [add], [insert-before] and [insert-after]: copies of the
// children of its children go into, before or after each selected node.
func slotAdd(r *Run, n *hyperlambda.Node) error {
	dest, err := selected(n)
	if err != nil {
		return err
	}
	if err := r.Eval(n); err != nil {
		return err
	}
	for _, d := range dest {
		if n.Name != "add" && d.Parent() == nil {
			return fmt.Errorf("cannot insert beside [%s]: it has no parent", d.Name)
		}
		anchor := d
		for _, src := range n.Children() {
			for _, c := range src.Children() {
				cc, err := r.Clone(c)
				if err != nil {
					return err
				}
				switch n.Name {
				case "add":
					d.Add(cc)
				case "insert-before":
					d.InsertBefore(cc)
				default:
					anchor.InsertAfter(cc)
					anchor = cc
				}
			}
		}
	}
	n.Clear()
	return nil
}

func slotRemoveNodes(r *Run, n *hyperlambda.Node) error {
	res, err := selected(n)
	if err != nil {
		return err
	}
	for _, s := range res {
		if s.Parent() == nil {
			continue // the root of a lambda stays
		}
		s.Detach()
	}
	return nil
}

func slotReturn(r *Run, n *hyperlambda.Node) error {
	res := r.result()
	if n.Len() > 0 {
		moveChildren(res, n)
		res.Value = n.Value
		return nil
	}
	x, isExpr := n.Value.(*hyperlambda.Expression)
	if !isExpr {
		res.Value = n.Value
		return r.Output(sizeOf(n.Value))
	}
	if m, ok := x.EvaluateSingle(n); ok {
		if m != nil {
			res.Value = m.Value
		}
		return nil
	}
	nodes, err := x.Evaluate(n)
	if err != nil {
		return err
	}
	switch len(nodes) {
	case 0:
	case 1:
		res.Value = nodes[0].Value
	default:
		if err := r.addClones(res, nodes); err != nil {
			return err
		}
	}
	return nil
}

func slotReturnValue(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	r.result().Value = v
	return r.Output(sizeOf(v))
}

func slotReturnNodes(r *Run, n *hyperlambda.Node) error {
	res := r.result()
	if n.Value != nil {
		nodes, err := selected(n)
		if err != nil {
			return err
		}
		if err := r.addClones(res, nodes); err != nil {
			return err
		}
		return nil
	}
	moveChildren(res, n)
	return nil
}

func slotThrow(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	msg := hyperlambda.StringOf(v)
	if v == nil {
		msg = "[no-message]" // the reference's message for a [throw] without a value
	}
	e := &ThrowError{Message: msg, Status: 500}
	status, _, err := r.Arg(n, "status")
	if err != nil {
		return err
	}
	if s, ok := status.(int32); ok {
		e.Status = int(s)
	}
	public, _, err := r.Arg(n, "public")
	if err != nil {
		return err
	}
	e.Public = truthy(public)
	field, ok, err := r.Arg(n, "field")
	if err != nil {
		return err
	}
	if ok {
		e.Field = hyperlambda.StringOf(field)
	}
	return e
}

func slotTry(r *Run, n *hyperlambda.Node) error {
	var catch, finally *hyperlambda.Node
	if next := n.Next(); next != nil && next.Name == ".catch" {
		catch = next
		if f := next.Next(); f != nil && f.Name == ".finally" {
			finally = f
		}
	} else if next != nil && next.Name == ".finally" {
		finally = next
	}
	err := r.Eval(n)
	if err != nil && catchable(err) && catch != nil {
		message := unwrapMessage(err)
		args := hyperlambda.New(".arguments", nil, hyperlambda.New("message", message), hyperlambda.New("type", errorType(err)))
		var te *ThrowError
		if errors.As(err, &te) {
			args.Add(hyperlambda.New("status", int32(te.Status)))
			args.Add(hyperlambda.New("public", te.Public))
			if te.Field != "" {
				args.Add(hyperlambda.New("field", te.Field))
			}
		}
		// Made by the run like any text and nodes: an error quoting a
		// long argument (a regex error quotes its pattern) made megabytes
		// per round for free (audit 16).
		if err := r.Created(1 + args.Len()); err != nil {
			return err
		}
		if err := r.Output(len(message)); err != nil {
			return err
		}
		catch.Insert(0, args)
		err = r.Eval(catch)
	}
	if finally != nil {
		if ferr := r.Eval(finally); err == nil {
			err = ferr
		}
	}
	return err
}

func unwrapMessage(err error) string {
	var te *ThrowError
	if errors.As(err, &te) {
		return te.Message
	}
	return err.Error()
}

func errorType(err error) string {
	var te *ThrowError
	if errors.As(err, &te) {
		return "throw"
	}
	return "runtime"
}

func slotSlotsCreate(r *Run, n *hyperlambda.Node) error {
	name, ok := n.Value.(string)
	if !ok || name == "" {
		return errors.New("needs the slot's name as a literal string value")
	}
	// Counted once: the same count is what every call's copy costs.
	nodes, _ := countNodes(n, 0)
	if err := r.Created(nodes); err != nil {
		return err
	}
	r.engine.mu.Lock()
	defer r.engine.mu.Unlock()
	old, ok := r.engine.dynamic[name]
	if ok {
		if old.policy == r.policy && hyperlambda.Identical(old.body.Root(), n) {
			// The same slot again (a program run over and over creates
			// its slots each time): kept, with the copies runs left.
			return nil
		}
		if err := r.mayReplace(n, name, old); err != nil {
			return err
		}
	}
	copied := n.Clone()
	r.engine.dynamic[name] = dynamicSlot{body: hyperlambda.NewTemplate(copied), nodes: nodes, policy: r.policy,
		reusable: reusableBody(copied), spares: newSparePool(nodes)}
	return nil
}

// mayReplace refuses to replace or delete a dynamic slot created under a
// policy whose authority the run's does not cover: slots outlive runs and
// are called by name, so narrower code replacing a wider run's slot would
// choose what that run's calls return (audit 8).
func (r *Run) mayReplace(n *hyperlambda.Node, name string, old dynamicSlot) error {
	if r.policy.Covers(old.policy) {
		return nil
	}
	return r.Deny(n, fmt.Sprintf("slot %s was created under policy %s, which grants what policy %s does not: only a run under a policy granting as much replaces or deletes it (the studio's Tree menu: Forget dynamic slots)",
		name, old.policy.Name, r.policy.Name))
}

// refuseCall records the refusal of a call of the dynamic slot name at n:
// an error, except for [try-signal], which goes on (nil). A budget spent
// by the record is an error either way.
func (r *Run) refuseCall(name string, n *hyperlambda.Node, reason string) error {
	err := r.deny(name, n, reason)
	if _, denied := err.(*DeniedError); denied && n.Name == "try-signal" {
		return nil
	}
	return err
}

var dynamicSig = whitelist.Signature{Effects: whitelist.SpawnsCode, Dynamic: true}

func slotSignal(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	name := hyperlambda.StringOf(v)
	// The target is a binding like any other. A dynamic slot spawns code;
	// its body is guarded statement by statement when it runs.
	if d := r.policy.Allows(name, &dynamicSig); !d.Allowed {
		// Recorded either way, so the person sees what was refused.
		if err := r.refuseCall(name, n, d.Reason); err != nil {
			return err
		}
		n.Clear() // as in the reference: a slot out of scope is as good as missing
		n.Value = nil
		return nil
	}
	r.engine.mu.RLock()
	dyn, ok := r.engine.dynamic[name]
	r.engine.mu.RUnlock()
	if !ok {
		if n.Name == "try-signal" {
			n.Clear() // [try-signal] of a missing slot does nothing; null, as the reference
			n.Value = nil
			return nil
		}
		return fmt.Errorf("dynamic slot [%s] does not exist", name)
	}
	// The body runs under the policy that created it, narrowed by the
	// caller's: a slot planted by sandboxed code stays sandboxed.
	p := r.policy
	if !p.Narrows(dyn.policy) {
		p = whitelist.Intersect(r.policy, dyn.policy)
		// A node value is shared, not copied: a reference into the
		// caller's tree ([execute]'s node_reference, a [reference]) or a
		// lambda the caller holds would let the body change code that the
		// caller runs later under its own, possibly wider, policy.
		if !whitelist.SameAuthority(r.policy, dyn.policy) {
			if ref := nodeValueIn(n); ref != nil {
				reason := fmt.Sprintf("argument [%s] holds a node (a reference or a lambda), and the slot was created under policy %s, not %s: its code could change what runs under %s",
					ref.Name, dyn.policy.Name, r.policy.Name, r.policy.Name)
				return r.refuseCall(name, n, reason)
			}
		}
	}
	// Every call runs its own copy: the body's statements write into their
	// nodes. The template knows its size, so a call counts it for free
	// (a copy made over counts the same: usage does not depend on it).
	if err := r.Created(dyn.nodes); err != nil {
		return err
	}
	if !dyn.reusable {
		// A body that can take handles on nodes: no copy of a call in
		// progress can be made over afterwards (see reuse.go).
		r.exposeCalls()
	}
	if !r.handles && (dyn.body.HoldsNodeValues() || nodeValueIn(n) != nil) {
		// Node values come in: the body's own (copied into this run: a
		// slot outlives the run that made it), or in the arguments (a
		// copy of a node holding one points the copy at the argument).
		r.MadeNodeValue()
	}
	var body *hyperlambda.Node
	var inst *hyperlambda.Instance
	if dyn.reusable && reuseCopies {
		inst = r.instance(dyn)
		body = inst.Root()
	} else {
		body = dyn.body.Clone()
	}
	var args *hyperlambda.Node
	if n.Len() > 0 {
		args = r.argumentsNode()
		if p != r.policy && !whitelist.SameAuthority(p, r.policy) {
			// Into a narrower policy the arguments go as copies: the
			// caller may still hold its own (reuse.go, "Held nodes") and
			// run them after the call under its wider policy, so narrower
			// code must not be able to change them (audit 7).
			if err := r.addClones(args, n.Children()); err != nil {
				return err
			}
			n.Clear()
		} else {
			moveChildren(args, n)
		}
		body.Insert(0, args)
	}
	r.calls = append(r.calls, activation{})
	// The body of a slot whose creator restricts what the run's policy
	// does not is foreign code (Run.Foreign), and so is whatever it calls:
	// a slot of the run's own called by foreign code works for that code
	// (audit 14). Its state is that of its authority (Run.Extension): the
	// same for every body of one authority (audit 15), none of the run's.
	// A wider author's slot called by the run itself is not foreign.
	outerForeign := r.foreign
	switch {
	case r.foreign == nil:
		if dyn.policy != r.runPolicy && dyn.policy.RestrictsMoreThan(r.runPolicy) {
			r.foreign = dyn.policy
		}
	case dyn.policy.RestrictsMoreThan(r.foreign):
		// Foreign code calling a slot of a policy narrower still: the
		// state of neither (audit 15).
		r.foreign = whitelist.Intersect(r.foreign, dyn.policy)
	}
	err = r.callUnder(p, body, n)
	r.foreign = outerForeign
	act := r.calls[len(r.calls)-1]
	r.calls = r.calls[:len(r.calls)-1]
	// The arguments are let go, copy made over or not (see reuse.go,
	// "Held nodes"): the same either way.
	spent := args != nil && !r.handles && args.Parent() == body
	if spent {
		args.Detach()
		args.Empty()
	}
	if err == nil && inst != nil && !act.exposed && !r.handles && !holdsNodeOf(n, inst) {
		// Nothing can see the copy now: it is made over for the next
		// call. (A copy kept is left as a fresh one would be.)
		if spent {
			r.keepArguments(args)
		}
		r.putBack(inst)
	}
	return err
}

// nodeValueIn returns the first descendant of n whose value is a node.
func nodeValueIn(n *hyperlambda.Node) *hyperlambda.Node {
	// Plain recursion, no closure: every call of a dynamic slot asks.
	for _, c := range n.Children() {
		if ref, ok := c.Value.(*hyperlambda.Node); ok && ref != nil {
			return c
		}
		if found := nodeValueIn(c); found != nil {
			return found
		}
	}
	return nil
}

// callUnder evaluates body as a function (its own result scope) under
// policy p and moves the result into n.
func (r *Run) callUnder(p *whitelist.Policy, body, n *hyperlambda.Node) error {
	old, oldAllowed := r.policy, r.allowed
	if p != old {
		r.policy, r.allowed = p, nil
	}
	res, err := r.evalScoped(body)
	// Restored without defer (a call is on the hot path); a panic ends
	// the run, policy and all.
	r.policy, r.allowed = old, oldAllowed
	if err != nil {
		return err
	}
	if err := takeResult(n, res); err != nil {
		return err
	}
	// The emptied scope serves the next call (one allocation less each),
	// unless something could hold a handle on it (see reuse.go).
	if !r.handles && res.Len() == 0 && res.Parent() == nil && res.Name == "" {
		res.Value = nil
		r.scopes = append(r.scopes, res)
	}
	return nil
}

func slotWhitelist(r *Run, n *hyperlambda.Node) error {
	vocab, err := r.ArgNode(n, "vocabulary")
	if err != nil {
		return err
	}
	lambda, err := r.ArgNode(n, ".lambda")
	if err != nil {
		return err
	}
	var names []string
	for _, c := range vocab.Children() {
		names = append(names, c.Name)
		// signal:foo allows [signal] and the dynamic slot foo, as in the reference.
		if target, ok := c.Value.(string); ok && c.Name == "signal" && target != "" {
			names = append(names, target)
		}
	}
	inner := whitelist.Exactly("whitelist", names)
	// Only narrowing: the nested vocabulary intersects the active policy.
	p := whitelist.Intersect(r.policy, inner)
	body, err := r.Clone(lambda)
	if err != nil {
		return err
	}
	return r.callUnder(p, body, n)
}
