package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// ModelServer is what the prompt bar needs of Ollama: the compiler's LLM
// and the list of installed models. *compiler.Ollama is one.
type ModelServer interface {
	compiler.LLM
	Models(ctx context.Context) ([]compiler.ModelInfo, error)
}

// Generated is what a generation produced, for whoever keeps it (the
// library's "save as regression pair" needs the failed attempts).
type Generated struct {
	Prompt string
	Result *compiler.Result
	Err    error
}

// PromptBar is where a person says what the function should do: the
// prompt, the model and mode, Generate and Cancel, the live stream and
// the attempt counter. A verified tree replaces the document's tree as
// one undo step.
type PromptBar struct {
	win    fyne.Window
	doc    *Document
	server ModelServer
	store  compiler.Store
	vocab  whitelist.Vocabulary
	// OnGenerated, when set, hears every finished generation.
	OnGenerated func(Generated)
	// Tuning is the generation settings (attempts, temperature step,
	// examples); the zero value is the compiler's defaults.
	Tuning compiler.Config
	// DefaultModel is picked when the server lists it.
	DefaultModel string

	prompt   *widget.Entry
	model    *widget.Select
	mode     *widget.Select
	generate *widget.Button
	cancel   *widget.Button
	refresh  *widget.Button
	showLast *widget.Button
	activity *widget.ProgressBarInfinite
	state    *widget.Label
	stream   *widget.Entry
	content  fyne.CanvasObject

	mu      sync.Mutex // guards server and last
	loading sync.WaitGroup
	job     job
	last    *compiler.Prompt
}

const (
	modeAuto = "auto"
	modeText = "text"
	modeTree = "tree"
)

// NewPromptBar builds the bar; server may be unreachable (the bar says so
// and how to start it), store may be nil.
func NewPromptBar(win fyne.Window, doc *Document, server ModelServer, store compiler.Store, vocab whitelist.Vocabulary) *PromptBar {
	b := &PromptBar{win: win, doc: doc, server: server, store: store, vocab: vocab}
	b.prompt = widget.NewMultiLineEntry()
	b.prompt.SetPlaceHolder("Say what the backend function should do, e.g. \"Return the users older than the age argument\"")
	b.prompt.SetMinRowsVisible(2)
	b.prompt.Wrapping = fyne.TextWrapWord
	b.model = widget.NewSelect(nil, nil)
	b.model.PlaceHolder = "(no model)"
	b.mode = widget.NewSelect([]string{modeAuto, modeText, modeTree}, nil)
	b.mode.SetSelected(modeAuto)
	b.generate = widget.NewButton("Generate", b.Generate)
	b.generate.Importance = widget.HighImportance
	b.cancel = widget.NewButton("Cancel", b.Cancel)
	b.cancel.Disable()
	b.refresh = widget.NewButton("Models", b.LoadModelsAsync)
	b.showLast = widget.NewButton("Show prompt", b.ShowPrompt)
	b.showLast.Disable()
	b.activity = widget.NewProgressBarInfinite()
	b.activity.Stop()
	b.activity.Hide()
	b.state = widget.NewLabel("")
	b.state.Wrapping = fyne.TextWrapWord
	b.stream = widget.NewMultiLineEntry()
	b.stream.TextStyle = fyne.TextStyle{Monospace: true}
	b.stream.Wrapping = fyne.TextWrapWord
	b.stream.SetMinRowsVisible(3)
	b.stream.Disable()
	b.stream.Hide() // shown from the first generation on
	controls := container.NewBorder(nil, nil, nil, container.NewHBox(b.generate, b.cancel, b.showLast),
		container.NewGridWithColumns(2,
			container.NewBorder(nil, nil, nil, b.refresh, b.model),
			b.mode))
	b.content = container.NewVBox(b.prompt, controls, b.activity, b.state, b.stream)
	b.say("") // the state line takes no room until there is something to say
	return b
}

// Object is the bar's content.
func (b *PromptBar) Object() fyne.CanvasObject { return b.content }

// SetServer switches to another model server (a new host in the
// settings) and lists its models.
func (b *PromptBar) SetServer(server ModelServer) {
	b.mu.Lock()
	b.server = server
	b.mu.Unlock()
	b.LoadModelsAsync()
}

// LoadModelsAsync asks for the models in the background (Wait waits for it).
func (b *PromptBar) LoadModelsAsync() {
	b.loading.Add(1)
	go func() {
		defer b.loading.Done()
		b.LoadModels()
	}()
}

// LoadModels asks the server for its models; call it from a goroutine.
// With no server the state line says so and how to start one.
func (b *PromptBar) LoadModels() {
	b.mu.Lock()
	server := b.server
	b.mu.Unlock()
	models, err := server.Models(context.Background())
	onUI(func() {
		if err != nil {
			b.model.SetOptions(nil)
			b.say(err.Error())
			return
		}
		names := make([]string, len(models))
		for i, m := range models {
			names[i] = m.Name
		}
		b.model.SetOptions(names)
		switch {
		case len(names) == 0:
			b.say("Ollama at " + server.Host() + " has no model: install one with `ollama pull qwen2.5-coder:7b`.")
		case b.model.Selected == "" || !contains(names, b.model.Selected):
			if contains(names, b.DefaultModel) {
				b.model.SetSelected(b.DefaultModel)
			} else {
				b.model.SetSelected(names[0])
			}
			b.say(fmt.Sprintf("Ollama at %s: %d model(s).", server.Host(), len(names)))
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Generate compiles the prompt in the background under the document's
// policy; the result replaces the tree (one undo step).
func (b *PromptBar) Generate() {
	prompt := strings.TrimSpace(b.prompt.Text)
	if prompt == "" {
		b.say("Type what the function should do first.")
		return
	}
	ctx, ended, ok := b.job.begin()
	if !ok {
		return
	}
	b.mu.Lock()
	c := &compiler.Compiler{LLM: b.server, Store: b.store, Vocab: b.vocab, Policy: b.doc.Policy()}
	b.mu.Unlock()
	cfg := b.Tuning
	cfg.Model = b.model.Selected
	if m := b.mode.Selected; m == modeText || m == modeTree {
		cfg.Mode = compiler.Mode(m)
	}
	if cfg.Model == "" {
		cfg.Model = "(none)" // no server answered: the compiler offers retrieved snippets
	}
	b.generate.Disable()
	b.cancel.Enable()
	b.activity.Show()
	b.activity.Start()
	b.stream.SetText("")
	b.stream.Show()
	b.say("Generating with " + cfg.Model + " under policy " + c.Policy.Name + "…")
	go func() {
		defer ended()
		var text strings.Builder
		res, err := c.Compile(ctx, prompt, cfg, func(e compiler.Event) { b.progress(e, &text) })
		onUI(func() { b.finish(prompt, res, err) })
	}()
}

// progress runs on the compiling goroutine; the screen is updated through
// fyne.Do. Tokens are shown as they arrive.
func (b *PromptBar) progress(e compiler.Event, text *strings.Builder) {
	switch e.Kind {
	case compiler.EventPrompt:
		b.mu.Lock()
		b.last = e.Prompt
		b.mu.Unlock()
	case compiler.EventAttempt:
		text.Reset()
		n := e.Attempt
		onUI(func() {
			b.say(fmt.Sprintf("Attempt %d…", n))
			b.stream.SetText("")
		})
	case compiler.EventToken:
		text.WriteString(e.Text)
		s := text.String()
		onUI(func() { b.stream.SetText(s) })
	case compiler.EventRejected:
		n, why := e.Attempt, e.Text
		onUI(func() { b.say(fmt.Sprintf("Attempt %d refused, repairing:\n%s", n, why)) })
	}
}

func (b *PromptBar) finish(prompt string, res *compiler.Result, err error) {
	b.job.finish()
	b.generate.Enable()
	b.cancel.Disable()
	b.activity.Stop()
	b.activity.Hide()
	b.mu.Lock()
	haveLast := b.last != nil
	b.mu.Unlock()
	if haveLast {
		b.showLast.Enable()
	}
	if b.OnGenerated != nil {
		b.OnGenerated(Generated{Prompt: prompt, Result: res, Err: err})
	}
	var ce *compiler.CompileError
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, compiler.ErrCanceled):
		b.say("Canceled.")
	case errors.As(err, &ce):
		b.say(fmt.Sprintf("No valid program after %d attempts. The last one was refused:\n%s", len(ce.Attempts), ce.Attempts[len(ce.Attempts)-1].Error))
	case err != nil:
		b.say(err.Error())
	case res.Retrieved:
		b.say(res.Offline + "\nShowing the closest approved snippets instead (retrieved, not generated).")
		b.pickCandidate(res.Candidates)
	default:
		b.load(res.Tree, "generate")
		marker := fmt.Sprintf("Generated in %d attempt(s)", len(res.Attempts))
		if res.Cached {
			marker = "Cached: this request was compiled before with the same model, options and policy"
		}
		b.say(marker + ". Labels show what the policy allows.")
	}
}

// load makes tree the document's tree (a copy: the result keeps its own).
func (b *PromptBar) load(tree *hyperlambda.Node, op string) {
	b.doc.ReplaceTree(tree.Clone(), op)
}

// pickCandidate offers retrieved snippets; choosing one loads it.
func (b *PromptBar) pickCandidate(cands []dataset.Snippet) {
	if len(cands) == 0 || b.win == nil {
		return
	}
	list := widget.NewList(func() int { return len(cands) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(fmt.Sprintf("#%d %s", cands[i].ID, cands[i].Prompt))
		})
	var d dialog.Dialog
	list.OnSelected = func(i widget.ListItemID) {
		root, err := hyperlambda.ParseString(cands[i].Code, hyperlambda.ParseOptions{Comments: true})
		if err == nil {
			b.load(root, "use retrieved snippet")
			b.say(fmt.Sprintf("Loaded snippet #%d (retrieved, not generated).", cands[i].ID))
		}
		d.Hide()
	}
	d = dialog.NewCustom("Retrieved snippets", "Close", container.NewGridWrap(fyne.NewSize(560, 320), list), b.win)
	d.Show()
}

// Cancel stops the generation in progress.
func (b *PromptBar) Cancel() { b.job.Cancel() }

// Wait blocks until the generation (and model listing) in progress has
// finished.
func (b *PromptBar) Wait() {
	b.loading.Wait()
	b.job.Wait()
}

// ShowPrompt shows the assembled prompt of the last generation.
func (b *PromptBar) ShowPrompt() {
	b.mu.Lock()
	p := b.last
	b.mu.Unlock()
	if p == nil || b.win == nil {
		return
	}
	text := widget.NewMultiLineEntry()
	text.SetText(p.String())
	text.Wrapping = fyne.TextWrapWord
	dialog.NewCustom("Assembled prompt ("+p.Hash[:12]+")", "Close", container.NewGridWrap(fyne.NewSize(640, 480), text), b.win).Show()
}

// say sets the state line, hidden while empty so the editor below gets
// the room.
func (b *PromptBar) say(text string) {
	b.state.SetText(text)
	if text == "" {
		b.state.Hide()
	} else {
		b.state.Show()
	}
}
