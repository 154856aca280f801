package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/hyperlambda"
)

// dialogKey presses a key in w as the desktop driver does: Tab moves the
// focus unless the focused widget takes Tabs (fyne.Tabbable), a key goes
// to the focused widget, or to the canvas when nothing has the focus.
func dialogKey(w fyne.Window, name fyne.KeyName, shift bool) {
	c := w.Canvas()
	ev := &fyne.KeyEvent{Name: name}
	if name == fyne.KeyTab {
		if tb, ok := c.Focused().(fyne.Tabbable); !ok || !tb.AcceptsTab() {
			if shift {
				c.FocusPrevious()
			} else {
				c.FocusNext()
			}
			return
		}
	}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// Tab in the prompt box moves on to the model picker and Shift+Tab back,
// and Tab goes on through the prompt bar to the policy picker: the
// keyboard is not stuck in the prompt.
func TestPromptTabMovesFocus(t *testing.T) {
	s, _, w := newTestStudio(t)
	c := w.Canvas()
	test.Type(s.Prompt.prompt, "Sum a and b")
	c.Focus(s.Prompt.prompt)
	dialogKey(w, fyne.KeyTab, false)
	if s.Prompt.prompt.Text != "Sum a and b" {
		t.Fatalf("Tab was typed into the prompt: %q", s.Prompt.prompt.Text)
	}
	if c.Focused() != s.Prompt.model {
		t.Fatalf("Tab in the prompt put the focus on %T, not the model picker", c.Focused())
	}
	dialogKey(w, fyne.KeyTab, true)
	if c.Focused() != s.Prompt.prompt {
		t.Fatalf("Shift+Tab put the focus on %T, not back in the prompt", c.Focused())
	}
	// On through the bar's controls (the disabled ones skipped) to the
	// editor below: the policy picker, the tree, or the tree's toolbar.
	var seen []string
	for range 6 {
		dialogKey(w, fyne.KeyTab, false)
		f := c.Focused()
		if b, ok := f.(*widget.Button); ok {
			seen = append(seen, b.Text)
		} else {
			seen = append(seen, fmt.Sprintf("%T", f))
		}
		if f == s.Editor.policy || isInside(f, s.Editor.Tree) {
			t.Logf("Tab order from the prompt: %v", seen)
			if !slices.Contains(seen, "Generate") {
				t.Errorf("Tab skipped Generate: %v", seen)
			}
			return
		}
	}
	t.Errorf("6 Tabs from the prompt did not reach the editor: %v", seen)
}

// isInside tells whether o is drawn within parent.
func isInside(o any, parent fyne.CanvasObject) bool {
	for _, x := range test.LaidOutObjects(parent) {
		if x == o {
			return true
		}
	}
	return false
}

// Form fields pass Tab on too, multi-line or not.
func TestFormEntriesPassTab(t *testing.T) {
	for _, e := range []*formEntry{newFormEntry(nil, true), newFormEntry(nil, false), NewPolicyEditor("name:x\n").Text} {
		if e.AcceptsTab() {
			t.Errorf("a form entry (multi-line %v) takes Tab", e.MultiLine)
		}
	}
}

// overlay is the dialog on top of w, nil when none.
func overlay(w fyne.Window) fyne.CanvasObject { return w.Canvas().Overlays().Top() }

// Escape closes (cancels) each dialog: with the focus where the dialog
// put it, in one of its fields or buttons, or nowhere. The canvas's key
// handler is given back after.
func TestDialogsCloseOnEscape(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.lastGen = &Generated{}
	s.Prompt.last = &compiler.Prompt{Hash: strings.Repeat("ab", 32)}
	watched := t.TempDir()
	opens := map[string]func(){
		"settings":           s.showSettings,
		"regression pair":    s.askRegression,
		"retrieved snippets": func() { s.Prompt.pickCandidate([]dataset.Snippet{{ID: 1, Prompt: "Sum"}, {ID: 2, Prompt: "Greet"}}) },
		"open file":          s.openFile,
		"open a path":        s.askPath,
		"policy file":        s.openPolicyFile,
		"policy":             s.showPolicyEditor,
		"export":             s.showExport,
		"generated tree ready": func() {
			s.offerGenerated(Generated{Prompt: "Return three", Result: &compiler.Result{Tree: hyperlambda.New("", nil)}, Stale: true})
		},
		"prompt edited during generation": func() { s.askEditedPrompt(Generated{Prompt: "Return three", Edited: true}) },
		"assembled prompt":                s.Prompt.ShowPrompt,
		"history": func() {
			waitFor(t, func() bool { return s.Library.length() > 0 }, func() string { return s.Library.count.Text })
			s.Library.Select(0)
			s.Library.ShowHistory()
		},
		"watched folders": func() {
			if err := s.Library.Watch(watched, true); err != nil {
				t.Fatal(err)
			}
			s.Library.ShowWatched()
		},
		"import file picker": s.Library.chooseImport,
		"watch file picker":  s.Library.chooseWatch,
	}
	for name, open := range opens {
		for _, focus := range []string{"as opened", "nothing", "each widget"} {
			open()
			if overlay(w) == nil {
				t.Fatalf("%s: no dialog", name)
			}
			switch focus {
			case "nothing":
				w.Canvas().Unfocus()
			case "each widget":
				// Ours, that is: Fyne's own (the file picker's insides)
				// hear Escape only while they lack the focus.
				n := len(ourFocusables(overlay(w)))
				if n < 2 && !strings.Contains(name, "file") {
					t.Errorf("%s: only %d widgets to try", name, n)
				}
				for i := range n {
					if overlay(w) == nil {
						open()
					}
					f := ourFocusables(overlay(w))[i]
					w.Canvas().Focus(f)
					if w.Canvas().Focused() != f {
						t.Fatalf("%s: %T takes no focus", name, f)
					}
					dialogKey(w, fyne.KeyEscape, false)
					if overlay(w) != nil {
						t.Errorf("%s: Escape in %T did not close it", name, f)
						overlay(w).Hide()
						w.Canvas().Overlays().Remove(overlay(w))
					}
				}
				if n > 0 {
					continue
				}
			}
			dialogKey(w, fyne.KeyEscape, false)
			if overlay(w) != nil {
				t.Errorf("%s: Escape with the focus %s (%T) did not close it", name, focus, w.Canvas().Focused())
				overlay(w).Hide()
				w.Canvas().Overlays().Remove(overlay(w))
			}
			if h := w.Canvas().OnTypedKey(); h != nil {
				t.Fatalf("%s: the canvas's key handler was not given back", name)
			}
		}
	}
}

// ourFocusables are the dialog's enabled widgets that take the focus,
// of the kinds the studio makes (not Fyne's file picker's).
func ourFocusables(o fyne.CanvasObject) []fyne.Focusable {
	var list []fyne.Focusable
	for _, o := range test.LaidOutObjects(o) {
		switch f := o.(type) {
		case *formEntry, *formSelect, *formButton, *formList, *formCheck:
			if d, ok := o.(fyne.Disableable); (!ok || !d.Disabled()) && o.Visible() {
				list = append(list, f.(fyne.Focusable))
			}
		}
	}
	return list
}

// A dialog over a dialog: Escape closes the top one first.
func TestDialogEscapeClosesTopFirst(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.showPolicyEditor()
	policy := overlay(w)
	showFileSave("", "", func(fyne.URIWriteCloser, error) {}, w)
	if overlay(w) == policy {
		t.Fatal("no file dialog over the policy")
	}
	w.Canvas().Unfocus()
	dialogKey(w, fyne.KeyEscape, false)
	if overlay(w) != policy {
		t.Fatalf("Escape closed %v, want the file dialog only", overlay(w))
	}
	dialogKey(w, fyne.KeyEscape, false)
	if overlay(w) != nil {
		t.Fatal("the second Escape did not close the policy")
	}
}

// The regression pair's "What was wrong" box is as wide as the dialog and
// several lines high (it was 30 px wide).
func TestDialogRegressionReasonIsUsable(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.askRegression()
	reason := lastLaidOut[*formEntry](overlay(w))
	if reason == nil {
		t.Fatal("no text box in the dialog")
	}
	if sz := reason.Size(); sz.Width < 400 || sz.Height < 3*reason.Theme().Size("text") {
		t.Errorf("the reason box is %v", sz)
	}
	if w.Canvas().Focused() != reason {
		t.Errorf("the focus is on %T, not the reason", w.Canvas().Focused())
	}
}

// Retrieved snippets: a long prompt is cut with "…" on one line, not
// clipped mid-letter.
func TestDialogRetrievedSnippetsEllipsis(t *testing.T) {
	s, _, w := newTestStudio(t)
	long := strings.Repeat("Return the users older than the age argument, sorted by name, ", 4) + "\nsecond line"
	s.Prompt.pickCandidate([]dataset.Snippet{{ID: 7, Prompt: long}})
	var found bool
	for _, o := range test.LaidOutObjects(overlay(w)) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "#7 ") {
			found = true
			if l.Truncation != fyne.TextTruncateEllipsis || strings.Contains(l.Text, "\n") {
				t.Errorf("label truncation %v, text %q", l.Truncation, l.Text)
			}
			if l.MinSize().Width > l.Size().Width || l.Size().Width > 600 {
				t.Errorf("label min %v, size %v: it does not fit the list", l.MinSize(), l.Size())
			}
		}
	}
	if !found {
		t.Fatal("no row for snippet 7")
	}
}

// "Settings applied." is said when the person applies settings, not at
// start (where the message line may say something that matters).
func TestSettingsMessageOnlyWhenApplied(t *testing.T) {
	s, _, _ := newTestStudio(t)
	s.ApplySettings(LoadSettings(fyne.CurrentApp().Preferences())) // as Run does
	if m := s.Message(); m != "" {
		t.Errorf("message at start %q", m)
	}
	set := s.settings
	set.Attempts = 4
	s.ApplySettings(set)
	if m := s.Message(); m != "Settings applied." {
		t.Errorf("message after applying %q", m)
	}
}

// Export's folder has a Browse button opening a folder picker, which
// Escape closes without closing the export dialog.
func TestExportBrowseFolder(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.showExport()
	export := overlay(w)
	var f *ExportForm
	for _, o := range test.LaidOutObjects(export) {
		if b, ok := o.(*formButton); ok && b.Text == "Browse…" {
			test.Tap(b)
			f = &ExportForm{}
		}
	}
	if f == nil {
		t.Fatal("no Browse… button")
	}
	if overlay(w) == export || overlay(w) == nil {
		t.Fatal("Browse… opened no folder picker")
	}
	w.Canvas().Unfocus()
	dialogKey(w, fyne.KeyEscape, false)
	if overlay(w) != export {
		t.Fatal("Escape in the folder picker did not go back to the export dialog")
	}
}

// The file pickers take most of the window: Fyne's own size showed two
// rows of four icons, and finding a folder was a long walk.
func TestPickersAreSizedToTheWindow(t *testing.T) {
	s, _, w := newTestStudio(t)
	canvas := w.Canvas().Size()
	for name, open := range map[string]func(){
		"open file":     s.openFile,
		"policy file":   s.openPolicyFile,
		"import folder": s.Library.chooseImport,
		"watch folder":  s.Library.chooseWatch,
	} {
		open()
		pop, ok := overlay(w).(*widget.PopUp)
		if !ok {
			t.Fatalf("%s: the overlay is a %T", name, overlay(w))
		}
		if got := pop.Content.Size(); got.Width < 0.7*canvas.Width || got.Height < 0.7*canvas.Height {
			t.Errorf("%s: the picker is %v in a window of %v", name, got, canvas)
		}
		pop.Hide()
		w.Canvas().Overlays().Remove(pop)
	}
}

// The export dialog is as wide as its report's lines where the window
// has the room (at 560 px they wrapped and the columns did not read),
// and no narrower than before in a small window.
func TestExportDialogFitsItsReport(t *testing.T) {
	for _, c := range []struct {
		window   fyne.Size
		minWidth float32
	}{
		{fyne.NewSize(1280, 800), 960},
		{fyne.NewSize(600, 560), 560},
	} {
		s, _, w := newTestStudio(t)
		w.Resize(c.window)
		s.showExport()
		var report *widget.Label
		for _, o := range test.LaidOutObjects(overlay(w)) {
			if l, ok := o.(*widget.Label); ok && l.TextStyle.Monospace {
				report = l
			}
		}
		if report == nil {
			t.Fatal("no report in the export dialog")
		}
		if got := report.Size().Width; got < c.minWidth-80 {
			t.Errorf("window %v: the report is %v wide, want about %v", c.window, got, c.minWidth)
		}
	}
}

// Enter in a one-line field of a form dialog presses its default button
// (Settings' Apply, Export's Export), and does nothing while that button
// is disabled (an export already running).
func TestEnterPressesTheDefaultButton(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.ApplySettings(LoadSettings(fyne.CurrentApp().Preferences())) // as Run does
	s.showSettings()
	host, ok := w.Canvas().Focused().(*formEntry)
	if !ok {
		t.Fatalf("settings opened with the focus on %T, not the host field", w.Canvas().Focused())
	}
	host.SetText("127.0.0.1:1")
	dialogKey(w, fyne.KeyReturn, false)
	if overlay(w) != nil {
		for _, o := range test.LaidOutObjects(overlay(w)) {
			if l, ok := o.(*widget.Label); ok && l.Text != "" {
				t.Logf("label %q", l.Text)
			}
		}
		t.Error("Enter in the host field did not apply and close the settings")
	}
	if s.settings.OllamaHost != "127.0.0.1:1" {
		t.Errorf("host after Enter %q", s.settings.OllamaHost)
	}

	s.showExport()
	export := overlay(w)
	var ratio *formEntry
	var button *formButton
	var report *widget.Label
	for _, o := range test.LaidOutObjects(export) {
		switch o := o.(type) {
		case *formEntry:
			if o.Text == "0.9" {
				ratio = o
			}
		case *formButton:
			if o.Text == "Export" {
				button = o
			}
		case *widget.Label:
			if o.TextStyle.Monospace {
				report = o
			}
		}
	}
	if ratio == nil || button == nil || report == nil {
		t.Fatal("the export dialog has no train share field, Export button or report")
	}
	ratio.SetText("2")
	w.Canvas().Focus(ratio)
	button.Disable()
	dialogKey(w, fyne.KeyReturn, false)
	if report.Text != "" {
		t.Errorf("Enter exported while Export was disabled: %q", report.Text)
	}
	button.Enable()
	dialogKey(w, fyne.KeyReturn, false)
	if !strings.Contains(report.Text, "train share") {
		t.Errorf("Enter in the train share did not export (report %q)", report.Text)
	}
	if overlay(w) != export {
		t.Error("Enter closed the export dialog")
	}
}

// In a list of a dialog Enter picks the highlighted row, as Space does:
// Down, Enter loads the second retrieved snippet.
func TestDialogListEnterPicks(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.Prompt.pickCandidate([]dataset.Snippet{{ID: 1, Prompt: "One", Code: ".a:int:1\n"}, {ID: 2, Prompt: "Two", Code: ".b:int:2\n"}})
	list := lastLaidOut[*formList](overlay(w))
	if list == nil {
		t.Fatal("no list in the retrieved snippets dialog")
	}
	w.Canvas().Focus(list)
	dialogKey(w, fyne.KeyDown, false)
	dialogKey(w, fyne.KeyReturn, false)
	if overlay(w) != nil || !strings.Contains(s.Doc.Text(), ".b:int:2") {
		t.Errorf("Down, Enter: dialog open %v, tree %q", overlay(w) != nil, s.Doc.Text())
	}
}

// The file pickers start in the folder a .hl file was last opened from or
// saved to, and Open .hl… lists only .hl files (and folders).
func TestFilePickerStartsWhereTheLastFileWasAndShowsHL(t *testing.T) {
	s, _, w := newTestStudio(t)
	dir := t.TempDir()
	for _, name := range []string{"mine.hl", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(".a:1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.fileDir = dir
	s.openFile()
	var shown []string
	for _, o := range test.LaidOutObjects(overlay(w)) {
		switch o := o.(type) {
		case *widget.Label:
			shown = append(shown, o.Text)
		case *canvas.Text:
			shown = append(shown, o.Text)
		}
	}
	// Fyne shows a file's name without its extension ("mine", ".hl" on
	// the icon) and the folder as a row of buttons, one per element.
	all := "|" + strings.Join(shown, "|") + "|"
	if !strings.Contains(all, "|mine|") || strings.Contains(all, "notes") || !strings.Contains(all, "|"+filepath.Base(dir)+"|") {
		t.Errorf("the picker shows %q: want %s with mine.hl and not notes.txt", all, dir)
	}
}

// Enter on a focused button of a dialog presses it, as Space does: the
// discard question's Save (where its focus starts), the offer's Load.
func TestDialogEnterPressesTheFocusedButton(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.offerGenerated(Generated{Prompt: "Return three", Result: &compiler.Result{Tree: hyperlambda.New("", nil, hyperlambda.New(".three", int32(3)))}, Stale: true})
	if _, ok := w.Canvas().Focused().(*formButton); !ok {
		t.Fatalf("the offer opened with the focus on %T, not its Load button", w.Canvas().Focused())
	}
	dialogKey(w, fyne.KeyReturn, false)
	if overlay(w) != nil || !strings.Contains(s.Doc.Text(), ".three") {
		t.Errorf("Enter on Load: dialog open %v, tree %q", overlay(w) != nil, s.Doc.Text())
	}
}

// While a dialog is up, the window's shortcuts do nothing behind it:
// Fyne's driver runs a menu's shortcut (Ctrl+S, Ctrl+Shift+Enter) whatever
// has focus, and the canvas's (the tree's Ctrl+Z) when a button has it, so
// they saved, generated and undid behind the question being answered. A
// select's open drop-down is no dialog; once the dialog is closed the
// shortcuts work again.
func TestShortcutsDoNothingBehindADialog(t *testing.T) {
	s, store, w := newTestStudio(t, ".total:int:3\nreturn:x:@.total\n")
	menu := map[string]*fyne.MenuItem{}
	for _, m := range s.MainMenu(func() {}).Items {
		for _, it := range m.Items {
			menu[it.Label] = it
		}
	}
	shortcut := w.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut
	scriptedText(s, "Return three")
	s.Doc.AddSibling(RootID, ".keep")
	s.Doc.AddSibling(RootID, ".note") // an edit for Ctrl+Z to undo
	before := snippetCount(t, store)
	s.askEditedPrompt(Generated{Prompt: "Return three", Edited: true})
	if !dialogShowing(w.Canvas()) {
		t.Fatal("the question is not seen as a dialog")
	}
	menu["Save draft"].Action()
	menu["Generate from the prompt"].Action()
	shortcut(&fyne.ShortcutUndo{})
	if got := snippetCount(t, store); got != before || s.Prompt.Generating() || !strings.Contains(s.Doc.Text(), ".note") {
		t.Fatalf("behind the dialog: %d snippets (was %d), generating %v, tree %q", got, before, s.Prompt.Generating(), s.Doc.Text())
	}
	test.Tap(dialogButton(t, w, "Keep the edited prompt"))
	test.Tap(s.Prompt.mode) // its choices drop down
	if overlay(w) == nil || dialogShowing(w.Canvas()) {
		t.Fatalf("a select's drop-down: overlay %T, seen as a dialog %v", overlay(w), dialogShowing(w.Canvas()))
	}
	shortcut(&fyne.ShortcutUndo{})
	if strings.Contains(s.Doc.Text(), ".note") {
		t.Fatalf("Ctrl+Z without a dialog did not undo: %q", s.Doc.Text())
	}
	menu["Save draft"].Action()
	if got := snippetCount(t, store); got != before+1 {
		t.Fatalf("Ctrl+S without a dialog: %d snippets, want %d (%s)", got, before+1, s.Message())
	}
}
