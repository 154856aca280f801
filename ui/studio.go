package ui

import (
	"context"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"hlstudio/assets"
)

// AppID is the application's unique ID, as in FyneApp.toml.
const AppID = "io.hlstudio.studio"

// Options configure the studio window.
type Options struct {
	Version string // shown next to the title; empty shows none
}

// intro says what the studio is, in the words of the design.
const intro = "Type what a backend function should do; a local model served by Ollama writes it " +
	"as a Hyperlambda tree. The studio shows every node that would bind outside the active policy, " +
	"and why; runs approved trees in an embedded runtime that enforces the policy at every binding; " +
	"and keeps every prompt/tree pair for curating regression snippets and fine-tuning data."

// coming lists the views later work adds, so the first window tells a
// person what the studio will be.
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

// NewStudio builds the window content for an Ollama status.
func NewStudio(opts Options, st OllamaStatus) *Studio {
	title := "hlstudio"
	if opts.Version != "" {
		title += " " + opts.Version
	}
	s := &Studio{status: wrapped(statusText(st))}
	list := container.NewVBox(bold("Coming next:"))
	for _, c := range coming {
		list.Add(wrapped("• " + c))
	}
	s.root = container.NewVBox(bold(title), wrapped(intro), widget.NewSeparator(),
		list, widget.NewSeparator(), s.status)
	return s
}

// statusText is the status line: the probe's sentence, and when the
// server is missing, what still works.
func statusText(st OllamaStatus) string {
	if st.State == OllamaNotRunning {
		return st.String() + " Generation needs it; everything else works without it."
	}
	return st.String()
}

func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Content is the canvas object to put in a window.
func (s *Studio) Content() fyne.CanvasObject { return s.root }

// SetStatus shows a new Ollama status. Call it on the Fyne goroutine
// (fyne.Do from elsewhere).
func (s *Studio) SetStatus(st OllamaStatus) { s.status.SetText(statusText(st)) }

// StatusText is the status line as shown.
func (s *Studio) StatusText() string { return s.status.Text }

// bindKeys adds the window's keyboard shortcuts: Ctrl+Q quits.
func bindKeys(w fyne.Window, quit func()) {
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl},
		func(fyne.Shortcut) { quit() })
}

// Run opens the studio window and blocks until it is closed. The Ollama
// server at OLLAMA_HOST is probed in the background; the window opens at
// once and works whether or not the server answers.
func Run(opts Options) {
	a := app.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	w := a.NewWindow("hlstudio")
	host := OllamaHost(os.Getenv("OLLAMA_HOST"))
	s := NewStudio(opts, OllamaStatus{Host: host, State: OllamaChecking})
	w.SetContent(container.NewPadded(s.Content()))
	w.Resize(fyne.NewSize(820, 520))
	bindKeys(w, a.Quit)
	go func() {
		st := ProbeOllama(context.Background(), nil, host)
		fyne.Do(func() { s.SetStatus(st) })
	}()
	w.ShowAndRun()
}
