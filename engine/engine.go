package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unsafe"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// SlotFunc implements a slot: it reads its arguments from n (value and
// children) and writes its result back into n.
type SlotFunc func(r *Run, n *hyperlambda.Node) error

// Slot is a signature and its implementation.
type Slot struct {
	Sig whitelist.Signature
	Fn  SlotFunc

	index   int  // position in the registry, for per-run decision caches
	checked bool // the signature constrains the value or names arguments
}

// Engine holds the registry of slots, built at start from Go code, and
// the dynamic slots created at run time. It is safe for concurrent runs.
type Engine struct {
	slots map[string]*Slot
	names []string

	mu      sync.RWMutex
	dynamic map[string]dynamicSlot
}

type dynamicSlot struct {
	body   *hyperlambda.Template // a parentless clone of the slots.create node
	nodes  int                   // what a copy of body counts against the node budget
	policy *whitelist.Policy     // the policy of the run that created it
	// reusable: the body keeps no handle on its nodes past a call (see
	// reusableBody), so a run may make a used copy over for the next call.
	reusable bool
	// spares are made-over copies of body that runs finished with, for
	// the next run's calls (see reuse.go, "Across runs").
	spares *sparePool
}

// New returns an engine with the core vocabulary registered.
func New() *Engine {
	e := &Engine{slots: map[string]*Slot{}, dynamic: map[string]dynamicSlot{}}
	registerCore(e)
	return e
}

// Register adds a slot. Names are exact and case-sensitive; registering a
// name twice is an error.
func (e *Engine) Register(s Slot) error {
	if s.Sig.Name == "" || s.Fn == nil {
		return errors.New("engine: a slot needs a name and a function")
	}
	if _, dup := e.slots[s.Sig.Name]; dup {
		return fmt.Errorf("engine: slot %q registered twice", s.Sig.Name)
	}
	checked := s.Sig.Value.Required || s.Sig.Value.Type != "" || len(s.Sig.Args) > 0
	e.slots[s.Sig.Name] = &Slot{Sig: s.Sig, Fn: s.Fn, index: len(e.slots), checked: checked}
	e.names = append(e.names, s.Sig.Name)
	sort.Strings(e.names)
	return nil
}

// RegisterAll registers slots in order, stopping at the first error: how
// a family adds itself.
func (e *Engine) RegisterAll(slots ...Slot) error {
	for _, s := range slots {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) mustRegister(sig whitelist.Signature, fn SlotFunc) {
	if err := e.Register(Slot{Sig: sig, Fn: fn}); err != nil {
		panic(err)
	}
}

// Signature implements whitelist.Vocabulary.
func (e *Engine) Signature(name string) (*whitelist.Signature, bool) {
	s, ok := e.slots[name]
	if !ok {
		return nil, false
	}
	return &s.Sig, true
}

// ForgetDynamicSlots removes every dynamic slot (they outlive runs) and
// returns how many there were: a person starting over, or one who ran a
// snippet under another policy, whose slots a run may not replace.
func (e *Engine) ForgetDynamicSlots() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := len(e.dynamic)
	clear(e.dynamic)
	return n
}

// Names implements whitelist.Vocabulary: every registered slot, sorted.
func (e *Engine) Names() []string { return e.names }

// Usage is what a run consumed, reported for every run.
type Usage struct {
	Steps       int64         `json:"steps"`
	Nodes       int64         `json:"nodes"`
	MaxDepth    int           `json:"max_depth"`
	OutputBytes int64         `json:"output_bytes"`
	Duration    time.Duration `json:"duration_ns"`
}

// Denial records one refused binding.
type Denial struct {
	Slot   string `json:"slot"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
	// Policy names the policy in force when it is not the run's (a
	// dynamic slot's body, a [whitelist]): the path is then in that code.
	Policy string `json:"policy,omitempty"`
}

// Result is the outcome of a run.
type Result struct {
	Lambda  *hyperlambda.Node // the executed (mutated) tree
	Value   any               // what [return] and friends produced
	Nodes   []*hyperlambda.Node
	Usage   Usage
	Denials []Denial
	Log     []LogEntry
	Policy  string // name
	Hash    string // policy hash
	// Extensions is the state families kept for this run (an endpoint's
	// response status and headers), by the key they chose.
	Extensions map[any]any
}

// Run is one execution: the scope stack, the active policy, the budgets
// and their usage. Slots receive it; every binding goes through Signal.
type Run struct {
	engine   *Engine
	base     context.Context // the caller's: cancelling it stops the run
	deadline time.Time       // when the time budget runs out
	ctx      context.Context // base with the deadline, made on first use
	cancel   context.CancelFunc
	policy   *whitelist.Policy
	budgets  whitelist.Budgets
	start    time.Time

	usage   Usage
	depth   int
	results []*hyperlambda.Node  // result scopes; the last is active
	stmts   []*hyperlambda.Node  // statement snapshots of the evaluations in progress
	sig     *whitelist.Signature // the slot being invoked, for Arg
	// allowed caches the active policy's decision per registry slot
	// (0 not yet asked, 1 allowed): policies are immutable, so a decision
	// holds until the active policy changes. Denials are never cached, so
	// each one is recorded with its own path.
	allowed []uint8
	ext     map[any]any // per-run state of families, see Extension
	names   *[64]nameCacheEntry
	lookups int // before names exists
	denials []Denial
	log     []LogEntry
	context map[string][]contextValue // [context] values by name, innermost last
	ints    []int32                   // the slab Int32 boxes into
	// The copies of reusable dynamic slot bodies a run has made and is
	// not using, by template; and the calls in progress, innermost last.
	spare    []spareCopies
	scopes   []*hyperlambda.Node // emptied result scopes of finished calls
	argNodes []*hyperlambda.Node // emptied [.arguments] nodes of finished calls
	// handles: a node value (a handle on a node) has existed in this run;
	// from then on no copy or scope is made over (see reuse.go).
	handles bool
	calls   []activation
	// runPolicy is the policy the run was started under; foreign is the
	// policy of the foreign code running now (nil otherwise): see Foreign.
	runPolicy *whitelist.Policy
	foreign   *whitelist.Policy
	root      *hyperlambda.Node // the tree the run was given
	// foreignExt is the family state of foreign code, by the authority
	// of its policy (see Extension).
	foreignExt map[string]map[any]any
	held       int64 // selected nodes kept by slots running code (see hold)
}

// Execute runs lambda (a root whose children are statements) in place
// under policy. The tree is mutated like the reference playground shows.
func (e *Engine) Execute(ctx context.Context, lambda *hyperlambda.Node, policy *whitelist.Policy) (*Result, error) {
	res, _, err := e.execute(ctx, lambda, policy)
	return res, err
}

// execute is Execute, also returning the finished run (for tests).
func (e *Engine) execute(ctx context.Context, lambda *hyperlambda.Node, policy *whitelist.Policy) (*Result, *Run, error) {
	budgets := policy.Budgets
	start := time.Now()
	// The deadline context (a runtime timer) is made only when a slot
	// asks for it (see Context): a pure run checks the clock in Step, and
	// the timer was a quarter of a short run's time.
	r := &Run{engine: e, base: ctx, policy: policy, runPolicy: policy, root: lambda, budgets: budgets, start: start, deadline: start.Add(budgets.Time)}
	defer r.release()
	result := &hyperlambda.Node{}
	r.results = append(r.results, result)
	err := r.checkTree(lambda)
	if err == nil {
		err = r.evalGuarded(lambda)
	}
	if _, broke := err.(*InternalError); !broke {
		r.handBackSpares()
	}
	r.usage.Duration = time.Since(r.start)
	res := &Result{Lambda: lambda, Value: result.Value, Nodes: result.Children(), Usage: r.usage,
		Denials: r.denials, Log: r.log, Policy: policy.Name, Hash: policy.Hash, Extensions: r.ext}
	return res, r, err
}

// evalGuarded evaluates the lambda and turns a panic in a slot (a bug,
// never the tree's fault) into an InternalError naming the slot, so no
// panic reaches the person or takes the studio down.
func (r *Run) evalGuarded(lambda *hyperlambda.Node) (err error) {
	defer func() {
		if p := recover(); p != nil {
			slot := ""
			if r.sig != nil {
				slot = r.sig.Name
			}
			err = &InternalError{Slot: slot, Panic: fmt.Sprint(p), Stack: string(debug.Stack())}
		}
	}()
	return r.Eval(lambda)
}

// checkTree bounds the depth of the input tree before anything runs.
func (r *Run) checkTree(n *hyperlambda.Node) error {
	var walk func(*hyperlambda.Node, int) error
	walk = func(n *hyperlambda.Node, d int) error {
		if d > r.budgets.Depth {
			return &BudgetError{Budget: "depth", Limit: int64(r.budgets.Depth), Used: int64(d)}
		}
		if _, isNode := n.Value.(*hyperlambda.Node); isNode {
			r.handles = true // built in code with one: nothing is made over
		}
		for _, c := range n.Children() {
			if err := walk(c, d+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(n, 0)
}

// Policy returns the active policy.
func (r *Run) Policy() *whitelist.Policy { return r.policy }

// Signal is the one dispatch point: every invocation of a slot by name,
// from any path, comes here and is checked against the active policy and
// the budgets before the slot runs.
func (r *Run) Signal(name string, n *hyperlambda.Node) error {
	slot, ok := r.lookup(name)
	if !ok {
		return &UnknownSlotError{Slot: name, Path: n.Path(), Reason: whitelist.UnknownSlotReason(name, r.engine.names)}
	}
	if slot.index >= len(r.allowed) || r.allowed[slot.index] == 0 {
		if d := r.policy.Allows(name, &slot.Sig); !d.Allowed {
			return r.deny(name, n, d.Reason)
		}
		if r.allowed == nil {
			r.allowed = make([]uint8, len(r.engine.slots))
		}
		if slot.index < len(r.allowed) {
			r.allowed[slot.index] = 1
		}
	}
	if err := r.Step(); err != nil {
		return err
	}
	if r.depth+1 > r.budgets.Depth {
		return &BudgetError{Budget: "depth", Limit: int64(r.budgets.Depth), Used: int64(r.depth + 1)}
	}
	if slot.checked {
		if err := checkArgs(&slot.Sig, n); err != nil {
			return &RuntimeError{Slot: name, Path: n.Path(), Err: err}
		}
	}
	// Restored without defer: this is the hottest path of the runtime, and
	// a panicking slot ends the run anyway.
	r.depth++
	if r.depth > r.usage.MaxDepth {
		r.usage.MaxDepth = r.depth
	}
	outer := r.sig
	r.sig = &slot.Sig
	err := slot.Fn(r, n)
	r.sig = outer
	r.depth--
	if err != nil {
		var se slotError
		if errors.As(err, &se) {
			return err // already located
		}
		return &RuntimeError{Slot: name, Path: n.Path(), Err: err}
	}
	return nil
}

// Step counts one unit of work against the step budget and checks the
// deadline; loops call it each round so an empty loop is bounded too.
func (r *Run) Step() error {
	r.usage.Steps++
	if r.usage.Steps > r.budgets.Steps {
		return &BudgetError{Budget: "steps", Limit: r.budgets.Steps, Used: r.usage.Steps}
	}
	if r.usage.Steps&63 == 0 {
		return r.Interrupted()
	}
	return nil
}

// Charge counts n steps at once, for a slot doing the work of many
// ordinary calls (hashing a password, parsing a large document, counting
// tokens), and checks the deadline. Past the budget the usage stops one
// step over it, as Step's would.
func (r *Run) Charge(n int64) error {
	if n <= 0 {
		return nil
	}
	if left := r.budgets.Steps - r.usage.Steps; n > left {
		r.usage.Steps = r.budgets.Steps + 1
		return &BudgetError{Budget: "steps", Limit: r.budgets.Steps, Used: r.usage.Steps}
	}
	r.usage.Steps += n
	return r.Interrupted()
}

func (r *Run) deadlineError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &BudgetError{Budget: "time", Limit: int64(r.budgets.Time / time.Millisecond), Used: int64(time.Since(r.start) / time.Millisecond)}
	}
	return &CanceledError{Err: err}
}

// hold counts n selected nodes a slot keeps while code runs ([for-each]'s
// items): nested loops each keep a list, a few hundred levels of lists of
// the same million nodes taking gigabytes in as many steps (audit 16), so
// together they are held to the nodes budget. unhold gives them back.
func (r *Run) hold(n int) error {
	if r.held+int64(n) > r.budgets.Nodes {
		return &BudgetError{Budget: "nodes", Limit: r.budgets.Nodes, Used: r.held + int64(n)}
	}
	r.held += int64(n)
	return nil
}

func (r *Run) unhold(n int) { r.held -= int64(n) }

// StepsLeft is how many steps the run may still take.
func (r *Run) StepsLeft() int64 { return max(r.budgets.Steps-r.usage.Steps, 0) }

// Budgets are the run's budgets (its policy's, with defaults filled in).
func (r *Run) Budgets() whitelist.Budgets { return r.budgets }

// Created counts nodes the run made (clones, adds, parses).
func (r *Run) Created(n int) error {
	// Refused before anything is made: usage reports what exists.
	if r.usage.Nodes+int64(n) > r.budgets.Nodes {
		return &BudgetError{Budget: "nodes", Limit: r.budgets.Nodes, Used: r.usage.Nodes + int64(n)}
	}
	r.usage.Nodes += int64(n)
	return nil
}

// Output counts bytes of text the run produced.
func (r *Run) Output(n int) error {
	r.usage.OutputBytes += int64(n)
	if r.usage.OutputBytes > r.budgets.OutputBytes {
		return &BudgetError{Budget: "output-bytes", Limit: r.budgets.OutputBytes, Used: r.usage.OutputBytes}
	}
	return nil
}

// SetText makes text n's value in place of its children (a writer's
// result: its arguments have been read), counted against the output
// budget first.
func (r *Run) SetText(n *hyperlambda.Node, text string) error {
	if err := r.Output(len(text)); err != nil {
		return err
	}
	n.Clear()
	n.Value = text
	return nil
}

// OutputRoom refuses, without counting it, text of n more bytes than the
// output budget has left: a slot checks it before building a large text
// so that the text is never built (Output then counts what was made).
func (r *Run) OutputRoom(n int) error {
	if used := r.usage.OutputBytes + int64(n); used > r.budgets.OutputBytes {
		return &BudgetError{Budget: "output-bytes", Limit: r.budgets.OutputBytes, Used: used}
	}
	return nil
}

// Clone copies n, counting the copy (nested node values included)
// against the node budget.
func (r *Run) Clone(n *hyperlambda.Node) (*hyperlambda.Node, error) {
	count, nodeValues := countNodes(n, 0)
	if err := r.Created(count); err != nil {
		return nil, err
	}
	if nodeValues {
		// A copy of a node value that refers into the copied tree
		// refers to the copy: a handle on a new node (see reuse.go).
		r.MadeNodeValue()
	}
	return n.Clone(), nil
}

// countNodes counts n's subtree and the lambdas held as values in it;
// references back up the tree are not followed (Clone shares them). It
// also reports whether any value there is a node.
func countNodes(n *hyperlambda.Node, depth int) (count int, nodeValues bool) {
	// Plain recursion rather than Walk: no closure on every copy.
	count = 1
	if v, ok := n.Value.(*hyperlambda.Node); ok && v != nil {
		nodeValues = true
		if v.Parent() == nil && depth < 8 {
			k, _ := countNodes(v, depth+1)
			count += k
		}
	}
	for _, c := range n.Children() {
		k, values := countNodes(c, depth)
		count += k
		nodeValues = nodeValues || values
	}
	return count, nodeValues
}

// Eval evaluates the children of n as statements: names that are empty or
// start with "." are data and skipped; every other name is signalled.
// Evaluation stops when the active result scope has been filled (by
// [return] and friends). The statement list is the one n had when
// evaluation began: statements added meanwhile are not run (they are
// still checked when something evaluates them), statements removed before
// their turn are skipped.
func (r *Run) Eval(n *hyperlambda.Node) error {
	switch kids := n.Children(); len(kids) {
	case 0:
		return nil
	case 1:
		// One statement (a typical loop body or branch): nothing can be
		// removed before its turn or run after it, so no snapshot.
		if s := kids[0]; IsStatement(s.Name) {
			return r.Signal(s.Name, s)
		}
		return nil
	case 2:
		// Two (a comparison's operands): the snapshot is two locals.
		first, second := kids[0], kids[1]
		if IsStatement(first.Name) {
			if err := r.Signal(first.Name, first); err != nil {
				return err
			}
			if res := r.result(); res.Value != nil || res.Len() > 0 {
				return nil
			}
		}
		if second.Parent() == n && IsStatement(second.Name) {
			return r.Signal(second.Name, second)
		}
		return nil
	}
	// The snapshot lives on a stack shared by nested evaluations, so a
	// loop evaluating its body does not allocate a list each round.
	base := len(r.stmts)
	r.stmts = append(r.stmts, n.Children()...)
	end := len(r.stmts)
	result := r.results[len(r.results)-1]
	var err error
	for i := base; i < end; i++ {
		s := r.stmts[i] // re-read: nested evaluations may move the stack
		if s.Parent() != n || !IsStatement(s.Name) {
			continue
		}
		if err = r.Signal(s.Name, s); err != nil || result.Value != nil || result.Len() > 0 {
			break
		}
	}
	// Popped without defer (the hot path); after a panic the run is over.
	// Not cleared: entries past the top are never read, the next
	// evaluation overwrites them, and the stack dies with the run.
	r.stmts = r.stmts[:base]
	return err
}

// IsStatement reports whether a node named name is signalled when it is
// evaluated: names that are empty or start with "." are data.
func IsStatement(name string) bool { return name != "" && name[0] != '.' }

// ValueOf is the value of c after running c when it is a statement: how a
// slot reads an operand given as a child (a literal, an expression, or a
// slot such as [get-value] whose result lands in its own value).
func (r *Run) ValueOf(c *hyperlambda.Node) (any, error) {
	if IsStatement(c.Name) {
		if err := r.Signal(c.Name, c); err != nil {
			return nil, err
		}
	}
	return hyperlambda.Value(c)
}

// evalScoped evaluates body inside a fresh result scope (a function
// boundary) and returns the scope's node. Popped without defer, like
// Eval's stack: after a panic the run is over.
func (r *Run) evalScoped(body *hyperlambda.Node) (*hyperlambda.Node, error) {
	var res *hyperlambda.Node
	if k := len(r.scopes); k > 0 && !r.handles && reuseCopies {
		res = r.scopes[k-1]
		r.scopes = r.scopes[:k-1]
		res.Clear() // emptied when kept; made sure of here
		res.Value = nil
	} else {
		res = &hyperlambda.Node{}
	}
	r.results = append(r.results, res)
	err := r.Eval(body)
	r.results = r.results[:len(r.results)-1]
	return res, err
}

// result returns the active result scope.
func (r *Run) result() *hyperlambda.Node { return r.results[len(r.results)-1] }

// LogEntry is one line of a run's log: a level (info, debug, error,
// fatal), a message and named fields, in order.
type LogEntry struct {
	Level   string     `json:"level"`
	Message string     `json:"message"`
	Fields  []LogField `json:"fields,omitempty"`
	// Policy names the policy that created the slot which wrote the
	// entry, when it is not the run's (see Run.Foreign).
	Policy string `json:"policy,omitempty"`
}

// LogField is a named value attached to a log entry.
type LogField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// String is the entry as one line: "info: message name=value ...".
func (e LogEntry) String() string {
	s := e.Level + ": "
	if e.Policy != "" {
		s += "[by a slot of policy " + e.Policy + "] "
	}
	// Continuation lines are indented: a message cannot hold a line that
	// reads as an entry of its own (audit 15).
	s += strings.ReplaceAll(visibleControls(e.Message), "\n", "\n   ")
	for _, f := range e.Fields {
		s += fmt.Sprintf(" %s=%q", f.Name, f.Value)
	}
	return s
}

// visibleControls writes the control characters of s, line breaks and
// tabs aside, as Go escapes: printed to a terminal, a carriage return
// overwrote the line's policy label and an escape sequence drove the
// terminal (audit 19).
func visibleControls(s string) string {
	if !strings.ContainsFunc(s, isHiddenControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isHiddenControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isHiddenControl(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}

// Log adds an entry to the run's log; its text counts against the output
// budget, so a log flood ends the run like any other output. An entry
// written by a slot created under another authority names that policy.
func (r *Run) Log(e LogEntry) error {
	if r.foreign != nil && e.Policy == "" {
		e.Policy = r.foreign.Name
	}
	size := len(e.Level) + len(e.Message)
	for _, f := range e.Fields {
		size += len(f.Name) + len(f.Value)
	}
	if err := r.Output(size); err != nil {
		return err
	}
	r.log = append(r.log, e)
	return nil
}

// addClones appends copies of nodes to dst, within the node budget.
func (r *Run) addClones(dst *hyperlambda.Node, nodes []*hyperlambda.Node) error {
	for _, s := range nodes {
		c, err := r.Clone(s)
		if err != nil {
			return err
		}
		dst.Add(c)
	}
	return nil
}

// moveChildren moves every child of src to the end of dst.
func moveChildren(dst, src *hyperlambda.Node) { dst.MoveChildren(src) }

// Now is the run's clock: the policy's fixed clock when it sets one (so
// runs replay identically), the wall clock otherwise. Slots that read it
// declare the time effect, so a policy can deny the clock altogether.
func (r *Run) Now() time.Time {
	if c := r.policy.Constraints().Clock; c != nil {
		return *c
	}
	return time.Now()
}

// Extension returns the run's state for key, made by create on first use:
// what a family keeps for one run and reports in Result.Extensions. Use
// an unexported key type of the family's own, as with context values.
//
// Foreign code (see Foreign) gets state of its own, per authority: a slot planted
// by sandboxed code, called by a trusted run, neither reads nor changes
// the trusted run's cache, builders or streams (audit 13), and what it
// keeps is not reported.
func (r *Run) Extension(key any, create func() any) any {
	ext, authority := r.ext, ""
	if r.foreign != nil {
		authority = r.foreign.AuthorityKey()
		ext = r.foreignExt[authority]
	}
	if v, ok := ext[key]; ok {
		return v
	}
	if ext == nil {
		ext = map[any]any{}
		if r.foreign == nil {
			r.ext = ext
		} else {
			if r.foreignExt == nil {
				r.foreignExt = map[string]map[any]any{}
			}
			r.foreignExt[authority] = ext
		}
	}
	v := create()
	ext[key] = v
	return v
}

// Foreign returns the policy of the foreign code running now, else nil:
// the body of a dynamic slot whose creator restricts what the run's own
// policy does not (a slot planted by a sandboxed run or by code under
// [whitelist], called by a wider run), and anything that body calls.
// Families keep what belongs to the run (its request and response, for
// one) from such code.
func (r *Run) Foreign() *whitelist.Policy { return r.foreign }

// nameSlot spreads a name's address over the cache: names parsed from one
// text are slices of it a few bytes apart, so the address's low bits alone
// would put neighbours in the same entry and evict each other every round.
func nameSlot(data *byte, n int) uintptr {
	return ((uintptr(unsafe.Pointer(data)) + uintptr(n)) * 0x9E3779B97F4A7C15) >> 58
}

// nameCacheEntry remembers the slot of one node name's string.
type nameCacheEntry struct {
	data *byte
	n    int
	slot *Slot
}

// lookup finds the registered slot of name. A loop signals the same nodes
// round after round, and their names are the same strings (bodies are
// reset in place), so a small cache keyed by the string's address and
// length answers without hashing the name: equal address and length are
// the same string. A miss asks the registry.
func (r *Run) lookup(name string) (*Slot, bool) {
	data := unsafe.StringData(name)
	if data == nil {
		s, ok := r.engine.slots[name]
		return s, ok
	}
	if r.names == nil {
		// A short run (an endpoint: a few dozen signals) is served by
		// the map; the cache pays for itself only in loops.
		if r.lookups++; r.lookups < 64 {
			s, ok := r.engine.slots[name]
			return s, ok
		}
		r.names = new([64]nameCacheEntry)
	}
	e := &r.names[nameSlot(data, len(name))]
	if e.data == data && e.n == len(name) {
		return e.slot, true
	}
	s, ok := r.engine.slots[name]
	if ok {
		*e = nameCacheEntry{data, len(name), s}
	}
	return s, ok
}
