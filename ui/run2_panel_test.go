package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"hlstudio/engine/vocab"
)

// runPanelWindow shows a run panel as the studio does (in a scroller)
// at the size of its pane at 1280x800.
func runPanelWindow(t *testing.T, doc *Document) (*RunPanel, fyne.Window) {
	t.Helper()
	p := NewRunPanel(doc, vocab.New(), nil)
	w := test.NewTempWindow(t, container.NewVScroll(p.Object()))
	w.Resize(fyne.NewSize(860, 190))
	return p, w
}

func runAndWait(t *testing.T, p *RunPanel) {
	t.Helper()
	p.Run()
	p.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(p.status.Text, "Finished") }, func() string { return p.status.Text })
}

// The Log and Denials tabs say there is nothing to show, before a run
// and after one that logged and was denied nothing, instead of being
// blank; what a run logs and is denied replaces the words.
func TestRunPanelEmptyLogAndDenialsSaySo(t *testing.T) {
	test.NewTempApp(t)
	doc := mustDoc(t, "math.add\n   .:int:2\n   .:int:3\nreturn:x:-\n", "sandbox")
	p, w := runPanelWindow(t, doc)
	check := func(when string) {
		t.Helper()
		if p.log.Text != "No log entries." || p.denials.Text != "No denials." {
			t.Errorf("%s: Log %q, Denials %q", when, p.log.Text, p.denials.Text)
		}
	}
	check("before a run")
	runAndWait(t, p)
	check("after a run with neither")
	tabs := p.tabs
	tabs.SelectIndex(2)
	if len(shownTexts(w, "No log entries.")) == 0 {
		t.Errorf("the Log tab does not show its words")
	}

	if err := doc.Replace("log.info:hello\nreturn:int:1\n"); err != nil {
		t.Fatal(err)
	}
	runAndWait(t, p)
	if !strings.Contains(p.log.Text, "hello") || p.denials.Text != "No denials." {
		t.Errorf("after a run that logged: Log %q, Denials %q", p.log.Text, p.denials.Text)
	}
}

// The Budgets bars start and end at the same x, before and after a run
// (their names in a column of their own, the usage in another).
func TestRunPanelBudgetBarsAligned(t *testing.T) {
	test.NewTempApp(t)
	doc := mustDoc(t, "math.add\n   .:int:2\n   .:int:3\nreturn:x:-\n", "sandbox")
	p, w := runPanelWindow(t, doc)
	w.Resize(fyne.NewSize(860, 400)) // room for the five rows
	tabs := p.tabs
	tabs.SelectIndex(4)
	edges := func(when string) (left, right float32) {
		t.Helper()
		for i, name := range budgetNames {
			bar := p.bars[name]
			l, r := bar.Position().X, bar.Position().X+bar.Size().Width
			if i == 0 {
				left, right = l, r
			} else if l != left || r != right {
				t.Errorf("%s: the %s bar spans %v to %v, the steps bar %v to %v", when, name, l, r, left, right)
			}
			if bar.Size().Width < 100 {
				t.Errorf("%s: the %s bar is %v wide", when, name, bar.Size().Width)
			}
		}
		return left, right
	}
	before, _ := edges("before a run")
	runAndWait(t, p)
	test.LaidOutObjects(w.Content()) // lay out the usage words
	after, _ := edges("after a run")
	if before != after {
		t.Errorf("the bars start at %v before a run and at %v after", before, after)
	}
	if !strings.Contains(p.barText["time"].Text, " of ") {
		t.Errorf("time usage %q", p.barText["time"].Text)
	}
}

// Why the tree cannot run is in view in the pane at its size in the
// studio, wrapped within the pane; a long message (or the note that there
// are no arguments) does not move the splitter between the arguments and
// the outcome; one node is "1 node", not "node(s)".
func TestRunPanelBlockedMessageShownInPlace(t *testing.T) {
	test.NewTempApp(t)
	doc := mustDoc(t, argsProgram, "sandbox")
	p, w := runPanelWindow(t, doc)
	split := p.content.(*container.Split)
	leading := split.Leading.Size().Width
	shown := func(when string) {
		t.Helper()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.status)
		pane := fyne.CurrentApp().Driver().AbsolutePositionForObject(split.Leading)
		size, min := p.status.Size(), p.status.MinSize()
		if !p.status.Visible() || size.Height < min.Height || pos.Y < 0 || pos.Y+size.Height > w.Canvas().Size().Height ||
			pos.X+size.Width > pane.X+leading+0.5 {
			t.Errorf("%s: the status %q is at %v, %v (needs %v) in a window %v with the arguments %v wide",
				when, p.status.Text, pos, size, min, w.Canvas().Size(), leading)
		}
		if got := split.Leading.Size().Width; got != leading {
			t.Errorf("%s: the splitter moved: the arguments are %v wide, were %v", when, got, leading)
		}
	}
	shown("ready")

	if err := doc.Replace("foo.bar\nreturn:int:1\n"); err != nil {
		t.Fatal(err)
	}
	test.LaidOutObjects(w.Content())
	if want := "1 node is denied or unknown under policy sandbox: fix it to run."; p.status.Text != want || !p.run.Disabled() {
		t.Errorf("status %q (run disabled %v), want %q", p.status.Text, p.run.Disabled(), want)
	}
	shown("one node blocked, no arguments")
	if !p.formNote.Visible() || !strings.Contains(p.formNote.Text, "no [.arguments]") {
		t.Errorf("note %q", p.formNote.Text)
	}

	if err := doc.Replace(argsProgram + "foo.bar\nfoo.baz\n"); err != nil {
		t.Fatal(err)
	}
	test.LaidOutObjects(w.Content())
	if !strings.HasPrefix(p.status.Text, "2 nodes are denied or unknown under policy sandbox: fix them") {
		t.Errorf("status %q", p.status.Text)
	}
	shown("two nodes blocked, two arguments")
}

// The run panel does not run a tree other than what the Source tab
// shows: while its text has a syntax error Approve & Run is disabled and
// says to fix or revert it (Run and Ctrl+R do nothing); text typed and
// not parsed yet is parsed before the run, which runs it.
func TestRunPanelRefusesWhileSourceHasError(t *testing.T) {
	test.NewTempApp(t)
	doc := mustDoc(t, "return:int:1\n", "sandbox")
	ed := NewEditorView(nil, doc)
	var pending []func()
	ed.Source.after = func(_ time.Duration, fn func()) { pending = append(pending, fn) }
	p := NewRunPanel(doc, vocab.New(), nil)
	p.WatchSource(ed.Source)
	w := test.NewTempWindow(t, container.NewVSplit(ed, container.NewVScroll(p.Object())))
	w.Resize(fyne.NewSize(1000, 700))
	if p.run.Disabled() {
		t.Fatalf("a good tree cannot run: %s", p.status.Text)
	}

	ed.Source.Entry().SetText("return:int:2\n  bad-indent\n") // two spaces, not three
	ed.Source.Flush()
	if ed.Source.ErrorPos().Line == 0 {
		t.Fatalf("no syntax error: %q", ed.Source.Status())
	}
	if !p.run.Disabled() || !strings.Contains(p.status.Text, "Source") || !strings.Contains(p.status.Text, "Revert") {
		t.Fatalf("with a Source error: run disabled %v, status %q", p.run.Disabled(), p.status.Text)
	}
	p.Run() // Ctrl+R
	p.Wait()
	drainUI()
	if p.value.Text != "" || strings.HasPrefix(p.status.Text, "Finished") {
		t.Fatalf("ran with a Source error: value %q, status %q", p.value.Text, p.status.Text)
	}

	ed.Source.Revert()
	if p.run.Disabled() {
		t.Fatalf("after Revert: %s", p.status.Text)
	}
	// Typed and not parsed yet (the pause has not passed): Run runs it.
	ed.Source.Entry().SetText("return:int:3\n")
	runAndWait(t, p)
	if p.value.Text != "3" {
		t.Errorf("ran %q, want the typed tree's 3", p.value.Text)
	}
}

// The Result tab: a plain value is shown once (above), returned nodes as
// a tree above and as text below, then the response as a client gets
// it (status, headers, cookies as Set-Cookie, the body); a failed run
// says why where the result would be.
func TestRunPanelResultAndResponse(t *testing.T) {
	test.NewTempApp(t)
	for _, c := range []struct{ name, src, value, below string }{
		{"value", "math.add\n   .:int:2\n   .:int:3\nreturn:x:-\n", "5", "Response: status 200\n\n5"},
		{"nodes", "response.status.set:int:201\nresponse.headers.set\n   cache-control:no-store\nresponse.cookies.set:token\n   value:t1\n   path:/\n   http-only:bool:true\nreturn\n   name:Jane\n",
			"", "name:Jane\n\nResponse: status 201\nCache-Control: no-store\nSet-Cookie: token=t1; Path=/; HttpOnly\n\n{\"name\":\"Jane\"}"},
		{"failed", "json2lambda:x:@.nothing\n", "(no result: [json2lambda] at /0: needs JSON text, not null)", "Response: status 500"},
	} {
		doc := mustDoc(t, c.src, "sandbox")
		p, _ := runPanelWindow(t, doc)
		p.Run()
		p.Wait()
		waitFor(t, func() bool { return p.status.Text != "" && !strings.HasPrefix(p.status.Text, "Running") }, func() string { return p.status.Text })
		if p.value.Text != c.value {
			t.Errorf("%s: value %q, want %q (status %q)", c.name, p.value.Text, c.value, p.status.Text)
		}
		if p.result.Text != c.below {
			t.Errorf("%s: below %q, want %q", c.name, p.result.Text, c.below)
		}
		// The budgets read at a glance: sandbox's limits, grouped.
		if steps, output := p.barText["steps"].Text, p.barText["output"].Text; !strings.HasSuffix(steps, " of 1,000,000") || !strings.HasSuffix(output, " of 16,777,216 bytes") {
			t.Errorf("%s: budgets read %q and %q", c.name, steps, output)
		}
	}
}

// Enter in an argument field runs, as a form submits, but only when the
// arguments convert (Approve & Run enabled).
func TestRunPanelEnterInAnArgumentRuns(t *testing.T) {
	test.NewTempApp(t)
	doc := mustDoc(t, argsProgram, "pure")
	p, w := runPanelWindow(t, doc)
	test.Type(p.inputs[0].entry, "Jane")
	test.Type(p.inputs[1].entry, "old")
	w.Canvas().Focus(p.inputs[1].entry)
	dialogKey(w, fyne.KeyReturn, false)
	p.Wait()
	if strings.HasPrefix(p.status.Text, "Finished") {
		t.Fatalf("Enter ran with an argument that does not convert: %q", p.status.Text)
	}
	p.inputs[1].entry.SetText("41")
	dialogKey(w, fyne.KeyReturn, false)
	p.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(p.status.Text, "Finished") }, func() string { return p.status.Text })
	if p.value.Text != "Jane is 42" {
		t.Errorf("Enter ran and returned %q", p.value.Text)
	}
}
