package ui

import (
	"context"
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
)

const argsProgram = ".arguments\n   name:string\n   age:int\nmath.add:x:@.arguments/*/age\n   .:int:1\nstrings.concat\n   get-value:x:@.arguments/*/name\n   .:\" is \"\n   get-value:x:@math.add\nreturn:x:-\n"

// The arguments form follows the declaration and converts types; the
// run's result, usage and record appear; a denied tree cannot be
// approved; Stop ends a long run.
func TestRunPanel(t *testing.T) {
	test.NewTempApp(t)
	store := tempStore(t)
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
	waitFor(t, func() bool { return strings.HasPrefix(p.status.Text, "Finished") }, func() string { return p.result.Text + " / " + p.status.Text })
	if p.result.Text != "Response: status 200\n\n\"Jane is 42\"" {
		t.Errorf("response shown as %q", p.result.Text)
	}
	// A plain value is shown as text at the top of the Result tab.
	if p.value.Text != "Jane is 42" || !p.resultTree.Hidden || !p.valueBox.Visible() {
		t.Errorf("value %q (tree hidden %v, value shown %v)", p.value.Text, p.resultTree.Hidden, p.valueBox.Visible())
	}
	if ids := p.lambdaTree.childIDs(""); len(ids) < 4 || rowText(p.lambdaTree.node("0")) != ".arguments" {
		t.Errorf("executed lambda tree %v / %q", ids, rowText(p.lambdaTree.node("0")))
	}
	if !strings.Contains(p.barText["steps"].Text, " of ") || p.bars["steps"].Value == 0 {
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

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	l1, l2 := luminance(a), luminance(b)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// over is top drawn with its alpha over an opaque bottom.
func over(top, bottom color.Color) color.Color {
	t, b := color.NRGBAModel.Convert(top).(color.NRGBA), color.NRGBAModel.Convert(bottom).(color.NRGBA)
	a := float64(t.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(t.R, b.R), G: mix(t.G, b.G), B: mix(t.B, b.B), A: 255}
}

// shownTexts are the visible text objects drawn for w whose text is s.
func shownTexts(w fyne.Window, s string) []*canvas.Text {
	return shownTextsWhere(w, func(text string) bool { return text == s })
}

// shownTextsWhere is the visible texts of w for which match holds.
func shownTextsWhere(w fyne.Window, match func(string) bool) []*canvas.Text {
	var out []*canvas.Text
	for _, o := range test.LaidOutObjects(w.Content()) {
		if tx, ok := o.(*canvas.Text); ok && tx.Visible() && match(tx.Text) {
			out = append(out, tx)
		}
	}
	return out
}

// A run's value and response are readable on the dark theme (text colour,
// not a disabled field's grey), a plain value is shown at the top of the
// Result tab, and loading another tree clears the outcome and budgets.
func TestRunResultReadableAndClearedOnLoad(t *testing.T) {
	test.NewTempApp(t)
	th := variantTheme{theme.DefaultTheme(), theme.VariantDark}
	fyne.CurrentApp().Settings().SetTheme(th)
	doc := mustDoc(t, "math.add\n   .:int:2\n   .:int:3\nreturn:x:-\n", "pure")
	p := NewRunPanel(doc, vocab.New(), nil)
	w := test.NewTempWindow(t, p.Object())
	w.Resize(fyne.NewSize(900, 500))
	p.Run()
	p.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(p.status.Text, "Finished") }, func() string { return p.status.Text })
	if p.value.Text != "5" || !p.valueBox.Visible() {
		t.Errorf("the Result tab shows %q (shown %v), want the value 5", p.value.Text, p.valueBox.Visible())
	}
	bg := th.Color(theme.ColorNameBackground, theme.VariantDark)
	for _, s := range []string{"5", "Response: status 200"} {
		texts := shownTexts(w, s)
		if len(texts) == 0 {
			t.Errorf("%q is not shown", s)
		}
		for _, tx := range texts {
			if c := contrast(tx.Color, bg); c < 4.5 {
				t.Errorf("%q is drawn in %v on %v: contrast %.1f:1, want 4.5:1", s, tx.Color, bg, c)
			}
		}
	}
	if p.bars["steps"].Value == 0 {
		t.Fatal("no budgets shown")
	}

	if p.editedNote.Visible() {
		t.Error("the outcome of the tree on screen is said to be of an edited tree")
	}

	// Editing the text keeps the outcome, saying it is of the tree as it
	// ran until the edit is undone; another tree clears it.
	if err := doc.Replace("math.add\n   .:int:2\n   .:int:4\nreturn:x:-\n"); err != nil {
		t.Fatal(err)
	}
	if p.value.Text != "5" {
		t.Errorf("an edit cleared the result")
	}
	// Wrapped: its first row is a text of its own.
	noteRows := shownTextsWhere(w, func(s string) bool { return s != "" && strings.HasPrefix(editedSinceRunText, s) })
	if !p.editedNote.Visible() || len(noteRows) == 0 {
		t.Error("after an edit, the panel does not say the outcome is of the tree as it ran")
	}
	doc.Undo()
	if p.editedNote.Visible() {
		t.Error("with the edit undone, the outcome is still said to be of another tree")
	}
	doc.Redo()
	if !p.editedNote.Visible() {
		t.Error("with the edit redone, the outcome is not said to be of another tree")
	}
	root, _ := hyperlambda.ParseString("return:hi\n", parseOptions)
	doc.Reset(root)
	if p.value.Text != "" || p.result.Text != "" || p.lambda.Text != "" || p.log.Text != noLogText ||
		p.bars["steps"].Value != 0 || p.barText["steps"].Text != "" || len(p.lambdaTree.childIDs("")) != 0 {
		t.Errorf("after loading another tree: value %q, result %q, steps %v %q", p.value.Text, p.result.Text, p.bars["steps"].Value, p.barText["steps"].Text)
	}
	if p.editedNote.Visible() {
		t.Error("with the outcome cleared, the panel still says it is of an edited tree")
	}
}
