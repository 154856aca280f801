package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// Keyboard in forms and dialogs: Escape cancels the dialog wherever the
// focus is, and Tab leaves a multi-line field instead of being typed.

// escKeys sends Escape from a dialog's widgets to the dialog's cancel;
// the widgets are made before the dialog, so they share this and bind
// sets it once the dialog exists.
type escKeys struct {
	cancel func()
	// submit is the dialog's default button (Apply, Export), which Enter
	// in a one-line field presses while it is enabled, as in form dialogs
	// everywhere; nil: none.
	submit *formButton
}

// escape cancels the dialog; false when there is none (the key then
// does what it does without one).
func (k *escKeys) escape() bool {
	if k == nil || k.cancel == nil {
		return false
	}
	k.cancel()
	return true
}

// typed is a dialog widget's TypedKey: Escape cancels the dialog, any
// other key (or Escape with no dialog) goes to next, the widget's own.
func (k *escKeys) typed(e *fyne.KeyEvent, next func(*fyne.KeyEvent)) {
	if e.Name == fyne.KeyEscape && k.escape() {
		return
	}
	next(e)
}

// bind makes Escape cancel d: in the widgets made with k, and on the
// canvas when nothing in the dialog has focus (a fresh dialog, or one of
// Fyne's own like the file picker). The canvas's handler is chained, so
// a dialog over a dialog closes first, and is restored when d closes.
func (k *escKeys) bind(c fyne.Canvas, d dialog.Dialog) {
	k.cancel = d.Hide
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyEscape {
			d.Hide()
			return
		}
		if prev != nil {
			prev(e)
		}
	})
	d.SetOnClosed(func() { c.SetOnTypedKey(prev) })
}

// dialogShowing reports whether a dialog is up on c. Fyne's driver tries
// the window's menu shortcuts, and the canvas's when the focused widget
// takes none (a button, the file picker's grid), before a dialog sees the
// keys; the studio's shortcuts ask this first, so that nothing happens
// behind a dialog. Dialogs are modal pop-ups; a drop-down menu (a select's
// choices) is not one.
func dialogShowing(c fyne.Canvas) bool {
	for _, o := range c.Overlays().List() {
		if _, isPopUp := o.(*widget.PopUp); isPopUp {
			return true
		}
	}
	return false
}

// formEntry is an entry of a form or dialog: Tab and Shift+Tab move the
// focus even when it has several lines (as form fields do in mature
// editors: the keyboard is never trapped), Escape cancels the dialog
// instead of being dropped, and Enter in one line runs its main action.
type formEntry struct {
	widget.Entry
	keys *escKeys
	// keepIndent: Enter starts the new line at the indentation of the
	// line it breaks (a field holding Hyperlambda, as the policy's text).
	keepIndent bool
	// ctrlEnter, when set, is what Ctrl+Enter does in the field (the
	// prompt's Generate), as in the multi-line inputs that send.
	ctrlEnter func()
}

// TypedShortcut runs ctrlEnter on Ctrl+Enter; the entry takes the rest.
func (e *formEntry) TypedShortcut(sc fyne.Shortcut) {
	if c, ok := sc.(*desktop.CustomShortcut); ok && e.ctrlEnter != nil && c.Modifier == fyne.KeyModifierShortcutDefault && isEnterKey(c.KeyName) {
		e.ctrlEnter()
		return
	}
	e.Entry.TypedShortcut(sc)
}

// newFormEntry makes an entry; keys may be nil (not in a dialog).
func newFormEntry(keys *escKeys, multiLine bool) *formEntry {
	e := &formEntry{keys: keys}
	if multiLine {
		e.MultiLine = true
		e.Wrapping = fyne.TextWrapWord
	} else {
		e.OnSubmitted = func(string) {
			if keys == nil {
				return
			}
			if b := keys.submit; b != nil && !b.Disabled() && b.OnTapped != nil {
				b.OnTapped()
			}
		}
	}
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab is false: the driver moves the focus on Tab (fyne.Tabbable).
func (e *formEntry) AcceptsTab() bool { return false }

// TypedKey cancels the dialog on Escape.
func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	e.keys.typed(k, func(k *fyne.KeyEvent) {
		if e.keepIndent && e.MultiLine && isEnter(k) {
			newlineKeepingIndent(&e.Entry, k)
			return
		}
		e.Entry.TypedKey(k)
	})
}

// formSelect is a drop-down of a dialog: Escape cancels the dialog.
type formSelect struct {
	widget.Select
	keys *escKeys
}

func newFormSelect(keys *escKeys, options []string, changed func(string)) *formSelect {
	s := &formSelect{keys: keys}
	s.Options, s.OnChanged, s.PlaceHolder = options, changed, "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey cancels the dialog on Escape.
func (s *formSelect) TypedKey(k *fyne.KeyEvent) { s.keys.typed(k, s.Select.TypedKey) }

// formButton is a button of a dialog: Escape cancels the dialog.
type formButton struct {
	widget.Button
	keys *escKeys
}

func newFormButton(keys *escKeys, label string, tapped func()) *formButton {
	b := &formButton{keys: keys}
	b.Text, b.OnTapped = label, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey cancels the dialog on Escape; Enter presses the button, as
// Space does (Fyne's button hears Space only).
func (b *formButton) TypedKey(k *fyne.KeyEvent) { b.keys.typed(enterAsSpace(k), b.Button.TypedKey) }

// enterAsSpace is k, with Enter (either key) read as Space: what presses
// a button or picks a list's highlighted row in Fyne's widgets.
func enterAsSpace(k *fyne.KeyEvent) *fyne.KeyEvent {
	if isEnter(k) {
		return &fyne.KeyEvent{Name: fyne.KeySpace}
	}
	return k
}

func isEnter(k *fyne.KeyEvent) bool { return isEnterKey(k.Name) }

// isEnterKey reports whether name is Enter, either key of it.
func isEnterKey(name fyne.KeyName) bool { return name == fyne.KeyReturn || name == fyne.KeyEnter }

// formList is a list in a dialog: Escape cancels the dialog.
type formList struct {
	widget.List
	keys *escKeys
}

func newFormList(keys *escKeys, length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *formList {
	l := &formList{keys: keys}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// truncatedLabel is a list row of one line of text, ending in "…" when
// it is longer than the row: a long prompt or path must not widen the
// dialog.
func truncatedLabel() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// focusOnSelect is a list's OnSelected that first gives the list the
// focus, then calls fn (if any). Fyne's list focuses itself when a row is
// clicked through the driver's canvas for the list's own widget.List,
// which the desktop driver does not know when the list is embedded in a
// widget of ours (libraryList, formList): a click left the keyboard
// elsewhere, and arrows and Enter did nothing.
func focusOnSelect(list interface {
	fyne.CanvasObject
	fyne.Focusable
}, fn func(widget.ListItemID)) func(widget.ListItemID) {
	return func(id widget.ListItemID) {
		if c := fyne.CurrentApp().Driver().CanvasForObject(list); c != nil && c.Focused() != list {
			c.Focus(list)
		}
		if fn != nil {
			fn(id)
		}
	}
}

// TypedKey cancels the dialog on Escape; Enter selects the highlighted
// row, as Space does (picking a retrieved snippet, a version).
func (l *formList) TypedKey(k *fyne.KeyEvent) { l.keys.typed(enterAsSpace(k), l.List.TypedKey) }

// formCheck is a check box of a dialog: Escape cancels the dialog.
type formCheck struct {
	widget.Check
	keys *escKeys
}

func newFormCheck(keys *escKeys, label string, changed func(bool)) *formCheck {
	c := &formCheck{keys: keys}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey cancels the dialog on Escape.
func (c *formCheck) TypedKey(k *fyne.KeyEvent) { c.keys.typed(k, c.Check.TypedKey) }

// showFileOpen is dialog.ShowFileOpen with Escape closing the picker,
// starting in dir (when a folder) and showing only .hl files.
func showFileOpen(dir string, callback func(fyne.URIReadCloser, error), win fyne.Window) {
	d := dialog.NewFileOpen(callback, win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".hl"}))
	showPicker(d, dir, win)
}

// showFileSave is dialog.ShowFileSave with Escape closing the picker,
// starting in dir (when a folder) with the file name name.
func showFileSave(dir, name string, callback func(fyne.URIWriteCloser, error), win fyne.Window) {
	d := dialog.NewFileSave(callback, win)
	d.SetFileName(name)
	showPicker(d, dir, win)
}

// showFolderOpen is dialog.ShowFolderOpen with Escape closing the
// picker; it starts in dir when that is a folder.
func showFolderOpen(dir string, callback func(fyne.ListableURI, error), win fyne.Window) {
	showPicker(dialog.NewFolderOpen(callback, win), dir, win)
}

// showPicker shows one of Fyne's file pickers the way the studio's
// dialogs behave: Escape closes it, it starts in dir when that is a
// folder, and it is sized to the window. Fyne's own size is its minimum
// (four icons a row, two rows in sight on a 1280×800 window), which made
// finding a folder a long walk.
func showPicker(d *dialog.FileDialog, dir string, win fyne.Window) {
	if dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	var keys escKeys
	keys.bind(win.Canvas(), d)
	d.Resize(pickerSize(win.Canvas().Size()))
	d.Show()
}

// pickerSize is a file picker's size in a window of size canvas: most of
// it, up to what a picker can use (Fyne shrinks a size larger than the
// window to fit).
func pickerSize(canvas fyne.Size) fyne.Size {
	return sizedTo(canvas, fyne.Size{}, fyne.NewSize(1000, 720))
}

// sizedTo is a dialog's size in a window of size canvas: four fifths of
// it, no smaller than least and no larger than most.
func sizedTo(canvas, least, most fyne.Size) fyne.Size {
	return fyne.NewSize(max(least.Width, min(canvas.Width*0.8, most.Width)), max(least.Height, min(canvas.Height*0.8, most.Height)))
}
