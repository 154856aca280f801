package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// NoValue is the type select's choice for a node without a value, which
// Hyperlambda tells apart from the empty string.
const NoValue = "(no value)"

// typeHints say what text each type takes, under the value entry.
var typeHints = map[string]string{
	"string":  "Any text.",
	"bool":    `"true" is true; any other text is false.`,
	"int":     "A whole number, 32 bits.",
	"uint":    "A whole number ≥ 0, 32 bits.",
	"short":   "A whole number, 16 bits.",
	"ushort":  "A whole number ≥ 0, 16 bits.",
	"long":    "A whole number, 64 bits.",
	"ulong":   "A whole number ≥ 0, 64 bits.",
	"byte":    "A whole number 0 to 255.",
	"sbyte":   "A whole number -128 to 127.",
	"decimal": "An exact decimal number, e.g. 5.50.",
	"double":  "A floating-point number, e.g. 3.14.",
	"float":   "A 32-bit floating-point number.",
	"single":  "A 32-bit floating-point number (written as float).",
	"char":    "One character.",
	"bytes":   "Base64 text.",
	"date":    "An ISO 8601 date, e.g. 2025-01-31T12:00:00Z.",
	"time":    "A duration in 100-nanosecond ticks.",
	"guid":    "A GUID, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e.",
	"x":       "An expression, e.g. ../*/name.",
	"node":    "Hyperlambda text: the value's children.",
}

// Inspector edits the selected node of a Document: name, type, value
// (checked per type as it is typed), and shows its path and what the
// static check says about it, in words.
type Inspector struct {
	composite

	// onDirty run when a typed value starts or stops being refused: that
	// text is the person's work, unsaved (audit 23).
	onDirty []func()

	doc      *Document
	id       widget.TreeNodeID
	name     *nameEntry
	typ      *widget.Select
	value    *formEntry // Tab moves on: a tab character is rarely meant in a value
	valueErr *widget.Label
	hint     *widget.Label
	path     *widget.Label
	finding  *widget.Label
	fix      *widget.Button // renames an unknown slot to the near miss the check suggests
	fixName  string
	empty    *widget.Label
	form     fyne.CanvasObject
	stack    *fyne.Container // the form, or the "select a node" text
	scroll   *container.Scroll
	// The check's words and the fix button: above the fields when the
	// node is a problem (denied, unknown, dynamic), so they show without
	// scrolling in a short pane; under them otherwise.
	verdict       *fyne.Container
	verdictTop    *fyne.Container
	verdictBottom *fyne.Container

	// A rename in the name field (F2, a new node, a click): the name and
	// undo depth it started from, for Escape to put back.
	renaming    bool
	renameFrom  string
	renameDepth int

	// What the fields last showed of the node, so a refresh after an edit
	// elsewhere does not overwrite text being typed.
	shownName, shownType, shownText string
	updating                        bool

	blocked *widget.Label // why the fields are read-only, over them
	locked  bool

	// OnSubmit runs on Enter in the name field: the view gives the tree
	// the keyboard back (after F2).
	OnSubmit func()
	// Guard, when set, runs before an edit; an error refuses it (the
	// source tab's unapplied text) and the fields show the node again.
	Guard func() error
}

// NewInspector makes an inspector of doc showing no node.
func NewInspector(doc *Document) *Inspector {
	i := &Inspector{doc: doc, value: newFormEntry(nil, true),
		valueErr: wrappedLabel(), hint: wrappedLabel(), path: wrappedLabel(), finding: wrappedLabel(),
		empty: widget.NewLabel("Select a node in the tree to inspect it.")}
	i.name = newNameEntry(i)
	i.fix = widget.NewButtonWithIcon("", theme.ContentRedoIcon(), func() {
		if i.id != RootID && i.fixName != "" && !i.refused() {
			i.doc.SetName(i.id, i.fixName) // one undo step
		}
	})
	i.fix.Hide()
	i.typ = widget.NewSelect(append([]string{NoValue}, hyperlambda.TypeNames...), func(string) { i.applyValue() })
	i.name.OnChanged = func(string) { i.applyName() }
	i.name.OnSubmitted = func(string) {
		i.endRename()
		if i.OnSubmit != nil {
			i.OnSubmit()
		}
	}
	i.value.OnChanged = func(string) { i.applyValue() }
	i.blocked = wrappedLabel()
	i.blocked.Importance = widget.DangerImportance
	i.blocked.Hide()
	i.value.Wrapping = fyne.TextWrapBreak
	i.value.SetMinRowsVisible(3)
	i.valueErr.Importance = widget.DangerImportance
	i.hint.Importance = widget.LowImportance
	i.path.TextStyle.Monospace = true
	// A wrapped label in a form row is cut off: one line, ellipsised.
	i.path.Wrapping = fyne.TextWrapOff
	i.path.Truncation = fyne.TextTruncateEllipsis
	i.verdict = container.NewVBox(i.finding, container.NewHBox(i.fix))
	i.verdictTop = container.NewVBox()
	i.verdictBottom = container.NewVBox(widget.NewSeparator(), i.verdict)
	i.form = container.NewVBox(
		i.blocked,
		i.verdictTop,
		widget.NewForm(
			widget.NewFormItem("Name", i.name),
			widget.NewFormItem("Type", i.typ),
			widget.NewFormItem("Value", container.NewVBox(i.value, i.valueErr, i.hint)),
			widget.NewFormItem("Path", i.path),
		),
		i.verdictBottom,
	)
	i.stack = container.NewStack(i.empty)
	i.scroll = container.NewVScroll(i.stack)
	i.content = i.scroll
	doc.OnChange(i.refresh)
	i.ExtendBaseWidget(i)
	return i
}

func wrappedLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return l
}

// SetNode shows a node (RootID for none). Typing in the new node's fields
// starts new undo steps.
func (i *Inspector) SetNode(id widget.TreeNodeID) {
	i.endRename()
	// Another node starts at its top, where its name and, for a problem,
	// the check's words are: not at the last one's scroll.
	defer func(other bool) {
		if other {
			i.scroll.ScrollToTop() // lays the content out again too
		}
	}(id != i.id)
	i.id = id
	i.shownName, i.shownType, i.shownText = "", "", ""
	n := i.doc.Node(id)
	if id == RootID || n == nil {
		i.id = RootID
		i.stack.Objects = []fyne.CanvasObject{i.empty}
		i.stack.Refresh()
		return
	}
	i.stack.Objects = []fyne.CanvasObject{i.form}
	i.stack.Refresh()
	i.setValueErr("")
	i.sync(n, true)
}

// Node returns the id of the node shown.
func (i *Inspector) Node() widget.TreeNodeID { return i.id }

// FocusName puts the keyboard in the name field (F2 in the tree), the name
// selected so that typing replaces it.
func (i *Inspector) FocusName() { i.FocusNameIn(nil) }

// FocusNameIn is FocusName in the window of canvas c (nil: the
// inspector's own). The desktop driver forgets the canvas of an object
// hidden for a while (the inspector behind the source tab), so the view
// passes the tree's, always shown.
func (i *Inspector) FocusNameIn(c fyne.Canvas) {
	if c == nil {
		d := fyne.CurrentApp().Driver()
		if c = d.CanvasForObject(i); c == nil {
			c = d.CanvasForObject(i.name)
		}
	}
	if c != nil {
		i.endRename() // the rename is an undo step of its own
		c.Focus(i.name)
		i.startRename() // also when the name field had the focus already
		i.name.TypedShortcut(&fyne.ShortcutSelectAll{})
	}
}

// nameEntry is the name field: Escape cancels the rename.
type nameEntry struct {
	widget.Entry
	in *Inspector
}

func newNameEntry(i *Inspector) *nameEntry {
	e := &nameEntry{in: i}
	e.ExtendBaseWidget(e)
	return e
}

func (e *nameEntry) FocusGained() {
	e.in.startRename()
	e.Entry.FocusGained()
}

func (e *nameEntry) FocusLost() {
	e.in.endRename() // clicking elsewhere keeps the name typed
	e.Entry.FocusLost()
}

func (e *nameEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		e.in.CancelRename()
		return
	}
	e.Entry.TypedKey(ev)
}

// dropTypingStep takes back the undo step typing is merging into (the
// step on top), as if it had not been typed: no redo of it is left, and
// the listeners hear of it once the step is gone.
func dropTypingStep(d *Document) {
	op := d.top()
	d.undo = d.undo[:len(d.undo)-1]
	for k := len(op.changes) - 1; k >= 0; k-- {
		op.changes[k].revert(d)
	}
	if op.structural() {
		d.shape++
	}
	d.mergeKey = ""
	d.relabel()
	d.changed()
}

// startRename notes the name the field starts from, for Escape.
func (i *Inspector) startRename() {
	n := i.doc.Node(i.id)
	if i.renaming || i.id == RootID || n == nil {
		return
	}
	i.renaming, i.renameFrom, i.renameDepth = true, n.Name, i.doc.UndoDepth()
}

// endRename keeps the name typed: the next keystroke starts another undo
// step.
func (i *Inspector) endRename() {
	if i.renaming {
		i.renaming = false
		i.placeVerdict(i.problem())
	}
	i.doc.EndTyping()
}

// CancelRename (Escape in the name field) puts back the name the rename
// started from, leaving no undo step, and gives the keyboard back (to the
// tree, through OnSubmit).
func (i *Inspector) CancelRename() {
	if i.renaming && !i.locked {
		n := i.doc.Node(i.id)
		switch d := i.doc; {
		case n == nil || n.Name == i.renameFrom:
		case d.UndoDepth() == i.renameDepth+1 && d.mergeKey == "name "+i.id:
			dropTypingStep(d)
		default:
			_ = d.SetName(i.id, i.renameFrom)
		}
	}
	i.endRename()
	if n := i.doc.Node(i.id); n != nil && i.id != RootID {
		i.sync(n, true)
	}
	if i.OnSubmit != nil {
		i.OnSubmit()
	}
}

// OnDirty registers fn to run when ValueError turns on or off.
func (i *Inspector) OnDirty(fn func()) { i.onDirty = append(i.onDirty, fn) }

// setValueErr shows msg under the value ("" hides it), telling OnDirty
// when that changes whether typed text is refused.
func (i *Inspector) setValueErr(msg string) {
	was := i.valueErr.Visible()
	if msg == "" {
		i.valueErr.Hide()
	} else {
		i.valueErr.SetText(msg)
		i.valueErr.Show()
	}
	if was != (msg != "") {
		for _, fn := range i.onDirty {
			fn()
		}
	}
}

// ValueError is the inline message of a value the type rejects ("" when
// the value is fine).
func (i *Inspector) ValueError() string {
	if !i.valueErr.Visible() {
		return ""
	}
	return i.valueErr.Text
}

// Finding is the static check's words for the node.
func (i *Inspector) Finding() string { return i.finding.Text }

// refresh follows a change of the document, wherever it came from.
func (i *Inspector) refresh() {
	if i.id == RootID {
		return
	}
	n := i.doc.Node(i.id)
	if n == nil {
		i.SetNode(RootID)
		return
	}
	i.sync(n, false)
}

// sync shows n in the fields. Unless all is set, a field is only rewritten
// when the node changed since it was shown, so that an edit elsewhere (a
// relabel, an undo of another node) keeps a half-typed value.
func (i *Inspector) sync(n *hyperlambda.Node, all bool) {
	i.updating = true
	defer func() { i.updating = false }()
	if all || n.Name != i.shownName {
		i.shownName = n.Name
		if i.name.Text != n.Name {
			i.name.SetText(n.Name)
		}
	}
	typ, text := ValueOf(n)
	if n.Value == nil {
		typ, text = "", ""
	}
	if all || typ != i.shownType || text != i.shownText {
		i.shownType, i.shownText = typ, text
		i.typ.SetSelected(orNoValue(typ))
		if i.value.Text != text {
			i.value.SetText(text)
		}
		i.setValueErr("")
		i.showHint()
	}
	i.path.SetText(pathWords(n))
	i.finding.SetText(i.doc.Describe(i.id))
	i.finding.Importance = widget.MediumImportance
	if f, ok := i.doc.Finding(i.id); ok {
		i.finding.Importance = LabelImportance(f.Label)
	}
	i.finding.Refresh()
	i.showFix(n)
	// The fields do not jump while a name or value is typed: the words
	// move when the typing ends or another node is shown.
	if all || !i.typing() {
		i.placeVerdict(i.problem())
	}
}

// problem reports whether the check has something to say against the
// node shown (denied, unknown, dynamic).
func (i *Inspector) problem() bool {
	return i.finding.Importance != widget.MediumImportance && i.finding.Importance != widget.SuccessImportance
}

// typing reports whether the name or value field is being typed in.
func (i *Inspector) typing() bool {
	if i.renaming {
		return true
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(i.value)
	return c != nil && c.Focused() == i.value
}

// placeVerdict puts the check's words and the fix above the fields (on
// top) or under them.
func (i *Inspector) placeVerdict(top bool) {
	if top == (len(i.verdictTop.Objects) > 0) {
		return
	}
	if top {
		i.verdictBottom.Objects = nil
		i.verdictTop.Objects = []fyne.CanvasObject{i.verdict, widget.NewSeparator()}
	} else {
		i.verdictTop.Objects = nil
		i.verdictBottom.Objects = []fyne.CanvasObject{widget.NewSeparator(), i.verdict}
	}
	i.verdictTop.Refresh()
	i.verdictBottom.Refresh()
	i.scroll.Refresh()
}

// VerdictOnTop reports whether the check's words are shown above the
// fields.
func (i *Inspector) VerdictOnTop() bool { return len(i.verdictTop.Objects) > 0 }

// showFix offers the registered name an unknown slot is a small edit away
// from (a typo of the model's or the person's), as one undoable rename.
func (i *Inspector) showFix(n *hyperlambda.Node) {
	i.fixName = ""
	if f, ok := i.doc.Finding(i.id); ok && f.Label == whitelist.LabelUnknownSlot && i.doc.vocab != nil {
		if _, reference := whitelist.ReferenceModule(n.Name); !reference {
			i.fixName = whitelist.Nearest(n.Name, i.doc.vocab.Names())
		}
	}
	if i.fixName == "" {
		i.fix.Hide()
		return
	}
	i.fix.SetText("Rename to " + i.fixName)
	i.fix.Show()
}

// Fix is the rename the inspector offers for the node shown ("" for none).
func (i *Inspector) Fix() string { return i.fixName }

func orNoValue(typ string) string {
	if typ == "" {
		return NoValue
	}
	return typ
}

func (i *Inspector) selectedType() string {
	if t := i.typ.Selected; t != NoValue {
		return t
	}
	return ""
}

func (i *Inspector) showHint() {
	typ := i.selectedType()
	if typ == "" {
		i.value.Disable()
		i.hint.SetText("The node has no value (which is not the empty string).")
		return
	}
	if !i.locked {
		i.value.Enable()
	}
	i.hint.SetText(typeHints[typ])
}

// SetBlocked makes the fields read-only and says why over them, until it
// is called with nil.
func (i *Inspector) SetBlocked(err error) {
	i.locked = err != nil
	if i.locked {
		i.blocked.SetText(err.Error())
		i.blocked.Show()
		i.name.Disable()
		i.typ.Disable()
		i.value.Disable()
		i.fix.Disable()
	} else {
		i.blocked.Hide()
		i.name.Enable()
		i.typ.Enable()
		i.fix.Enable()
		i.showHint() // enables the value when the type takes one
	}
	i.stack.Refresh()
}

// Blocked is why the fields are read-only ("" when they are not).
func (i *Inspector) Blocked() string {
	if !i.locked {
		return ""
	}
	return i.blocked.Text
}

// refused runs the Guard before an edit; a refused edit shows the node
// again.
func (i *Inspector) refused() bool {
	if i.locked || (i.Guard != nil && i.Guard() != nil) {
		if n := i.doc.Node(i.id); n != nil {
			i.sync(n, true)
		}
		return true
	}
	return false
}

func (i *Inspector) applyName() {
	if i.updating || i.id == RootID || i.refused() {
		return
	}
	if err := i.doc.setName(i.id, i.name.Text, true); err == nil {
		i.shownName = i.name.Text
	}
}

// applyValue sets the value from the type and text as they are now, or
// says inline why the type does not take the text.
func (i *Inspector) applyValue() {
	if i.updating || i.id == RootID || i.refused() {
		return
	}
	i.showHint()
	typ := i.selectedType()
	if err := i.doc.setValue(i.id, typ, i.value.Text, true); err != nil {
		msg := err.Error()
		var ee *EditError
		if errors.As(err, &ee) && ee.Err != nil {
			msg = ee.Err.Error() // the converter's own words
		}
		i.setValueErr(msg)
		return
	}
	i.setValueErr("")
	if n := i.doc.Node(i.id); n != nil {
		t, s := ValueOf(n)
		if n.Value == nil {
			t, s = "", ""
		}
		i.shownType, i.shownText = t, s
	}
}

// pathWords is the node's index path and the names leading to it.
func pathWords(n *hyperlambda.Node) string {
	var names []string
	for p := n; p.Parent() != nil; p = p.Parent() {
		names = append(names, "["+p.Name+"]")
	}
	for a, b := 0, len(names)-1; a < b; a, b = a+1, b-1 {
		names[a], names[b] = names[b], names[a]
	}
	return n.Path() + "   " + strings.Join(names, " / ")
}
