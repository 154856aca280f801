package ui

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"

	"hlstudio/assets"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// RootID is the id of a document's synthetic root, which is also the root
// widget.Tree asks for by default.
const RootID widget.TreeNodeID = ""

// NewNodeName is the name given to nodes added by the editor. A dot-name is
// data, so a fresh node never shows up as an unknown slot before it is named.
const NewNodeName = ".new"

// EditError says why an edit was refused; the tree is unchanged. Err holds
// the cause when there is one (a *hyperlambda.ConvertError for a bad value,
// a *hyperlambda.SyntaxError for bad source text).
type EditError struct {
	Op     string // what was attempted, e.g. "indent", "set value"
	ID     widget.TreeNodeID
	Reason string
	Err    error
}

func (e *EditError) Error() string {
	if e.Err != nil {
		return "cannot " + e.Op + ": " + e.Err.Error()
	}
	return "cannot " + e.Op + ": " + e.Reason
}

func (e *EditError) Unwrap() error { return e.Err }

// Document is an editable Hyperlambda tree with stable node ids, undo and
// redo, and the static-check labels of every node under a policy, kept up
// to date after each edit.
//
// Ids are widget.TreeNodeID strings that stay with a node for the whole
// session, across moves, undo and redo; lookups by id are map lookups,
// because widget.Tree asks for children and branches on every frame.
//
// A Document is not safe for concurrent use: drive it from the Fyne
// goroutine (fyne.Do from elsewhere).
type Document struct {
	root *hyperlambda.Node

	byID   map[widget.TreeNodeID]*hyperlambda.Node // live nodes only
	idOf   map[*hyperlambda.Node]widget.TreeNodeID // every node ever given an id, so undo restores ids
	kids   map[*hyperlambda.Node][]widget.TreeNodeID
	nextID uint64

	vocab    whitelist.Vocabulary
	policy   *whitelist.Policy
	findings []whitelist.Finding
	labelOf  map[*hyperlambda.Node]int32 // index into findings
	blocking int

	undo, redo []*editOp
	mergeKey   string // the last op's key while consecutive edits may merge into it
	clip       *hyperlambda.Node

	version   uint64
	shape     uint64 // counts changes that added, removed or moved nodes
	loads     uint64 // counts whole trees loaded: Reset and ReplaceTree
	listeners []func()

	// saved is the undo step the tree was saved (or loaded) at: nil for
	// none, an empty history. The tree has unsaved edits while the last
	// undo step is another one, so undoing back to it is saved again.
	saved *editOp
}

// NewDocument makes a document of root, a synthetic root as
// hyperlambda.Parse returns (nil for an empty tree), labelled with vocab
// under policy (either may be nil: then there are no labels).
func NewDocument(root *hyperlambda.Node, vocab whitelist.Vocabulary, policy *whitelist.Policy) *Document {
	if root == nil {
		root = hyperlambda.New("", nil)
	}
	d := &Document{
		root:    root,
		byID:    map[widget.TreeNodeID]*hyperlambda.Node{},
		idOf:    map[*hyperlambda.Node]widget.TreeNodeID{},
		kids:    map[*hyperlambda.Node][]widget.TreeNodeID{},
		labelOf: map[*hyperlambda.Node]int32{},
		vocab:   vocab,
		policy:  policy,
	}
	d.idOf[root] = RootID
	d.byID[RootID] = root
	for _, c := range root.Children() {
		d.register(c)
	}
	d.relabel()
	return d
}

// ParseDocument parses Hyperlambda text (comments kept as ".." nodes) into
// a document.
func ParseDocument(src string, vocab whitelist.Vocabulary, policy *whitelist.Policy) (*Document, error) {
	root, err := hyperlambda.ParseString(src, parseOptions)
	if err != nil {
		return nil, err
	}
	return NewDocument(root, vocab, policy), nil
}

// The editor keeps comments: a person's notes survive a round trip through
// the tree, and they are dot-named data to the checker.
var (
	parseOptions  = hyperlambda.ParseOptions{Comments: true}
	formatOptions = hyperlambda.FormatOptions{Comments: true}
)

// BuiltinPolicy parses one of the policies shipped in assets by name.
func BuiltinPolicy(name string) (*whitelist.Policy, error) {
	src, ok := assets.Policy(name)
	if !ok {
		return nil, errors.New("no built-in policy named " + strconv.Quote(name) +
			" (built-in: " + strings.Join(assets.PolicyNames(), ", ") + ")")
	}
	return whitelist.Parse(name+".hl", src)
}

// OnChange registers fn to run after every change: an edit, undo, redo,
// replacement of the text, or a new policy.
func (d *Document) OnChange(fn func()) { d.listeners = append(d.listeners, fn) }

// Version counts changes; callers compare it to know whether the document
// changed since they last looked (e.g. unsaved edits).
func (d *Document) Version() uint64 { return d.version }

// Modified reports whether the tree has edits since it was loaded or
// MarkSaved was last called. Undoing back to that point makes it
// unmodified again; a new policy is not an edit.
func (d *Document) Modified() bool { return d.top() != d.saved }

// MarkSaved records the tree as it is now as saved. The next keystroke
// in a field starts a new undo step, so it counts as an edit.
func (d *Document) MarkSaved() {
	d.saved = d.top()
	d.mergeKey = ""
}

// top is the last undo step, nil for none.
func (d *Document) top() *editOp {
	if len(d.undo) == 0 {
		return nil
	}
	return d.undo[len(d.undo)-1]
}

// Loads counts the whole trees put in the document: Reset (another
// snippet or file) and ReplaceTree (a generation, a retrieved snippet).
// Editing the text is not a load. Listeners compare it to drop what
// belongs to the tree before, such as a run's result.
func (d *Document) Loads() uint64 { return d.loads }

// Revision identifies the tree as it is at one moment, to ask later
// whether the document still holds that tree (IsAt), such as the tree a
// run's outcome belongs to.
type Revision struct {
	loads uint64
	top   *editOp
}

// Revision is the tree as it is now. Typing that follows starts a new
// undo step, so the revision keeps naming the tree it was taken of.
func (d *Document) Revision() Revision {
	d.EndTyping()
	return Revision{loads: d.loads, top: d.top()}
}

// IsAt reports whether the document holds the tree r was taken of: no
// load since, and the same undo step on top (edits undone back to it
// count as the same tree; a new policy is not an edit).
func (d *Document) IsAt(r Revision) bool { return r.loads == d.loads && r.top == d.top() }

// UndoDepth is the number of steps Undo can take.
func (d *Document) UndoDepth() int { return len(d.undo) }

func (d *Document) changed() {
	d.version++
	for _, fn := range d.listeners {
		fn()
	}
}

// Root returns the synthetic root. Change the tree through the document's
// methods only, or ids and labels go stale.
func (d *Document) Root() *hyperlambda.Node { return d.root }

// Node returns the live node with this id, or nil.
func (d *Document) Node(id widget.TreeNodeID) *hyperlambda.Node { return d.byID[id] }

// ID returns the id of a node of the document ("" for the root and for
// nodes the document does not know).
func (d *Document) ID(n *hyperlambda.Node) widget.TreeNodeID {
	if id, ok := d.idOf[n]; ok && d.byID[id] == n {
		return id
	}
	return RootID
}

// ParentID returns the id of the node's parent; the root's children and
// unknown ids give RootID.
func (d *Document) ParentID(id widget.TreeNodeID) widget.TreeNodeID {
	if n := d.byID[id]; n != nil && n.Parent() != nil {
		return d.idOf[n.Parent()]
	}
	return RootID
}

// ChildIDs returns the ids of a node's children, in order. The slice is
// cached until the children change and must not be modified.
func (d *Document) ChildIDs(id widget.TreeNodeID) []widget.TreeNodeID {
	n := d.byID[id]
	if n == nil || n.Len() == 0 {
		return nil
	}
	if ids, ok := d.kids[n]; ok {
		return ids
	}
	ids := make([]widget.TreeNodeID, n.Len())
	for i, c := range n.Children() {
		ids[i] = d.idOf[c]
	}
	d.kids[n] = ids
	return ids
}

// IsBranch reports whether the node has children (the root always is one).
func (d *Document) IsBranch(id widget.TreeNodeID) bool {
	if id == RootID {
		return true
	}
	n := d.byID[id]
	return n != nil && n.Len() > 0
}

// Len returns the number of nodes, without the synthetic root.
func (d *Document) Len() int { return len(d.byID) - 1 }

// Text returns the canonical Hyperlambda of the tree, comments included.
func (d *Document) Text() string { return hyperlambda.Format(d.root.Children(), formatOptions) }

func (d *Document) newID() widget.TreeNodeID {
	d.nextID++
	return "n" + strconv.FormatUint(d.nextID, 10)
}

// register makes n and its subtree live, reusing ids they had before.
func (d *Document) register(n *hyperlambda.Node) {
	n.Walk(func(x *hyperlambda.Node) bool {
		id, ok := d.idOf[x]
		if !ok {
			id = d.newID()
			d.idOf[x] = id
		}
		d.byID[id] = x
		return true
	})
}

// unregister takes n and its subtree out of the live index. Their ids are
// kept in idOf so that undoing the removal brings the same ids back.
func (d *Document) unregister(n *hyperlambda.Node) {
	n.Walk(func(x *hyperlambda.Node) bool {
		// A replaced tree may have handed this id on to a new node.
		if id := d.idOf[x]; d.byID[id] == x {
			delete(d.byID, id)
		}
		delete(d.kids, x)
		return true
	})
}

// relabel runs the static check on the whole tree. It is linear in the
// tree's size and cheap enough to run after every edit (see the benchmark).
func (d *Document) relabel() {
	clear(d.labelOf)
	d.findings, d.blocking = nil, 0
	if d.vocab == nil || d.policy == nil {
		return
	}
	d.findings = whitelist.Check(d.root, d.vocab, d.policy)
	for i, f := range d.findings {
		d.labelOf[f.Node] = int32(i)
		if f.Label.Blocking() {
			d.blocking++
		}
	}
}

// Policy returns the policy the labels are computed under (may be nil).
func (d *Document) Policy() *whitelist.Policy { return d.policy }

// SetPolicy relabels the tree under p. It is not an edit: undo keeps
// working on the tree.
func (d *Document) SetPolicy(p *whitelist.Policy) {
	d.policy = p
	d.relabel()
	d.changed()
}

// Finding returns the static-check finding of a node.
func (d *Document) Finding(id widget.TreeNodeID) (whitelist.Finding, bool) {
	n := d.byID[id]
	if n == nil {
		return whitelist.Finding{}, false
	}
	i, ok := d.labelOf[n]
	if !ok {
		return whitelist.Finding{}, false
	}
	return d.findings[i], true
}

// Findings returns every node's finding in pre-order. The slice must not be
// modified.
func (d *Document) Findings() []whitelist.Finding { return d.findings }

// Blocking counts nodes that stop approval (denied or unknown slots).
func (d *Document) Blocking() int { return d.blocking }

// Describe says in words what the check found for the node, naming the
// policy, e.g. "Denied: io.file.delete is not allowed by policy sandbox:
// it has effects write-files".
func (d *Document) Describe(id widget.TreeNodeID) string {
	f, ok := d.Finding(id)
	if !ok {
		if d.byID[id] == nil || id == RootID {
			return ""
		}
		return "Not checked: no policy is loaded."
	}
	return DescribeFinding(f, d.policy)
}

// DescribeFinding puts a finding in words for a person.
func DescribeFinding(f whitelist.Finding, p *whitelist.Policy) string {
	switch f.Label {
	case whitelist.LabelAllowed:
		s := "Allowed: " + f.Node.Name + " may run under policy " + p.Name
		if f.Rule != "" {
			// Spaced after the commas, so a long list of effects wraps
			// at them rather than as one word on a line of its own.
			s += " (allow " + strings.ReplaceAll(f.Rule, ",", ", ") + ")"
		}
		return s + "."
	case whitelist.LabelDenied:
		return "Denied: " + f.Reason + ". The run would stop here."
	case whitelist.LabelUnknownSlot:
		if _, ok := whitelist.ReferenceModule(f.Node.Name); ok {
			return "Unknown slot: " + f.Reason + ". A run would fail here: do it with the slots hlstudio has."
		}
		if strings.HasSuffix(f.Reason, "?") { // it suggests a name
			return "Unknown slot: " + f.Reason + " A run would fail here."
		}
		return "Unknown slot: " + f.Reason + ". A run would fail here; is the name misspelt or invented?"
	case whitelist.LabelDynamic:
		return "Dynamic: " + f.Node.Name + " " + f.Reason + "."
	case whitelist.LabelUnknownArgument:
		return "Unknown argument: " + f.Reason + "; it is ignored or rejected at run time."
	}
	return "Data (" + f.Reason + "): not executed."
}

// change is one reversible mutation of the tree; an edit is a list of them.
type change interface {
	apply(d *Document)
	revert(d *Document)
}

// relocate moves a node between places; a nil parent is "outside the
// tree", so the same change adds, removes and moves.
type relocate struct {
	n              *hyperlambda.Node
	from, to       *hyperlambda.Node
	fromIdx, toIdx int
}

func (c *relocate) apply(d *Document)  { d.place(c.n, c.to, c.toIdx) }
func (c *relocate) revert(d *Document) { d.place(c.n, c.from, c.fromIdx) }

// place puts n at index i of parent (nil: out of the tree).
func (d *Document) place(n, parent *hyperlambda.Node, i int) {
	old := n.Parent()
	if old != nil {
		delete(d.kids, old)
		n.Detach()
	}
	if parent == nil {
		d.unregister(n)
		return
	}
	parent.Insert(i, n)
	delete(d.kids, parent)
	if old == nil {
		d.register(n)
	}
}

// setFields changes a node's name and value.
type setFields struct {
	n                  *hyperlambda.Node
	oldName, newName   string
	oldValue, newValue any
}

func (c *setFields) apply(d *Document)  { c.n.Name, c.n.Value = c.newName, c.newValue }
func (c *setFields) revert(d *Document) { c.n.Name, c.n.Value = c.oldName, c.oldValue }

// replaceAll swaps every top-level node: an edit of the source text.
type replaceAll struct {
	old, new []*hyperlambda.Node
}

func (c *replaceAll) apply(d *Document)  { d.swapTop(c.old, c.new) }
func (c *replaceAll) revert(d *Document) { d.swapTop(c.new, c.old) }

func (d *Document) swapTop(out, in []*hyperlambda.Node) {
	for _, n := range out {
		n.Detach()
		d.unregister(n)
	}
	for _, n := range in {
		d.root.Add(n)
		d.register(n)
	}
	delete(d.kids, d.root)
}

// editOp is one undo step: its changes and the selection before and after.
type editOp struct {
	name          string
	changes       []change
	before, after widget.TreeNodeID
}

// structural reports whether the edit adds, removes or moves nodes, as
// opposed to changing names and values only.
func (op *editOp) structural() bool {
	for _, c := range op.changes {
		if _, ok := c.(*setFields); !ok {
			return true
		}
	}
	return false
}

// commit applies an edit as one undo step, relabels and notifies.
func (d *Document) commit(op *editOp) {
	for _, c := range op.changes {
		c.apply(d)
	}
	if op.structural() {
		d.shape++
	}
	d.undo = append(d.undo, op)
	clear(d.redo)
	d.redo = d.redo[:0]
	d.mergeKey = ""
	d.relabel()
	d.changed()
}

// CanUndo and CanRedo report whether there is a step to undo or redo.
func (d *Document) CanUndo() bool { return len(d.undo) > 0 }
func (d *Document) CanRedo() bool { return len(d.redo) > 0 }

// UndoName and RedoName name the step Undo or Redo would take ("" for none).
func (d *Document) UndoName() string {
	if len(d.undo) == 0 {
		return ""
	}
	return d.undo[len(d.undo)-1].name
}

func (d *Document) RedoName() string {
	if len(d.redo) == 0 {
		return ""
	}
	return d.redo[len(d.redo)-1].name
}

// Undo reverts the last edit and returns the id that was selected before it.
func (d *Document) Undo() (widget.TreeNodeID, bool) {
	if len(d.undo) == 0 {
		return RootID, false
	}
	op := d.undo[len(d.undo)-1]
	d.undo = d.undo[:len(d.undo)-1]
	for i := len(op.changes) - 1; i >= 0; i-- {
		op.changes[i].revert(d)
	}
	if op.structural() {
		d.shape++
	}
	d.redo = append(d.redo, op)
	d.mergeKey = ""
	d.relabel()
	d.changed()
	return op.before, true
}

// Redo applies the last undone edit again and returns the id it selected.
func (d *Document) Redo() (widget.TreeNodeID, bool) {
	if len(d.redo) == 0 {
		return RootID, false
	}
	op := d.redo[len(d.redo)-1]
	d.redo = d.redo[:len(d.redo)-1]
	for _, c := range op.changes {
		c.apply(d)
	}
	if op.structural() {
		d.shape++
	}
	d.undo = append(d.undo, op)
	d.mergeKey = ""
	d.relabel()
	d.changed()
	return op.after, true
}

func (d *Document) lookup(op string, id widget.TreeNodeID) (*hyperlambda.Node, error) {
	if id == RootID {
		return nil, &EditError{Op: op, ID: id, Reason: "select a node first"}
	}
	n := d.byID[id]
	if n == nil {
		return nil, &EditError{Op: op, ID: id, Reason: "the node is no longer in the tree"}
	}
	return n, nil
}

// insert adds a new subtree at index i of parent as one edit and returns
// its id.
func (d *Document) insert(op string, sel widget.TreeNodeID, parent *hyperlambda.Node, i int, n *hyperlambda.Node) widget.TreeNodeID {
	e := &editOp{name: op, before: sel, changes: []change{&relocate{n: n, to: parent, toIdx: i}}}
	// Ids are given before the edit is committed so that after is known.
	d.register(n)
	d.unregister(n)
	e.after = d.idOf[n]
	d.commit(e)
	return e.after
}

// AddChild appends a new node named name (NewNodeName when empty) to the
// node's children; RootID adds a top-level node. It returns the new id.
func (d *Document) AddChild(id widget.TreeNodeID, name string) (widget.TreeNodeID, error) {
	parent := d.byID[id]
	if parent == nil {
		return RootID, &EditError{Op: "add a child", ID: id, Reason: "the node is no longer in the tree"}
	}
	return d.insert("add child", id, parent, parent.Len(), hyperlambda.New(orNew(name), nil)), nil
}

// AddSibling inserts a new node right after the node; RootID (nothing
// selected) appends a top-level node.
func (d *Document) AddSibling(id widget.TreeNodeID, name string) (widget.TreeNodeID, error) {
	n := hyperlambda.New(orNew(name), nil)
	if id == RootID {
		return d.insert("add sibling", id, d.root, d.root.Len(), n), nil
	}
	at, err := d.lookup("add a sibling", id)
	if err != nil {
		return RootID, err
	}
	return d.insert("add sibling", id, at.Parent(), at.Index()+1, n), nil
}

func orNew(name string) string {
	if name == "" {
		return NewNodeName
	}
	return name
}

// Delete removes the node and its subtree. It returns the id a person
// would expect selected next: the next sibling, else the previous one,
// else the parent.
func (d *Document) Delete(id widget.TreeNodeID) (widget.TreeNodeID, error) {
	n, err := d.lookup("delete", id)
	if err != nil {
		return RootID, err
	}
	next := RootID
	switch {
	case n.Next() != nil:
		next = d.idOf[n.Next()]
	case n.Previous() != nil:
		next = d.idOf[n.Previous()]
	case n.Parent() != d.root:
		next = d.idOf[n.Parent()]
	}
	d.commit(&editOp{name: "delete", before: id, after: next,
		changes: []change{&relocate{n: n, from: n.Parent(), fromIdx: n.Index()}}})
	return next, nil
}

// move relocates the node as one edit to where dest says; dest returns a
// reason instead when the move is impossible.
func (d *Document) move(op string, id widget.TreeNodeID, dest func(n *hyperlambda.Node) (to *hyperlambda.Node, i int, reason string)) error {
	n, err := d.lookup(op, id)
	if err != nil {
		return err
	}
	to, i, reason := dest(n)
	if reason != "" {
		return &EditError{Op: op, ID: id, Reason: reason}
	}
	d.commit(&editOp{name: op, before: id, after: id,
		changes: []change{&relocate{n: n, from: n.Parent(), fromIdx: n.Index(), to: to, toIdx: i}}})
	return nil
}

// MoveUp swaps the node with its elder sibling.
func (d *Document) MoveUp(id widget.TreeNodeID) error {
	return d.move("move up", id, func(n *hyperlambda.Node) (*hyperlambda.Node, int, string) {
		if n.Previous() == nil {
			return nil, 0, "it is already the first child"
		}
		return n.Parent(), n.Index() - 1, ""
	})
}

// MoveDown swaps the node with its younger sibling.
func (d *Document) MoveDown(id widget.TreeNodeID) error {
	return d.move("move down", id, func(n *hyperlambda.Node) (*hyperlambda.Node, int, string) {
		if n.Next() == nil {
			return nil, 0, "it is already the last child"
		}
		return n.Parent(), n.Index() + 1, ""
	})
}

// Indent makes the node the last child of its elder sibling.
func (d *Document) Indent(id widget.TreeNodeID) error {
	return d.move("indent", id, func(n *hyperlambda.Node) (*hyperlambda.Node, int, string) {
		prev := n.Previous()
		if prev == nil {
			return nil, 0, "the first child has no sibling above it to move under"
		}
		return prev, prev.Len(), ""
	})
}

// Outdent makes the node the sibling right after its parent.
func (d *Document) Outdent(id widget.TreeNodeID) error {
	return d.move("outdent", id, func(n *hyperlambda.Node) (*hyperlambda.Node, int, string) {
		p := n.Parent()
		if p == d.root {
			return nil, 0, "it is already at the top level"
		}
		// The index counts p's siblings, where n lands after p.
		return p.Parent(), p.Index() + 1, ""
	})
}

// Copy keeps a copy of the node's subtree for Paste. It is not an edit.
func (d *Document) Copy(id widget.TreeNodeID) error {
	n, err := d.lookup("copy", id)
	if err != nil {
		return err
	}
	d.clip = n.Clone()
	return nil
}

// HasClipboard reports whether Paste has something to paste.
func (d *Document) HasClipboard() bool { return d.clip != nil }

// Cut copies the node's subtree and deletes it.
func (d *Document) Cut(id widget.TreeNodeID) (widget.TreeNodeID, error) {
	n, err := d.lookup("cut", id)
	if err != nil {
		return RootID, err
	}
	d.clip = n.Clone()
	next, err := d.Delete(id)
	if err == nil {
		d.undo[len(d.undo)-1].name = "cut"
	}
	return next, err
}

// Paste inserts a copy of the clipboard right after the node (at the end
// of the top level for RootID) and returns its id.
func (d *Document) Paste(id widget.TreeNodeID) (widget.TreeNodeID, error) {
	if d.clip == nil {
		return RootID, &EditError{Op: "paste", ID: id, Reason: "nothing has been copied"}
	}
	if id == RootID {
		return d.insert("paste", id, d.root, d.root.Len(), d.clip.Clone()), nil
	}
	at, err := d.lookup("paste", id)
	if err != nil {
		return RootID, err
	}
	return d.insert("paste", id, at.Parent(), at.Index()+1, d.clip.Clone()), nil
}

// PasteInto appends a copy of the clipboard to the node's children.
func (d *Document) PasteInto(id widget.TreeNodeID) (widget.TreeNodeID, error) {
	if d.clip == nil {
		return RootID, &EditError{Op: "paste", ID: id, Reason: "nothing has been copied"}
	}
	parent := d.byID[id]
	if parent == nil {
		return RootID, &EditError{Op: "paste", ID: id, Reason: "the node is no longer in the tree"}
	}
	return d.insert("paste into", id, parent, parent.Len(), d.clip.Clone()), nil
}

// Duplicate inserts a copy of the node's subtree right after it.
func (d *Document) Duplicate(id widget.TreeNodeID) (widget.TreeNodeID, error) {
	n, err := d.lookup("duplicate", id)
	if err != nil {
		return RootID, err
	}
	return d.insert("duplicate", id, n.Parent(), n.Index()+1, n.Clone()), nil
}

// SetName renames the node.
func (d *Document) SetName(id widget.TreeNodeID, name string) error {
	return d.setName(id, name, false)
}

// setName is SetName; with merge, a rename right after a rename of the
// same node joins its undo step, so typing a name is one step, not one per
// keystroke.
func (d *Document) setName(id widget.TreeNodeID, name string, merge bool) error {
	n, err := d.lookup("rename", id)
	if err != nil {
		return err
	}
	if n.Name == name {
		return nil
	}
	return d.setFields("rename", "name "+id, merge, n, name, n.Value)
}

func (d *Document) setFields(op, key string, merge bool, n *hyperlambda.Node, name string, value any) error {
	if merge && d.mergeKey == key && len(d.undo) > 0 {
		last := d.undo[len(d.undo)-1]
		c := last.changes[0].(*setFields)
		c.newName, c.newValue = name, value
		c.apply(d)
		d.relabel()
		d.changed()
		return nil
	}
	id := d.idOf[n]
	d.commit(&editOp{name: op, before: id, after: id,
		changes: []change{&setFields{n: n, oldName: n.Name, newName: name, oldValue: n.Value, newValue: value}}})
	if merge {
		d.mergeKey = key
	}
	return nil
}

// EndTyping closes the undo step that typing in a field is merging into,
// so the next keystroke starts a new one.
func (d *Document) EndTyping() { d.mergeKey = "" }

// SetValue converts text to the named type with hyperlambda.ConvertText
// and sets it as the node's value; typeName "" removes the value. A text
// the type rejects leaves the tree unchanged and returns an *EditError
// wrapping the converter's error.
func (d *Document) SetValue(id widget.TreeNodeID, typeName, text string) error {
	return d.setValue(id, typeName, text, false)
}

func (d *Document) setValue(id widget.TreeNodeID, typeName, text string, merge bool) error {
	n, err := d.lookup("set the value", id)
	if err != nil {
		return err
	}
	v, err := ConvertValue(typeName, text)
	if err != nil {
		return &EditError{Op: "set the value", ID: id, Err: err}
	}
	if sameValue(n.Value, v) {
		return nil
	}
	return d.setFields("set value", "value "+id, merge, n, n.Name, v)
}

// ConvertValue is the value a node gets for a type and text, as SetValue
// would set it: nil for typeName "".
func ConvertValue(typeName, text string) (any, error) {
	if typeName == "" {
		return nil, nil
	}
	return hyperlambda.ConvertText(text, typeName)
}

// sameValue compares values by type and canonical text, which is how a
// person sees them; it keeps no-op edits out of the undo history.
func sameValue(a, b any) bool {
	ta, sa, errA := hyperlambda.ValueText(a)
	tb, sb, errB := hyperlambda.ValueText(b)
	return errA == nil && errB == nil && ta == tb && sa == sb && (a == nil) == (b == nil)
}

// SetType converts the node's current value text to another type ("" for
// no value), refusing like SetValue when the text does not convert.
func (d *Document) SetType(id widget.TreeNodeID, typeName string) error {
	n, err := d.lookup("change the type", id)
	if err != nil {
		return err
	}
	_, text := ValueOf(n)
	return d.SetValue(id, typeName, text)
}

// ValueOf returns a node's type name and value text as the editor shows
// them ("", "" for no value).
func ValueOf(n *hyperlambda.Node) (typeName, text string) {
	t, s, err := hyperlambda.ValueText(n.Value)
	if err != nil {
		return hyperlambda.TypeOf(n.Value), hyperlambda.StringOf(n.Value)
	}
	return t, s
}

// Replace parses src and makes it the tree, as one undo step. A syntax
// error (a *hyperlambda.SyntaxError, with its position) leaves the tree as
// it was. Nodes keep their ids where the new tree has a node at the same
// place, so the tree view keeps what is open and selected.
func (d *Document) Replace(src string) error {
	root, err := hyperlambda.ParseString(src, parseOptions)
	if err != nil {
		return &EditError{Op: "use the text", Err: err}
	}
	if hyperlambda.Format(root.Children(), formatOptions) == d.Text() {
		return nil // only layout changed: nothing to undo
	}
	d.replaceTree(root, "edit text")
	return nil
}

// ReplaceTree makes root's children the tree, as one undo step named op
// (e.g. "generate"); root is emptied. Ids are kept by place as in Replace.
// It is a load (see Loads): the tree comes from elsewhere.
func (d *Document) ReplaceTree(root *hyperlambda.Node, op string) {
	d.loads++
	d.replaceTree(root, op)
}

func (d *Document) replaceTree(root *hyperlambda.Node, op string) {
	d.inheritIDs(d.root, root)
	old := append([]*hyperlambda.Node(nil), d.root.Children()...)
	in := append([]*hyperlambda.Node(nil), root.Children()...)
	root.Clear()
	d.commit(&editOp{name: op, changes: []change{&replaceAll{old: old, new: in}}})
}

// Reset makes root's children the tree of a fresh session: no undo
// history, new ids. Use it to open another snippet; ReplaceTree keeps the
// history.
func (d *Document) Reset(root *hyperlambda.Node) {
	for _, c := range append([]*hyperlambda.Node(nil), d.root.Children()...) {
		c.Detach()
	}
	clear(d.byID)
	clear(d.idOf)
	clear(d.kids)
	d.idOf[d.root] = RootID
	d.byID[RootID] = d.root
	d.undo, d.redo, d.mergeKey = nil, nil, ""
	d.saved = nil // a fresh tree has nothing unsaved
	d.shape++
	d.loads++
	if root != nil {
		d.root.MoveChildren(root)
		for _, c := range d.root.Children() {
			d.register(c)
		}
	}
	d.relabel()
	d.changed()
}

// inheritIDs gives each node of to the id of the node at the same path in
// from.
func (d *Document) inheritIDs(from, to *hyperlambda.Node) {
	for i, c := range to.Children() {
		if i >= from.Len() {
			return
		}
		old := from.Child(i)
		d.idOf[c] = d.idOf[old]
		d.inheritIDs(old, c)
	}
}

// Find returns the ids of nodes whose name or value text contains query,
// ignoring case, in tree order.
func (d *Document) Find(query string) []widget.TreeNodeID {
	var out []widget.TreeNodeID
	d.eachMatch(query, func(n *hyperlambda.Node) bool {
		out = append(out, d.idOf[n])
		return true
	})
	return out
}

// FindNext returns the next node after from (the previous one when
// backward) whose name or value contains query, wrapping around the tree.
func (d *Document) FindNext(query string, from widget.TreeNodeID, backward bool) (widget.TreeNodeID, bool) {
	var first, last, before, after widget.TreeNodeID
	found, passed := false, from == RootID
	fromNode := d.byID[from]
	d.root.Walk(func(n *hyperlambda.Node) bool {
		if n == fromNode && n != d.root {
			passed = true
			return true
		}
		if n == d.root || !nodeMatches(n, query) {
			return true
		}
		id := d.idOf[n]
		if !found {
			first = id
		}
		found = true
		last = id
		if !passed {
			before = id
		} else if after == RootID {
			after = id
		}
		return true
	})
	if !found {
		return RootID, false
	}
	if backward {
		if before != RootID {
			return before, true
		}
		return last, true
	}
	if after != RootID {
		return after, true
	}
	return first, true
}

func (d *Document) eachMatch(query string, fn func(*hyperlambda.Node) bool) {
	d.root.Walk(func(n *hyperlambda.Node) bool {
		if n != d.root && nodeMatches(n, query) {
			return fn(n)
		}
		return true
	})
}

func nodeMatches(n *hyperlambda.Node, query string) bool {
	if query == "" {
		return false
	}
	if containsFold(n.Name, query) {
		return true
	}
	if n.Value == nil {
		return false
	}
	_, text := ValueOf(n)
	return containsFold(text, query)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
