package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"hlstudio/dataset"
	"hlstudio/engine/vocab"
)

const argsProgram = ".arguments\n   name:string\n   age:int\nmath.add:x:@.arguments/*/age\n   .:int:1\nstrings.concat\n   get-value:x:@.arguments/*/name\n   .:\" is \"\n   get-value:x:@math.add\nreturn:x:-\n"

// The arguments form follows the declaration and converts types; the
// run's result, usage and record appear; a denied tree cannot be
// approved; Stop ends a long run.
func TestRunPanel(t *testing.T) {
	test.NewTempApp(t)
	store, err := dataset.Open(filepath.Join(t.TempDir(), "studio.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	doc := mustDoc(t, argsProgram, "pure")
	p := NewRunPanel(doc, vocab.New(), DatasetRuns{Store: store})
	w := test.NewTempWindow(t, p.Object())
	w.Resize(w.Canvas().Size().Max(w.Content().MinSize()))

	if len(p.inputs) != 2 || p.inputs[1].decl.Type != "int" {
		t.Fatalf("form %+v", p.inputs)
	}
	test.Type(p.inputs[0].entry, "Jane")
	test.Type(p.inputs[1].entry, "old")
	if !p.run.Disabled() || !strings.Contains(p.inputs[1].err.Text, `cannot convert "old" to int`) {
		t.Fatalf("bad int accepted: disabled=%v err=%q", p.run.Disabled(), p.inputs[1].err.Text)
	}
	p.inputs[1].entry.SetText("41")
	if p.run.Disabled() {
		t.Fatalf("run disabled: %s", p.status.Text)
	}
	test.Tap(p.run)
	p.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(p.result.Text, "Jane is 42\n") }, func() string { return p.result.Text + " / " + p.status.Text })
	if !strings.Contains(p.result.Text, "response: status 200\n\"Jane is 42\"") {
		t.Errorf("response not shown: %q", p.result.Text)
	}
	if ids := p.resultTree.childIDs(""); len(ids) != 1 || rowText(p.resultTree.node(ids[0])) != "value:Jane is 42" {
		t.Errorf("result tree %v", ids)
	}
	if ids := p.lambdaTree.childIDs(""); len(ids) < 4 || rowText(p.lambdaTree.node("0")) != ".arguments" {
		t.Errorf("executed lambda tree %v / %q", ids, rowText(p.lambdaTree.node("0")))
	}
	if !strings.Contains(p.barText["steps"].Text, "steps ") || p.bars["steps"].Value == 0 {
		t.Errorf("usage not shown: %q", p.barText["steps"].Text)
	}
	runs, err := store.Runs(context.Background(), "", 10)
	if err != nil || len(runs) != 1 || runs[0].PolicyName != "pure" || runs[0].Result != "Jane is 42\n" || !strings.Contains(runs[0].Args, "age:int:41") {
		t.Fatalf("recorded runs %+v, %v", runs, err)
	}

	// A denied binding blocks approval, whatever the arguments.
	if err := doc.Replace(argsProgram + "log.info:hi\n"); err != nil {
		t.Fatal(err)
	}
	if !p.run.Disabled() || !strings.Contains(p.status.Text, "denied or unknown under policy pure") {
		t.Fatalf("denied tree approvable: %q", p.status.Text)
	}

	// Stop cancels a run that would otherwise go on to its time budget.
	if err := doc.Replace("while:bool:true\n   .:x\n"); err != nil {
		t.Fatal(err)
	}
	test.Tap(p.run)
	p.Stop()
	p.Wait()
	waitFor(t, func() bool { return strings.Contains(p.status.Text, "cancel") }, func() string { return p.status.Text })
	if p.run.Disabled() {
		t.Errorf("run stays disabled after a stop")
	}
}
