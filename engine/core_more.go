package engine

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

func registerMore(e *Engine) {
	e.mustRegister(sig("switch", "runs the first [case] whose value equals its value, else [default]", anyValue, whitelist.Code, whitelist.Pure), slotSwitch)
	e.mustRegister(sig("case", "a branch of [switch]", anyValue, whitelist.Code, whitelist.Pure), slotCase)
	e.mustRegister(sig("default", "the fallback branch of [switch]", whitelist.ValueSpec{}, whitelist.Code, whitelist.Pure), slotCase)
	e.mustRegister(sig("get-first-value", "the first non-null value of the selected nodes or of its children", anyValue, whitelist.Code, whitelist.Pure), slotGetFirstValue)
	e.mustRegister(sig("unwrap", "replaces expression values of the selected nodes with what they point to", exprValue, whitelist.NoChildren, whitelist.Pure,
		whitelist.Arg{Name: "apply-lists", Type: "bool", Doc: "an expression selecting several nodes (or ending in *) adds copies of them as children"}), slotUnwrap)
	e.mustRegister(sig("insert-before", "inserts copies of its children's children before the selected nodes", exprValue, whitelist.Code, whitelist.Pure), slotAdd)
	e.mustRegister(sig("insert-after", "inserts copies of its children's children after the selected nodes", exprValue, whitelist.Code, whitelist.Pure), slotAdd)
	e.mustRegister(sig("set-x", "sets the selected nodes' value to its child's value without following expressions", exprValue, whitelist.Data, whitelist.Pure), slotSetValue)
	e.mustRegister(sig("reference", "value becomes a reference to the one selected node", exprValue, whitelist.NoChildren, whitelist.Pure), slotReference)
	e.mustRegister(sig("type", "value becomes the type name of the selected node's value", exprValue, whitelist.NoChildren, whitelist.Pure), slotType)
	e.mustRegister(sig("types", "one child per type name Hyperlambda knows", whitelist.ValueSpec{}, whitelist.NoChildren, whitelist.Pure), slotTypes)
	e.mustRegister(sig("convert", "converts its value to the type named by [type] (or base64, base64-url, from-base64)", anyValue, whitelist.NoChildren, whitelist.Pure,
		whitelist.Arg{Name: "type", Type: "string", Required: true}), slotConvert)
	e.mustRegister(sig("compose", "builds an expression from its children's values", whitelist.ValueSpec{}, whitelist.Code, whitelist.Pure), slotCompose)
	e.mustRegister(sig("context", "makes [value] readable by [get-context] while [.lambda] runs", whitelist.ValueSpec{Type: "string", Required: true}, whitelist.NoChildren, whitelist.Pure,
		whitelist.Arg{Name: "value"}, lambdaArg), slotContext)
	e.mustRegister(sig("get-context", "value of the named [context]", whitelist.ValueSpec{Type: "string", Required: true, Expr: true}, whitelist.NoChildren, whitelist.Pure), slotGetContext)
	e.mustRegister(sig("vocabulary", "lists the slots the active policy allows (optionally starting with its value)", anyValue, whitelist.NoChildren, whitelist.Pure), slotVocabulary)
	invoke := sig("invoke", "runs the selected lambda (a copy) with its children as [.arguments]", exprValue, whitelist.Arguments, whitelist.Pure)
	invoke.Dynamic = true // it runs nodes the check labels data (audit 21)
	e.mustRegister(invoke, slotInvoke)
	e.mustRegister(sig("hyper2lambda", "parses Hyperlambda text into children (data until something evaluates it)", anyValue, whitelist.NoChildren, whitelist.Pure,
		whitelist.Arg{Name: "comments", Type: "bool"}), slotHyper2Lambda)
	e.mustRegister(whitelist.Signature{Name: "lambda2hyper", Doc: "value becomes the Hyperlambda text of the selected nodes or of its children",
		Value: anyValue, Children: whitelist.Data, OptionsBesideValue: true,
		Args: []whitelist.Arg{{Name: "comments", Type: "bool", Doc: "with an expression only: write comment nodes as comments"}}}, slotLambda2Hyper)
	e.mustRegister(sig("yield", "returns its children (or copies of the nodes its expression selects) with expressions replaced by their values", anyValue, whitelist.Data, whitelist.Pure), slotYield)
	e.mustRegister(whitelist.Signature{Name: "execute", Doc: "like [signal], with argument expressions unwrapped first",
		Value: whitelist.ValueSpec{Type: "string", Required: true, Expr: true}, Children: whitelist.Arguments, Effects: whitelist.SpawnsCode, Dynamic: true}, slotExecute)
	e.mustRegister(whitelist.Signature{Name: "try-signal", Doc: "like [signal], doing nothing when the slot does not exist or the policy denies it",
		Value: whitelist.ValueSpec{Type: "string", Required: true, Expr: true}, Children: whitelist.Arguments, Effects: whitelist.SpawnsCode, Dynamic: true}, slotSignal)
	e.mustRegister(sig("slots.exists", "whether a dynamic slot exists", whitelist.ValueSpec{Type: "string", Required: true, Expr: true}, whitelist.NoChildren, whitelist.Pure), slotSlotsIntrospect)
	e.mustRegister(sig("slots.get", "a copy of a dynamic slot's body", whitelist.ValueSpec{Type: "string", Required: true, Expr: true}, whitelist.NoChildren, whitelist.Pure), slotSlotsIntrospect)
	e.mustRegister(whitelist.Signature{Name: "slots.delete", Doc: "deletes a dynamic slot",
		Value: whitelist.ValueSpec{Type: "string", Required: true, Expr: true}, Effects: whitelist.SpawnsCode}, slotSlotsIntrospect)
	e.mustRegister(sig("slots.vocabulary", "names of the dynamic slots, optionally containing its value", anyValue, whitelist.NoChildren, whitelist.Pure), slotSlotsVocabulary)
}

func slotSwitch(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	var chosen *hyperlambda.Node
	kids := n.Children()
	for i, c := range kids {
		switch c.Name {
		case "case":
			cv, err := value(c)
			if err != nil {
				return err
			}
			if cmp, ok := compare(v, cv); chosen == nil && ((v == nil && cv == nil) || (ok && cmp == 0)) {
				// An empty case falls through to the next one with children.
				for j := i; j < len(kids) && chosen == nil; j++ {
					if kids[j].Len() > 0 {
						chosen = kids[j]
					}
				}
			}
		case "default":
			if c.Value != nil {
				return errors.New("[default] takes no value")
			}
		default:
			return fmt.Errorf("[switch] takes only [case] and [default] children, not [%s]", c.Name)
		}
	}
	if chosen == nil {
		for _, c := range kids {
			if c.Name == "default" {
				chosen = c
			}
		}
	}
	if chosen == nil {
		return nil
	}
	// Dispatch by name through the guard, like every other binding.
	return r.Signal(chosen.Name, chosen)
}

func slotCase(r *Run, n *hyperlambda.Node) error {
	if p := n.Parent(); p == nil || p.Name != "switch" {
		return fmt.Errorf("[%s] must be a child of [switch]", n.Name)
	}
	return r.Eval(n)
}

func slotGetFirstValue(r *Run, n *hyperlambda.Node) error {
	if n.Value != nil {
		nodes, err := selected(n)
		if err != nil {
			return err
		}
		for _, s := range nodes {
			if s.Value != nil {
				n.Value = s.Value
				return nil
			}
		}
		n.Value = nil
		return nil
	}
	for _, c := range n.Children() {
		v, err := r.ValueOf(c)
		if err != nil {
			return err
		}
		if v != nil {
			n.Value = v
			return nil
		}
	}
	return nil
}

func slotUnwrap(r *Run, n *hyperlambda.Node) error {
	nodes, err := selected(n)
	if err != nil {
		return err
	}
	applyLists, _, err := r.Arg(n, "apply-lists")
	if err != nil {
		return err
	}
	for _, s := range nodes {
		if err := r.unwrapOne(s, applyLists == true); err != nil {
			return err
		}
	}
	return nil
}

// unwrapOne is the reference's Expression.Unwrap of one node: an
// expression value is evaluated once (one level, not followed further)
// and replaced by the first result's value. Several results are an error
// unless applyLists is set: then copies of them are added as children,
// and an expression ending in * leaves the value null. With applyLists a
// node named node_reference gets a reference to its one result.
func (r *Run) unwrapOne(s *hyperlambda.Node, applyLists bool) error {
	x, ok := s.Value.(*hyperlambda.Expression)
	if !ok {
		return nil
	}
	star := x.EndsWithChildren()
	if !applyLists || (!star && s.Name != "node_reference") {
		// One node at most (the usual argument): its value, no set.
		if m, ok := x.EvaluateSingle(s); ok {
			s.Value = nil
			if m != nil {
				s.Value = m.Value
			}
			return nil
		}
	}
	res, err := x.Evaluate(s)
	if err != nil {
		return err
	}
	if applyLists && s.Name == "node_reference" {
		if len(res) > 1 {
			return fmt.Errorf("[node_reference] expression %s selects %d nodes where one is expected", x, len(res))
		}
		s.Value = nil
		if len(res) == 1 {
			s.Value = res[0]
			r.MadeNodeValue() // from data the static check cannot see
		}
		return nil
	}
	if len(res) > 1 || (applyLists && star) {
		if !applyLists {
			return fmt.Errorf("expression %s of [%s] selects %d nodes where one is expected (apply-lists:bool:true adds them as children)", x, s.Name, len(res))
		}
		if err := r.addClones(s, res); err != nil {
			return err
		}
		if star {
			s.Value = nil
			return nil
		}
	}
	s.Value = nil
	if len(res) > 0 {
		s.Value = res[0].Value
	}
	return nil
}

// unwrapArguments unwraps every descendant of n with lists applied, as
// [execute] and [yield] do to their arguments: parents before children,
// so copies added by a list are unwrapped in turn where they now stand.
func (r *Run) unwrapArguments(n *hyperlambda.Node, depth int) error {
	if depth > r.budgets.Depth {
		return &BudgetError{Budget: "depth", Limit: int64(r.budgets.Depth), Used: int64(depth)}
	}
	for i := 0; i < n.Len(); i++ {
		c := n.Child(i)
		if err := r.unwrapOne(c, true); err != nil {
			return err
		}
		if err := r.unwrapArguments(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func slotReference(r *Run, n *hyperlambda.Node) error {
	nodes, err := selected(n)
	if err != nil {
		return err
	}
	if len(nodes) != 1 {
		return fmt.Errorf("needs exactly one node, the expression selects %d", len(nodes))
	}
	n.Value = nodes[0]
	r.MadeNodeValue()
	return nil
}

func slotType(r *Run, n *hyperlambda.Node) error {
	s, err := single(n)
	if err != nil {
		return err
	}
	n.Value = nil
	if s != nil && s.Value != nil {
		n.Value = hyperlambda.TypeOf(s.Value)
	}
	return nil
}

func slotConvert(r *Run, n *hyperlambda.Node) error {
	t, _, err := r.Arg(n, "type")
	if err != nil {
		return err
	}
	typ, _ := t.(string)
	if typ == "" {
		return errors.New("needs [type], e.g. type:int")
	}
	v, err := value(n)
	if err != nil {
		return err
	}
	n.Clear()
	if v == nil {
		n.Value = nil
		return nil
	}
	s := hyperlambda.StringOf(v)
	if _, isStr := v.(string); !isStr {
		_, s, _ = hyperlambda.ValueText(v)
	}
	switch typ {
	case "base64", "base64-url":
		raw, isBytes := v.([]byte)
		if !isBytes {
			raw = []byte(hyperlambda.StringOf(v))
		}
		if typ == "base64" {
			n.Value = base64.StdEncoding.EncodeToString(raw)
		} else {
			n.Value = base64.RawURLEncoding.EncodeToString(raw) // unpadded, - and _, as the reference
		}
	case "from-base64":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return fmt.Errorf("not base64: %v", err)
		}
		n.Value = b // bytes, as the reference (convert to string reads them as UTF-8)
	case "bytes":
		n.Value = []byte(hyperlambda.StringOf(v))
	case "string":
		n.Value = hyperlambda.StringOf(v)
	case "node":
		// A lambda parsed into the value: within the depth budget and
		// counted like [hyper2lambda]'s (audit 16: each conversion of a
		// counted text made its nodes for free).
		root, err := hyperlambda.ConvertNode(s, r.ParseOptions(false))
		if stopped := r.ParseStopped(err); stopped != nil {
			return stopped
		}
		if err != nil {
			return err
		}
		count, _ := countNodes(root, 0)
		if err := r.Created(count); err != nil {
			return err
		}
		r.MadeNodeValue()
		n.Value = root
	default:
		out, err := hyperlambda.ConvertText(s, typ)
		if err != nil {
			return err
		}
		n.Value = out
	}
	return r.Output(sizeOf(n.Value))
}

func slotCompose(r *Run, n *hyperlambda.Node) error {
	if err := r.Eval(n); err != nil {
		return err
	}
	var parts []string
	for _, c := range n.Children() {
		v, err := value(c)
		if err != nil {
			return err
		}
		parts = append(parts, hyperlambda.StringOf(v))
	}
	x, err := hyperlambda.ParseExpression(strings.Join(parts, "/"))
	if err != nil {
		return err
	}
	n.Clear()
	n.Value = x
	return nil
}

func slotContext(r *Run, n *hyperlambda.Node) error {
	name, _ := n.Value.(string)
	val, _, err := r.Arg(n, "value")
	if err != nil {
		return err
	}
	lambda, err := r.ArgNode(n, ".lambda")
	if err != nil {
		return err
	}
	if name == "" || lambda == nil {
		return errors.New("needs a name as its value and a [.lambda]")
	}
	if r.context == nil {
		r.context = map[string][]contextValue{}
	}
	r.context[name] = append(r.context[name], contextValue{val, r.policy})
	defer func() { r.context[name] = r.context[name][:len(r.context[name])-1] }()
	return r.Eval(lambda)
}

func slotGetContext(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	name := hyperlambda.StringOf(v)
	stack := r.context[name]
	n.Value = nil
	if len(stack) == 0 {
		return nil
	}
	top := stack[len(stack)-1]
	// A node value is shared, not copied: like a node passed to a dynamic
	// slot, it may reach code that is narrower than the code that set it
	// (a slot planted by sandboxed code, called inside the [context])
	// only when the setter's policy narrows the reader's.
	if node, ok := top.value.(*hyperlambda.Node); ok && node != nil && top.policy != r.policy && !top.policy.Narrows(r.policy) {
		reason := fmt.Sprintf("[context] %s holds a node set under policy %s; code running under policy %s could change what runs under %s",
			name, top.policy.Name, r.policy.Name, top.policy.Name)
		return r.deny(n.Name, n, reason)
	}
	// Text too: code whose policy restricts what the setter's did not (a
	// slot planted by narrower code, called inside the [context]) does
	// not read it (audit 15).
	if top.policy != r.policy && r.policy.RestrictsMoreThan(top.policy) {
		return nil
	}
	n.Value = top.value
	return nil
}

// contextValue is a [context] value and the policy of the code that set
// it.
type contextValue struct {
	value  any
	policy *whitelist.Policy
}

func slotVocabulary(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	prefix := hyperlambda.StringOf(v)
	n.Clear()
	n.Value = nil
	var names []string
	for _, name := range r.engine.Names() {
		s, _ := r.engine.Signature(name)
		if IsStatement(name) && strings.HasPrefix(name, prefix) && r.policy.Allows(name, s).Allowed {
			names = append(names, name)
		}
	}
	// As the reference: names without a dot first, each group alphabetical.
	sort.SliceStable(names, func(i, j int) bool {
		di, dj := strings.Contains(names[i], "."), strings.Contains(names[j], ".")
		if di != dj {
			return dj
		}
		return names[i] < names[j]
	})
	if err := r.Created(len(names)); err != nil {
		return err
	}
	for _, name := range names {
		n.Add(hyperlambda.New("", name))
	}
	return nil
}

// slotTypes adds one child per type name, in the reference's order.
func slotTypes(r *Run, n *hyperlambda.Node) error {
	if err := r.Created(len(hyperlambda.TypeNames)); err != nil {
		return err
	}
	for _, t := range hyperlambda.TypeNames {
		n.Add(hyperlambda.New("", t))
	}
	return nil
}

func slotInvoke(r *Run, n *hyperlambda.Node) error {
	target, err := single(n)
	if err != nil {
		return err
	}
	if target == nil {
		return errors.New("the expression selects no lambda")
	}
	body, err := r.Clone(target)
	if err != nil {
		return err
	}
	for _, c := range append([]*hyperlambda.Node(nil), body.Children()...) {
		if c.Name == ".arguments" {
			c.Detach()
		}
	}
	args := hyperlambda.New(".arguments", nil)
	moveChildren(args, n)
	body.Insert(0, args)
	res, err := r.evalScoped(body)
	if err != nil {
		return err
	}
	return takeResult(n, res)
}

// takeResult moves a function's result into the calling node.
func takeResult(n, res *hyperlambda.Node) error {
	n.Clear()
	n.Value = res.Value
	moveChildren(n, res)
	return nil
}

func commentsArg(r *Run, n *hyperlambda.Node) (bool, error) {
	v, _, err := r.Arg(n, "comments")
	return v == true, err
}

// ParseOptions are for parsing text into the run's nodes: within its
// depth budget, stopping past the nodes it has left before allocating for
// more (a parse sizes its arrays by the text's line count: a megabyte of
// line breaks was tens of megabytes before the count refused them). What
// a parse makes is still counted with Created.
func (r *Run) ParseOptions(comments bool) hyperlambda.ParseOptions {
	left := max(r.budgets.Nodes-r.usage.Nodes, 1)
	return hyperlambda.ParseOptions{Comments: comments, MaxDepth: r.budgets.Depth, MaxNodes: int(min(left, math.MaxInt32))}
}

// ParseStopped is the nodes budget's error when err is a parse with
// ParseOptions stopping at its limit, and nil for any other error.
func (r *Run) ParseStopped(err error) error {
	var se *hyperlambda.SyntaxError
	if errors.As(err, &se) && se.Kind == hyperlambda.ErrMaxNodes {
		// Used: at least one over, where the parse stopped.
		return &BudgetError{Budget: "nodes", Limit: r.budgets.Nodes, Used: r.budgets.Nodes + 1}
	}
	return nil
}

func slotHyper2Lambda(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	comments, err := commentsArg(r, n)
	if err != nil {
		return err
	}
	root, err := hyperlambda.ParseString(hyperlambda.StringOf(v), r.ParseOptions(comments))
	if stopped := r.ParseStopped(err); stopped != nil {
		return stopped
	}
	if err != nil {
		return err
	}
	count, nodeValues := countNodes(root, 0)
	if err := r.Created(count); err != nil {
		return err
	}
	if nodeValues {
		r.MadeNodeValue() // a :node: value in the text
	}
	// The parsed code is data here; whatever evaluates it later passes the guard.
	n.Clear()
	n.Value = nil
	moveChildren(n, root)
	return nil
}

// slotLambda2Hyper writes the nodes its expression selects, or else its
// children, as Hyperlambda. [comments] is an option only beside an
// expression: without one every child is data, whatever its name.
func slotLambda2Hyper(r *Run, n *hyperlambda.Node) error {
	var comments bool
	var nodes []*hyperlambda.Node
	if _, isExpr := n.Value.(*hyperlambda.Expression); isExpr {
		c, err := commentsArg(r, n)
		if err != nil {
			return err
		}
		if nodes, err = selected(n); err != nil {
			return err
		}
		comments = c
	} else {
		if n.Value == nil && n.Len() == 0 {
			return errors.New("needs an expression or children to write")
		}
		nodes = n.Children()
	}
	// Nodes can share one long value (set-value copies a reference): the
	// text is refused before it is built when even its names and texts
	// alone would not fit (audit 16).
	if err := r.OutputRoom(leastTextOf(nodes)); err != nil {
		return err
	}
	text := hyperlambda.Format(nodes, hyperlambda.FormatOptions{Comments: comments})
	if err := r.Output(len(text)); err != nil {
		return err
	}
	// The children stay, as in the reference (they are data).
	n.Value = text
	return nil
}

// leastTextOf is a lower bound of the length of the nodes' Hyperlambda
// text: their names and text values, without quoting or indentation.
func leastTextOf(nodes []*hyperlambda.Node) int {
	size := 0
	for _, n := range nodes {
		size += len(n.Name)
		switch v := n.Value.(type) {
		case string:
			size += len(v)
		case []byte:
			size += len(v)
		}
		size += leastTextOf(n.Children())
	}
	return size
}

// UnwrapAll replaces every expression value under n with its value, read
// where it stands (followed to the end, several results an error): what a
// recorded message does to its payload. [yield] and [execute] unwrap as
// the reference does instead (unwrapArguments).
func UnwrapAll(n *hyperlambda.Node) error {
	var err error
	n.Walk(func(d *hyperlambda.Node) bool {
		if err != nil {
			return false
		}
		if _, ok := d.Value.(*hyperlambda.Expression); ok && d != n {
			var v any
			if v, err = value(d); err == nil {
				d.Value = v
			}
		}
		return true
	})
	return err
}

// slotYield is [return-nodes] after unwrapping every descendant with
// lists applied: its children, or copies of what its expression selects.
func slotYield(r *Run, n *hyperlambda.Node) error {
	if err := r.unwrapArguments(n, n.Depth()); err != nil {
		return err
	}
	res := r.result()
	if n.Value != nil {
		nodes, err := selected(n)
		if err != nil {
			return err
		}
		return r.addClones(res, nodes)
	}
	moveChildren(res, n)
	return nil
}

func slotExecute(r *Run, n *hyperlambda.Node) error {
	if err := r.unwrapArguments(n, n.Depth()); err != nil {
		return err
	}
	return slotSignal(r, n)
}

func slotSlotsIntrospect(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	name := hyperlambda.StringOf(v)
	r.engine.mu.Lock()
	defer r.engine.mu.Unlock()
	dyn, ok := r.engine.dynamic[name]
	switch n.Name {
	case "slots.exists":
		// As [slots.vocabulary]: a slot the policy may not call is not
		// there for it (audit 9).
		n.Value = ok && r.policy.Allows(name, &dynamicSig).Allowed
	case "slots.delete":
		if ok {
			if err := r.mayReplace(n, name, dyn); err != nil {
				return err
			}
		}
		delete(r.engine.dynamic, name)
	case "slots.get":
		n.Value = nil
		if ok && !whitelist.SameAuthority(r.policy, dyn.policy) {
			// The body is code written under another authority: fetched
			// and evaluated by a wider run it would run under that run's
			// policy (audit 8), and a narrower run may not read what a
			// wider one wrote into it (audit 9).
			return r.Deny(n, fmt.Sprintf("slot %s was created under policy %s, and policy %s grants other things: a body is handed out only under the same authority",
				name, dyn.policy.Name, r.policy.Name))
		}
		if ok && dyn.body.HoldsNodeValues() {
			r.MadeNodeValue() // the copy holds node values of its own
		}
		if ok {
			body, err := r.Clone(dyn.body.Root())
			if err != nil {
				return err
			}
			moveChildren(n, body)
		}
	}
	return nil
}

func slotSlotsVocabulary(r *Run, n *hyperlambda.Node) error {
	v, err := value(n)
	if err != nil {
		return err
	}
	filter := hyperlambda.StringOf(v)
	r.engine.mu.RLock()
	var names []string
	for name := range r.engine.dynamic {
		if strings.Contains(name, filter) && r.policy.Allows(name, &dynamicSig).Allowed {
			names = append(names, name)
		}
	}
	r.engine.mu.RUnlock()
	sort.Strings(names)
	n.Value = nil
	for _, name := range names {
		n.Add(hyperlambda.New("", name))
	}
	return r.Created(len(names))
}
