package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"hlstudio/assets"
)

// Options configure the studio window.
type Options struct {
	Version string
}

// coming lists the views that later work adds, so the first window tells
// a person what the studio will be.
var coming = []string{
	"Library: search, filter and curate prompt/tree pairs",
	"Prompt bar: type what a backend function should do, pick a model, watch the tree arrive",
	"Tree editor: every node coloured by what the policy allows, with the reason",
	"Policy: pick or edit what generated code may bind to",
	"Run panel: approve and run a tree with arguments, within budgets",
}

// Studio is the window's content and the state it shows.
type Studio struct {
	status *widget.Label
	root   fyne.CanvasObject
}

// NewStudio builds the content for the given Ollama status.
func NewStudio(st OllamaStatus) *Studio {
	s := &Studio{status: widget.NewLabel(st.Message())}
	s.status.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("hlstudio", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	intro := widget.NewLabel("Type what a backend function should do; a local model writes it as a " +
		"Hyperlambda tree; the studio shows what the active policy blocks and why, runs approved trees " +
		"in a sandboxed runtime, and keeps every prompt/tree pair for curation and fine-tuning.")
	intro.Wrapping = fyne.TextWrapWord
	list := container.NewVBox(widget.NewLabelWithStyle("Coming next:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, c := range coming {
		l := widget.NewLabel("• " + c)
		l.Wrapping = fyne.TextWrapWord
		list.Add(l)
	}
	s.root = container.NewVBox(title, intro, widget.NewSeparator(), list, widget.NewSeparator(), s.status)
	return s
}

// Content is the canvas object to put in a window.
func (s *Studio) Content() fyne.CanvasObject { return s.root }

// SetStatus shows a new Ollama status.
func (s *Studio) SetStatus(st OllamaStatus) { s.status.SetText(st.Message()) }

// StatusText is the status line as shown.
func (s *Studio) StatusText() string { return s.status.Text }

// Run opens the studio window and blocks until it is closed.
func Run(opts Options) {
	a := app.NewWithID("io.hlstudio.studio")
	a.SetIcon(assets.Icon)
	w := a.NewWindow("hlstudio")
	host := OllamaHost()
	s := NewStudio(OllamaStatus{Host: host})
	w.SetContent(container.NewPadded(s.Content()))
	w.Resize(fyne.NewSize(820, 520))
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl},
		func(fyne.Shortcut) { a.Quit() })
	go func() {
		st := ProbeOllama(context.Background(), host, time.Second)
		fyne.Do(func() { s.SetStatus(st) })
	}()
	w.ShowAndRun()
}
