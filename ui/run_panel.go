package ui

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hlstudio/engine"
	"hlstudio/engine/endpoint"
	"hlstudio/hyperlambda"
	"hlstudio/internal/english"
	"hlstudio/whitelist"
)

// RunRecorder keeps runs; *dataset.Store satisfies it through an adapter
// in the studio (nil keeps nothing).
type RunRecorder interface {
	RecordRun(ctx context.Context, r RunRecord) error
}

// RunRecord is what the run panel reports after a run.
type RunRecord struct {
	Tree     string // canonical Hyperlambda that ran (before execution)
	Policy   *whitelist.Policy
	Args     string
	Result   *engine.Result
	Response *endpoint.Response
	// Request is the request the run answered (request.* slots).
	Request  *endpoint.Request
	Err      error
	Duration time.Duration
}

// RunPanel runs the document's tree with arguments typed into a form
// built from its [.arguments] declaration. Approve & Run is enabled only
// while nothing is denied or unknown (the runtime enforces the policy
// either way) and, with WatchSource, while the Source tab shows the tree.
type RunPanel struct {
	// Cap, when set, is intersected with the document's policy for each
	// run: the studio's own budget limits, which can only narrow.
	Cap *whitelist.Policy
	// Refusal, when set, says why the tree on screen cannot run now ("" when
	// it can): work typed elsewhere that the tree does not have.
	Refusal func() string

	doc      *Document
	engine   *engine.Engine
	recorder RunRecorder
	// source, when watched, is the Source tab: text there that the tree
	// does not have (a syntax error) keeps the tree from running, since
	// it is not what the person sees.
	source *SourceTab

	form     *fyne.Container
	inputs   []argInput
	formNote *widget.Label
	request  *requestForm
	run      *widget.Button
	stop     *widget.Button
	status   *widget.Label
	// A run's outcome is in selectable labels in the text colour, not in
	// disabled entries, whose grey is unreadable on the dark theme.
	lambda *widget.Label
	// value is the returned value, at the top of the Result tab when
	// nothing else was returned; result is the result as text with the
	// endpoint's response, below it.
	value  *widget.Label
	result *widget.Label
	// The executed lambda and the returned nodes as trees; the labels
	// hold the same as text, to copy.
	lambdaTree *TreeView
	resultTree *TreeView
	valueBox   fyne.CanvasObject // value, scrolled; shown instead of resultTree
	log        *widget.Label
	denials    *widget.Label
	// bars and barText (the usage in words) by budget; the names are in
	// a column of their own, so that every bar starts at the same x.
	bars    map[string]*TrackBar
	barText map[string]*widget.Label
	tabs    *container.AppTabs // the outcome: Result, Executed lambda, Log, Denials, Budgets
	content fyne.CanvasObject

	// loads is the document's Loads when the shown outcome was made: a
	// new tree (another snippet, a generation) clears it.
	loads uint64
	// ranAt is the tree the outcome on screen is of (nil for none): after
	// edits, editedNote says the outcome is of the tree as it ran.
	ranAt      *Revision
	editedNote *widget.Label
	job        job
}

type argInput struct {
	decl  engine.ArgDecl
	entry *widget.Entry
	err   *widget.Label
}

// NewRunPanel builds the panel for doc, running with e.
func NewRunPanel(doc *Document, e *engine.Engine, recorder RunRecorder) *RunPanel {
	p := &RunPanel{doc: doc, engine: e, recorder: recorder,
		bars: map[string]*TrackBar{}, barText: map[string]*widget.Label{}}
	p.form = container.NewVBox()
	// Notes and the status wrap at the pane's width: a long line would
	// widen the pane and move the splitter beside it.
	p.formNote = widget.NewLabel("")
	p.formNote.Wrapping = fyne.TextWrapWord
	p.formNote.Hide() // shown only with something to say
	p.request = newRequestForm(p.validate)
	p.run = widget.NewButton("Approve & Run", p.Run)
	p.run.Importance = widget.HighImportance
	p.stop = widget.NewButton("Stop", p.Stop)
	p.stop.Disable()
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	// Read-only text in the text colour, selectable to copy.
	mono := func(wrap fyne.TextWrap) *widget.Label {
		l := widget.NewLabel("")
		l.TextStyle = fyne.TextStyle{Monospace: true}
		l.Wrapping = wrap
		l.Selectable = true
		return l
	}
	p.lambda, p.value, p.result = mono(fyne.TextWrapOff), mono(fyne.TextWrapWord), mono(fyne.TextWrapWord)
	p.log, p.denials = mono(fyne.TextWrapWord), mono(fyne.TextWrapWord)
	showOr(p.log, "", noLogText)
	showOr(p.denials, "", noDenialsText)
	// A row a budget: its name, the bar, the usage in words.
	usage := container.New(budgetLayout{})
	for _, name := range budgetNames {
		bar := NewTrackBar()
		txt := widget.NewLabel("")
		p.bars[name], p.barText[name] = bar, txt
		usage.Add(widget.NewLabel(name))
		usage.Add(bar)
		usage.Add(txt)
	}
	p.resultTree, p.lambdaTree = NewTreeView(), NewTreeView()
	p.valueBox = container.NewVScroll(p.value)
	p.resultTree.Hide() // shown when the run returns nodes
	resultPane := container.NewVSplit(container.NewStack(p.valueBox, p.resultTree), container.NewVScroll(p.result))
	resultPane.SetOffset(0.5)
	p.tabs = container.NewAppTabs(
		container.NewTabItem("Result", resultPane),
		container.NewTabItem("Executed lambda", container.NewAppTabs(
			container.NewTabItem("Tree", p.lambdaTree), container.NewTabItem("Text", container.NewScroll(p.lambda)))),
		container.NewTabItem("Log", container.NewVScroll(p.log)),
		container.NewTabItem("Denials", container.NewVScroll(p.denials)),
		// Scrolled: the five rows would hold the panel taller than its
		// pane at 1280x800, pushing the status below the bottom.
		container.NewTabItem("Budgets", container.NewVScroll(usage)),
	)
	// The buttons and the status stay at the bottom of the pane, always
	// in view; the arguments scroll above them.
	args := container.NewBorder(
		widget.NewLabelWithStyle("Arguments", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(container.NewHBox(p.run, p.stop), p.status), nil, nil,
		container.NewVScroll(container.NewVBox(p.form, p.formNote, p.request.section)))
	// Side by side: the arguments and the outcome share the height.
	p.editedNote = widget.NewLabel(editedSinceRunText)
	p.editedNote.Importance = widget.WarningImportance
	p.editedNote.Wrapping = fyne.TextWrapWord
	p.editedNote.Hide()
	split := container.NewHSplit(args, container.NewBorder(p.editedNote, nil, nil, nil, p.tabs))
	split.SetOffset(0.4)
	p.content = split
	p.loads = doc.Loads()
	doc.OnChange(p.refresh)
	p.refresh()
	return p
}

// clearOutcome empties the result, lambda, log, denials and budgets: they
// belong to a tree that is no longer in the editor.
func (p *RunPanel) clearOutcome() {
	for _, l := range []*widget.Label{p.lambda, p.value, p.result} {
		l.SetText("")
	}
	showOr(p.log, "", noLogText)
	showOr(p.denials, "", noDenialsText)
	p.lambdaTree.SetRoot(nil)
	p.resultTree.SetRoot(nil)
	p.resultTree.Hide()
	p.valueBox.Show()
	p.ranAt = nil
	p.editedNote.Hide()
	for name, bar := range p.bars {
		bar.Max = 1
		bar.SetValue(0)
		p.barText[name].SetText("")
	}
}

// What the Log and Denials tabs say when there is nothing to show, and
// what the panel says above an outcome once its tree has been edited.
const (
	editedSinceRunText = "Edited since this run: the outcome below is of the tree as it ran."

	noLogText     = "No log entries."
	noDenialsText = "No denials."
)

// showOr shows text in l, or none (in the proportional font, italic, as
// words about the text rather than the text) when text is empty.
func showOr(l *widget.Label, text, none string) {
	if text == "" {
		l.TextStyle = fyne.TextStyle{Italic: true}
		l.SetText(none)
		return
	}
	l.TextStyle = fyne.TextStyle{Monospace: true}
	l.SetText(text)
}

// budgetNames are the budgets in the Budgets tab, in order.
var budgetNames = []string{"steps", "nodes", "time", "output", "depth"}

// budgetLayout lays out rows of three objects (a budget's name, its bar,
// its usage in words) in three columns: the names as wide as the widest
// name and the words as wide as the widest words, so that every bar
// starts and ends at the same x; the bars take the width left.
type budgetLayout struct{}

func (budgetLayout) columns(objs []fyne.CanvasObject) (name, bar, words float32) {
	for i := 0; i+2 < len(objs); i += 3 {
		name = max(name, objs[i].MinSize().Width)
		bar = max(bar, objs[i+1].MinSize().Width)
		words = max(words, objs[i+2].MinSize().Width)
	}
	return name, bar, words
}

func (budgetLayout) rowHeight(objs []fyne.CanvasObject, i int) float32 {
	return max(objs[i].MinSize().Height, objs[i+1].MinSize().Height, objs[i+2].MinSize().Height)
}

func (l budgetLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	name, bar, words := l.columns(objs)
	pad := theme.Padding()
	h := float32(0)
	for i := 0; i+2 < len(objs); i += 3 {
		if i > 0 {
			h += pad
		}
		h += l.rowHeight(objs, i)
	}
	return fyne.NewSize(name+pad+bar+pad+words, h)
}

func (l budgetLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	name, _, words := l.columns(objs)
	pad := theme.Padding()
	bar := max(size.Width-name-words-2*pad, 0)
	y := float32(0)
	for i := 0; i+2 < len(objs); i += 3 {
		h := l.rowHeight(objs, i)
		for j, col := range []struct{ x, w float32 }{{0, name}, {name + pad, bar}, {name + pad + bar + pad, words}} {
			objs[i+j].Move(fyne.NewPos(col.x, y))
			objs[i+j].Resize(fyne.NewSize(col.w, h))
		}
		y += h + pad
	}
}

// Object is the panel's content.
func (p *RunPanel) Object() fyne.CanvasObject { return p.content }

// refresh rebuilds the form when the declaration changed and updates
// whether the tree may run.
func (p *RunPanel) refresh() {
	if loads := p.doc.Loads(); loads != p.loads {
		p.loads = loads
		p.clearOutcome()
	}
	decls := engine.DeclaredArguments(p.doc.Root())
	if !sameDecls(decls, p.inputs) {
		old := map[string]string{}
		for _, in := range p.inputs {
			old[in.decl.Name] = in.entry.Text
		}
		p.inputs = nil
		p.form.RemoveAll()
		for _, d := range decls {
			in := argInput{decl: d, entry: widget.NewEntry(), err: widget.NewLabel("")}
			in.entry.SetPlaceHolder(typeHint(d.Type))
			in.entry.SetText(old[d.Name])
			in.err.Importance = widget.DangerImportance
			in.err.Wrapping = fyne.TextWrapWord
			in.err.Hide() // shown only with an error, so rows stay compact
			in.entry.OnChanged = func(string) { p.validate() }
			// Enter in an argument runs, as a form submits: only when
			// Approve & Run could be pressed (nothing denied, all typed).
			in.entry.OnSubmitted = func(string) {
				if !p.run.Disabled() {
					p.Run()
				}
			}
			label := d.Name
			if d.Type != "" {
				label += " (" + d.Type + ")"
			}
			p.form.Add(container.NewBorder(nil, nil, widget.NewLabel(label), nil, container.NewVBox(in.entry, in.err)))
			p.inputs = append(p.inputs, in)
		}
		if len(decls) == 0 {
			p.formNote.SetText("The tree declares no [.arguments]; it runs without any.")
			p.formNote.Show()
		} else {
			p.formNote.SetText("")
			p.formNote.Hide()
		}
		p.form.Refresh()
		if p.content != nil {
			p.content.Refresh() // the scroller must lay out the new rows
		}
	}
	p.validate()
	p.showEdited()
}

func sameDecls(decls []engine.ArgDecl, inputs []argInput) bool {
	if len(decls) != len(inputs) {
		return false
	}
	for i := range decls {
		if decls[i] != inputs[i].decl {
			return false
		}
	}
	return true
}

func typeHint(t string) string {
	switch t {
	case "", "string":
		return "text"
	case "date":
		return "e.g. 2026-01-31T12:00:00Z"
	case "bool":
		return "true or false"
	}
	return t
}

// arguments converts the form to an [.arguments] node; ok is false (and
// each bad field says why) when a value does not convert to its type.
func (p *RunPanel) arguments() (*hyperlambda.Node, bool) {
	args := hyperlambda.New(".arguments", nil)
	ok := true
	for _, in := range p.inputs {
		if in.entry.Text == "" {
			in.err.SetText("")
			in.err.Hide()
			continue // not given, as a caller may omit an argument
		}
		v, err := engine.ConvertArgument([]engine.ArgDecl{in.decl}, in.decl.Name, in.entry.Text)
		if err != nil {
			in.err.SetText(err.Error())
			in.err.Show()
			ok = false
			continue
		}
		in.err.SetText("")
		in.err.Hide()
		args.Add(hyperlambda.New(in.decl.Name, v))
	}
	return args, ok
}

// validate enables Approve & Run only for a tree that may run with valid
// arguments, and says why not.
func (p *RunPanel) validate() {
	_, argsOK := p.arguments()
	_, reqErr := p.request.request()
	running := p.job.running()
	var unapplied error
	if p.source != nil {
		unapplied = p.source.unapplied() // parses nothing: Run does
	}
	switch blocking := p.doc.Blocking(); {
	case running:
		p.run.Disable()
	case unapplied != nil:
		// The tree is not what the Source tab shows: running it would run
		// something else than what the person reads there.
		p.run.Disable()
		p.status.SetText(sourceRunRefusal(unapplied))
	case blocking == 1:
		p.run.Disable()
		p.status.SetText(fmt.Sprintf("1 node is denied or unknown under policy %s: fix it to run.", p.doc.Policy().Name))
	case blocking > 1:
		p.run.Disable()
		p.status.SetText(fmt.Sprintf("%d nodes are denied or unknown under policy %s: fix them to run.", blocking, p.doc.Policy().Name))
	case !argsOK:
		p.run.Disable()
		p.status.SetText("Some arguments do not convert to their types.")
	case reqErr != nil:
		p.run.Disable()
		p.status.SetText("The request is not valid: " + reqErr.Error())
	case p.doc.Root().Len() == 0:
		p.run.Disable()
		p.status.SetText("The tree is empty.")
	default:
		p.run.Enable()
		p.status.SetText("Ready to run under policy " + p.doc.Policy().Name + ".")
	}
}

// WatchSource makes the Source tab's text part of what may run: while it
// holds text the tree does not have (a syntax error, or text kept over a
// tree changed elsewhere), Approve & Run is disabled and says to fix or
// revert it; text still waiting for its pause is parsed before a run.
func (p *RunPanel) WatchSource(src *SourceTab) {
	p.source = src
	src.OnUnapplied(func(error) { p.validate() })
	p.validate()
}

// sourceRunRefusal is why the tree cannot run while the Source tab holds
// the text unapplied (an *UnappliedError).
func sourceRunRefusal(err error) string {
	if ue, ok := err.(*UnappliedError); ok && ue.Pos.IsValid() {
		return fmt.Sprintf("The Source tab has an error at line %d, column %d: fix or Revert the Source text to run the tree.", ue.Pos.Line, ue.Pos.Col)
	}
	return "The Source text is not applied to the tree: Apply or Revert it to run the tree."
}

// Run approves and runs the tree in the background; Stop cancels it.
func (p *RunPanel) Run() {
	if p.source != nil && p.source.Unapplied() != nil { // parses typed text first
		p.validate()
		return
	}
	if p.Refusal != nil {
		if why := p.Refusal(); why != "" {
			p.status.SetText(why)
			return
		}
	}
	args, ok := p.arguments()
	req, reqErr := p.request.request()
	// What the button refuses, Ctrl+R refuses too (audit 23: an empty
	// tree ran and was recorded).
	if !ok || reqErr != nil || p.doc.Blocking() > 0 || p.doc.Root().Len() == 0 {
		p.validate()
		return
	}
	ctx, ended, ok := p.job.begin()
	if !ok {
		return
	}

	policy := p.doc.Policy()
	if p.Cap != nil {
		policy = whitelist.Intersect(policy, p.Cap)
	}
	tree := p.doc.Root().Clone() // the editor keeps its tree; the run mutates this one
	treeText := hyperlambda.Format(tree.Children(), hyperlambda.FormatOptions{})
	argsText := hyperlambda.Format(args.Children(), hyperlambda.FormatOptions{})
	p.run.Disable()
	p.stop.Enable()
	p.status.SetText("Running under policy " + policy.Name + "…")
	at := p.doc.Revision()
	go func() {
		defer ended()
		start := time.Now()
		// As an endpoint: the declaration types the form's values and the
		// response (status, headers, JSON body) is shown with the result.
		resp, res, err := endpoint.Invoke(endpoint.WithRequest(ctx, req), p.engine, tree, args, policy)
		rec := RunRecord{Tree: treeText, Policy: policy, Args: argsText, Request: req, Result: res, Response: resp, Err: err, Duration: time.Since(start)}
		if p.recorder != nil {
			if rerr := p.recorder.RecordRun(context.Background(), rec); rerr != nil && err == nil {
				err = fmt.Errorf("the run finished but could not be saved: %w", rerr)
			}
		}
		onUI(func() {
			p.job.finish()
			p.stop.Disable()
			p.validate()
			if p.doc.Loads() != at.loads {
				// Another tree was loaded while this one ran: its
				// outcome would be read as the new tree's.
				p.status.SetText("The run of the previous tree has finished; its result is not shown.")
				return
			}
			p.show(rec, err)
			if rec.Result != nil {
				p.ranAt = &at
			}
			p.showEdited()
			if err != nil {
				p.status.SetText(err.Error())
			} else {
				p.status.SetText(fmt.Sprintf("Finished in %v under policy %s.", rec.Duration.Round(time.Microsecond), policy.Name))
			}
		})
	}()
}

// showEdited shows editedNote while the outcome on screen is of a tree
// the document no longer holds.
func (p *RunPanel) showEdited() {
	if p.ranAt != nil && !p.doc.IsAt(*p.ranAt) {
		p.editedNote.Show()
	} else {
		p.editedNote.Hide()
	}
}

// Stop cancels the current run, if any.
func (p *RunPanel) Stop() { p.job.Cancel() }

// Wait blocks until the current run (if any) has finished; for tests and
// for closing the window.
func (p *RunPanel) Wait() { p.job.Wait() }

// show puts a run's outcome on screen.
func (p *RunPanel) show(rec RunRecord, err error) {
	res := rec.Result
	if res == nil {
		return
	}
	p.lambda.SetText(clipShown(hyperlambda.Format(res.Lambda.Children(), hyperlambda.FormatOptions{})))
	p.lambdaTree.SetRoot(res.Lambda)
	result := resultText(res)
	switch {
	case result == "" && err != nil:
		// Where the eye goes after a run, not only in the status line.
		result = "(no result: " + err.Error() + ")"
	case result == "":
		result = "(no result)"
	}
	// A plain value is shown as text; returned nodes as a tree (with the
	// value, if any, first).
	if len(res.Nodes) == 0 {
		p.value.SetText(clipShown(strings.TrimRight(result, "\n")))
		p.resultTree.SetRoot(nil)
		p.resultTree.Hide()
		p.valueBox.Show()
	} else {
		shown := hyperlambda.New("", nil)
		if res.Value != nil {
			shown.Add(hyperlambda.New("value", res.Value))
		}
		for _, n := range res.Nodes {
			shown.Add(n.Clone())
		}
		p.value.SetText("")
		p.valueBox.Hide()
		p.resultTree.Show()
		p.resultTree.SetRoot(shown)
	}
	// Below: returned nodes as text to copy (the tree above shows them; a
	// plain value above is already text, not repeated), then the response
	// an HTTP client would get.
	var below strings.Builder
	if len(res.Nodes) > 0 {
		below.WriteString(strings.ReplaceAll(hyperlambda.Format(res.Nodes, hyperlambda.FormatOptions{}), "\r\n", "\n") + "\n")
	}
	if r := rec.Response; r != nil {
		below.WriteString(responseText(r))
	}
	p.result.SetText(clipShown(strings.TrimRight(below.String(), "\n")))
	var logText strings.Builder
	for i, e := range res.Log {
		if i == maxShownLines {
			fmt.Fprintf(&logText, "… and %d more log entries, not shown (the run record keeps them all)\n", len(res.Log)-i)
			break
		}
		logText.WriteString(clipShown(e.String()) + "\n")
	}
	showOr(p.log, strings.TrimRight(logText.String(), "\n"), noLogText)
	var denials strings.Builder
	for i, d := range res.Denials {
		if i == maxShownLines {
			fmt.Fprintf(&denials, "… and %d more denials, not shown (the run record keeps them all)\n", len(res.Denials)-i)
			break
		}
		denials.WriteString(clipShown(fmt.Sprintf("[%s] at %s: %s", d.Slot, d.Path, d.Reason)) + "\n")
	}
	showOr(p.denials, strings.TrimRight(denials.String(), "\n"), noDenialsText)
	b := rec.Policy.Budgets
	of := func(used, limit int64) string { return english.Grouped(used) + " of " + english.Grouped(limit) }
	p.setBar("steps", float64(res.Usage.Steps), float64(b.Steps), of(res.Usage.Steps, b.Steps))
	p.setBar("nodes", float64(res.Usage.Nodes), float64(b.Nodes), of(res.Usage.Nodes, b.Nodes))
	p.setBar("time", float64(res.Usage.Duration), float64(b.Time), fmt.Sprintf("%v of %v", res.Usage.Duration.Round(time.Microsecond), b.Time))
	p.setBar("output", float64(res.Usage.OutputBytes), float64(b.OutputBytes), of(res.Usage.OutputBytes, b.OutputBytes)+" bytes")
	p.setBar("depth", float64(res.Usage.MaxDepth), float64(b.Depth), of(int64(res.Usage.MaxDepth), int64(b.Depth)))
}

// responseText is r as a client would see it: the status, the headers
// and cookies as HTTP writes them, a blank line and the body.
func responseText(r *endpoint.Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Response: status %d\n", r.Status)
	for _, h := range r.Headers {
		fmt.Fprintf(&b, "%s: %s\n", h[0], h[1])
	}
	for _, c := range r.Cookies {
		fmt.Fprintf(&b, "Set-Cookie: %s\n", c.HTTP())
	}
	if len(r.Body) > 0 {
		b.WriteString("\n" + string(r.Body) + "\n")
	}
	return b.String()
}

// What the run panel shows is bounded: Fyne measures wrapped text in time
// growing with the square of a line's length (a 16 KB value held the UI
// for seconds, 1 MB for minutes), and a log of tens of thousands of
// entries as long (audit 23). The run record keeps everything.
const (
	maxShownBytes = 4 << 10
	maxShownLines = 500
)

// clipShown is s cut at maxShownBytes (at a character boundary), saying
// how much was left out.
func clipShown(s string) string {
	if len(s) <= maxShownBytes {
		return s
	}
	cut := maxShownBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d more bytes, not shown; the run record keeps them)", len(s)-cut)
}

func (p *RunPanel) setBar(name string, used, limit float64, text string) {
	p.bars[name].Max = max(limit, 1)
	p.bars[name].SetValue(min(used, p.bars[name].Max))
	p.barText[name].SetText(text)
}
