package engine

import (
	"sync"

	"hlstudio/hyperlambda"
)

// A call of a dynamic slot runs a copy of its body, as the reference does:
// the body's statements write their results into their own nodes. Making
// and collecting that copy was most of the time of a call (recursion
// through [execute] spent ~70% of its time there). A run therefore keeps
// the copies of a body it has finished with and makes one over in place
// for the next call (hyperlambda.Instance), and keeps emptied result
// scopes for the next call too. That is sound only when nothing can refer
// to those nodes once the call returns, and nothing observes that they
// are made over. A program reaches a node other than through its own tree
// only by a handle: a node value ([reference], [.dp], node_reference, and
// their copies). While a call runs, its copy is reachable through the
// parents of nodes hanging off it (its [.arguments], which are the
// caller's nodes, its callees' results), so a handle on an argument, made
// before the call or during it, reaches the copy; and after the call, a
// handle on an argument sees where the argument now hangs (a fresh copy
// keeps it; a reused one lets it go). Two adversarial audits found such
// ways through narrower rules (engine/vocab/testdata/reuse-*.txtar, and
// result scopes forged through a handle: reuse-scope-*.txtar); a third
// and a fourth, node values made without the flag (reuse-convert-*,
// reuse-sort-*, reuse-include-*, TestReuseAcrossRuns).
// So:
//
//   - no copy or scope is made over once the run has made any node value
//     (Run.MadeNodeValue; the flag never clears): without handles a
//     program reaches only its own tree, which holds neither the copy
//     nor the scope after the call. The slots that make a handle on a
//     node of the run are [reference], [for-each] and [include] ([.dp]),
//     [sort] ([.lhs], [.rhs]) and node_reference (found by boxing a
//     *Node into a value anywhere in engine/, with go/ssa: that list and
//     the cloner's mapping are all); a copy of a tree holding a node
//     value (Run.Clone) makes handles on the copy's nodes; parsers
//     ([convert] type:node, [hyper2lambda], csv, templates, a file or
//     task run as code, an HTTP body) make node values of new trees,
//     which become handles on the run's nodes only through such a copy:
//     such a handle is on a new tree's root, and no slot moves a root
//     into another tree (slots copy what they add; [eval] runs the tree
//     in place, where only the root's descendants move, as a call's
//     arguments). A slot that moved a node picked by an expression would
//     break this and must mark the run (reuse-parsed-eval-in-place);
//     the input, a call's arguments, a dynamic slot's body (bodies
//     outlive the run that made them) and [slots.get] can bring some in.
//     Each of these marks the run;
//   - the body uses only the slots in reusableSlots and holds no node
//     value (reusableBody), and no body that is not reusable was called
//     while it ran (exposeCalls): margins beyond the rule above;
//   - what the call returns holds none of the copy's nodes (holdsNodeOf:
//     [return] with children moves them out);
//   - a call that fails is dropped.
//
// Held nodes. A handle is not the only way to keep a node: a slot still
// running holds its own node and what it selected before running its
// children ([set-value], [insert-after] and [add] select their targets
// first; [eval] selects all its targets first), and through them their
// parents. Such a node can be moved into a call's [.arguments] while it
// is held (it is the call's argument, or a statement running inside one
// once an [eval] re-enters a node above it), and looked at after the
// call: a fresh copy would leave it inside the finished copy, a copy made
// over must not. So after every call, made over or not, when the run has
// no handles, the [.arguments] node is detached from the copy and its
// children let go (no parent): held nodes see the same either way
// (audit 6: reuse-held-*), and none leads into a copy. With handles,
// nothing is made over and the arguments stay, as in the reference.
// Held nodes are also why a body running under a narrower policy than its
// caller's gets copies of the arguments (slotSignal): the caller may run
// what it holds after the call, under its own policy (audit 7).
// Nodes of the copy itself cannot be held past the call: the copy is new
// to the call or was made over for it, every frame that started inside
// the call has ended, and what the call returns holds none of them.
//
// Everything else (the node budget a call counts, the guard, the policy a
// body runs under) is as for a fresh copy.

// MadeNodeValue tells the run that a slot made a node value (a handle on
// a node, as [reference] does): from then on the run makes no copy over.
// A slot that stores a node in a value calls it.
func (r *Run) MadeNodeValue() { r.handles = true }

// reuseCopies is off only in tests that check both ways give the same
// (copies and result scopes alike).
var reuseCopies = true

// reusableSlots are the slots a reusable body may use: each writes
// values, bools, numbers or text into nodes of the tree it runs in, or
// (execute, signal, try-signal) calls another body (a body that is not
// reusable exposes the calls in progress).
var reusableSlots = map[string]bool{
	"if": true, "else-if": true, "else": true, "while": true,
	"eq": true, "neq": true, "lt": true, "lte": true, "mt": true, "mte": true,
	"and": true, "or": true, "not": true,
	"get-value": true, "get-name": true, "get-count": true,
	"exists": true, "not-exists": true, "null": true, "not-null": true,
	"set-value": true, "return": true, "return-value": true,
	"execute": true, "signal": true, "try-signal": true,
	"math.add": true, "math.subtract": true, "math.multiply": true, "math.divide": true,
	"math.modulo": true, "math.max": true, "math.min": true,
	"math.increment": true, "math.decrement": true,
	"strings.concat": true,
}

// reusableBody reports whether copies of body may be made over: every
// node that can run is a reusable slot (the children of [execute],
// [signal], [try-signal] and [return] are their data, never run; a data
// node's children run only under [.lambda]), no argument is named
// node_reference ([execute] would put a node value there), and no value
// is a node.
func reusableBody(body *hyperlambda.Node) bool {
	var walk func(n *hyperlambda.Node, code bool) bool
	walk = func(n *hyperlambda.Node, code bool) bool {
		if _, isNode := n.Value.(*hyperlambda.Node); isNode || n.Name == "node_reference" {
			return false
		}
		statement := code && IsStatement(n.Name)
		if statement && !reusableSlots[n.Name] {
			return false
		}
		switch {
		case statement && (n.Name == "execute" || n.Name == "signal" || n.Name == "try-signal" || n.Name == "return"):
			code = false
		case !statement:
			code = n.Name == ".lambda"
		}
		for _, c := range n.Children() {
			if !walk(c, code) {
				return false
			}
		}
		return true
	}
	for _, c := range body.Children() {
		if !walk(c, true) {
			return false
		}
	}
	return true
}

// activation is a call of a dynamic slot in progress.
type activation struct {
	exposed bool // a body that is not reusable ran while it did
}

// exposeCalls marks every call in progress exposed: a body that could
// take a handle on any node it reaches is about to run. Their copies are
// dropped when they end.
func (r *Run) exposeCalls() {
	for i := range r.calls {
		r.calls[i].exposed = true
	}
}

// spareCopies are the copies of one body a run is not using.
type spareCopies struct {
	t    *hyperlambda.Template
	pool *sparePool // the slot's, where they go when the run ends
	free []*hyperlambda.Instance
}

// spareOf is the run's list for t (a run calls few bodies: a short scan
// beats hashing on every call).
func (r *Run) spareOf(t *hyperlambda.Template) *spareCopies {
	for i := range r.spare {
		if r.spare[i].t == t {
			return &r.spare[i]
		}
	}
	r.spare = append(r.spare, spareCopies{t: t})
	return &r.spare[len(r.spare)-1]
}

// instance is a copy of dyn's body for a call: one the run finished
// with, one an earlier run left, or new.
func (r *Run) instance(dyn dynamicSlot) *hyperlambda.Instance {
	s := r.spareOf(dyn.body)
	if inst, ok := popLast(&s.free); ok {
		return inst
	}
	s.pool = dyn.spares
	if inst := s.pool.take(); inst != nil {
		return inst
	}
	return dyn.body.Instance()
}

// putBack makes a finished call's copy over and keeps it for the next.
func (r *Run) putBack(inst *hyperlambda.Instance) {
	inst.Reset()
	s := r.spareOf(inst.Template())
	s.free = append(s.free, inst)
}

// Across runs. A program run again and again (the studio's Run, a
// server's endpoint) creates the same slots each time; slots.create keeps
// a slot whose body and policy are the same, and with it the copies runs
// left (sparePool): made over, they are what a fresh copy is, and nothing
// reaches them (they hang nowhere, and none of their nodes points out of
// them). A run hands its spare copies to the slot when it ends, and takes
// one from there whenever it has none of its own. Without that, each run
// made the copies of its recursion's depth again, and collecting them
// was a quarter of a short recursive run's time.

// sparePool holds copies of a slot's body no run is using. Runs on one
// engine may run at once, hence the lock.
type sparePool struct {
	mu   sync.Mutex
	free []*hyperlambda.Instance
	max  int // copies kept at most
}

// spareNodesKept bounds the nodes of the copies a slot keeps between runs
// (a node and its snapshot take ~170 bytes: ~11 MB): memory held for the
// next run, not a bound on anything a run may do. A slot keeps at least
// one copy.
const spareNodesKept = 1 << 16

// newSparePool is the pool of a slot whose body has nodes nodes.
func newSparePool(nodes int) *sparePool {
	return &sparePool{max: max(spareNodesKept/max(nodes, 1), 1)}
}

// take returns a copy no run is using, or nil.
func (p *sparePool) take() *hyperlambda.Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	inst, _ := popLast(&p.free)
	return inst
}

// popLast removes the last element of *list and returns it (the zero
// value and false when the list is empty), clearing its place so that
// the list does not keep it alive.
func popLast[T any](list *[]T) (last T, ok bool) {
	k := len(*list)
	if k == 0 {
		return last, false
	}
	last = (*list)[k-1]
	clear((*list)[k-1:])
	*list = (*list)[:k-1]
	return last, true
}

// handBackSpares gives the slots the copies the run kept.
func (r *Run) handBackSpares() {
	for i := range r.spare {
		s := &r.spare[i]
		if s.pool == nil || len(s.free) == 0 {
			continue
		}
		s.pool.mu.Lock()
		room := max(s.pool.max-len(s.pool.free), 0)
		s.pool.free = append(s.pool.free, s.free[:min(room, len(s.free))]...)
		s.pool.mu.Unlock()
		clear(s.free)
		s.free = s.free[:0]
	}
}

// argumentsNode is an empty [.arguments] node for a call: one a finished
// call left (see keepArguments), or new.
func (r *Run) argumentsNode() *hyperlambda.Node {
	if !r.handles && reuseCopies {
		if args, ok := popLast(&r.argNodes); ok {
			return args
		}
	}
	return hyperlambda.New(".arguments", nil)
}

// keepArguments keeps the (detached, emptied) [.arguments] node of a call
// whose copy is made over, for the next call: nothing can reach it, and
// its former children no longer point at it.
func (r *Run) keepArguments(args *hyperlambda.Node) {
	args.Name, args.Value, args.Pos = ".arguments", nil, hyperlambda.Pos{}
	r.argNodes = append(r.argNodes, args)
}

// holdsNodeOf reports whether n's value or subtree (a call's result)
// holds one of inst's nodes, as a child or as a node value.
func holdsNodeOf(n *hyperlambda.Node, inst *hyperlambda.Instance) bool {
	if v, ok := n.Value.(*hyperlambda.Node); ok && inst.Owns(v) {
		return true
	}
	for _, c := range n.Children() {
		if inst.Owns(c) || holdsNodeOf(c, inst) {
			return true
		}
	}
	return false
}
