package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// shownText is every label's text in the laid-out window, one a line.
func shownText(w fyne.Window) string {
	var texts []string
	for _, o := range test.LaidOutObjects(w.Content()) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	return strings.Join(texts, "\n")
}

func TestStudioSaysWhatItIs(t *testing.T) {
	test.NewTempApp(t)
	s := NewStudio(Options{Version: "0.1.0"}, OllamaStatus{Host: DefaultOllamaHost})
	text := shownText(test.NewTempWindow(t, s.Content()))
	for _, want := range []string{
		"hlstudio 0.1.0", "Hyperlambda", "policy", "Ollama",
		"Library", "Prompt bar", "Tree editor", "Policy", "Run panel",
		"Checking for Ollama at " + DefaultOllamaHost,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("window does not say %q; it says:\n%s", want, text)
		}
	}
}

func TestStudioShowsOllamaStatus(t *testing.T) {
	test.NewTempApp(t)
	host := "http://127.0.0.1:1"
	s := NewStudio(Options{}, OllamaStatus{Host: host, State: OllamaNotRunning, Err: errors.New("refused")})
	w := test.NewTempWindow(t, s.Content())
	want := "Ollama is not running at " + host + ": start it with `ollama serve`."
	if text := shownText(w); !strings.Contains(text, want) {
		t.Errorf("window does not say %q; it says:\n%s", want, text)
	}
	if !strings.Contains(s.StatusText(), "works without it") {
		t.Errorf("status %q does not say the studio works without Ollama", s.StatusText())
	}

	s.SetStatus(OllamaStatus{Host: host, State: OllamaRunning, Version: "0.17.4"})
	if got, want := s.StatusText(), "Ollama 0.17.4 is running at "+host+"."; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	if text := shownText(w); strings.Contains(text, "not running") {
		t.Errorf("window still says not running:\n%s", text)
	}
}

func TestCtrlQQuits(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	quit := 0
	bindKeys(w, func() { quit++ })
	handler := w.Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	handler.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierControl})
	if quit != 0 {
		t.Fatalf("Ctrl+W quit the studio")
	}
	handler.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl})
	if quit != 1 {
		t.Fatalf("Ctrl+Q called quit %d times, want 1", quit)
	}
}
