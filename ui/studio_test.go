package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/compiler"
	"hlstudio/dataset"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
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

// scriptedServer is a model server answering from a script: the studio's
// wiring is under test here, not a model.
type scriptedServer struct {
	mu      sync.Mutex
	answers []string
}

func (s *scriptedServer) Host() string { return "http://scripted" }
func (s *scriptedServer) Models(context.Context) ([]compiler.ModelInfo, error) {
	return []compiler.ModelInfo{{Name: "m:latest", Digest: "d1"}}, nil
}
func (s *scriptedServer) Show(_ context.Context, m string) (*compiler.ModelDetails, error) {
	return &compiler.ModelDetails{ModelInfo: compiler.ModelInfo{Name: m, Digest: "d1"}}, nil
}
func (s *scriptedServer) Chat(_ context.Context, req compiler.ChatRequest, onToken func(string)) (compiler.ChatResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.answers[0]
	if len(s.answers) > 1 {
		s.answers = s.answers[1:]
	}
	onToken(a)
	return compiler.ChatResult{Content: a, Done: true}, nil
}

func newTestStudio(t *testing.T, answers ...string) (*Studio, *dataset.Store, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	store := tempStore(t)
	w := test.NewTempWindow(t, nil)
	s := NewStudio(w, Options{Version: "0.1.0", Store: store, Server: &scriptedServer{answers: answers}}, OllamaStatus{Host: DefaultOllamaHost})
	w.SetContent(s.Content())
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(s.Close)
	return s, store, w
}

func TestStudioShowsOllamaStatus(t *testing.T) {
	s, _, w := newTestStudio(t)
	host := DefaultOllamaHost
	s.SetStatus(OllamaStatus{Host: host, State: OllamaNotRunning, Err: errors.New("refused")})
	want := "Ollama is not running at " + host + ": start it with `ollama serve`."
	if text := shownText(w); !strings.Contains(text, want) || !strings.Contains(text, "hlstudio 0.1.0") {
		t.Errorf("window does not say %q; it says:\n%s", want, text)
	}
	if !strings.Contains(s.StatusText(), "work without it") {
		t.Errorf("status %q does not say what works without Ollama", s.StatusText())
	}
	s.SetStatus(OllamaStatus{Host: host, State: OllamaRunning, Version: "0.17.4"})
	if got, want := s.StatusText(), "Ollama 0.17.4 is running at "+host+"."; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
}

// The curator's path: the new library shows the samples; one opens into
// the editor; an edit to a denied slot blocks running and approval; a
// draft saves as a new version.
func TestStudioOpenEditSave(t *testing.T) {
	s, store, _ := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	s.Library.search.SetText("email")
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 1 }, func() string { return s.Library.count.Text })
	s.Library.Select(0)
	s.Library.OpenSelected()
	if !strings.Contains(s.Doc.Text(), "validators.email") || !strings.Contains(s.Prompt.prompt.Text, "email") {
		t.Fatalf("opened %q with prompt %q", s.Doc.Text(), s.Prompt.prompt.Text)
	}
	if s.Runner.run.Disabled() {
		t.Fatalf("a sample cannot run: %s", s.Runner.status.Text)
	}
	if err := s.Doc.Replace(s.Doc.Text() + "http.get:\"https://example.com\"\n"); err != nil {
		t.Fatal(err)
	}
	if !s.Runner.run.Disabled() {
		t.Errorf("a tree with a denied slot can be run")
	}
	s.Save(dataset.StatusApproved)
	if !strings.Contains(s.Message(), "cannot be approved") {
		t.Errorf("approved a denied tree: %q", s.Message())
	}
	s.Save(dataset.StatusDraft)
	sn, err := store.Snippet(context.Background(), s.open.ID)
	if err != nil || sn.Version != 2 || sn.Status != dataset.StatusDraft || !strings.Contains(sn.Code, "http.get") {
		t.Fatalf("saved %+v, %v (message %q)", sn, err, s.Message())
	}
}

// The generator's path: a generation whose first answer was refused, a
// correction in the editor, and "save as regression pair" keeps the
// refused attempt and the corrected tree together.
func TestStudioGenerateAndRegressionPair(t *testing.T) {
	s, store, _ := newTestStudio(t, "invented.slot:x", ".total:int:3\nreturn:x:@.total\n")
	scriptedText(s, "Return three")
	generateScripted(t, s)
	if !strings.HasPrefix(s.Prompt.state.Text, "Generated in 2") {
		t.Fatalf("state %q, want two attempts", s.Prompt.state.Text)
	}
	if err := s.Doc.Replace(".total:int:3\nreturn-value:x:@.total\n"); err != nil {
		t.Fatal(err)
	}
	s.SaveRegression("used return where return-value reads better")
	if !strings.Contains(s.Message(), "regression pair") {
		t.Fatalf("message %q", s.Message())
	}
	pairs, err := store.Regressions(context.Background(), s.open.ID)
	if err != nil || len(pairs) != 1 || pairs[0].Bad != "invented.slot:x" || pairs[0].AttemptID == 0 || !strings.Contains(pairs[0].Good, "return-value") {
		t.Fatalf("pairs %+v, %v", pairs, err)
	}
	sn, _ := store.Snippet(context.Background(), s.open.ID)
	if sn.Source != dataset.SourceGenerated || sn.Status != dataset.StatusApproved {
		t.Errorf("snippet %+v", sn)
	}
}

// A policy file relabels the tree and is followed when it changes.
func TestStudioPolicyFileReloads(t *testing.T) {
	s, _, _ := newTestStudio(t)
	if err := s.Doc.Replace("log.info:hi\n"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mine.hl")
	os.WriteFile(path, []byte("name:mine\nallow\n   effects:pure\n"), 0o644)
	if err := s.UsePolicyFile(path); err != nil {
		t.Fatal(err)
	}
	if s.Doc.Policy().Name != "mine" || s.Doc.Blocking() != 1 {
		t.Fatalf("policy %s, blocking %d", s.Doc.Policy().Name, s.Doc.Blocking())
	}
	os.WriteFile(path, []byte("name:mine2\nallow\n   effects:pure,logs\n"), 0o644)
	waitFor(t, func() bool { return s.Doc.Policy().Name == "mine2" && s.Doc.Blocking() == 0 }, func() string { return s.Message() })
	os.WriteFile(path, []byte("name:mine3\nallow\n  bad-indent\n"), 0o644)
	waitFor(t, func() bool { return strings.Contains(s.Message(), "mine.hl:3:") }, func() string { return s.Message() })
	if s.Doc.Policy().Name != "mine2" {
		t.Errorf("a broken file replaced the last good policy")
	}
}

// Export writes the files and shows the report; "Check first" shows the
// report and writes nothing.
func TestExportForm(t *testing.T) {
	s, _, _ := newTestStudio(t)
	f := NewExportForm(s.store)
	f.status.SetSelected(anyChoice)
	f.Check()
	f.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(f.Report(), "Checked") }, func() string { return f.Report() })
	if !strings.Contains(f.Report(), "nothing was written") {
		t.Errorf("check report %q", f.Report())
	}
	out := t.TempDir()
	f.out.SetText(out)
	f.status.SetSelected(anyChoice)
	f.Export()
	f.Wait()
	waitFor(t, func() bool { return !strings.HasPrefix(f.Report(), "Checked") && !f.button.Disabled() }, func() string { return f.Report() })
	// Five samples are under the cookbook's minimum of ten examples: the
	// report says so, and nothing invalid is written.
	if !strings.Contains(f.Report(), "10") {
		t.Errorf("report %q", f.Report())
	}
	if _, err := os.Stat(filepath.Join(out, dataset.ReportFile)); err != nil {
		t.Errorf("no report file: %v", err)
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

// Every menu item does something, and the shortcuts are the documented
// ones (menu shortcuts work while a text field has focus).
func TestMainMenuShortcuts(t *testing.T) {
	s, _, _ := newTestStudio(t)
	quit := 0
	menu := s.MainMenu(func() { quit++ })
	keys := map[string]string{}
	for _, m := range menu.Items {
		for _, it := range m.Items {
			if it.IsSeparator {
				continue
			}
			if it.Action == nil {
				t.Errorf("%s > %s does nothing", m.Label, it.Label)
			}
			if sc, ok := it.Shortcut.(*desktop.CustomShortcut); ok {
				keys[it.Label] = sc.ShortcutName()
			}
		}
	}
	for label, want := range map[string]string{"Quit": "CustomDesktop:Control+Q", "Save draft": "CustomDesktop:Control+S",
		"Approve & run": "CustomDesktop:Control+R", "Generate from the prompt": "CustomDesktop:Shift+Control+Return",
		"Open a path…": "CustomDesktop:Control+L"} {
		if keys[label] != want {
			t.Errorf("%s: shortcut %q, want %q", label, keys[label], want)
		}
	}
	// No key does two things: the menu's and the tree's shortcuts apart.
	owner := map[string]string{}
	for label, key := range keys {
		owner[key] = label
	}
	if len(owner) != len(keys) {
		t.Errorf("two menu items share a shortcut: %v", keys)
	}
	for _, es := range editorShortcuts {
		if label, taken := owner[es.shortcut.ShortcutName()]; taken {
			t.Errorf("%s is both the menu's %s and a tree shortcut", es.shortcut.ShortcutName(), label)
		}
	}
}

// File > Open a path…: a typed path (Fyne's pickers take none) opens as a
// drop would, starting in the folder last opened from; "~/" is the home
// folder; Enter opens.
func TestOpenAPath(t *testing.T) {
	s, _, w := newTestStudio(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	os.WriteFile(filepath.Join(home, "a.hl"), []byte("// Say A\nreturn:a\n"), 0o644)
	s.fileDir = "/somewhere"
	s.askPath()
	path, ok := w.Canvas().Focused().(*formEntry)
	if !ok || path.Text != "/somewhere/" {
		t.Fatalf("the dialog opened with the focus on %T (%v)", w.Canvas().Focused(), w.Canvas().Focused())
	}
	path.SetText("~/a.hl")
	dialogKey(w, fyne.KeyReturn, false)
	if overlay(w) != nil || !strings.Contains(s.Doc.Text(), "return:a") || s.Prompt.prompt.Text != "Say A" || s.fileDir != home {
		t.Fatalf("after Enter: dialog %v, tree %q, prompt %q, folder %q (%s)", overlay(w) != nil, s.Doc.Text(), s.Prompt.prompt.Text, s.fileDir, s.Message())
	}
	s.askPath()
	w.Canvas().Focused().(*formEntry).SetText(filepath.Join(home, "missing.hl"))
	dialogKey(w, fyne.KeyReturn, false)
	if !strings.Contains(s.Message(), "no such file") {
		t.Errorf("a missing file: %q", s.Message())
	}
	// Watch folder: a folder is watched (and kept for the next starts); a
	// file is refused saying why.
	for _, c := range []struct{ path, message string }{{"~/a.hl", "a.hl is not a folder"}, {"~/", ""}} {
		s.askPath()
		w.Canvas().Focused().(*formEntry).SetText(c.path)
		test.Tap(dialogButton(t, w, "Watch folder"))
		if c.message != "" && !strings.Contains(s.Message(), c.message) {
			t.Errorf("watching %s: %q", c.path, s.Message())
		}
	}
	folders, err := s.store.WatchedFolders(t.Context())
	if err != nil || len(folders) != 1 || folders[0].Path != home {
		t.Errorf("watched folders %+v (%v), want %s", folders, err, home)
	}
}

// Slots an earlier run created (under another policy, which a run may not
// take them over from) are forgotten from the Tree menu.
func TestForgetDynamicSlots(t *testing.T) {
	s, _, _ := newTestStudio(t)
	created, _ := hyperlambda.ParseString("slots.create:app.x\n   .x\n", hyperlambda.ParseOptions{})
	if _, err := s.engine.Execute(context.Background(), created, s.Doc.Policy()); err != nil {
		t.Fatal(err)
	}
	var forget *fyne.MenuItem
	for _, m := range s.MainMenu(func() {}).Items {
		for _, it := range m.Items {
			if it.Label == "Forget dynamic slots" {
				forget = it
			}
		}
	}
	if forget == nil {
		t.Fatal("no Forget dynamic slots in the menu")
	}
	forget.Action()
	exists, _ := hyperlambda.ParseString("slots.exists:app.x\n", hyperlambda.ParseOptions{})
	if _, err := s.engine.Execute(context.Background(), exists, s.Doc.Policy()); err != nil || exists.Child(0).Value != false {
		t.Fatalf("the slot is still there (%v, %v)", exists.Child(0).Value, err)
	}
	if !strings.Contains(s.Message(), "Forgot 1 dynamic slot") {
		t.Errorf("message %q", s.Message())
	}
}

// Picking a built-in stops following a policy file: its next save must
// not replace the chosen policy (audit 22).
func TestPickingABuiltinStopsFollowingTheFile(t *testing.T) {
	s, _, _ := newTestStudio(t)
	path := filepath.Join(t.TempDir(), "mine.hl")
	os.WriteFile(path, []byte("name:mine\nallow\n   effects:pure\n"), 0o644)
	if err := s.UsePolicyFile(path); err != nil {
		t.Fatal(err)
	}
	s.Editor.pickPolicy("trusted")
	os.WriteFile(path, []byte("name:mine2\nallow\n   effects:pure\n"), 0o644)
	time.Sleep(500 * time.Millisecond) // past the watch's debounce: a reload would have come
	drainUI()
	if got := s.Doc.Policy().Name; got != "trusted" {
		t.Errorf("policy %s after the followed file changed, want trusted as picked", got)
	}
}

// The next start gets the policy file followed, or the built-in in use;
// never the built-in that shares a file's or an edited policy's name
// (audit 22).
func TestPolicyRememberedForTheNextStart(t *testing.T) {
	prefs := test.NewApp().Preferences()
	s, _, _ := newTestStudio(t)
	path := filepath.Join(t.TempDir(), "narrow.hl")
	os.WriteFile(path, []byte("name:trusted\ndescription:narrowed\nallow\n   effects:pure\n"), 0o644)
	if err := s.UsePolicyFile(path); err != nil {
		t.Fatal(err)
	}
	s.rememberPolicy(prefs)
	next, _, _ := newTestStudio(t)
	next.restorePolicy(prefs)
	if p := next.Doc.Policy(); p.Description != "narrowed" {
		t.Errorf("restored %q (%s), want the file's policy", p.Name, p.Description)
	}
	edited, err := whitelist.Parse("edited", []byte("name:sandbox\nallow\n   effects:pure\n"))
	if err != nil {
		t.Fatal(err)
	}
	s.stopFollowing()
	s.Doc.SetPolicy(edited)
	s.rememberPolicy(prefs)
	if prefs.String("policy") != "" || prefs.String("policy.file") != "" {
		t.Errorf("an edited policy named sandbox was remembered as %q / %q", prefs.String("policy"), prefs.String("policy.file"))
	}
}
