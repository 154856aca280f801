package ui

import (
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/whitelist"
)

// Action is something the tree editor does to its document, from the
// toolbar, a key or a shortcut.
type Action int

const (
	ActAddChild Action = iota
	ActAddSibling
	ActDelete
	ActMoveUp
	ActMoveDown
	ActIndent
	ActOutdent
	ActCopy
	ActCut
	ActPaste
	ActPasteInto
	ActDuplicate
	ActUndo
	ActRedo
	ActFind
	ActFindNext
	ActFindPrevious
	ActExpandAll
	ActCollapseAll
)

// LabelImportance is how a node's name is drawn for its label: the
// importances map to the theme's error, warning and success colours, so
// they read in light and dark themes alike.
func LabelImportance(l whitelist.Label) widget.Importance {
	switch l {
	case whitelist.LabelDenied, whitelist.LabelUnknownSlot:
		return widget.DangerImportance
	case whitelist.LabelDynamic, whitelist.LabelUnknownArgument:
		return widget.WarningImportance
	case whitelist.LabelAllowed:
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

// LabelColor is the theme colour of a label, for views that draw it
// themselves.
func LabelColor(l whitelist.Label) fyne.ThemeColorName {
	switch LabelImportance(l) {
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

// LabelIcon is the icon shown before a node, in its label's colour: the
// shape tells the labels apart without colour too.
func LabelIcon(l whitelist.Label) fyne.Resource {
	switch l {
	case whitelist.LabelDenied:
		return theme.NewErrorThemedResource(theme.CancelIcon())
	case whitelist.LabelUnknownSlot:
		return theme.NewErrorThemedResource(theme.QuestionIcon())
	case whitelist.LabelDynamic:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case whitelist.LabelUnknownArgument:
		return theme.NewWarningThemedResource(theme.QuestionIcon())
	case whitelist.LabelAllowed:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	return theme.NewDisabledResource(theme.MoreHorizontalIcon())
}

// editorShortcuts are the editor's shortcuts. Plain keys (Enter, Delete,
// Tab, F2, F3) are handled by the tree itself when it has focus.
var editorShortcuts = []struct {
	shortcut fyne.Shortcut
	action   Action
}{
	{ctrl(fyne.KeyReturn), ActAddChild},
	{ctrl(fyne.KeyEnter), ActAddChild},
	{alt(fyne.KeyUp), ActMoveUp},
	{alt(fyne.KeyDown), ActMoveDown},
	{alt(fyne.KeyRight), ActIndent},
	{alt(fyne.KeyLeft), ActOutdent},
	{&fyne.ShortcutCopy{}, ActCopy},
	{&fyne.ShortcutCut{}, ActCut},
	{&fyne.ShortcutPaste{}, ActPaste},
	{ctrlShift(fyne.KeyV), ActPasteInto},
	{ctrl(fyne.KeyD), ActDuplicate},
	{&fyne.ShortcutUndo{}, ActUndo},
	{&fyne.ShortcutRedo{}, ActRedo},
	{ctrlShift(fyne.KeyZ), ActRedo},
	{ctrl(fyne.KeyF), ActFind},
	{ctrl(fyne.KeyG), ActFindNext},
	{ctrlShift(fyne.KeyG), ActFindPrevious},
	{ctrl(fyne.KeyE), ActExpandAll},
	{ctrlShift(fyne.KeyE), ActCollapseAll},
}

func ctrl(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
}

func ctrlShift(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
}

func alt(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierAlt}
}

// TreeEditor shows a Document as a tree: every node's name, type and value,
// coloured and iconed by its static-check label, with a toolbar, keyboard
// shortcuts and a find bar. Selection is reported to OnSelected listeners
// (the inspector).
type TreeEditor struct {
	composite

	doc      *Document
	tree     *nodeTree
	toolbar  *widget.Toolbar
	undoBtn  *widget.ToolbarAction
	redoBtn  *widget.ToolbarAction
	more     *widget.Button // every action, named, in a menu
	find     *findEntry
	findBar  *fyne.Container
	top      *fyne.Container // toolbar and find bar
	body     *fyne.Container // top, tree and status line
	message  *widget.Label
	blockMsg string // the status line says why edits are refused

	selected  widget.TreeNodeID
	selecting bool // Select is selecting, not a click on the tree
	listeners []func(widget.TreeNodeID)
	rows      []*nodeRow // every row made, to redraw in place
	shape     uint64     // the document's shape the tree last laid out

	// OnRename runs on F2 and after a node is added: the view moves focus
	// to the inspector's name, selected, until Enter or Escape.
	OnRename func()
	// Guard, when set, runs before every edit; an error refuses the edit
	// and is said in the status line (the source tab's unapplied text).
	Guard func() error
}

// treeActions are the editor's actions as the toolbar's menu names them,
// with the key that does each.
var treeActions = []struct {
	action Action
	label  string
	key    fyne.Shortcut // shown in the menu; nil for none
}{
	{ActAddChild, "Add child", ctrl(fyne.KeyReturn)},
	{ActAddSibling, "Add sibling", plainKey(fyne.KeyReturn)},
	{ActDelete, "Delete", plainKey(fyne.KeyDelete)},
	{-1, "", nil},
	{ActMoveUp, "Move up", alt(fyne.KeyUp)},
	{ActMoveDown, "Move down", alt(fyne.KeyDown)},
	{ActOutdent, "Outdent", &desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierShift}},
	{ActIndent, "Indent", plainKey(fyne.KeyTab)},
	{-1, "", nil},
	{ActCut, "Cut", &fyne.ShortcutCut{}},
	{ActCopy, "Copy", &fyne.ShortcutCopy{}},
	{ActPaste, "Paste after", &fyne.ShortcutPaste{}},
	{ActPasteInto, "Paste into", ctrlShift(fyne.KeyV)},
	{ActDuplicate, "Duplicate", ctrl(fyne.KeyD)},
	{-1, "", nil},
	{ActUndo, "Undo", &fyne.ShortcutUndo{}},
	{ActRedo, "Redo", &fyne.ShortcutRedo{}},
	{-1, "", nil},
	{ActFind, "Find…", ctrl(fyne.KeyF)},
	{ActFindNext, "Find next", ctrl(fyne.KeyG)},
	{ActFindPrevious, "Find previous", ctrlShift(fyne.KeyG)},
	{-1, "", nil},
	{ActExpandAll, "Expand all", ctrl(fyne.KeyE)},
	{ActCollapseAll, "Collapse all", ctrlShift(fyne.KeyE)},
}

func plainKey(k fyne.KeyName) fyne.Shortcut { return &desktop.CustomShortcut{KeyName: k} }

// NewTreeEditor makes an editor of doc.
func NewTreeEditor(doc *Document) *TreeEditor {
	e := &TreeEditor{doc: doc, message: widget.NewLabel("")}
	e.message.Truncation = fyne.TextTruncateEllipsis
	e.shape = doc.shape
	e.tree = newNodeTree(e)
	act := func(icon fyne.Resource, a Action) *widget.ToolbarAction {
		return widget.NewToolbarAction(icon, func() { e.Do(a) })
	}
	e.undoBtn = act(theme.ContentUndoIcon(), ActUndo)
	e.redoBtn = act(theme.ContentRedoIcon(), ActRedo)
	// The everyday actions fit a 1280-wide window's tree pane; cut, copy,
	// paste, duplicate, expand and collapse are in the ⋮ menu (and keys),
	// which names every action.
	e.toolbar = widget.NewToolbar(
		act(theme.ContentAddIcon(), ActAddChild),
		act(theme.ListIcon(), ActAddSibling),
		act(theme.DeleteIcon(), ActDelete),
		widget.NewToolbarSeparator(),
		act(theme.MoveUpIcon(), ActMoveUp),
		act(theme.MoveDownIcon(), ActMoveDown),
		act(theme.NavigateBackIcon(), ActOutdent),
		act(theme.NavigateNextIcon(), ActIndent),
		widget.NewToolbarSeparator(),
		e.undoBtn, e.redoBtn,
		act(theme.SearchIcon(), ActFind),
	)
	e.more = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), e.showMenu)
	e.more.Importance = widget.LowImportance
	e.find = newFindEntry(e)
	e.find.SetPlaceHolder("Find a name or value (Enter: next, Esc: close)")
	e.find.OnChanged = func(string) { e.findFromHere() }
	e.find.OnSubmitted = func(string) { e.Do(ActFindNext) }
	e.findBar = container.NewBorder(nil, nil, nil,
		container.NewHBox(
			widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { e.Do(ActFindPrevious) }),
			widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { e.Do(ActFindNext) }),
			widget.NewButtonWithIcon("", theme.CancelIcon(), e.closeFind)),
		e.find)
	e.findBar.Hide()
	// The toolbar scrolls sideways in a pane narrower than it, so it does
	// not set the window's minimum width; the menu button stays in view.
	e.top = container.NewVBox(container.NewBorder(nil, nil, nil, e.more, container.NewHScroll(e.toolbar)), e.findBar)
	e.body = container.NewBorder(e.top, e.message, nil, nil, e.tree)
	e.content = e.body
	doc.OnChange(e.docChanged)
	e.updateButtons()
	e.ExtendBaseWidget(e)
	return e
}

// showMenu pops up every action under the ⋮ button.
func (e *TreeEditor) showMenu() {
	c := e.canvas()
	if c == nil {
		return
	}
	widget.ShowPopUpMenuAtRelativePosition(e.Menu(), c, fyne.NewPos(0, e.more.Size().Height), e.more)
}

// Menu is every action of the editor as a menu, those that cannot be done
// now disabled.
func (e *TreeEditor) Menu() *fyne.Menu {
	var items []*fyne.MenuItem
	for _, ta := range treeActions {
		if ta.label == "" {
			items = append(items, fyne.NewMenuItemSeparator())
			continue
		}
		a := ta.action
		it := fyne.NewMenuItem(ta.label, func() { e.Do(a) })
		it.Shortcut = ta.key
		switch a {
		case ActUndo:
			it.Disabled = !e.doc.CanUndo()
			if !it.Disabled {
				it.Label += " " + e.doc.UndoName()
			}
		case ActRedo:
			it.Disabled = !e.doc.CanRedo()
			if !it.Disabled {
				it.Label += " " + e.doc.RedoName()
			}
		case ActPaste, ActPasteInto:
			it.Disabled = !e.doc.HasClipboard()
		}
		items = append(items, it)
	}
	return fyne.NewMenu("", items...)
}

// canvas is the window's canvas. It is asked for the editor, which is
// drawn whenever any of it is: the desktop driver knows no canvas for an
// object not drawn yet (the find entry before the bar first shows) nor for
// the widget.Tree inside nodeTree.
func (e *TreeEditor) canvas() fyne.Canvas {
	d := fyne.CurrentApp().Driver()
	if c := d.CanvasForObject(e); c != nil {
		return c
	}
	return d.CanvasForObject(e.tree)
}

func (e *TreeEditor) focus(o fyne.Focusable) {
	if c := e.canvas(); c != nil && c.Focused() != o {
		c.Focus(o)
	}
}

// FocusTree gives the tree the keyboard.
func (e *TreeEditor) FocusTree() { e.focus(e.tree) }

// Document returns the document being edited.
func (e *TreeEditor) Document() *Document { return e.doc }

// Tree returns the focusable tree, e.g. to give it focus.
func (e *TreeEditor) Tree() fyne.Focusable { return e.tree }

// OnSelected registers fn to run when the selection changes; RootID means
// nothing is selected.
func (e *TreeEditor) OnSelected(fn func(widget.TreeNodeID)) {
	e.listeners = append(e.listeners, fn)
}

// Selected returns the selected node's id, RootID for none.
func (e *TreeEditor) Selected() widget.TreeNodeID { return e.selected }

// Message is the editor's status line: a refused edit's reason or the
// find result.
func (e *TreeEditor) Message() string { return e.message.Text }

// Select selects a node, opening its ancestors so it can be seen; RootID
// clears the selection.
func (e *TreeEditor) Select(id widget.TreeNodeID) {
	if id == RootID || e.doc.Node(id) == nil {
		e.tree.UnselectAll()
		e.setSelected(RootID)
		return
	}
	e.selecting = true // not a click: the focus stays where it is
	for p := e.doc.ParentID(id); p != RootID; p = e.doc.ParentID(p) {
		if !e.tree.IsBranchOpen(p) {
			e.tree.OpenBranch(p)
		}
	}
	e.tree.Select(id) // reports through OnSelected when it changes
	e.selecting = false
	e.setSelected(id)
	// The tree only scrolls to a newly selected node: a node moved by an
	// edit (indent, outdent, move) stays selected and could leave the view.
	e.tree.ScrollTo(id)
	// widget.Tree.ScrollTo stops one padding short when it scrolls down,
	// leaving the row's bottom cut off: show the row below it too, or the
	// end of the tree.
	if next, ok := e.tree.neighbour(id, false); ok {
		e.tree.ScrollTo(next)
	} else {
		e.tree.ScrollToBottom()
	}
}

// clicked is a click on a node's row: select it and give the tree the
// keyboard, so that its keys act on the node (widget.Tree's own click
// cannot focus a tree extended by another widget, as nodeTree is).
func (e *TreeEditor) clicked(id widget.TreeNodeID) {
	e.Select(id)
	e.FocusTree()
}

func (e *TreeEditor) setSelected(id widget.TreeNodeID) {
	if id == e.selected {
		return
	}
	e.selected = id
	for _, fn := range e.listeners {
		fn(id)
	}
}

// BindShortcuts adds the editor's shortcuts to a window's canvas, so they
// work when the focus is on no widget or on one that takes no shortcuts.
// A focused text entry keeps Ctrl+C, Ctrl+Z etc. for its own text. A
// dialog's button takes none, so the canvas got them while a dialog was
// up: Ctrl+Z undid an edit behind it; not any more.
func (e *TreeEditor) BindShortcuts(c fyne.Canvas) {
	for _, s := range editorShortcuts {
		a := s.action
		c.AddShortcut(s.shortcut, func(fyne.Shortcut) {
			if !dialogShowing(c) {
				e.Do(a)
			}
		})
	}
}

// Do performs an action on the selected node. A refused edit is reported
// in the status line, never as a dialog: the person keeps typing.
func (e *TreeEditor) Do(a Action) {
	if e.Guard != nil && edits(a) {
		if err := e.Guard(); err != nil {
			e.say(err.Error(), true)
			return
		}
	}
	sel := e.selected
	var next widget.TreeNodeID
	var err error
	switch a {
	case ActAddChild:
		next, err = e.doc.AddChild(sel, "")
	case ActAddSibling:
		next, err = e.doc.AddSibling(sel, "")
	case ActDelete:
		next, err = e.doc.Delete(sel)
	case ActMoveUp:
		next, err = sel, e.doc.MoveUp(sel)
	case ActMoveDown:
		next, err = sel, e.doc.MoveDown(sel)
	case ActIndent:
		next, err = sel, e.doc.Indent(sel)
	case ActOutdent:
		next, err = sel, e.doc.Outdent(sel)
	case ActCopy:
		next, err = sel, e.doc.Copy(sel)
		e.updateButtons()
	case ActCut:
		next, err = e.doc.Cut(sel)
	case ActPaste:
		next, err = e.doc.Paste(sel)
	case ActPasteInto:
		next, err = e.doc.PasteInto(sel)
	case ActDuplicate:
		next, err = e.doc.Duplicate(sel)
	case ActUndo:
		var ok bool
		if next, ok = e.doc.Undo(); !ok {
			e.say("Nothing to undo.", false)
			return
		}
	case ActRedo:
		var ok bool
		if next, ok = e.doc.Redo(); !ok {
			e.say("Nothing to redo.", false)
			return
		}
	case ActFind:
		e.openFind()
		return
	case ActFindNext, ActFindPrevious:
		e.findNext(a == ActFindPrevious)
		return
	case ActExpandAll:
		e.tree.OpenAllBranches()
		return
	case ActCollapseAll:
		e.tree.CloseAllBranches()
		if e.selected != RootID && e.doc.ParentID(e.selected) != RootID {
			e.Select(RootID) // a hidden selection would be edited blind
		}
		return
	}
	if err != nil {
		e.say(err.Error(), true)
		return
	}
	e.say("", false)
	e.Select(next)
	if (a == ActAddChild || a == ActAddSibling) && e.OnRename != nil {
		// A new node is named by typing: its name, selected, has the
		// keyboard (Enter keeps the name, Escape keeps .new).
		e.OnRename()
	}
}

// edits reports whether an action changes the document.
func edits(a Action) bool {
	switch a {
	case ActCopy, ActFind, ActFindNext, ActFindPrevious, ActExpandAll, ActCollapseAll:
		return false
	}
	return true
}

func (e *TreeEditor) say(text string, problem bool) {
	if text == "" && e.blockMsg != "" {
		text, problem = e.blockMsg, true // edits are still refused: keep saying why
	}
	e.message.Importance = widget.MediumImportance
	if problem {
		e.message.Importance = widget.DangerImportance
	}
	e.message.SetText(text)
}

// ShowBlocked says in the status line why edits are refused until it is
// called with nil (the Guard's error, as soon as it arises).
func (e *TreeEditor) ShowBlocked(err error) {
	if err == nil {
		shown := e.message.Text == e.blockMsg
		e.blockMsg = ""
		if shown {
			e.say("", false)
		}
		return
	}
	e.blockMsg = err.Error()
	e.say(e.blockMsg, true)
}

// docChanged follows edits made anywhere (inspector, source, undo).
func (e *TreeEditor) docChanged() {
	if e.selected != RootID && e.doc.Node(e.selected) == nil {
		e.tree.UnselectAll()
		e.setSelected(RootID)
	}
	if e.shape != e.doc.shape {
		e.shape = e.doc.shape
		e.tree.relayout()
	} else {
		// Names, values and labels changed, not the rows: redraw the rows
		// on screen instead of having the tree walk every open node.
		for _, r := range e.rows {
			if r.id != RootID && r.Visible() {
				r.show(e.doc, r.id)
			}
		}
	}
	e.updateButtons()
}

func (e *TreeEditor) updateButtons() {
	setEnabled(e.undoBtn, e.doc.CanUndo())
	setEnabled(e.redoBtn, e.doc.CanRedo())
}

func setEnabled(a *widget.ToolbarAction, on bool) {
	if on {
		a.Enable()
	} else {
		a.Disable()
	}
}

func (e *TreeEditor) openFind() {
	e.showFindBar(true)
	e.focus(e.find)
}

func (e *TreeEditor) closeFind() {
	e.showFindBar(false)
	e.say("", false)
	e.FocusTree()
}

// showFindBar shows or hides the find bar and lays the editor out again at
// once: the window would only notice the bar's height change when nothing
// else changed size in the same frame, leaving a blank strip over the tree.
func (e *TreeEditor) showFindBar(show bool) {
	if show == e.findBar.Visible() {
		return
	}
	if show {
		e.findBar.Show()
	} else {
		e.findBar.Hide()
	}
	e.top.Refresh()
	e.body.Layout.Layout(e.body.Objects, e.body.Size())
	if c := e.canvas(); c != nil {
		c.Refresh(e.body)
	}
}

// FindText returns the query of the find bar.
func (e *TreeEditor) FindText() string { return e.find.Text }

// SetFindText sets the find bar's query and shows it.
func (e *TreeEditor) SetFindText(q string) {
	e.showFindBar(true)
	e.find.SetText(q)
}

// findEntry is the find bar's entry: Escape closes the bar.
type findEntry struct {
	widget.Entry
	ed *TreeEditor
}

func newFindEntry(e *TreeEditor) *findEntry {
	f := &findEntry{ed: e}
	f.ExtendBaseWidget(f)
	return f
}

func (f *findEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		f.ed.closeFind()
		return
	}
	f.Entry.TypedKey(ev)
}

// findFromHere jumps, as the query is typed, to the first match at or
// after the selection.
func (e *TreeEditor) findFromHere() {
	q := e.find.Text
	if n := e.doc.Node(e.selected); n != nil && e.selected != RootID && nodeMatches(n, q) {
		e.sayMatches()
		return
	}
	e.findNext(false)
}

func (e *TreeEditor) findNext(backward bool) {
	q := e.find.Text
	if q == "" {
		e.openFind()
		return
	}
	id, ok := e.doc.FindNext(q, e.selected, backward)
	if !ok {
		e.say("No node's name or value contains "+strconv.Quote(q)+".", true)
		return
	}
	e.Select(id)
	e.sayMatches()
}

func (e *TreeEditor) sayMatches() {
	all := e.doc.Find(e.find.Text)
	for i, id := range all {
		if id == e.selected {
			e.say("Match "+strconv.Itoa(i+1)+" of "+strconv.Itoa(len(all))+".", false)
			return
		}
	}
}

// nodeTree is the widget.Tree of an editor, taking the editor's plain keys
// when it has focus.
type nodeTree struct {
	widget.Tree
	ed    *TreeEditor
	shift bool // desktop.Keyable reports Shift; Tab and F3 arrive without it
}

func newNodeTree(e *TreeEditor) *nodeTree {
	t := &nodeTree{ed: e}
	d := e.doc
	t.ChildUIDs = d.ChildIDs
	t.IsBranch = d.IsBranch
	t.CreateNode = func(bool) fyne.CanvasObject {
		r := newNodeRow()
		r.tapped = e.clicked
		// widget.Tree makes two rows on every refresh only to measure
		// them; they never show a node: forget them.
		e.rows = slices.DeleteFunc(e.rows, func(r *nodeRow) bool { return r.id == RootID })
		e.rows = append(e.rows, r)
		return r
	}
	t.UpdateNode = func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) { o.(*nodeRow).show(d, id) }
	t.OnSelected = func(id widget.TreeNodeID) {
		e.setSelected(id)
		if !e.selecting {
			// A click beside the row's text (the indent of a leaf):
			// widget.Tree selected, and cannot focus nodeTree itself.
			e.FocusTree()
		}
	}
	// A click on a branch's arrow gives the tree the keyboard too.
	clickedArrow := func(widget.TreeNodeID) {
		if !e.selecting {
			e.FocusTree()
		}
	}
	t.OnBranchOpened, t.OnBranchClosed = clickedArrow, clickedArrow
	t.ExtendBaseWidget(t)
	return t
}

// noRowsID is a node id no document gives, to lay the tree out without
// redrawing any row.
const noRowsID widget.TreeNodeID = "\x00no rows"

// relayout lays the tree out again after nodes were added, removed or
// moved. Node ids are stable per node, and widget.Tree keeps the row it
// drew for an id from one layout to the next, indented at the depth the
// id had when the row was first drawn: a node moved by Tab or Shift+Tab
// would be drawn at its old depth. A layout with no rows first hands every
// row back to the tree's pools, so the next one draws each at its depth.
func (t *nodeTree) relayout() {
	isBranch := t.IsBranch
	t.IsBranch = func(widget.TreeNodeID) bool { return false } // the root is a leaf: no rows
	t.RefreshItem(noRowsID)
	t.IsBranch = isBranch
	t.Refresh()
}

// AcceptsTab keeps Tab for indenting: F2 and Ctrl+F lead out of the tree.
func (t *nodeTree) AcceptsTab() bool { return true }

func (t *nodeTree) KeyDown(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		t.shift = true
	}
}

func (t *nodeTree) KeyUp(ev *fyne.KeyEvent) {
	if ev.Name == desktop.KeyShiftLeft || ev.Name == desktop.KeyShiftRight {
		t.shift = false
	}
}

func (t *nodeTree) FocusLost() {
	t.shift = false
	t.Tree.FocusLost()
}

func (t *nodeTree) TypedKey(ev *fyne.KeyEvent) {
	e := t.ed
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		e.Do(ActAddSibling)
	case fyne.KeyDelete:
		e.Do(ActDelete)
	case fyne.KeyTab:
		if t.shift {
			e.Do(ActOutdent)
		} else {
			e.Do(ActIndent)
		}
	case fyne.KeyF3:
		if t.shift {
			e.Do(ActFindPrevious)
		} else {
			e.Do(ActFindNext)
		}
	case fyne.KeyF2:
		if e.OnRename != nil && e.selected != RootID {
			e.OnRename()
		}
	case fyne.KeyEscape:
		if e.findBar.Visible() {
			e.closeFind()
		}
	case fyne.KeyUp, fyne.KeyDown:
		// Arrows select, not only focus: the inspector follows the keyboard.
		if id, ok := t.neighbour(e.selected, ev.Name == fyne.KeyUp); ok {
			e.Select(id)
		}
	default:
		t.Tree.TypedKey(ev)
	}
}

// TypedShortcut takes the editor's shortcuts while the tree has focus and
// hands the others (Ctrl+Q, ...) to the window.
func (t *nodeTree) TypedShortcut(s fyne.Shortcut) {
	for _, es := range editorShortcuts {
		if es.shortcut.ShortcutName() == s.ShortcutName() {
			t.ed.Do(es.action)
			return
		}
	}
	if c, ok := fyne.CurrentApp().Driver().CanvasForObject(t).(fyne.Shortcutable); ok {
		c.TypedShortcut(s)
	}
}

// neighbour is the visible node above or below sel.
func (t *nodeTree) neighbour(sel widget.TreeNodeID, up bool) (widget.TreeNodeID, bool) {
	var prev, found widget.TreeNodeID
	// With nothing selected, Down takes the first node.
	take, done := sel == RootID, false
	var walk func(id widget.TreeNodeID)
	walk = func(id widget.TreeNodeID) {
		for _, c := range t.ed.doc.ChildIDs(id) {
			if done {
				return
			}
			switch {
			case take:
				found, done = c, true
				return
			case c == sel && up:
				found, done = prev, prev != RootID
				return
			case c == sel:
				take = true
			}
			prev = c
			if t.IsBranchOpen(c) {
				walk(c)
			}
		}
	}
	walk(RootID)
	return found, done
}

// nodeRow is one row of the tree: label icon, name, type and value.
type nodeRow struct {
	widget.BaseWidget
	id     widget.TreeNodeID
	icon   *widget.Icon
	name   *widget.Label
	typ    *typeMarker
	value  *widget.Label
	box    fyne.CanvasObject
	tapped func(widget.TreeNodeID)
}

// Tapped takes a click on the row from widget.Tree's own row, to select
// the node and focus the tree.
func (r *nodeRow) Tapped(*fyne.PointEvent) {
	if r.tapped != nil && r.id != RootID {
		r.tapped(r.id)
	}
}

func newNodeRow() *nodeRow {
	r := &nodeRow{icon: widget.NewIcon(nil), name: widget.NewLabel(""), typ: newTypeMarker(), value: widget.NewLabel("")}
	r.name.TextStyle.Monospace = true
	r.value.TextStyle.Monospace = true
	r.value.Truncation = fyne.TextTruncateEllipsis
	r.box = container.NewBorder(nil, nil, container.NewHBox(r.icon, r.name, r.typ), nil, r.value)
	r.ExtendBaseWidget(r)
	return r
}

func (r *nodeRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (r *nodeRow) show(d *Document, id widget.TreeNodeID) {
	r.id = id
	n := d.Node(id)
	if n == nil {
		return
	}
	name := n.Name
	if name == "" {
		name = `""`
	}
	typ, text := ValueOf(n)
	if n.Value == nil {
		typ = ""
	}
	r.name.Importance = widget.MediumImportance
	var icon fyne.Resource
	if f, ok := d.Finding(id); ok {
		r.name.Importance = LabelImportance(f.Label)
		icon = LabelIcon(f.Label)
	}
	r.icon.SetResource(icon)
	r.name.SetText(name) // SetText refreshes, so Importance above shows too
	r.typ.SetText(typ)
	r.value.SetText(oneLine(text))
}

// typeMarker is a row's type (x, string, int) in italics, as a label
// lays it out, in SecondaryTextColor: quieter than the name and value,
// but not the disabled grey of a LowImportance label, which hardly shows.
// The colour is taken from the theme on every refresh (a theme change
// refreshes every widget).
type typeMarker struct {
	widget.BaseWidget
	Text string
}

func newTypeMarker() *typeMarker {
	m := &typeMarker{}
	m.ExtendBaseWidget(m)
	return m
}

// SetText shows another type.
func (m *typeMarker) SetText(s string) {
	if s != m.Text {
		m.Text = s
		m.Refresh()
	}
}

func (m *typeMarker) CreateRenderer() fyne.WidgetRenderer {
	r := &typeMarkerRenderer{m: m, text: canvas.NewText("", nil)}
	r.text.TextStyle.Italic = true
	r.Refresh()
	return r
}

type typeMarkerRenderer struct {
	m    *typeMarker
	text *canvas.Text
}

func (r *typeMarkerRenderer) Layout(fyne.Size) {
	pad := r.m.Theme().Size(theme.SizeNameInnerPadding)
	r.text.Move(fyne.NewPos(pad, pad))
	r.text.Resize(r.text.MinSize())
}

func (r *typeMarkerRenderer) MinSize() fyne.Size {
	pad := r.m.Theme().Size(theme.SizeNameInnerPadding)
	return r.text.MinSize().AddWidthHeight(2*pad, 2*pad)
}

func (r *typeMarkerRenderer) Refresh() {
	th := r.m.Theme()
	r.text.Text = r.m.Text
	r.text.TextSize = th.Size(theme.SizeNameText)
	r.text.Color = SecondaryTextColor(th, fyne.CurrentApp().Settings().ThemeVariant())
	r.Layout(r.m.Size())
	r.text.Refresh()
}

func (r *typeMarkerRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.text} }

func (r *typeMarkerRenderer) Destroy() {}

// secondaryContrast is the contrast secondary text keeps against the
// backgrounds it is drawn on: above WCAG's 4.5:1 for body text.
const secondaryContrast = 5

// SecondaryTextColor is th's text colour blended toward its background as
// far as it stays readable (secondaryContrast) on a plain, a hovered and
// a selected row. A theme whose text is already grey (the light one)
// keeps it as it is.
func SecondaryTextColor(th fyne.Theme, v fyne.ThemeVariant) color.Color {
	fg := toNRGBA(th.Color(theme.ColorNameForeground, v))
	bg := toNRGBA(th.Color(theme.ColorNameBackground, v))
	behind := []color.NRGBA{bg,
		blendOver(th.Color(theme.ColorNameHover, v), bg),
		blendOver(th.Color(theme.ColorNameSelection, v), bg)}
	best := fg
	for step := 1; step <= 10; step++ { // up to halfway to the background
		c := mixColors(fg, bg, float64(step)/20)
		for _, b := range behind {
			if contrastRatio(c, b) < secondaryContrast {
				return best
			}
		}
		best = c
	}
	return best
}

func toNRGBA(c color.Color) color.NRGBA { return color.NRGBAModel.Convert(c).(color.NRGBA) }

// mixColors is a opaque, moved by t (0 to 1) toward b.
func mixColors(a, b color.NRGBA, t float64) color.NRGBA {
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.NRGBA{R: m(a.R, b.R), G: m(a.G, b.G), B: m(a.B, b.B), A: 255}
}

// blendOver is top drawn with its alpha over an opaque bottom.
func blendOver(top color.Color, bottom color.NRGBA) color.NRGBA {
	t := toNRGBA(top)
	return mixColors(bottom, color.NRGBA{R: t.R, G: t.G, B: t.B, A: 255}, float64(t.A)/255)
}

// contrastRatio is WCAG's contrast ratio of two opaque colours.
func contrastRatio(a, b color.NRGBA) float64 {
	l1, l2 := relLuminance(a), relLuminance(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

func relLuminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// oneLine shows multi-line values (node, long strings) on one row.
func oneLine(s string) string {
	if len(s) > 200 { // a row shows far less; cut on a rune boundary
		i := 200
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return strings.NewReplacer("\r\n", " ⏎ ", "\n", " ⏎ ", "\r", " ⏎ ").Replace(s)
}
