package ui

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"hlstudio/assets"
	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/engine"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// AppID is the application's unique ID, as in FyneApp.toml.
const AppID = "io.hlstudio.studio"

// Options configure the studio.
type Options struct {
	Version string // shown in the title; empty shows none
	// DBPath is the dataset file; empty means dataset.DefaultPath().
	DBPath string
	// Store, when set, is used instead of opening DBPath (tests).
	Store *dataset.Store
	// Server, when set, is the model server instead of Ollama at
	// OLLAMA_HOST (tests).
	Server ModelServer
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
	message *widget.Label
	root    fyne.CanvasObject

	// open is the library snippet in the editor (0 for none); lastGen the
	// latest generation, for "save as regression pair".
	open     dataset.Snippet
	lastGen  *Generated
	watcher  context.CancelFunc
	settings Settings
	// policyText is the source of an edited or file policy in use.
	policyText string
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
	s := &Studio{win: win, opts: opts, engine: vocab.New()}
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
	s.Prompt.OnGenerated = func(g Generated) { s.lastGen = &g; s.open = dataset.Snippet{} }
	var recorder RunRecorder
	if s.store != nil {
		recorder = DatasetRuns{Store: s.store}
	}
	s.Runner = NewRunPanel(s.Doc, s.engine, recorder)

	work := container.NewVSplit(s.Editor, s.Runner.Object())
	work.SetOffset(0.62)
	s.splits = map[string]*container.Split{"split.work": work}
	var main fyne.CanvasObject = container.NewBorder(s.Prompt.Object(), nil, nil, nil, work)
	right := main
	if s.store != nil {
		s.Library = NewLibrary(win, s.store)
		s.Library.OnOpen = s.openSnippet
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
	// The file actions are in the File menu too (MainMenu).
	saveBar := container.NewGridWithColumns(4,
		widget.NewButton("Save draft", func() { s.Save(dataset.StatusDraft) }),
		widget.NewButton("Save approved", func() { s.Save(dataset.StatusApproved) }),
		widget.NewButton("Regression pair…", s.askRegression),
		widget.NewButton("Export…", s.showExport),
	)
	bottom := container.NewVBox(saveBar, s.message, s.status)
	s.root = container.NewBorder(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), bottom, nil, nil, main)
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
		it := fyne.NewMenuItem(label, fn)
		if key != "" {
			it.Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: mod}
		}
		return it
	}
	ctrl, ctrlShift := fyne.KeyModifierControl, fyne.KeyModifierControl|fyne.KeyModifierShift
	quitItem := item("Quit", quit, fyne.KeyQ, ctrl)
	quitItem.IsQuit = true
	file := fyne.NewMenu("File",
		item("Open .hl…", s.openFile, fyne.KeyO, ctrl),
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
	)
	library := fyne.NewMenu("Library",
		item("Save draft", func() { s.Save(dataset.StatusDraft) }, fyne.KeyS, ctrl),
		item("Save approved", func() { s.Save(dataset.StatusApproved) }, "", 0),
		item("Save as regression pair…", s.askRegression, "", 0),
	)
	return fyne.NewMainMenu(file, work, library)
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
	if s.Library != nil {
		s.Library.Close()
		s.Library.WaitSearch()
		s.Library.WaitImport()
	}
	if s.store != nil && s.opts.Store == nil {
		s.store.Close()
	}
}

// SetStatus shows a new Ollama status. Call it on the Fyne goroutine.
func (s *Studio) SetStatus(st OllamaStatus) {
	s.status.SetText(statusText(st))
	if st.State == OllamaRunning {
		s.Prompt.LoadModelsAsync()
	}
}

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
// prompt bar.
func (s *Studio) openSnippet(sn dataset.Snippet) {
	root, err := hyperlambda.ParseString(sn.Code, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		s.message.SetText(fmt.Sprintf("Snippet %d does not parse: %v", sn.ID, err))
		return
	}
	s.Doc.Reset(root)
	s.Prompt.prompt.SetText(sn.Prompt)
	s.open, s.lastGen = sn, nil
	s.message.SetText(fmt.Sprintf("Opened snippet %d (%s, version %d).", sn.ID, sn.Status, sn.Version))
}

// Save keeps the editor's tree in the library: the open snippet gets a new
// version, otherwise a new snippet is made from the prompt and the tree.
func (s *Studio) Save(status dataset.Status) {
	if s.store == nil {
		s.message.SetText("The library is unavailable; use Save .hl… instead.")
		return
	}
	prompt := strings.TrimSpace(s.Prompt.prompt.Text)
	if prompt == "" {
		s.message.SetText("Type the prompt this tree answers before saving it.")
		return
	}
	if status == dataset.StatusApproved && s.Doc.Blocking() > 0 {
		s.message.SetText("A tree with denied or unknown slots cannot be approved; save it as a draft.")
		return
	}
	ctx := context.Background()
	sn := s.open
	sn.Prompt, sn.Code, sn.Status = prompt, s.Doc.Text(), status
	var err error
	if sn.ID != 0 {
		sn, err = s.store.UpdateSnippet(ctx, sn)
	} else {
		if g := s.lastGen; g != nil && g.Result != nil && len(g.Result.Attempts) > 0 {
			sn.Source = dataset.SourceGenerated
			sn.AttemptID = g.Result.Attempts[len(g.Result.Attempts)-1].StoredID
		}
		sn, err = s.store.AddSnippet(ctx, sn)
	}
	if err != nil {
		s.message.SetText("Not saved: " + err.Error())
		return
	}
	s.open = sn
	s.message.SetText(fmt.Sprintf("Saved snippet %d as %s (version %d).", sn.ID, sn.Status, sn.Version))
	if s.Library != nil {
		s.Library.Refresh()
	}
}

// SaveRegression saves the tree as the corrected version of a failed
// generation (or of the snippet as it was opened) with the reason.
func (s *Studio) SaveRegression(reason string) {
	if s.store == nil {
		s.message.SetText("The library is unavailable.")
		return
	}
	bad, attempt := "", int64(0)
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
		}
	case s.open.ID != 0:
		bad = s.open.Code
	default:
		s.message.SetText("A regression pair needs a generation or an opened snippet to correct.")
		return
	}
	if bad == s.Doc.Text() {
		s.message.SetText("The tree is unchanged: correct it first, then save the pair.")
		return
	}
	s.Save(dataset.StatusApproved)
	if s.open.ID == 0 {
		return // Save said why
	}
	if _, err := s.store.AddRegression(context.Background(), dataset.Regression{SnippetID: s.open.ID, AttemptID: attempt, Bad: bad, Good: s.open.Code, Reason: reason}); err != nil {
		s.message.SetText("Saved the snippet, but not the pair: " + err.Error())
		return
	}
	s.message.SetText(fmt.Sprintf("Saved snippet %d with a regression pair (%s).", s.open.ID, reason))
	if s.Library != nil {
		s.Library.Refresh()
	}
}

func (s *Studio) askRegression() {
	if s.win == nil {
		s.SaveRegression("")
		return
	}
	reason := widget.NewEntry()
	reason.SetPlaceHolder(`e.g. "dropped the .lambda child", "invented slot"`)
	dialog.ShowForm("Save as regression pair", "Save", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("What was wrong", reason)},
		func(ok bool) {
			if ok {
				s.SaveRegression(reason.Text)
			}
		}, s.win)
}

// OpenHL loads .hl text (first comment = prompt) into the editor.
func (s *Studio) OpenHL(name string, src []byte) {
	prompt, code, err := dataset.ParseHL(src)
	if err != nil {
		s.message.SetText(fmt.Sprintf("%s: %v", name, err))
		return
	}
	root, err := hyperlambda.ParseString(code, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		s.message.SetText(fmt.Sprintf("%s: %v", name, err))
		return
	}
	s.Doc.Reset(root)
	s.Prompt.prompt.SetText(prompt)
	s.open, s.lastGen = dataset.Snippet{}, nil
	s.message.SetText("Opened " + name + ".")
}

func (s *Studio) openFile() {
	if s.win == nil {
		return
	}
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
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
	text, err := dataset.FormatHL(s.Prompt.prompt.Text, s.Doc.Text())
	if err != nil {
		s.message.SetText("Not saved: " + err.Error())
		return
	}
	dialog.ShowFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
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
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	p, err := whitelist.Parse(path, src)
	if err != nil {
		return err
	}
	s.Doc.SetPolicy(p)
	s.policyText = string(src)
	if s.watcher != nil {
		s.watcher()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.watcher = cancel
	first := true // Watch reports the file as it is now; that is loaded already
	err = whitelist.Watch(ctx, path, 200*time.Millisecond, func(p *whitelist.Policy, err error) {
		if first {
			first = false
			return
		}
		onUI(func() {
			if err != nil {
				s.message.SetText("Policy file not reloaded: " + err.Error())
				return
			}
			s.Doc.SetPolicy(p)
			s.policyText, _ = readText(path)
			s.message.SetText("Policy " + p.Name + " reloaded from " + path + ".")
		})
	})
	if err != nil {
		cancel()
		return err
	}
	s.message.SetText("Using policy " + p.Name + " from " + path + "; it reloads when the file changes.")
	return nil
}

func (s *Studio) openPolicyFile() {
	if s.win == nil {
		return
	}
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
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

// Run opens the studio window and blocks until it is closed. The Ollama
// server at OLLAMA_HOST is probed in the background; the window opens at
// once and works whether or not the server answers.
func Run(opts Options) {
	a := app.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	w := a.NewWindow("hlstudio")
	host := OllamaHost(os.Getenv("OLLAMA_HOST"))
	settings := LoadSettings(a.Preferences())
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
	w.Resize(fyne.NewSize(float32(prefs.FloatWithFallback("window.width", 1180)), float32(prefs.FloatWithFallback("window.height", 740))))
	if name := prefs.String("policy"); name != "" {
		if p, err := BuiltinPolicy(name); err == nil {
			s.Doc.SetPolicy(p)
		}
	}
	w.SetMainMenu(s.MainMenu(a.Quit))
	w.SetOnClosed(func() {
		size := w.Canvas().Size()
		prefs.SetFloat("window.width", float64(size.Width))
		prefs.SetFloat("window.height", float64(size.Height))
		if p := s.Doc.Policy(); p != nil {
			prefs.SetString("policy", p.Name)
		}
		s.SaveLayout(prefs)
		s.Close()
	})
	go func() {
		st := ProbeOllama(context.Background(), nil, host)
		onUI(func() { s.SetStatus(st) })
	}()
	w.ShowAndRun()
}
