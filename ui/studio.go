package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"hlstudio/assets"
	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/engine"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/internal/english"
	"hlstudio/whitelist"
)

// AppID is the application's unique ID, as in FyneApp.toml.
const AppID = "io.hlstudio.studio"

// Options configure the studio.
type Options struct {
	Version string // shown at the end of the status line; empty shows none
	// DBPath is the dataset file; empty means dataset.DefaultPath().
	DBPath string
	// Store, when set, is used instead of opening DBPath (tests).
	Store *dataset.Store
	// Server, when set, is the model server instead of Ollama at
	// OLLAMA_HOST (tests).
	Server ModelServer
	// ScreenArea is the largest work area of the screens in Fyne units at
	// scale (zero when not known); the window never opens bigger. Asked
	// of the desktop driver by the command, so that this package does not
	// depend on it; nil means not known.
	ScreenArea func(scale float32) fyne.Size
}

// Studio is the one window: the library on the left; on the right the
// prompt bar, the tree editor (with inspector, source and policy) and the
// run panel; a save bar and the status line at the bottom.
type Studio struct {
	win     fyne.Window
	opts    Options
	store   *dataset.Store
	engine  *engine.Engine
	Doc     *Document
	Editor  *EditorView
	Prompt  *PromptBar
	Runner  *RunPanel
	Library *Library

	status  *widget.Label
	ollama  OllamaStatus   // what the status line says
	probing sync.WaitGroup // recheckOllama's probes
	message *widget.Label
	root    fyne.CanvasObject

	// open is the library snippet in the editor (0 for none): saving adds
	// a version to it. lastGen is the latest generation, for "save as
	// regression pair".
	open    dataset.Snippet
	lastGen *Generated
	// toldChanged is the version of the open snippet, changed outside
	// while it had unsaved edits, that the person was told of.
	toldChanged int
	// fileDir is the folder a .hl file (tree or policy) was last opened
	// from or saved to: the next file picker starts there.
	fileDir string
	// savedPrompt is the prompt as last saved or opened: changing it is an
	// unsaved change of the open snippet.
	savedPrompt string
	// picked is the retrieved snippet loaded from the prompt bar, until
	// its loading is undone.
	picked *pickedSnippet
	// choosing is the retrieved snippet the prompt bar is loading (its
	// OnPick), taken up by docChanged when the load arrives.
	choosing  *dataset.Snippet
	seenLoads uint64        // the document's Loads as docChanged last saw it
	asking    bool          // the "Discard unsaved changes?" dialog is showing
	docState  *widget.Label // the title's words on the document, in the window

	watcher  context.CancelFunc
	settings Settings
	// policyText is the source of an edited or file policy in use;
	// policyFile the file followed (watcher), "" for none.
	policyText, policyFile string
	// splits are the resizable panes, by preference key.
	splits map[string]*container.Split
}

// SaveLayout keeps the panes' sizes for the next start.
func (s *Studio) SaveLayout(p fyne.Preferences) {
	for key, sp := range s.splits {
		p.SetFloat(key, sp.Offset)
	}
}

// RestoreLayout gives the panes the sizes they had.
func (s *Studio) RestoreLayout(p fyne.Preferences) {
	for key, sp := range s.splits {
		if v := p.FloatWithFallback(key, -1); v > 0.05 && v < 0.95 {
			sp.SetOffset(v)
		}
	}
}

// NewStudio builds the window content. win may be nil in tests that only
// look at the content (dialogs then do nothing).
func NewStudio(win fyne.Window, opts Options, st OllamaStatus) *Studio {
	s := &Studio{win: win, opts: opts, engine: vocab.New(), ollama: st}
	s.status = widget.NewLabel(statusText(st))
	s.status.Wrapping = fyne.TextWrapWord
	s.message = widget.NewLabel("")
	s.message.Wrapping = fyne.TextWrapWord

	s.store = opts.Store
	if s.store == nil {
		var err error
		if s.store, err = dataset.Create(opts.DBPath); err != nil {
			// The studio still edits, checks and runs; the library waits.
			s.message.SetText("The library is unavailable: " + err.Error())
		}
	}
	policy, err := BuiltinPolicy("sandbox")
	if err != nil {
		panic(err) // built-in policies are tested
	}
	s.Doc = NewDocument(hyperlambda.New("", nil), s.engine, policy)
	s.Editor = NewEditorView(win, s.Doc)
	s.Editor.OnPickPolicy = func(string) { s.stopFollowing() }
	server := opts.Server
	if server == nil {
		o, err := compiler.NewOllama(compiler.OllamaOptions{})
		if err == nil {
			server = o
		}
	}
	var cstore compiler.Store
	if s.store != nil {
		cstore = s.store
	}
	s.Prompt = NewPromptBar(win, s.Doc, server, cstore, s.engine)
	s.Prompt.OnGenerated = s.generated
	s.Prompt.OnPick = func(c dataset.Snippet) { s.choosing = &c }
	s.Doc.OnChange(s.docChanged)
	s.Editor.Source.OnDirty(s.updateTitle)    // typed source text is unsaved work
	s.Editor.Inspector.OnDirty(s.updateTitle) // so is a typed value that does not convert
	if prompt := s.Prompt.prompt; prompt != nil {
		prev := prompt.OnChanged
		prompt.OnChanged = func(text string) {
			if prev != nil {
				prev(text)
			}
			s.updateTitle() // a changed prompt is an unsaved change
		}
	}
	var recorder RunRecorder
	if s.store != nil {
		recorder = DatasetRuns{Store: s.store}
	}
	s.Runner = NewRunPanel(s.Doc, s.engine, recorder)
	s.Runner.WatchSource(s.Editor.Source) // never run a tree other than the one on screen
	s.Runner.Refusal = func() string {
		if v := s.Editor.Inspector.ValueError(); v != "" {
			return "The value typed in the inspector does not fit its type (" + v + "): correct it, or select the node again to drop it."
		}
		return ""
	}

	// The run panel scrolls when its pane is dragged smaller than it
	// would like, so it never keeps the tree editor above from the room
	// (nor draws over the save bar).
	work := container.NewVSplit(s.Editor, container.NewVScroll(s.Runner.Object()))
	work.SetOffset(0.64)
	s.splits = map[string]*container.Split{"split.work": work}
	// Objects in reading order: Tab goes prompt, model, Generate, …, then
	// the policy picker and the tree.
	column := container.New(layout.NewBorderLayout(s.Prompt.Object(), nil, nil, nil), s.Prompt.Object(), work)
	s.Prompt.OnHeightChange = func() { column.Layout.Layout(column.Objects, column.Size()) }
	var main fyne.CanvasObject = column
	right := main
	if s.store != nil {
		s.Library = NewLibrary(win, s.store)
		s.Library.OnOpen = s.openSnippet
		s.Library.BeforeRestore = s.restoring
		s.Library.OnRestored = s.restored
		s.Library.OnChangedOutside = s.openChangedOutside
		split := container.NewHSplit(s.Library.Object(), right)
		split.SetOffset(0.32)
		s.splits["split.library"] = split
		main = split
		s.seedLibrary()
		s.Library.WatchRegistered()
		s.Library.Refresh()
	}
	title := "hlstudio"
	if opts.Version != "" {
		title += " " + opts.Version
	}
	// The file actions are in the File menu too (MainMenu). The save bar
	// shares its row with the last message; the version ends the status
	// line (the window's title says "hlstudio"): every row not spent on
	// chrome goes to the tree editor.
	saveBar := container.NewHBox(
		widget.NewButton("Save draft", func() { s.Save(dataset.StatusDraft) }),
		widget.NewButton("Save approved", func() { s.Save(dataset.StatusApproved) }),
		widget.NewButton("Regression pair…", s.regressionPair),
		widget.NewButton("Export…", s.showExport),
	)
	version := widget.NewLabelWithStyle(title, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	// What the window's title says of the document ("snippet 5 •
	// unsaved"), also inside the window: without a window manager (or
	// with the title off screen) it is the only place to see it.
	s.docState = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})
	// Messages wrap up to two lines and scroll beyond: they never make
	// the window taller than the screen.
	bottom := container.NewVBox(
		container.NewBorder(nil, nil, saveBar, nil, messageBox(s.message, 2)),
		container.NewBorder(nil, nil, nil, container.NewHBox(s.docState, version), messageBox(s.status, 2)))
	s.root = container.New(layout.NewBorderLayout(nil, bottom, nil, nil), main, bottom)
	return s
}

// seedLibrary gives an empty library the sample snippets shipped in
// assets, so a first start has something to look at.
func (s *Studio) seedLibrary() {
	ctx := context.Background()
	if n, err := s.store.Count(ctx, dataset.Query{}); err != nil || n > 0 {
		return
	}
	samples := assets.Samples()
	for _, name := range slices.Sorted(maps.Keys(samples)) { // the same order every time
		prompt, code, err := dataset.ParseHL(samples[name])
		if err != nil {
			continue // the samples are tested; a bad one is skipped, not fatal
		}
		s.store.AddSnippet(ctx, dataset.Snippet{Prompt: prompt, Code: code, Status: dataset.StatusApproved,
			Tags: []string{"sample"}, Source: "sample:" + name})
	}
}

// MainMenu is the window's menu: files, policies, export, the save
// actions, generation and runs. Menu shortcuts work whatever has focus
// (the driver tries them before the focused widget), so Ctrl+S saves
// while the cursor is in the prompt.
func (s *Studio) MainMenu(quit func()) *fyne.MainMenu {
	item := func(label string, fn func(), key fyne.KeyName, mod fyne.KeyModifier) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() {
			// The driver runs a menu's shortcut even while a dialog is
			// up: Ctrl+S saved and Ctrl+Shift+Enter generated behind the
			// question being answered. The menu itself is out of reach
			// then (the dialog covers it), so only a shortcut gets here.
			if s.win != nil && dialogShowing(s.win.Canvas()) {
				return
			}
			fn()
		})
		if key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		}
		return it
	}
	ctrl, ctrlShift := fyne.KeyModifierControl, fyne.KeyModifierControl|fyne.KeyModifierShift
	// Quitting with unsaved changes asks first; it works over a dialog,
	// as Ctrl+Q does everywhere.
	quitItem := fyne.NewMenuItem("Quit", func() { s.confirmDiscard("quitting", quit) })
	quitItem.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: ctrl}
	quitItem.IsQuit = true
	file := fyne.NewMenu("File",
		item("Open .hl…", s.openFile, fyne.KeyO, ctrl),
		item("Open a path…", s.askPath, fyne.KeyL, ctrl),
		item("Save .hl…", s.saveFile, fyne.KeyS, ctrlShift),
		fyne.NewMenuItemSeparator(),
		item("Use a policy file…", s.openPolicyFile, "", 0),
		item("Edit the policy…", s.showPolicyEditor, "", 0),
		item("Export training data…", s.showExport, "", 0),
		fyne.NewMenuItemSeparator(),
		item("Settings…", s.showSettings, fyne.KeyComma, ctrl),
		fyne.NewMenuItemSeparator(),
		quitItem,
	)
	work := fyne.NewMenu("Tree",
		// Ctrl+G and Ctrl+Shift+G are the tree's find next/previous.
		item("Generate from the prompt", s.Prompt.Generate, fyne.KeyReturn, ctrlShift),
		item("Cancel generation", s.Prompt.Cancel, "", 0),
		item("Approve & run", s.Runner.Run, fyne.KeyR, ctrl),
		item("Stop the run", s.Runner.Stop, "", 0),
		fyne.NewMenuItemSeparator(),
		item("Forget dynamic slots", s.forgetDynamicSlots, "", 0),
	)
	library := fyne.NewMenu("Library",
		item("Save draft", func() { s.Save(dataset.StatusDraft) }, fyne.KeyS, ctrl),
		item("Save approved", func() { s.Save(dataset.StatusApproved) }, "", 0),
		item("Save as a new snippet (draft)", func() { s.SaveAsNew(dataset.StatusDraft) }, "", 0),
		item("Save as regression pair…", s.regressionPair, "", 0),
		fyne.NewMenuItemSeparator(),
		item("Watched folders…", func() {
			if s.Library != nil {
				s.Library.ShowWatched()
			}
		}, "", 0),
	)
	return fyne.NewMainMenu(file, work, library)
}

// forgetDynamicSlots drops the slots earlier runs created ([slots.create]
// outlives a run): a run may not replace one made under another policy.
func (s *Studio) forgetDynamicSlots() {
	n := s.engine.ForgetDynamicSlots()
	s.message.SetText(fmt.Sprintf("Forgot %s: the next run starts without them.", english.Count(n, "dynamic slot", "dynamic slots")))
}

// Content is the canvas object to put in a window.
func (s *Studio) Content() fyne.CanvasObject { return s.root }

// Close releases the dataset and watchers.
func (s *Studio) Close() {
	if s.watcher != nil {
		s.watcher()
	}
	s.Runner.Stop()
	s.Prompt.Cancel()
	s.Runner.Wait()
	s.Prompt.Wait()
	s.WaitProbe()
	if s.Library != nil {
		s.Library.Close()
		s.Library.WaitImport()
	}
	if s.store != nil && s.opts.Store == nil {
		s.store.Close()
	}
}

// SetStatus shows a new Ollama status. Call it on the Fyne goroutine.
func (s *Studio) SetStatus(st OllamaStatus) {
	s.ollama = st
	s.status.SetText(statusText(st))
	if st.State == OllamaRunning {
		s.Prompt.LoadModelsAsync()
	}
}

// recheckOllama asks the prompt bar's server for its version again, in
// the background, and shows what it finds: the status line said what the
// first probe found for the whole session, so a server stopped since
// (or started, or another host chosen in Settings) went unreported.
// WaitProbe waits for it.
func (s *Studio) recheckOllama() {
	host := s.Prompt.Host()
	if host == "" {
		return
	}
	s.probing.Add(1)
	go func() {
		defer s.probing.Done()
		st := ProbeOllama(context.Background(), nil, host)
		onUI(func() {
			if s.Prompt.Host() == host { // not a host given up since
				s.SetStatus(st)
			}
		})
	}()
}

// WaitProbe waits for the probes recheckOllama started.
func (s *Studio) WaitProbe() { s.probing.Wait() }

// StatusText is the status line as shown.
func (s *Studio) StatusText() string { return s.status.Text }

// Message is the last message of the save bar.
func (s *Studio) Message() string { return s.message.Text }

// statusText is the status line: the probe's sentence, and when the
// server is missing, what still works.
func statusText(st OllamaStatus) string {
	if st.State == OllamaNotRunning {
		return st.String() + " Generation needs it; the library, editor and runtime work without it."
	}
	return st.String()
}

// openSnippet puts a library snippet in the editor and its prompt in the
// prompt bar, asking first when that would throw away unsaved changes.
func (s *Studio) openSnippet(sn dataset.Snippet) {
	root, err := hyperlambda.ParseString(sn.Code, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		s.message.SetText(fmt.Sprintf("Snippet %d does not parse: %v", sn.ID, err))
		return
	}
	s.confirmDiscardOr(fmt.Sprintf("opening snippet %d", sn.ID), func() {
		s.load(root, sn.Prompt, sn)
		s.message.SetText(fmt.Sprintf("Opened snippet %d (%s, version %d).", sn.ID, sn.Status, sn.Version))
	}, s.highlightOpen)
}

// highlightOpen moves the library's cursor back to the open snippet (none
// when it is not listed), after opening another one was cancelled: History
// and Open act on the highlighted row.
func (s *Studio) highlightOpen() {
	if s.Library != nil {
		s.Library.SelectSnippet(s.open.ID)
	}
}

// restoring runs restore, a restore of a version of snippet id from the
// library's history, asking first when that snippet is open with unsaved
// changes (Save saves them as a version before the restore).
func (s *Studio) restoring(id int64, version int, restore func()) {
	if id == 0 || id != s.open.ID {
		restore()
		return
	}
	s.confirmDiscard(fmt.Sprintf("restoring its version %d", version), restore)
}

// restored reloads the editor when the restored snippet is the open one:
// otherwise it would show the version before, and the next save would
// undo the restore.
func (s *Studio) restored(sn dataset.Snippet) {
	if sn.ID == 0 || sn.ID != s.open.ID {
		return
	}
	root, err := hyperlambda.ParseString(sn.Code, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		s.message.SetText(fmt.Sprintf("Snippet %d was restored but does not parse: %v", sn.ID, err))
		return
	}
	s.load(root, sn.Prompt, sn)
	s.message.SetText(fmt.Sprintf("Snippet %d restored: the editor shows it as version %d (%s).", sn.ID, sn.Version, sn.Status))
}

// openChangedOutside looks again at the open snippet after an import or
// a watched folder changed the library: its file may have been edited
// while it was open. With nothing unsaved the editor shows it as it now
// is (else the next save would put the old tree back over the file's);
// with unsaved edits they stay, and the person is told what saving them
// does.
func (s *Studio) openChangedOutside() {
	if s.store == nil || s.open.ID == 0 {
		return
	}
	sn, err := s.store.Snippet(context.Background(), s.open.ID)
	if errors.Is(err, dataset.ErrNotFound) {
		s.message.SetText(fmt.Sprintf("Snippet %d is no longer in the library (its file is gone); the editor keeps its tree: Library > Save as a new snippet keeps it.", s.open.ID))
		return
	}
	if err != nil || (sn.Code == s.open.Code && sn.Prompt == s.open.Prompt) {
		return
	}
	from := ""
	if sn.Source != "" {
		from = " in " + sn.Source
	}
	if s.Unsaved() {
		if s.toldChanged == sn.Version {
			return // said once: other files' rounds do not repeat it
		}
		s.toldChanged = sn.Version
		s.message.SetText(fmt.Sprintf("Snippet %d changed%s (now version %d) while you edit version %d: your edits stay; saving makes them version %d, and History keeps version %d.",
			sn.ID, from, sn.Version, s.open.Version, sn.Version+1, sn.Version))
		return
	}
	root, err := hyperlambda.ParseString(sn.Code, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		s.message.SetText(fmt.Sprintf("Snippet %d changed%s but does not parse: %v", sn.ID, from, err))
		return
	}
	s.load(root, sn.Prompt, sn)
	s.message.SetText(fmt.Sprintf("Snippet %d changed%s: the editor shows it as version %d (%s).", sn.ID, from, sn.Version, sn.Status))
}

// load makes root the tree of a fresh session (no undo history) with its
// prompt; open is the library snippet it is (zero for none). The tree and
// prompt are what is saved: nothing is unsaved.
func (s *Studio) load(root *hyperlambda.Node, prompt string, open dataset.Snippet) {
	s.open, s.lastGen, s.picked, s.toldChanged = open, nil, nil, 0
	s.Doc.Reset(root)
	// Text of the tree before that was not applied belongs to it (and was
	// asked about): the source tab shows the new tree.
	s.Editor.Source.Revert()
	s.Prompt.prompt.SetText(prompt)
	s.Prompt.Forget()
	s.savedPrompt = prompt
	s.Doc.MarkSaved()
	s.updateTitle()
}

// Unsaved reports whether closing the document would lose work: edits of
// the tree since it was opened or saved, text in the source tab the tree
// does not have (typed, or not parsing), or, when there is a tree or an
// open snippet, a changed prompt. A prompt typed over an empty new tree
// is not worth asking about.
func (s *Studio) Unsaved() bool {
	if s.Doc.Modified() || s.Editor.Source.Dirty() || s.Editor.Inspector.ValueError() != "" {
		return true
	}
	if s.open.ID == 0 && s.Doc.Len() == 0 {
		return false
	}
	return strings.TrimSpace(s.Prompt.prompt.Text) != strings.TrimSpace(s.savedPrompt)
}

// windowTitle is the window's title: the open snippet, and a • while
// there are unsaved changes. With nothing open and nothing to save it is
// plain "hlstudio".
func windowTitle(open int64, unsaved bool) string {
	title := "hlstudio"
	switch {
	case open != 0:
		title += fmt.Sprintf(" — snippet %d", open)
	case unsaved:
		title += " — new snippet"
	}
	if unsaved {
		title += " • unsaved"
	}
	return title
}

// updateTitle shows the unsaved state in the window's title.
func (s *Studio) updateTitle() {
	t := windowTitle(s.open.ID, s.Unsaved())
	if s.docState != nil {
		s.docState.SetText(strings.TrimPrefix(strings.TrimPrefix(t, "hlstudio"), " — "))
	}
	if s.win != nil && s.win.Title() != t {
		s.win.SetTitle(t)
	}
}

// confirmDiscard runs then at once when nothing is unsaved; otherwise it
// asks "Discard unsaved changes?" with Save, Discard and Cancel, all
// reachable with Tab and pressed with Space (Escape cancels). Save saves
// (a draft, or the open snippet's approved status when the tree may be
// approved) and goes on only if that worked; what doing stands for the
// action in words ("quitting", "opening snippet 3").
func (s *Studio) confirmDiscard(doing string, then func()) { s.confirmDiscardOr(doing, then, nil) }

// confirmDiscardOr is confirmDiscard that runs cancelled (when not nil)
// if then does not run: Cancel, Escape, or a Save that failed.
func (s *Studio) confirmDiscardOr(doing string, then, cancelled func()) {
	if cancelled == nil {
		cancelled = func() {}
	}
	// Text typed in the source tab and not parsed yet is parsed now: if
	// it is good it is an edit of the tree like any other.
	unapplied := s.Editor.Source.Unapplied()
	if !s.Unsaved() {
		then()
		return
	}
	if s.asking {
		return // the question is up already
	}
	if s.win == nil { // no window to ask in (tests): nothing is thrown away
		s.message.SetText("There are unsaved changes: save them first.")
		cancelled()
		return
	}
	name := "the new snippet"
	if s.open.ID != 0 {
		name = fmt.Sprintf("snippet %d", s.open.ID)
	}
	var keys escKeys
	words := fmt.Sprintf("The tree or prompt of %s has unsaved changes. Save them before %s?", name, doing)
	// Source text that cannot be applied cannot be saved either: say so,
	// and offer Discard and Cancel only.
	canSave := unapplied == nil
	if !canSave {
		words = fmt.Sprintf("The Source tab of %s has %s. Discard it before %s?", name, sourceProblem(unapplied), doing)
	}
	d := s.newQuestion("Discard unsaved changes?", words)
	answered := false // Save or Discard, which say themselves what follows
	answer := func(fn func()) func() {
		return func() {
			answered = true
			d.Hide()
			fn()
		}
	}
	save := newFormButton(&keys, "Save", answer(func() {
		status := dataset.StatusDraft
		if s.open.Status == dataset.StatusApproved && s.Doc.Blocking() == 0 {
			status = dataset.StatusApproved
		}
		s.Save(status)
		if s.Unsaved() {
			cancelled() // Save said why not
			return
		}
		then()
	}))
	save.Importance = widget.HighImportance
	discard := newFormButton(&keys, "Discard", answer(then))
	discard.Importance = widget.DangerImportance
	cancel := newFormButton(&keys, "Cancel", d.Hide)
	var focus fyne.Focusable = save
	if !canSave {
		save.Disable()
		focus = cancel
	}
	s.asking = true
	d.show(460, &keys, focus, cancel, discard, save)
	d.SetOnClosed(func() { // chained after keys' own
		s.asking = false
		if !answered { // Cancel or Escape
			cancelled()
		}
	})
}

// sourceProblem says what is wrong with source text that is not applied
// (an *UnappliedError), e.g. "an error at line 2, column 5".
func sourceProblem(err error) string {
	if ue, ok := err.(*UnappliedError); ok && ue.Pos.IsValid() {
		return fmt.Sprintf("an error at line %d, column %d", ue.Pos.Line, ue.Pos.Col)
	}
	return "text not applied to the tree (the tree changed elsewhere since)"
}

// saveRefusal is why the prompt and tree cannot be saved as a pair now
// ("" when they can): source text the tree does not have, or a
// generation running, whose prompt the prompt box holds while the editor
// holds a tree that does not answer it.
func (s *Studio) saveRefusal() string {
	if why := s.sourceRefusal(); why != "" {
		return why
	}
	if s.Prompt.Generating() {
		return "a generation is running for the prompt above, and the tree in the editor does not answer it yet. Wait for its tree, or Cancel it first."
	}
	return ""
}

// sourceRefusal is why the tree cannot be saved as it is while the
// source tab holds text it does not have ("" when it can). Typed text
// that parses is applied first.
func (s *Studio) sourceRefusal() string {
	if v := s.Editor.Inspector.ValueError(); v != "" {
		return "the value typed in the inspector does not fit its type (" + v + "): correct it, or select the node again to drop it."
	}
	err := s.Editor.Source.Unapplied()
	if err == nil {
		return ""
	}
	if ue, ok := err.(*UnappliedError); ok && ue.Pos.IsValid() {
		return fmt.Sprintf("the Source tab has an error at line %d, column %d: fix it or Revert it first.", ue.Pos.Line, ue.Pos.Col)
	}
	return "the Source text is not applied (the tree changed elsewhere since): Apply or Revert it first."
}

// generated hears a finished generation. The document stays the snippet
// it was (a failed or retrieved generation changes nothing; a generated
// tree is an unsaved edit of it), unless another tree was opened while
// the model worked: the tree is then offered, not loaded.
func (s *Studio) generated(g Generated) {
	switch {
	case g.Stale:
		s.offerGenerated(g) // not loaded: it belongs to no tree yet
	case g.Err == nil && g.Result != nil && !g.Result.Retrieved && s.open.ID != 0 &&
		strings.TrimSpace(g.Prompt) != strings.TrimSpace(s.savedPrompt):
		s.lastGen = &g
		// A new prompt answered over an open snippet: saving would make
		// the snippet another function (its versions keep the old one),
		// which the person may not mean; say so before, not after.
		s.message.SetText(fmt.Sprintf("The generated tree is an unsaved edit of snippet %d: Save adds a version to it under the new prompt; Library > Save as a new snippet leaves snippet %d as it is.", s.open.ID, s.open.ID))
	default:
		s.lastGen = &g
	}
	if g.Edited {
		s.askEditedPrompt(g)
	}
	// A generation finds out about the server: look again when it went
	// offline, or answered while the status line says it does not.
	var oe *compiler.OllamaError
	offline := (g.Result != nil && g.Result.Retrieved) || (errors.As(g.Err, &oe) && oe.Kind == compiler.ErrOllamaUnreachable)
	if offline != (s.ollama.State == OllamaNotRunning) {
		s.recheckOllama()
	}
}

// offerGenerated asks what to do with a tree generated while another
// tree was opened: keep the open one, or load the generated tree with
// the prompt it answers as a new document (asking first, as any open
// does, when the open one has unsaved changes).
func (s *Studio) offerGenerated(g Generated) {
	if s.win == nil {
		return
	}
	var keys escKeys
	name := "another tree"
	if s.open.ID != 0 {
		name = fmt.Sprintf("snippet %d", s.open.ID)
	}
	q := s.newQuestion("Generated tree ready", fmt.Sprintf("The tree generated for %q is ready, but %s was opened while it was made, so the editor keeps %s. Load the generated tree, with its prompt, as a new snippet?",
		clip(g.Prompt, 80), name, name))
	load := newFormButton(&keys, "Load generated tree", func() {
		q.Hide()
		s.confirmDiscard("loading the generated tree", func() {
			s.load(hyperlambda.New("", nil), g.Prompt, dataset.Snippet{})
			s.Doc.ReplaceTree(g.Result.Tree.Clone(), "generate")
			s.lastGen = &g
			s.highlightOpen() // none: the library's row is not this tree
			s.message.SetText("Loaded the generated tree as a new snippet: Save keeps it.")
		})
	})
	load.Importance = widget.HighImportance
	q.show(480, &keys, load, newFormButton(&keys, "Keep "+name, q.Hide), load)
}

// question is a dialog of a wrapped text and buttons: the studio's
// questions (discard changes?, load a generated tree?, which prompt?).
type question struct {
	*dialog.CustomDialog
	text *widget.Label
	win  fyne.Window
}

// newQuestion makes a question saying words; its buttons, made next, may
// hide it.
func (s *Studio) newQuestion(title, words string) *question {
	text := widget.NewLabel(words)
	text.Wrapping = fyne.TextWrapWord
	return &question{CustomDialog: dialog.NewCustomWithoutButtons(title, text, s.win), text: text, win: s.win}
}

// show gives the question its buttons (made with keys, whose Escape
// closes it), sizes it to its text at width and shows it with the focus
// on focus.
func (q *question) show(width float32, keys *escKeys, focus fyne.Focusable, buttons ...fyne.CanvasObject) {
	q.SetButtons(buttons)
	keys.bind(q.win.Canvas(), q.CustomDialog)
	q.Resize(fyne.NewSize(width, q.text.MinSize().Height+140))
	q.Show()
	q.win.Canvas().Focus(focus)
}

// askEditedPrompt asks which prompt goes with a generated tree when the
// prompt box was edited while the model worked: the tree answers the
// prompt as it was, and a save pairs the tree with the box's text. The
// edit is kept unless the person picks the prompt the tree answers (the
// question shows both, so neither is lost unseen).
func (s *Studio) askEditedPrompt(g Generated) {
	if s.win == nil {
		return
	}
	var keys escKeys
	q := s.newQuestion("Prompt edited during generation", fmt.Sprintf("The tree answers the prompt as it was when you pressed Generate:\n“%s”\n\nThe prompt box was edited since and now says:\n“%s”\n\nSaving pairs the tree with the prompt in the box. Which prompt goes with this tree?",
		clip(promptLine(g.Prompt), 200), clip(promptLine(s.Prompt.prompt.Text), 200)))
	keep := newFormButton(&keys, "Keep the edited prompt", q.Hide)
	answered := newFormButton(&keys, "Use the prompt it answers", func() {
		q.Hide()
		s.Prompt.prompt.SetText(g.Prompt)
		s.message.SetText("The prompt box holds the prompt the generated tree answers.")
	})
	// The focus on the choice that changes nothing: the person may still
	// be typing.
	q.show(520, &keys, keep, keep, answered)
}

// pickedSnippet is a retrieved snippet loaded into the editor (an undo
// step of the document) and what it replaced, to put back on undo.
type pickedSnippet struct {
	snippet     dataset.Snippet
	depth       int // the document's UndoDepth with the pick done
	active      bool
	open        dataset.Snippet
	prompt      string
	savedPrompt string
	lastGen     *Generated
}

// docChanged follows the document: the title's unsaved mark, and a
// retrieved snippet loaded from the prompt bar, which brings its own
// prompt and becomes the open snippet, so that its code is never saved
// under another prompt (or as a duplicate of it). Undoing the pick puts
// the previous prompt and snippet back; redoing it, the picked ones.
func (s *Studio) docChanged() {
	defer s.updateTitle()
	if p := s.picked; p != nil {
		switch depth := s.Doc.UndoDepth(); {
		case p.active && depth < p.depth:
			p.active = false
			s.open, s.savedPrompt, s.lastGen = p.open, p.savedPrompt, p.lastGen
			s.Prompt.prompt.SetText(p.prompt)
			s.message.SetText(fmt.Sprintf("Undid loading snippet %d: the prompt is yours again.", p.snippet.ID))
		case !p.active && depth == p.depth && s.Doc.UndoName() == pickOp && s.Doc.Loads() == s.seenLoads: // a redo, not a new pick
			p.active = true
			s.open, s.savedPrompt = p.snippet, p.snippet.Prompt
			s.Prompt.prompt.SetText(p.snippet.Prompt)
		case !p.active && !s.Doc.CanRedo():
			s.picked = nil // a new edit: the pick cannot be redone
		}
	}
	c := s.choosing
	s.choosing = nil
	if c == nil || s.Doc.UndoName() != pickOp || s.Doc.Loads() == s.seenLoads {
		s.seenLoads = s.Doc.Loads()
		return
	}
	s.seenLoads = s.Doc.Loads()
	s.picked = &pickedSnippet{snippet: *c, depth: s.Doc.UndoDepth(), active: true,
		open: s.open, prompt: s.Prompt.prompt.Text, savedPrompt: s.savedPrompt, lastGen: s.lastGen}
	mine := strings.TrimSpace(s.Prompt.prompt.Text)
	s.open, s.savedPrompt, s.lastGen = *c, c.Prompt, nil
	s.Prompt.prompt.SetText(c.Prompt)
	s.Doc.MarkSaved() // it is snippet c as stored
	msg := fmt.Sprintf("Loaded snippet %d with its own prompt; saving adds a version to it.", c.ID)
	if mine != "" && mine != strings.TrimSpace(c.Prompt) {
		msg += fmt.Sprintf(" Your prompt was %q: Ctrl+Z brings it back with the tree before.", clip(mine, 60))
	}
	s.message.SetText(msg)
}

// pickOp is the undo step of loading a retrieved snippet (PromptBar).
const pickOp = "use retrieved snippet"

// Save keeps the editor's tree in the library: the open snippet (opened
// from the library, picked from retrieved ones, or saved before) gets a
// new version, whatever was generated since; only a new document makes a
// new snippet from the prompt and the tree.
func (s *Studio) Save(status dataset.Status) { s.save(status, false) }

// SaveAsNew saves the prompt and tree as a new snippet even when a
// snippet is open; the new one is open afterwards.
func (s *Studio) SaveAsNew(status dataset.Status) { s.save(status, true) }

// save saves and returns the snippet as stored; false when it did not
// save (the message says why). Text typed in the source tab is applied
// first; source text that does not parse (or was kept over a tree changed
// elsewhere) is refused: the tree is not what the person sees there.
func (s *Studio) save(status dataset.Status, asNew bool) (dataset.Snippet, bool) {
	if s.store == nil {
		s.message.SetText("The library is unavailable; use Save .hl… instead.")
		return dataset.Snippet{}, false
	}
	if why := s.saveRefusal(); why != "" {
		s.message.SetText("Not saved: " + why)
		return dataset.Snippet{}, false
	}
	prompt := strings.TrimSpace(s.Prompt.prompt.Text)
	if prompt == "" {
		s.message.SetText("Type the prompt this tree answers before saving it.")
		return dataset.Snippet{}, false
	}
	if status == dataset.StatusApproved && s.Doc.Blocking() > 0 {
		s.message.SetText("A tree with denied or unknown slots cannot be approved; save it as a draft.")
		return dataset.Snippet{}, false
	}
	ctx := context.Background()
	var sn dataset.Snippet
	var err error
	if s.open.ID != 0 && !asNew {
		// The stored snippet, not the one opened: tags or status may have
		// changed in the library since, and must not be put back.
		if sn, err = s.store.Snippet(ctx, s.open.ID); err != nil {
			s.message.SetText(fmt.Sprintf("Not saved: %v. Use Library > Save as a new snippet.", err))
			return dataset.Snippet{}, false
		}
		if status == dataset.StatusDraft && sn.Status != dataset.StatusDraft && !s.Unsaved() {
			// Ctrl+S out of habit on a snippet nobody changed took its
			// approval back (and it left the exports and regression runs
			// that take approved snippets): an unchanged save changes nothing.
			s.message.SetText(fmt.Sprintf("Snippet %d has no unsaved changes: it stays %s (the library's \"set status\" changes a status alone).", sn.ID, sn.Status))
			return sn, true
		}
		before := sn.Version
		sn.Prompt, sn.Code, sn.Status = prompt, s.Doc.Text(), status
		if sn, err = s.store.UpdateSnippet(ctx, sn); err != nil {
			s.message.SetText("Not saved: " + err.Error())
			return dataset.Snippet{}, false
		}
		if sn.Version == before {
			s.message.SetText(fmt.Sprintf("Snippet %d is unchanged (%s, version %d).", sn.ID, sn.Status, sn.Version))
		} else {
			s.message.SetText(fmt.Sprintf("Saved snippet %d as %s (version %d).", sn.ID, sn.Status, sn.Version) + watchedFileNote(s.store, sn))
		}
	} else {
		sn = dataset.Snippet{Prompt: prompt, Code: s.Doc.Text(), Status: status}
		if g := s.lastGen; g != nil && g.Result != nil && len(g.Result.Attempts) > 0 {
			sn.Source = dataset.SourceGenerated
			sn.AttemptID = g.Result.Attempts[len(g.Result.Attempts)-1].StoredID
		}
		if sn, err = s.store.AddSnippet(ctx, sn); err != nil {
			s.message.SetText("Not saved: " + err.Error())
			return dataset.Snippet{}, false
		}
		s.message.SetText(fmt.Sprintf("Saved new snippet %d as %s (version %d).", sn.ID, sn.Status, sn.Version))
	}
	s.open, s.savedPrompt = sn, sn.Prompt
	s.Doc.MarkSaved()
	s.updateTitle()
	if s.Library != nil {
		s.Library.Refresh()
	}
	return sn, true
}

// SaveRegression saves the tree as the corrected version of a failed
// generation (or of the snippet as last saved) with the reason: the
// snippet gets a new version, approved, or a draft when the tree has
// denied or unknown slots, and the pair stores the code before as bad and
// the saved tree as good. A pair that cannot be saved (nothing to
// correct, the tree unchanged, source text not applied) is refused,
// saying why; nothing is saved then.
func (s *Studio) SaveRegression(reason string) {
	bad, attempt, why := s.regressionPlan()
	if why != "" {
		s.message.SetText(why)
		return
	}
	status := dataset.StatusApproved
	if s.Doc.Blocking() > 0 {
		status = dataset.StatusDraft // it cannot be approved; the pair is still worth keeping
	}
	sn, ok := s.save(status, false)
	if !ok {
		return // save said why
	}
	if sameCode(bad, sn.Code) { // regressionPlan compared them: a safety net
		s.message.SetText(fmt.Sprintf("Saved snippet %d, but no pair: the saved tree is the code it corrects.", sn.ID))
		return
	}
	if _, err := s.store.AddRegression(context.Background(), dataset.Regression{SnippetID: sn.ID, AttemptID: attempt, Bad: bad, Good: sn.Code, Reason: reason}); err != nil {
		s.message.SetText("Saved the snippet, but not the pair: " + err.Error())
		return
	}
	msg := fmt.Sprintf("Saved snippet %d as %s (version %d) with a regression pair", sn.ID, sn.Status, sn.Version)
	if reason != "" {
		msg += fmt.Sprintf(" (%s)", clip(reason, 60))
	}
	msg += "."
	if status == dataset.StatusDraft {
		msg += " The tree has denied or unknown slots, so the snippet is a draft, not approved."
	}
	s.message.SetText(msg)
	if s.Library != nil {
		s.Library.Refresh()
	}
}

// regressionPlan is the bad side of the pair the tree would make: the
// first refused attempt of the last generation, else the generated tree
// the person corrected, else the open snippet's code as last saved. why
// says why no pair can be saved now ("" when one can). Text typed in the
// source tab is applied first, as a save does.
func (s *Studio) regressionPlan() (bad string, attempt int64, why string) {
	if s.store == nil {
		return "", 0, "The library is unavailable."
	}
	unchanged := "The tree is unchanged: correct it first, then save the pair."
	switch {
	case s.lastGen != nil && s.lastGen.Result != nil && len(s.lastGen.Result.Attempts) > 0:
		// The first refused attempt, else the generated tree the person fixed.
		for _, a := range s.lastGen.Result.Attempts {
			if a.Error != "" {
				bad, attempt = a.Raw, a.StoredID
				break
			}
		}
		if bad == "" {
			bad = s.lastGen.Result.Code
			unchanged = "The tree is the generated one, unchanged: correct it first, then save the pair."
		}
	case s.open.ID != 0:
		bad = s.open.Code
		unchanged = fmt.Sprintf("The tree is snippet %d as saved, unchanged: correct it first, then save the pair.", s.open.ID)
	default:
		return "", 0, "A regression pair needs a generation or an opened snippet to correct."
	}
	if r := s.sourceRefusal(); r != "" {
		return "", 0, "No regression pair: " + r
	}
	if s.Doc.Len() == 0 {
		return "", 0, "The tree is empty: the corrected tree is the good side of the pair."
	}
	if sameCode(bad, s.Doc.Text()) {
		return "", 0, unchanged
	}
	if strings.TrimSpace(s.Prompt.prompt.Text) == "" {
		return "", 0, "Type the prompt this tree answers before saving the pair."
	}
	return bad, attempt, ""
}

// sameCode reports whether two Hyperlambda texts are the same tree
// (layout aside); text that does not parse is compared as it is.
func sameCode(a, b string) bool {
	ca, _, errA := dataset.Canonical(a)
	cb, _, errB := dataset.Canonical(b)
	if errA != nil || errB != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return ca == cb
}

// regressionPair is the save bar's and menu's "Regression pair…": it says
// at once why there is no pair to save, rather than ask for a reason and
// drop it; otherwise it asks what was wrong.
func (s *Studio) regressionPair() {
	if _, _, why := s.regressionPlan(); why != "" {
		s.message.SetText(why)
		return
	}
	s.askRegression()
}

// askRegression asks what was wrong and saves the pair. Should there be
// no pair to save, the dialog says why and cannot save.
func (s *Studio) askRegression() {
	if s.win == nil {
		s.SaveRegression("")
		return
	}
	// A few lines at the dialog's full width: the reason is read later,
	// next to the pair, so it may take a sentence or two.
	var keys escKeys
	reason := newFormEntry(&keys, true)
	reason.SetMinRowsVisible(4)
	reason.SetPlaceHolder(`e.g. "dropped the .lambda child", "invented slot"`)
	top := container.NewVBox(widget.NewLabel("What was wrong"))
	_, _, why := s.regressionPlan()
	if why != "" {
		note := widget.NewLabel(why)
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.DangerImportance
		top.Objects = append([]fyne.CanvasObject{note}, top.Objects...)
	}
	content := container.NewBorder(top, nil, nil, nil, reason)
	d := dialog.NewCustomWithoutButtons("Save as regression pair", content, s.win)
	save := newFormButton(&keys, "Save", func() {
		d.Hide()
		s.SaveRegression(strings.TrimSpace(reason.Text))
	})
	save.Importance = widget.HighImportance
	if why != "" {
		save.Disable()
	}
	d.SetButtons([]fyne.CanvasObject{newFormButton(&keys, "Cancel", d.Hide), save})
	keys.bind(s.win.Canvas(), d)
	d.Resize(fyne.NewSize(520, content.MinSize().Height+120))
	d.Show()
	s.win.Canvas().Focus(reason)
}

// OpenHL loads .hl text into the editor: a training file's first comment
// is the prompt; any other Hyperlambda opens with no prompt, to be typed
// before saving. Text that does not parse is refused at its line and
// column.
func (s *Studio) OpenHL(name string, src []byte) {
	opened := "Opened " + name + "."
	prompt, code, err := dataset.ParseHL(src)
	var fe *dataset.FileError
	if err != nil && !errors.As(err, &fe) {
		s.message.SetText(fmt.Sprintf("%s: %v", name, err))
		return
	}
	if err != nil {
		// Not laid out as a training file (no prompt comment first, or no
		// code after it): Hyperlambda all the same opens as it is.
		code, prompt = string(src), ""
		opened = fmt.Sprintf("Opened %s, which has no prompt (%s): type it above before saving to the library.", name, fe.Reason)
	}
	root, err := hyperlambda.Parse([]byte(code), hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		if fe != nil {
			fe.File = name // ParseHL located the error already: "f.hl:3:6: ..."
			s.message.SetText(fe.Error())
		} else {
			s.message.SetText(fmt.Sprintf("%s: %v", name, err))
		}
		return
	}
	s.confirmDiscard("opening "+name, func() {
		// A file is not in the library: saving makes a new snippet.
		s.load(root, prompt, dataset.Snippet{})
		s.highlightOpen() // none: no library row is this tree
		s.message.SetText(opened)
	})
}

// Dropped takes what is dropped on the window from a file manager: one
// .hl file opens in the editor (as Open .hl… does), one folder is
// imported into the library (as Import… does).
func (s *Studio) Dropped(uris []fyne.URI) {
	if len(uris) != 1 || uris[0].Scheme() != "file" {
		s.message.SetText("Drop one .hl file to open it, or one folder to import it.")
		return
	}
	s.openPath(uris[0].Path())
}

// openPath does with path what a drop on the window does: a .hl file
// opens, a folder is imported.
func (s *Studio) openPath(path string) {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		s.message.SetText(err.Error())
	case info.IsDir():
		if s.Library == nil {
			s.message.SetText("The library is unavailable.")
			return
		}
		s.Library.Import(path)
	case !strings.EqualFold(filepath.Ext(path), ".hl"):
		s.message.SetText(fmt.Sprintf("%s is not a .hl file: a .hl file opens, a folder is imported.", filepath.Base(path)))
	default:
		src, err := os.ReadFile(path)
		if err != nil {
			s.message.SetText(err.Error())
			return
		}
		s.fileDir = filepath.Dir(path)
		s.OpenHL(filepath.Base(path), src)
	}
}

// askPath is File > Open a path…: a path typed or pasted, which Fyne's
// file pickers do not take, opened as a drop would be (a .hl file opens,
// a folder is imported), or a folder to watch. It starts in the folder a
// file was last opened from; "~/" is the home folder.
func (s *Studio) askPath() {
	if s.win == nil {
		return
	}
	var keys escKeys
	path := newFormEntry(&keys, false)
	path.SetPlaceHolder("/path/to/snippet.hl or /path/to/folder")
	if s.fileDir != "" {
		path.SetText(s.fileDir + string(filepath.Separator))
		path.CursorColumn = len([]rune(path.Text))
	}
	note := widget.NewLabel("Open: a .hl file opens in the editor, a folder is imported into the library. Watch: the library follows a folder's .hl files as they change.")
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons("Open a path", container.NewVBox(note, path), s.win)
	// typed is the path as typed, "~/" expanded, and whether there is one.
	typed := func() (string, bool) {
		p := strings.TrimSpace(path.Text)
		if rest, ok := strings.CutPrefix(p, "~"+string(filepath.Separator)); ok {
			if home, err := os.UserHomeDir(); err == nil {
				p = filepath.Join(home, rest)
			}
		}
		return p, p != ""
	}
	open := newFormButton(&keys, "Open", func() {
		if p, ok := typed(); ok {
			d.Hide()
			s.openPath(p)
		}
	})
	watch := newFormButton(&keys, "Watch folder", func() {
		if p, ok := typed(); ok {
			d.Hide()
			s.watchPath(p)
		}
	})
	open.Importance = widget.HighImportance
	keys.submit = open
	d.SetButtons([]fyne.CanvasObject{newFormButton(&keys, "Cancel", d.Hide), watch, open})
	keys.bind(s.win.Canvas(), d)
	d.Resize(fyne.NewSize(560, 180))
	d.Show()
	s.win.Canvas().Focus(path)
}

// watchPath keeps the library in step with the folder at path, as the
// library's Watch… does with a picked one.
func (s *Studio) watchPath(path string) {
	switch info, err := os.Stat(path); {
	case err != nil:
		s.message.SetText(err.Error())
	case !info.IsDir():
		s.message.SetText(fmt.Sprintf("%s is not a folder: only a folder can be watched.", filepath.Base(path)))
	case s.Library == nil:
		s.message.SetText("The library is unavailable.")
	default:
		if err := s.Library.WatchFolder(path); err != nil {
			s.message.SetText(err.Error())
		}
	}
}

func (s *Studio) openFile() {
	if s.win == nil {
		return
	}
	showFileOpen(s.fileDir, func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		s.fileDir = filepath.Dir(r.URI().Path())
		b, err := io.ReadAll(r)
		if err != nil {
			s.message.SetText(err.Error())
			return
		}
		s.OpenHL(r.URI().Name(), b)
	}, s.win)
}

func (s *Studio) saveFile() {
	if s.win == nil {
		return
	}
	if why := s.saveRefusal(); why != "" {
		s.message.SetText("Not saved: " + why)
		return
	}
	text, err := dataset.FormatHL(s.Prompt.prompt.Text, s.Doc.Text())
	if err != nil {
		s.message.SetText("Not saved: " + err.Error())
		return
	}
	name := "tree.hl"
	if s.open.ID != 0 {
		name = fmt.Sprintf("snippet-%d.hl", s.open.ID)
	}
	showFileSave(s.fileDir, name, func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		s.fileDir = filepath.Dir(w.URI().Path())
		if _, err := w.Write([]byte(text)); err != nil {
			s.message.SetText("Not saved: " + err.Error())
			return
		}
		s.message.SetText("Saved " + w.URI().Path() + ".")
	}, s.win)
}

// UsePolicyFile labels the tree under a policy file and follows the file:
// when it changes on disk the labels are recomputed; a broken edit is
// reported with its line and column and the last good policy stays.
func (s *Studio) UsePolicyFile(path string) error {
	ctx, cancel := context.WithCancel(context.Background())
	// Watch reports the file as it is now before it returns, from the
	// same read it then follows: an edit between a read of ours and its
	// first could be missed (audit 22).
	first := true
	var p *whitelist.Policy
	var loadErr error
	err := whitelist.Watch(ctx, path, 200*time.Millisecond, func(np *whitelist.Policy, err error) {
		if first {
			first = false
			p, loadErr = np, err
			return
		}
		onUI(func() {
			if s.policyFile != path {
				return // another policy was chosen meanwhile
			}
			if err != nil {
				s.message.SetText("Policy file not reloaded: " + err.Error())
				return
			}
			s.Doc.SetPolicy(np)
			s.policyText, _ = readText(path)
			s.message.SetText("Policy " + np.Name + " reloaded from " + path + ".")
		})
	})
	if err == nil {
		err = loadErr
	}
	if err != nil {
		cancel()
		return err
	}
	s.stopFollowing()
	s.watcher, s.policyFile = cancel, path
	s.Doc.SetPolicy(p)
	s.policyText, _ = readText(path)
	s.message.SetText("Using policy " + p.Name + " from " + path + "; it reloads when the file changes.")
	return nil
}

// stopFollowing stops following a policy file: another policy was chosen
// (a built-in, an edited one), and the file's next save must not replace
// it (audit 22).
func (s *Studio) stopFollowing() {
	if s.watcher != nil {
		s.watcher()
		s.watcher = nil
	}
	s.policyFile, s.policyText = "", ""
}

// rememberPolicy keeps, for the next start, the policy file followed or
// the built-in in use; an edited policy is not kept (the next start is
// under the default). The name alone would bring back the built-in of
// that name in place of a file or an edit (audit 22).
func (s *Studio) rememberPolicy(prefs fyne.Preferences) {
	prefs.SetString("policy.file", s.policyFile)
	name := ""
	if p := s.Doc.Policy(); p != nil && s.policyFile == "" {
		if b, err := BuiltinPolicy(p.Name); err == nil && b.Hash == p.Hash {
			name = p.Name
		}
	}
	prefs.SetString("policy", name)
}

// restorePolicy takes up what rememberPolicy kept.
func (s *Studio) restorePolicy(prefs fyne.Preferences) {
	if file := prefs.String("policy.file"); file != "" {
		if err := s.UsePolicyFile(file); err != nil {
			s.message.SetText("The policy file of the last session is not used: " + err.Error())
		}
		return
	}
	if name := prefs.String("policy"); name != "" {
		if p, err := BuiltinPolicy(name); err == nil {
			s.Doc.SetPolicy(p)
		}
	}
}

func (s *Studio) openPolicyFile() {
	if s.win == nil {
		return
	}
	showFileOpen(s.fileDir, func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		s.fileDir = filepath.Dir(r.URI().Path())
		if err := s.UsePolicyFile(r.URI().Path()); err != nil {
			s.message.SetText(err.Error())
		}
	}, s.win)
}

// bindKeys adds Ctrl+Q to a window's canvas, for windows without the
// main menu (whose items carry the studio's shortcuts).
func bindKeys(w fyne.Window, quit func()) {
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl},
		func(fyne.Shortcut) { quit() })
}

// Run opens the studio window of a (the command's fyne app, made with
// AppID) and blocks until it is closed. The Ollama server at OLLAMA_HOST is
// probed in the background; the window opens at once and works whether or
// not the server answers. The app comes from the caller so that this
// package does not import Fyne's desktop driver (OpenGL and GLFW): its
// tests run on Fyne's test driver alone.
func Run(a fyne.App, opts Options) {
	a.SetIcon(assets.Icon)
	w := a.NewWindow("hlstudio")
	host := OllamaHost(os.Getenv("OLLAMA_HOST"))
	settings := LoadSettings(a.Preferences())
	a.Settings().SetTheme(themeFor(settings.Theme)) // before any widget is built: Fyne passes later changes on only once its loop runs
	if opts.DBPath == "" {
		opts.DBPath = settings.DBPath
	}
	if settings.OllamaHost != "" {
		host = OllamaHost(settings.OllamaHost)
	}
	s := NewStudio(w, opts, OllamaStatus{Host: host, State: OllamaChecking})
	s.ApplySettings(settings)
	s.RestoreLayout(a.Preferences())
	w.SetContent(s.Content())
	prefs := a.Preferences()
	// The window's scale is known once it shows; the settings' scale is
	// the best guess before (a size too big for the screen only opens
	// as big as the screen allows).
	screenArea := func(scale float32) fyne.Size {
		if opts.ScreenArea == nil {
			return fyne.Size{}
		}
		return opts.ScreenArea(scale)
	}
	w.Resize(loadWindowSize(prefs, screenArea(a.Settings().Scale())))
	s.restorePolicy(prefs)
	w.SetMainMenu(s.MainMenu(a.Quit))
	// Closing the window with unsaved changes asks first, as Quit does.
	w.SetCloseIntercept(func() { s.confirmDiscard("closing the window", w.Close) })
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { s.Dropped(uris) })
	w.SetOnClosed(func() {
		saveWindowSize(prefs, w.Canvas().Size(), screenArea(w.Canvas().Scale()))
		s.rememberPolicy(prefs)
		s.SaveLayout(prefs)
		s.Close()
	})
	s.recheckOllama()
	w.ShowAndRun()
}
