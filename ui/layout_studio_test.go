package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"hlstudio/internal/ollamatest"
)

// auditSize is the screen of the GUI audit; the window's content is that
// less a title bar and the menu.
var auditSize = fyne.NewSize(1280, 740)

// newOfflineStudio is the studio as a person without Ollama sees it, in
// the default theme's sizes (the test theme's differ).
func newOfflineStudio(t *testing.T) (*Studio, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	store := tempStore(t)
	w := test.NewTempWindow(t, nil)
	s := NewStudio(w, Options{Version: "0.1.0", Store: store, Server: newServer(t, ollamatest.RefusedHost(t))},
		OllamaStatus{Host: DefaultOllamaHost})
	w.SetContent(s.Content())
	w.Resize(auditSize)
	t.Cleanup(s.Close)
	return s, w
}

// fits fails when the content needs more than the window: a real window
// then grows past the screen (and its size was saved so).
func fits(t *testing.T, s *Studio, w fyne.Window, when string) {
	t.Helper()
	if min, size := s.Content().MinSize(), w.Canvas().Size(); min.Height > size.Height || min.Width > size.Width {
		t.Errorf("%s: the content needs %v, more than the window's %v", when, min, size)
	}
}

// A failed generation (no Ollama) leaves no empty stream box, and its
// message does not make the window taller: the content still fits 1280x740
// and the tree keeps its room.
func TestLayoutFailedGenerationFits(t *testing.T) {
	s, w := newOfflineStudio(t)
	fits(t, s, w, "at start")
	before := s.Editor.Tree.Size().Height
	s.Prompt.prompt.SetText("Return the sum of a and b")
	s.Prompt.Generate()
	s.Prompt.Wait()
	waitFor(t, func() bool { return strings.Contains(s.Prompt.state.Text, "retrieved, not generated") }, func() string { return s.Prompt.state.Text })
	if s.Prompt.stream.Visible() {
		t.Errorf("the empty stream box is still shown")
	}
	// The column is laid out again at once (no gap, no overlap), not
	// only when the window next changes size.
	if got, want := s.Prompt.Object().Size().Height, s.Prompt.Object().MinSize().Height; got != want {
		t.Errorf("the prompt bar is %v high, its content %v", got, want)
	}
	w.Resize(auditSize)
	fits(t, s, w, "after the failed generation")
	if after := s.Editor.Tree.Size().Height; after < before-100 {
		t.Errorf("the tree editor shrank from %v to %v", before, after)
	}

	// However long a message, it takes a few lines and scrolls.
	long := strings.Repeat("Attempt 3 refused, repairing: unknown slot [invented.slot] at line 4.\n", 30)
	s.Prompt.say(long)
	s.message.SetText(long)
	s.status.SetText(long)
	w.Resize(auditSize)
	fits(t, s, w, "with long messages")
	if h := s.Prompt.stateBox.Size().Height; h > 100 {
		t.Errorf("the state line is %v high", h)
	}
}

// The first message (the state line was hidden until now) gets the
// height it wraps to at the bar's width: its last line is not drawn
// under the policy row.
func TestLayoutFirstMessageHeight(t *testing.T) {
	s, _ := newOfflineStudio(t)
	for _, msg := range []string{
		"Ollama is not running at http://127.0.0.1:9 (connection refused): start it with `ollama serve`, or set OLLAMA_HOST to where it runs",
		"short",
		strings.Repeat("word ", 150),
	} {
		s.Prompt.say(msg)
		box, label := s.Prompt.stateBox.Size().Height, s.Prompt.state.MinSize().Height
		if want := min(label, s.Prompt.stateBox.MinSize().Height); box < want || s.Prompt.Object().Size().Height < s.Prompt.Object().MinSize().Height {
			t.Errorf("%.20q: the state line is %v high, its text %v (the bar %v, needs %v)", msg, box, label,
				s.Prompt.Object().Size().Height, s.Prompt.Object().MinSize().Height)
		}
		if box < label && box < 70 {
			t.Errorf("%.20q: the state line is %v high, below three lines though its text is %v", msg, box, label)
		}
		s.Prompt.say("")
	}
}

// At 1280x800 the tree editor gets a useful height: at least ten rows'
// worth (it had four), and more than the run panel.
func TestLayoutTreeHeightAtAuditSize(t *testing.T) {
	s, w := newOfflineStudio(t)
	fits(t, s, w, "at start")
	if err := s.Doc.Replace(sampleRows(20)); err != nil {
		t.Fatal(err)
	}
	w.Resize(auditSize)
	tree := s.Editor.Tree.Size().Height
	row := s.Editor.Tree.tree.MinSize().Height // one row and the scroller's minimum
	if tree < 300 || tree < 8*row {
		t.Errorf("the tree editor is %v high (a row %v)", tree, row)
	}
	if run := s.Runner.Object().Size().Height; run >= tree {
		t.Errorf("the run panel (%v) is taller than the tree editor (%v)", run, tree)
	}
}

func sampleRows(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(".v" + string(rune('a'+i)) + ":int:1\n")
	}
	return b.String()
}

// The run panel scrolls when its pane is small: in a window resized down
// to 600 high, or dragged nearly shut, it does not hold the window taller
// nor draw (its Budgets bars) over the save bar.
func TestLayoutRunPanelShrinks(t *testing.T) {
	s, w := newOfflineStudio(t)
	small := fyne.NewSize(1280, 600)
	w.Resize(small)
	fits(t, s, w, "at 1280x600")
	s.splits["split.work"].SetOffset(0.95)
	w.Resize(small)
	fits(t, s, w, "with the run panel dragged small")
	if tree := s.Editor.Tree.Size().Height; tree < 200 {
		t.Errorf("the run panel dragged small leaves the tree %v", tree)
	}
}

// A window size is never kept bigger than the screen, and a saved one
// that is opens no bigger than the screen.
func TestLayoutWindowSizeFitsScreen(t *testing.T) {
	p := test.NewTempApp(t).Preferences()
	screen := fyne.NewSize(1280, 800)
	first := fyne.NewSize(1280, 800-titleBar)
	if got := loadWindowSize(p, screen); got != first {
		t.Errorf("first start %v, want %v", got, first)
	}
	if got := loadWindowSize(p, fyne.Size{}); got != defaultWindowSize {
		t.Errorf("first start on an unknown screen %v, want %v", got, defaultWindowSize)
	}
	saveWindowSize(p, fyne.NewSize(1280, 860), screen)
	if h := p.Float(prefWindowHeight); h != 800 {
		t.Errorf("saved height %v, want 800 (the screen)", h)
	}
	p.SetFloat(prefWindowHeight, 860) // saved by an older version
	if got := loadWindowSize(p, screen); got != fyne.NewSize(1280, 800) {
		t.Errorf("opens at %v, want 1280x800", got)
	}
	if got := loadWindowSize(p, fyne.Size{}); got != fyne.NewSize(1280, 860) {
		t.Errorf("with the screen unknown: %v", got)
	}
	p.SetFloat(prefWindowWidth, 10)
	if got := loadWindowSize(p, screen); got != first {
		t.Errorf("a nonsense size opens at %v", got)
	}
}
