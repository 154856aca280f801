package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/hyperlambda"
)

// SourceDebounce is how long the source tab waits after the last keystroke
// before it parses: long enough not to parse half-typed words, short
// enough to feel live.
const SourceDebounce = 300 * time.Millisecond

// SourceEditLines is the longest text the source tab edits as text. Fyne
// 2.7.1's Entry converts its whole text to runes once per row on every
// refresh (widget/richtext.go, textRenderer.Refresh), so a keystroke costs
// the square of the length: measured with lines of ~40 characters, 85 ms
// at 1,000 lines, 1.5 s at 5,000, 26 s at 20,000. A longer text is shown
// read-only in a view that draws only the rows in sight (100,000 lines in
// 51 ms, formatting the tree included) and edited in the tree, unless the
// person asks to edit it as text anyway. Generated programs are a few
// dozen lines.
//
// The read-only view is a List of numbered lines rather than a TextGrid:
// it takes the keyboard focus (arrows and Page Up/Down scroll it), and it
// lays out the rows of its height whenever it gets one (a TextGrid made
// before its window drew the rows of its first height only).
const SourceEditLines = 1000

// SourceTab shows the canonical Hyperlambda of a Document in an editable
// text area. Edits are parsed after a pause and replace the tree (one undo
// step); a syntax error is shown at its line and column and the tree keeps
// its last good state.
//
// Text that is not applied (it has a syntax error, or the tree changed
// elsewhere while it was being typed) is never overwritten: the tree's
// editors ask Unapplied before an edit and refuse it while there is such
// text, and a change that cannot be refused (a generation, a retrieved
// snippet) keeps the text and says so. Revert drops the text for the
// tree's; the studio reverts when it opens another snippet or file, after
// asking (Dirty text is unsaved work).
type SourceTab struct {
	composite

	doc      *Document
	entry    *sourceEntry
	lines    *sourceLines // the text, read-only, while it is too long to edit
	shown    []string     // the lines it shows
	status   *widget.Label
	goToErr  *widget.Button
	apply    *widget.Button
	revert   *widget.Button
	editText *widget.Button // edit a long text in the entry anyway
	buttons  *fyne.Container

	maxEditLines int  // SourceEditLines; tests lower it
	long         bool // lines shows the text, the entry is empty and hidden
	editLong     bool // the person chose to edit a long text as text

	// after schedules fn on the Fyne goroutine after d; tests replace it.
	after func(d time.Duration, fn func())
	gen   uint64 // bumped by every keystroke, so only the last pause parses

	errPos   hyperlambda.Pos
	errText  string // the syntax error in words, while errPos is valid
	base     string // the tree's text as last shown or applied (LF line ends)
	pending  bool   // typed since the last parse
	diverged bool   // the tree changed elsewhere while the text was not applied
	updating bool   // the entry is being set from the tree, not typed
	applying bool   // the tree is being set from the entry
	stale    bool   // the tree changed while the tab was hidden

	told      string // the Unapplied words the listeners last heard
	listeners []func(error)
	dirty     bool // Dirty's answer as the dirty listeners last heard it
	onDirty   []func()
}

// UnappliedError is why the tree cannot be edited: the source tab holds
// text that is not applied to it.
type UnappliedError struct {
	Pos hyperlambda.Pos // the syntax error; invalid when the text parses
}

// Error is short enough for the tree's one-line status at 1280 wide.
func (e *UnappliedError) Error() string {
	if e.Pos.IsValid() {
		return fmt.Sprintf("Source error at line %d, column %d: fix or Revert it to edit the tree.", e.Pos.Line, e.Pos.Col)
	}
	return "Source text not applied: Apply or Revert it to edit the tree."
}

// NewSourceTab makes a source view of doc.
func NewSourceTab(doc *Document) *SourceTab {
	s := &SourceTab{doc: doc, entry: &sourceEntry{}, status: widget.NewLabel(""), maxEditLines: SourceEditLines}
	s.after = func(d time.Duration, fn func()) { time.AfterFunc(d, func() { onUI(fn) }) }
	s.entry.MultiLine = true
	s.entry.ExtendBaseWidget(s.entry)
	s.entry.TextStyle.Monospace = true
	s.entry.Wrapping = fyne.TextWrapOff
	s.entry.OnChanged = func(string) { s.typed() }
	s.entry.paste = s.pasteLong
	s.lines = newSourceLines(func() int { return len(s.shown) }, func() fyne.CanvasObject {
		// Text without a label's padding: lines as close as in an editor.
		return &canvas.Text{TextStyle: fyne.TextStyle{Monospace: true}, TextSize: theme.TextSize()}
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		t := o.(*canvas.Text)
		t.Text = fmt.Sprintf("%*d  %s", len(strconv.Itoa(len(s.shown))), i+1, s.shown[i])
		t.Color, t.TextSize = theme.Color(theme.ColorNameForeground), theme.TextSize() // the theme of now
		t.Refresh()
	})
	s.lines.HideSeparators = true
	s.lines.Hide()
	s.editText = widget.NewButtonWithIcon("Edit as text", theme.DocumentCreateIcon(), func() {
		s.editLong = true
		s.reload()
	})
	s.editText.Hide()
	s.status.Wrapping = fyne.TextWrapWord
	s.goToErr = widget.NewButtonWithIcon("Go to error", theme.ErrorIcon(), s.showError)
	s.apply = widget.NewButtonWithIcon("Apply", theme.ConfirmIcon(), s.Flush)
	s.revert = widget.NewButtonWithIcon("Revert", theme.ContentUndoIcon(), s.Revert)
	s.goToErr.Hide()
	s.apply.Hide()
	s.revert.Hide()
	// The buttons go under the words, which get the pane's whole width.
	s.buttons = container.NewHBox(s.goToErr, s.apply, s.revert, s.editText)
	s.buttons.Hide()
	s.content = container.NewBorder(nil, container.NewVBox(s.status, s.buttons), nil, nil, container.NewStack(s.entry, s.lines))
	doc.OnChange(s.docChanged)
	s.reload()
	s.ExtendBaseWidget(s)
	return s
}

// Resize lays the words under the text out again at the new width: a
// wrapped label measured before the tab had a width (a long text shown
// from the start) stands one word a line and takes the text's room.
func (s *SourceTab) Resize(size fyne.Size) {
	if size == s.Size() {
		return
	}
	s.BaseWidget.Resize(size)
	if s.status.Text != "" {
		s.content.Refresh()
	}
}

// OnUnapplied registers fn to run when Unapplied's answer changes: the
// view refuses tree edits while it is an error.
func (s *SourceTab) OnUnapplied(fn func(error)) { s.listeners = append(s.listeners, fn) }

// Unapplied parses text still waiting for its pause, then reports whether
// the text holds edits the tree does not have (an *UnappliedError).
func (s *SourceTab) Unapplied() error {
	if s.pending {
		s.Flush()
	}
	return s.unapplied()
}

// Dirty reports whether the text holds work the tree does not have: typed
// and not parsed yet, not parsing, or kept over a tree changed elsewhere.
// It parses nothing (see Unapplied).
func (s *SourceTab) Dirty() bool {
	return s.unapplied() != nil || (s.pending && s.entry.Text != s.base)
}

// OnDirty registers fn to run when Dirty's answer changes, e.g. to mark
// the document unsaved as soon as the text is typed.
func (s *SourceTab) OnDirty(fn func()) { s.onDirty = append(s.onDirty, fn) }

func (s *SourceTab) unapplied() error {
	if s.errPos.IsValid() || s.diverged {
		return &UnappliedError{Pos: s.errPos}
	}
	return nil
}

// tell runs the listeners when Unapplied's or Dirty's answer changed.
func (s *SourceTab) tell() {
	if dirty := s.Dirty(); dirty != s.dirty {
		s.dirty = dirty
		for _, fn := range s.onDirty {
			fn()
		}
	}
	err := s.unapplied()
	words := ""
	if err != nil {
		words = err.Error()
	}
	if words == s.told {
		return
	}
	s.told = words
	for _, fn := range s.listeners {
		fn(err)
	}
}

// Revert drops the text for the tree's.
func (s *SourceTab) Revert() { s.reload() }

// Text is the text as shown (LF line ends).
func (s *SourceTab) Text() string {
	if s.long {
		return s.base
	}
	return s.entry.Text
}

// Entry is the text area, e.g. to focus it.
func (s *SourceTab) Entry() *widget.Entry { return &s.entry.Entry }

// Long reports whether the text is shown read-only for its length (see
// SourceEditLines).
func (s *SourceTab) Long() bool { return s.long }

// Status is the line under the text: the syntax error, if any.
func (s *SourceTab) Status() string { return s.status.Text }

// ErrorPos is the position of the syntax error shown (invalid when none).
func (s *SourceTab) ErrorPos() hyperlambda.Pos { return s.errPos }

// Show refreshes a text that went stale while the tab was hidden: the
// text is only formatted when someone can see it.
func (s *SourceTab) Show() {
	s.BaseWidget.Show()
	if s.stale {
		s.treeChanged()
	}
}

func (s *SourceTab) typed() {
	if s.updating {
		return
	}
	s.pending = true
	s.gen++
	gen := s.gen
	s.tell()
	s.after(SourceDebounce, func() {
		if gen == s.gen {
			s.Flush()
		}
	})
}

// Flush parses the text now instead of after the pause.
func (s *SourceTab) Flush() {
	s.gen++ // a pending pause has nothing left to do
	s.pending = false
	if s.long {
		return // nothing typed: the entry is empty, not the text
	}
	s.applying = true
	err := s.doc.Replace(s.entry.Text)
	s.applying = false
	var se *hyperlambda.SyntaxError
	switch {
	case err == nil:
		s.base = s.treeText()
		s.diverged = false
		s.errPos, s.errText = hyperlambda.Pos{}, ""
	case errors.As(err, &se):
		s.errPos, s.errText = se.Pos, fmt.Sprintf("Line %d, column %d: %s.", se.Pos.Line, se.Pos.Col, se.Msg)
	default:
		s.errPos, s.errText = hyperlambda.Pos{Line: 1, Col: 1}, err.Error()+"."
	}
	s.showState()
	s.tell()
}

// showState says what the text is to the tree, with the buttons that
// apply.
func (s *SourceTab) showState() {
	var text string
	switch {
	case s.errPos.IsValid() && s.diverged:
		text = s.errText + " The tree changed elsewhere since: your text is kept, not applied. Fix it to replace the tree, or Revert to show the tree."
	case s.errPos.IsValid():
		text = s.errText + " The tree keeps its last good state and cannot be edited until the text is fixed or reverted."
	case s.diverged:
		text = "The tree changed elsewhere while this text was being edited: your text is kept, not applied. Apply replaces the tree with it; Revert shows the tree."
	case s.long:
		text = fmt.Sprintf("%d lines: shown read-only, as typing into a text this long is slow (each key lays out all of it again). Edit it in the tree, which this text follows, or Edit as text anyway.", lineCount(s.base))
	}
	s.status.SetText(text)
	s.status.Importance = widget.MediumImportance
	problem := s.errPos.IsValid() || s.diverged
	if problem {
		s.status.Importance = widget.DangerImportance
	}
	showIf(s.goToErr, s.errPos.IsValid())
	showIf(s.apply, s.diverged && !s.errPos.IsValid())
	showIf(s.revert, problem)
	showIf(s.editText, s.long)
	if show := text != ""; show != s.buttons.Visible() {
		showIf(s.buttons, show)
		s.content.Refresh() // lay the words and the buttons out again
	}
	s.status.Refresh()
}

func showIf(o fyne.CanvasObject, show bool) {
	if show {
		o.Show()
	} else {
		o.Hide()
	}
}

// showError moves the cursor to the syntax error.
func (s *SourceTab) showError() {
	if !s.errPos.IsValid() {
		return
	}
	s.entry.CursorRow = int(s.errPos.Line) - 1
	s.entry.CursorColumn = int(s.errPos.Col) - 1
	s.entry.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.entry); c != nil {
		c.Focus(s.entry)
	}
}

func (s *SourceTab) docChanged() {
	if s.applying {
		return // the person's own text: reformatting it would move the cursor
	}
	if !s.Visible() && s.unapplied() == nil && !s.pending {
		s.stale = true // formatted when someone can see it
		return
	}
	s.treeChanged()
}

// treeChanged follows a change made elsewhere: the text shows the tree,
// unless it holds edits the tree does not have, which are kept.
func (s *SourceTab) treeChanged() {
	s.stale = false
	text := s.treeText()
	if text == s.base {
		return // e.g. another policy: the text is the same, keep its layout
	}
	if s.unapplied() == nil && !s.pending {
		s.reload()
		return
	}
	s.base = text
	s.gen++ // a pending pause must not replace the changed tree
	s.pending = false
	s.diverged = true
	s.showState()
	s.tell()
}

func (s *SourceTab) treeText() string { return strings.ReplaceAll(s.doc.Text(), "\r\n", "\n") }

// reload shows the tree's text, dropping the text shown.
func (s *SourceTab) reload() {
	s.stale = false
	s.gen++
	s.pending, s.diverged = false, false
	s.errPos, s.errText = hyperlambda.Pos{}, ""
	s.base = s.treeText()
	long := lineCount(s.base) > s.maxEditLines
	if !long {
		s.editLong = false // asked for one text, not for every long one after it
	}
	s.long = long && !s.editLong
	s.updating = true
	if s.long {
		s.entry.SetText("")
		s.entry.Hide()
		s.shown = strings.Split(strings.TrimSuffix(s.base, "\n"), "\n")
		s.lines.Show()
		s.lines.Refresh()
	} else {
		s.shown = nil // let the long text go
		s.lines.Hide()
		s.entry.SetText(s.base)
		s.entry.Show()
	}
	s.updating = false
	s.showState()
	s.tell()
}

func lineCount(text string) int { return strings.Count(strings.TrimSuffix(text, "\n"), "\n") + 1 }

// pasteLong applies a paste that makes the text too long to edit as text
// straight to the tree, so the entry never holds it (see SourceEditLines);
// the tab then shows it read-only. It declines (the entry pastes, slowly)
// when the result does not parse: the person's text is kept to be fixed.
func (s *SourceTab) pasteLong(clip string) bool {
	clip = strings.ReplaceAll(clip, "\r\n", "\n")
	e := &s.entry.Entry
	if lineCount(e.Text)+strings.Count(clip, "\n") <= s.maxEditLines {
		return false
	}
	text, ok := afterPaste(e.Text, e.CursorTextOffset(), e.SelectedText(), clip)
	if !ok {
		return false
	}
	s.applying = true
	err := s.doc.Replace(text)
	s.applying = false
	if err != nil {
		return false
	}
	s.reload()
	return true
}

// afterPaste is text with clip pasted at the cursor (a rune offset),
// replacing the selection, which lies on one side of the cursor.
func afterPaste(text string, cursor int, selected, clip string) (string, bool) {
	off := 0
	for i := 0; i < cursor; i++ {
		if off >= len(text) {
			return "", false
		}
		_, size := utf8.DecodeRuneInString(text[off:])
		off += size
	}
	before, after := text[:off], text[off:]
	switch {
	case selected == "":
	case strings.HasSuffix(before, selected):
		before = before[:len(before)-len(selected)]
	case strings.HasPrefix(after, selected):
		after = after[len(selected):]
	default:
		return "", false
	}
	return before + clip + after, true
}

// sourceLines is the read-only view of a long text: a List whose keys
// also page (the List itself moves a line at a time).
type sourceLines struct{ widget.List }

func newSourceLines(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *sourceLines {
	l := &sourceLines{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey pages with Page Up/Down and goes to either end with Home/End.
func (l *sourceLines) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyPageDown:
		l.ScrollToOffset(l.GetScrollOffset() + l.Size().Height)
	case fyne.KeyPageUp:
		l.ScrollToOffset(max(l.GetScrollOffset()-l.Size().Height, 0))
	case fyne.KeyHome:
		l.ScrollToTop()
	case fyne.KeyEnd:
		l.ScrollToBottom()
	default:
		l.List.TypedKey(ev)
	}
}

// sourceEntry is the source text area: an Entry whose paste the tab sees
// first (pasteLong).
type sourceEntry struct {
	widget.Entry
	paste func(clip string) bool
	// leaving: Escape was the last key, so Tab (or Shift+Tab) moves the
	// focus on instead of indenting.
	leaving bool
}

// sourceIndent is one level of Hyperlambda indentation, what Tab types: a
// tab character is no indentation there but part of the node's name.
const sourceIndent = "   "

// TypedKey: Tab indents by one level (Shift+Tab types nothing, as in
// Fyne's entry), Enter keeps the line's indentation, and Escape then Tab
// leaves the editor, as code editors on the web do, so the keyboard is
// never trapped in it.
func (e *sourceEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyTab:
		if dd, ok := fyne.CurrentApp().Driver().(desktop.Driver); ok && dd.CurrentKeyModifiers()&fyne.KeyModifierShift != 0 {
			return
		}
		for _, r := range sourceIndent {
			e.TypedRune(r)
		}
		return
	case fyne.KeyEscape:
		e.leaving = true
		return
	case fyne.KeyReturn, fyne.KeyEnter:
		e.leaving = false
		newlineKeepingIndent(&e.Entry, k)
		return
	}
	e.leaving = false
	e.Entry.TypedKey(k)
}

// newlineKeepingIndent types Enter into e and then the spaces that start
// the line it broke (up to the cursor): the new line starts at that level,
// as in a code editor; in an indented language that is where the next node
// usually goes.
func newlineKeepingIndent(e *widget.Entry, k *fyne.KeyEvent) {
	indent, row := 0, 0
	for line := range strings.SplitSeq(e.Text, "\n") {
		if row == e.CursorRow {
			indent = min(len(line)-len(strings.TrimLeft(line, " ")), e.CursorColumn)
			break
		}
		row++
	}
	e.TypedKey(k)
	for range indent {
		e.TypedRune(' ')
	}
}

// TypedRune types r; a key typed after Escape keeps Tab for indenting.
func (e *sourceEntry) TypedRune(r rune) {
	e.leaving = false
	e.Entry.TypedRune(r)
}

// AcceptsTab keeps Tab for indenting, except just after Escape.
func (e *sourceEntry) AcceptsTab() bool { return !e.leaving }

// FocusGained starts over: Tab indents again.
func (e *sourceEntry) FocusGained() {
	e.leaving = false
	e.Entry.FocusGained()
}

// TypedShortcut hands a paste to the tab before the Entry takes it.
func (e *sourceEntry) TypedShortcut(sc fyne.Shortcut) {
	if p, ok := sc.(*fyne.ShortcutPaste); ok && p.Clipboard != nil && e.paste != nil && e.paste(p.Clipboard.Content()) {
		return
	}
	e.Entry.TypedShortcut(sc)
}
