package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/hyperlambda"
)

// SourceDebounce is how long the source tab waits after the last keystroke
// before it parses: long enough not to parse half-typed words, short
// enough to feel live.
const SourceDebounce = 300 * time.Millisecond

// SourceTab shows the canonical Hyperlambda of a Document in an editable
// text area. Edits are parsed after a pause and replace the tree (one undo
// step); a syntax error is shown at its line and column and the tree keeps
// its last good state.
type SourceTab struct {
	composite

	doc     *Document
	entry   *widget.Entry
	status  *widget.Label
	goToErr *widget.Button

	// after schedules fn on the Fyne goroutine after d; tests replace it.
	after func(d time.Duration, fn func())
	gen   uint64 // bumped by every keystroke, so only the last pause parses

	errPos   hyperlambda.Pos
	updating bool // the entry is being set from the tree, not typed
	applying bool // the tree is being set from the entry
	stale    bool // the tree changed while the tab was hidden
}

// NewSourceTab makes a source view of doc.
func NewSourceTab(doc *Document) *SourceTab {
	s := &SourceTab{doc: doc, entry: widget.NewMultiLineEntry(), status: widget.NewLabel("")}
	s.after = func(d time.Duration, fn func()) { time.AfterFunc(d, func() { fyne.Do(fn) }) }
	s.entry.TextStyle.Monospace = true
	s.entry.Wrapping = fyne.TextWrapOff
	s.entry.OnChanged = func(string) { s.typed() }
	s.status.Wrapping = fyne.TextWrapWord
	s.goToErr = widget.NewButtonWithIcon("Go to error", theme.ErrorIcon(), s.showError)
	s.goToErr.Hide()
	s.content = container.NewBorder(nil, container.NewBorder(nil, nil, nil, s.goToErr, s.status), nil, nil, s.entry)
	doc.OnChange(s.docChanged)
	s.reload()
	s.ExtendBaseWidget(s)
	return s
}

// Text is the text as shown (LF line ends).
func (s *SourceTab) Text() string { return s.entry.Text }

// Entry is the text area, e.g. to focus it.
func (s *SourceTab) Entry() *widget.Entry { return s.entry }

// Status is the line under the text: the syntax error, if any.
func (s *SourceTab) Status() string { return s.status.Text }

// ErrorPos is the position of the syntax error shown (invalid when none).
func (s *SourceTab) ErrorPos() hyperlambda.Pos { return s.errPos }

// Show refreshes a text that went stale while the tab was hidden: the
// text is only formatted when someone can see it.
func (s *SourceTab) Show() {
	s.BaseWidget.Show()
	if s.stale {
		s.reload()
	}
}

func (s *SourceTab) typed() {
	if s.updating {
		return
	}
	s.gen++
	gen := s.gen
	s.after(SourceDebounce, func() {
		if gen == s.gen {
			s.Flush()
		}
	})
}

// Flush parses the text now instead of after the pause.
func (s *SourceTab) Flush() {
	s.gen++ // a pending pause has nothing left to do
	s.applying = true
	err := s.doc.Replace(s.entry.Text)
	s.applying = false
	var se *hyperlambda.SyntaxError
	switch {
	case err == nil:
		s.say("", hyperlambda.Pos{})
	case errors.As(err, &se):
		s.say(fmt.Sprintf("Line %d, column %d: %s. The tree keeps its last good state.", se.Pos.Line, se.Pos.Col, se.Msg), se.Pos)
	default:
		s.say(err.Error(), hyperlambda.Pos{Line: 1, Col: 1})
	}
}

func (s *SourceTab) say(text string, at hyperlambda.Pos) {
	s.errPos = at
	s.status.SetText(text)
	s.status.Importance = widget.MediumImportance
	if at.IsValid() {
		s.status.Importance = widget.DangerImportance
		s.goToErr.Show()
	} else {
		s.goToErr.Hide()
	}
	s.status.Refresh()
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
	if !s.Visible() {
		s.stale = true
		return
	}
	s.reload()
}

// reload shows the tree's text, dropping a text that did not parse.
func (s *SourceTab) reload() {
	s.stale = false
	s.gen++
	s.updating = true
	s.entry.SetText(strings.ReplaceAll(s.doc.Text(), "\r\n", "\n"))
	s.updating = false
	s.say("", hyperlambda.Pos{})
}
