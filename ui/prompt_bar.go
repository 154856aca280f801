package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/hyperlambda"
	"hlstudio/internal/english"
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
	// Stale: a tree was made, but another tree was opened in the editor
	// while it was (Document.Loads moved on), so it was not loaded there:
	// under that tree's prompt it would make a mismatched pair.
	Stale bool
	// Edited: the tree was loaded, but the prompt box was edited while
	// the model worked, so it no longer holds Prompt, which the tree
	// answers; a save would pair the tree with the edited text.
	Edited bool
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
	// OnPick, when set, hears which retrieved snippet the person chose,
	// just before its tree is loaded (as the undo step pickOp).
	OnPick func(dataset.Snippet)
	// Tuning is the generation settings (attempts, temperature step,
	// examples); the zero value is the compiler's defaults.
	Tuning compiler.Config
	// DefaultModel is picked when the server lists it.
	DefaultModel string
	// OnHeightChange, when set, hears that the bar may have changed its
	// height (a message, the live stream shown or hidden): the container
	// above lays it out again. Fyne's own check can miss it when
	// something below changes size in the same frame, leaving a gap.
	OnHeightChange func()

	prompt   *formEntry // Tab moves on to the model picker, not into the text
	model    *widget.Select
	mode     *widget.Select
	generate *widget.Button
	cancel   *widget.Button
	refresh  *widget.Button
	showLast *widget.Button
	activity *widget.ProgressBarInfinite
	state    *widget.Label
	stateBox fyne.CanvasObject // the state line, scrolled beyond a few lines
	stream   *widget.Entry
	content  fyne.CanvasObject

	mu      sync.Mutex // guards server, last and the stream's two fields
	loading sync.WaitGroup
	job     job
	last    *compiler.Prompt
	// streamText is the answer so far; streamQueued: an update of the
	// pane is queued for the UI, and will show streamText as it is then.
	streamText   string
	streamQueued bool
	// modelsFailed: the last ask for the models failed, and the state
	// line says so (read and written on the UI goroutine).
	modelsFailed bool
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
	b.prompt = newFormEntry(nil, true)
	b.prompt.SetPlaceHolder("Say what the backend function should do, e.g. \"Return the users older than the age argument\"")
	b.prompt.SetMinRowsVisible(2)
	b.prompt.Wrapping = fyne.TextWrapWord
	b.prompt.ctrlEnter = b.Generate // and Ctrl+Shift+Enter anywhere, from the menu
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
	b.stateBox = messageBox(b.state, 3)
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
	b.content = container.NewVBox(b.prompt, controls, b.activity, b.stateBox, b.stream)
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

// Host is where the bar's model server is (empty without one).
func (b *PromptBar) Host() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.server == nil {
		return ""
	}
	return b.server.Host()
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
			b.modelsFailed = true
			return
		}
		// The state line said the server was not there: it is now (the
		// host set back in Settings, the server started), whether or
		// not the picked model changes.
		failed := b.modelsFailed && !b.job.running()
		b.modelsFailed = false
		names := b.offerModels(models)
		if len(names) == 0 {
			b.say("Ollama at " + server.Host() + " has no model: install one with `ollama pull qwen2.5-coder:7b`.")
			return
		}
		picked := b.model.Selected != "" && contains(names, b.model.Selected)
		if !picked {
			b.model.SetSelected(firstChoice(names, b.DefaultModel))
		}
		if !picked || failed {
			b.say(fmt.Sprintf("Ollama at %s: %s.", server.Host(), english.Count(len(names), "model", "models")))
		}
	})
}

// offerModels makes models the picker's options and returns their names.
func (b *PromptBar) offerModels(models []compiler.ModelInfo) []string {
	names := modelNames(models)
	b.model.SetOptions(names)
	return names
}

func modelNames(models []compiler.ModelInfo) []string {
	names := make([]string, len(models))
	for i, m := range models {
		names[i] = m.Name
	}
	return names
}

// firstChoice is the model picked among names when none is: the default
// model def when the server has it, else the first.
func firstChoice(names []string, def string) string {
	if contains(names, def) {
		return def
	}
	return names[0]
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
	loads := b.doc.Loads()
	b.mu.Lock()
	server := b.server
	c := &compiler.Compiler{LLM: server, Store: b.store, Vocab: b.vocab, Policy: b.doc.Policy()}
	b.mu.Unlock()
	cfg := b.Tuning
	cfg.Model = b.model.Selected
	if m := b.mode.Selected; m == modeText || m == modeTree {
		cfg.Mode = compiler.Mode(m)
	}
	b.generate.Disable()
	b.cancel.Enable()
	b.activity.Show()
	b.activity.Start()
	b.stream.SetText("")
	b.stream.Show()
	b.mu.Lock()
	b.streamText = "" // a generation that fails before its first token shows no earlier answer
	b.mu.Unlock()
	def := b.DefaultModel
	generating := func() string { return "Generating with " + cfg.Model + " under policy " + c.Policy.Name + "…" }
	if cfg.Model == "" {
		b.say("Looking for Ollama's models at " + server.Host() + "…")
	} else {
		b.say(generating())
	}
	go func() {
		defer ended()
		if cfg.Model == "" {
			// No model was listed when the studio asked (no server then):
			// the server may have been started since, so ask again before
			// falling back to retrieved snippets.
			cfg.Model = b.modelNow(ctx, server, def)
			text := generating()
			onUI(func() { b.say(text) })
		}
		var text strings.Builder
		res, err := c.Compile(ctx, prompt, cfg, func(e compiler.Event) { b.progress(e, &text) })
		onUI(func() { b.finish(prompt, res, err, b.doc.Loads() != loads) })
	}()
}

// modelNow asks server for its models (off the Fyne goroutine) and
// returns the one to use, def when the server has it; the picker is told
// afterwards. "(none)" when no server answers or it has no model: the
// compiler then offers retrieved snippets.
func (b *PromptBar) modelNow(ctx context.Context, server ModelServer, def string) string {
	models, err := server.Models(ctx)
	if err != nil || len(models) == 0 {
		return "(none)"
	}
	names := modelNames(models)
	choice := firstChoice(names, def)
	onUI(func() {
		b.model.SetOptions(names)
		b.model.SetSelected(choice)
	})
	return choice
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
		b.showStream("")
		onUI(func() { b.say(fmt.Sprintf("Attempt %d…", n)) })
	case compiler.EventToken:
		text.WriteString(e.Text)
		b.showStream(text.String())
	case compiler.EventRejected:
		n, why := e.Attempt, e.Text
		onUI(func() { b.say(fmt.Sprintf("Attempt %d refused, repairing:\n%s", n, why)) })
	}
}

// showStream shows text, the answer so far, in the stream pane: its end
// (streamTail), where the newest tokens are. At most one update waits for
// the UI at a time, and it shows the newest text: the pane laid out the
// whole answer again for every token, and with a fast model it fell a
// minute behind the server, the studio busy all the while.
func (b *PromptBar) showStream(text string) {
	b.mu.Lock()
	b.streamText = text
	queued := b.streamQueued
	b.streamQueued = true
	b.mu.Unlock()
	if queued {
		return
	}
	onUI(func() {
		b.mu.Lock()
		text := b.streamText
		b.streamQueued = false
		b.mu.Unlock()
		b.stream.SetText(streamTail(text))
	})
}

// streamTail is the end of an answer, as the pane shows it while the
// model writes: the last three lines (the rows the pane shows, from the
// top of its text), at most streamTailBytes of them (what three wrapped
// rows hold in a narrow window), after an ellipsis when anything was cut.
// The whole answer was the pane's text, so its first rows stood still
// while the model wrote on below them.
func streamTail(text string) string {
	const lines, streamTailBytes = 3, 200
	cut := len(text)
	for range lines {
		if cut = strings.LastIndexByte(text[:cut], '\n'); cut < 0 {
			break
		}
	}
	cut++ // past the newline, or 0 when there are fewer lines
	if len(text)-cut > streamTailBytes {
		cut = len(text) - streamTailBytes
		for cut < len(text) && !utf8.RuneStart(text[cut]) {
			cut++
		}
	}
	if cut == 0 {
		return text
	}
	return "…" + text[cut:]
}

// finish shows how a generation ended; reloaded: the editor was given
// another tree while it ran.
func (b *PromptBar) finish(prompt string, res *compiler.Result, err error, reloaded bool) {
	b.job.finish()
	b.generate.Enable()
	b.cancel.Disable()
	b.activity.Stop()
	b.activity.Hide()
	// The live stream stays only while it shows what the tree does not:
	// the answer of a failed or canceled generation, whole now, to read.
	// Empty, or once the tree holds the result, it gives its room back to
	// the editor.
	b.mu.Lock()
	haveLast := b.last != nil
	answer := b.streamText
	b.mu.Unlock()
	if err != nil && answer != "" {
		b.stream.SetText(answer)
		b.stream.Show()
	} else {
		b.stream.Hide()
	}
	if haveLast {
		b.showLast.Enable()
	}
	made := err == nil && res != nil && !res.Retrieved // a tree generated, to load
	stale := made && reloaded
	edited := made && !reloaded && strings.TrimSpace(b.prompt.Text) != prompt
	if b.OnGenerated != nil {
		b.OnGenerated(Generated{Prompt: prompt, Result: res, Err: err, Stale: stale, Edited: edited})
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
		marker := fmt.Sprintf("Generated in %s", english.Count(len(res.Attempts), "attempt", "attempts"))
		if res.Cached {
			marker = "Cached: this request was compiled before with the same model, options and policy"
		}
		if stale {
			b.say(marker + ". Not loaded: another tree was opened while it was generated.")
			return
		}
		b.load(res.Tree, "generate")
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
	var keys escKeys
	list := newFormList(&keys, func() int { return len(cands) }, truncatedLabel,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(fmt.Sprintf("#%d %s", cands[i].ID, promptLine(cands[i].Prompt)))
		})
	d := dialog.NewCustomWithoutButtons("Retrieved snippets", container.NewGridWrap(fyne.NewSize(560, 320), list), b.win)
	list.OnSelected = func(i widget.ListItemID) {
		root, err := hyperlambda.ParseString(cands[i].Code, hyperlambda.ParseOptions{Comments: true})
		if err == nil {
			if b.OnPick != nil {
				b.OnPick(cands[i])
			}
			b.load(root, pickOp)
			b.say(fmt.Sprintf("Loaded snippet #%d (retrieved, not generated).", cands[i].ID))
		}
		d.Hide()
	}
	d.SetButtons([]fyne.CanvasObject{newFormButton(&keys, "Close", d.Hide)})
	keys.bind(b.win.Canvas(), d)
	d.Show()
}

// promptLine is a prompt on one line, its line breaks as spaces.
func promptLine(text string) string {
	return strings.Join(strings.Fields(text), " ")
}

// Cancel stops the generation in progress.
func (b *PromptBar) Cancel() { b.job.Cancel() }

// Generating reports whether a generation is running.
func (b *PromptBar) Generating() bool { return b.job.running() }

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
	var keys escKeys
	text := newFormEntry(&keys, true)
	text.SetText(p.String())
	d := dialog.NewCustomWithoutButtons("Assembled prompt ("+p.Hash[:12]+")", container.NewGridWrap(fyne.NewSize(640, 440), text), b.win)
	d.SetButtons([]fyne.CanvasObject{newFormButton(&keys, "Close", d.Hide)})
	keys.bind(b.win.Canvas(), d)
	d.Show()
}

// Forget clears what the bar says about the last generation (its state
// line and the stream of a failed one), which belongs to the tree it
// made, once another tree is opened; a generation still running keeps
// saying how it goes.
func (b *PromptBar) Forget() {
	if b.job.running() {
		return
	}
	b.stream.SetText("")
	b.stream.Hide()
	b.say("")
}

// say sets the state line, hidden while empty so the editor below gets
// the room.
func (b *PromptBar) say(text string) {
	// A wrapped label's height follows its width: give it the bar's width
	// now (hidden, it has none yet), so the line gets the height it
	// needs in this layout, not the next.
	if w := b.content.Size().Width; w > 0 {
		b.state.Resize(fyne.NewSize(w, b.state.Size().Height))
	}
	b.state.SetText(text)
	if text == "" {
		b.stateBox.Hide()
	} else {
		b.stateBox.Show()
	}
	if b.OnHeightChange != nil {
		b.OnHeightChange()
	}
}

// messageBox shows a wrapped label at its natural height up to lines
// lines and scrolls beyond them, so a long message never makes the
// window taller (a window is at least as tall as its content's minimum).
func messageBox(l *widget.Label, lines int) *fyne.Container {
	return container.New(&cappedLayout{content: l, lines: lines}, container.NewVScroll(l))
}

// cappedLayout gives its one object (a scroller of content) the height
// of content up to lines lines of text.
type cappedLayout struct {
	content fyne.CanvasObject
	lines   int
}

func (c *cappedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (c *cappedLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	th := theme.Current()
	line := fyne.MeasureText("Mg", th.Size(theme.SizeNameText), fyne.TextStyle{}).Height + th.Size(theme.SizeNameLineSpacing)
	most := float32(c.lines)*line + 2*th.Size(theme.SizeNameInnerPadding)
	var width float32
	for _, o := range objs {
		width = max(width, o.MinSize().Width)
	}
	return fyne.NewSize(width, min(c.content.MinSize().Height, most))
}
