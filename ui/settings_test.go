package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"hlstudio/assets"
	"hlstudio/dataset"
	"hlstudio/whitelist"
)

// The form refuses what is out of range, naming the field; applied
// settings reach the prompt bar and the theme, and survive a restart
// (preferences).
func TestSettings(t *testing.T) {
	s, _, _ := newTestStudio(t)
	f := NewSettingsForm(LoadSettings(fyne.CurrentApp().Preferences()))
	var applied []Settings
	f.OnApply = func(set Settings) { applied = append(applied, set); s.ApplySettings(set) }
	for _, bad := range []struct{ field, text, want string }{
		{"attempts", "0", "attempts must be"},
		{"temp", "2", "temperature step"},
		{"examples", "x", "examples must be"},
		{"host", "ftp://box", "scheme must be http or https"},
	} {
		f2 := NewSettingsForm(LoadSettings(fyne.CurrentApp().Preferences()))
		map[string]func(string){"attempts": f2.attempts.SetText, "temp": f2.temp.SetText, "examples": f2.examples.SetText, "host": f2.host.SetText}[bad.field](bad.text)
		f2.Apply()
		if !strings.Contains(f2.errors.Text, bad.want) {
			t.Errorf("%s=%q: error %q, want %q", bad.field, bad.text, f2.errors.Text, bad.want)
		}
	}
	f.attempts.SetText("5")
	f.examples.SetText("0")
	f.theme.SetSelected("light")
	f.mode.SetSelected(modeTree)
	f.Apply()
	if len(applied) != 1 || s.Prompt.Tuning.Attempts != 5 || s.Prompt.Tuning.Examples != -1 || s.Prompt.mode.Selected != modeTree {
		t.Fatalf("applied %+v, tuning %+v, mode %s", applied, s.Prompt.Tuning, s.Prompt.mode.Selected)
	}
	if c := fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark); c != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight) {
		t.Errorf("the light theme is not in effect")
	}
	p := test.NewTempApp(t).Preferences()
	applied[0].Save(p)
	if got := LoadSettings(p); got != applied[0] {
		t.Errorf("settings after a restart %+v, want %+v", got, applied[0])
	}
}

// The policy editor says where the text is wrong and applies a valid one.
func TestPolicyEditor(t *testing.T) {
	s, _, _ := newTestStudio(t)
	if err := s.Doc.Replace("log.info:hi\n"); err != nil {
		t.Fatal(err)
	}
	e := NewPolicyEditor(s.policySource())
	if !strings.Contains(e.Status.Text, "Valid policy sandbox") {
		t.Fatalf("status %q", e.Status.Text)
	}
	e.Text.SetText("name:mine\nallow\n  effects:pure\n")
	if !strings.HasPrefix(e.Status.Text, "Line 3, column 3:") {
		t.Fatalf("status %q", e.Status.Text)
	}
	e.OnApply = func(p *whitelist.Policy, _ string) { s.Doc.SetPolicy(p) }
	e.Apply() // invalid: nothing happens
	if s.Doc.Policy().Name != "sandbox" {
		t.Fatalf("an invalid policy was applied")
	}
	e.Text.SetText("name:mine\nallow\n   effects:pure\n")
	e.Apply()
	if s.Doc.Policy().Name != "mine" || s.Doc.Blocking() != 1 {
		t.Fatalf("policy %s blocking %d", s.Doc.Policy().Name, s.Doc.Blocking())
	}
}

// watchNewFolder watches a new folder and writes new.hl into it, waiting
// until the library has it.
func watchNewFolder(t *testing.T, s *Studio) string {
	t.Helper()
	dir := t.TempDir()
	if err := s.Library.Watch(dir, true); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "new.hl"), []byte("// Say hello\nreturn:hello\n"), 0o644)
	waitFor(t, func() bool { return strings.Contains(s.Library.message.Text, "1 added") }, func() string { return s.Library.message.Text })
	return dir
}

// A watched folder keeps the library in step and is watched again on the
// next start.
func TestLibraryWatch(t *testing.T) {
	s, store, _ := newTestStudio(t)
	dir := watchNewFolder(t, s)
	// A file that fails is named with its place and reason, as Import… does.
	os.WriteFile(filepath.Join(dir, "bad.hl"), []byte("return:hello\n"), 0o644)
	waitFor(t, func() bool {
		return strings.Contains(s.Library.message.Text, "bad.hl:1:1: the file does not start with a comment")
	}, func() string { return s.Library.message.Text })
	folders, err := store.WatchedFolders(t.Context())
	if err != nil || len(folders) != 1 {
		t.Fatalf("registered %+v, %v", folders, err)
	}
}

// A watched file edited while its snippet is open: with nothing unsaved
// the editor shows it as it now is (the next save would otherwise put
// the old tree back); unsaved edits stay, and the person is told once.
func TestOpenSnippetChangedInItsFile(t *testing.T) {
	s, store, _ := newTestStudio(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "greet.hl")
	write := func(code string) {
		if err := os.WriteFile(file, []byte("// Say hello\n"+code+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("return:hello")
	if err := s.Library.Watch(dir, true); err != nil {
		t.Fatal(err)
	}
	message := func() string { return s.message.Text }
	var sn dataset.Snippet
	waitFor(t, func() bool {
		store.Each(t.Context(), dataset.Filter{}, func(x *dataset.Snippet) error {
			if x.Source == file {
				sn = *x
			}
			return nil
		})
		return sn.ID != 0
	}, func() string { return s.Library.message.Text })
	s.openSnippet(sn)

	write("return:bonjour")
	waitFor(t, func() bool { return strings.Contains(s.Doc.Text(), "bonjour") }, s.Doc.Text)
	if want := fmt.Sprintf("Snippet %d changed in %s: the editor shows it as version 2", sn.ID, file); !strings.Contains(message(), want) {
		t.Errorf("message %q, want %q", message(), want)
	}
	if s.Unsaved() {
		t.Error("the reloaded snippet counts as unsaved")
	}

	if err := s.Doc.Replace("return:mine\n"); err != nil {
		t.Fatal(err)
	}
	write("return:hallo")
	waitFor(t, func() bool { return strings.Contains(message(), "your edits stay") }, message)
	if !strings.Contains(s.Doc.Text(), "mine") || !strings.Contains(message(), "saving makes them version 4") {
		t.Errorf("tree %q, message %q", s.Doc.Text(), message())
	}
	// Saving goes to the library, not the file, and says so.
	s.Save(dataset.StatusDraft)
	if want := "Its file " + file + " in the watched folder is not changed"; !strings.Contains(message(), want) {
		t.Errorf("after saving: %q, want %q", message(), want)
	}
	// So does restoring a version.
	var keys escKeys
	hv, err := s.Library.newHistory(sn.ID, &keys)
	if err != nil {
		t.Fatal(err)
	}
	hv.list.Select(1)
	test.Tap(hv.restore)
	if want := "in the watched folder is not changed"; !strings.Contains(s.Library.message.Text, want) {
		t.Errorf("after restoring: %q, want %q", s.Library.message.Text, want)
	}
	s.message.SetText("")
	os.WriteFile(filepath.Join(dir, "other.hl"), []byte("// Other\nreturn:x\n"), 0o644)
	waitFor(t, func() bool { return strings.Contains(s.Library.message.Text, "1 added") }, func() string { return s.Library.message.Text })
	if message() != "" {
		t.Errorf("another file's change repeated %q", message())
	}

	os.Remove(file)
	waitFor(t, func() bool { return strings.Contains(message(), "no longer in the library") }, message)
}

// Pane sizes survive a restart.
func TestLayoutKept(t *testing.T) {
	s, _, _ := newTestStudio(t)
	s.splits["split.library"].SetOffset(0.4)
	p := test.NewTempApp(t).Preferences()
	s.SaveLayout(p)
	s2, _, _ := newTestStudio(t)
	s2.RestoreLayout(p)
	if got := s2.splits["split.library"].Offset; got != 0.4 {
		t.Errorf("library pane %v, want 0.4", got)
	}
}

// The studio's run budgets cap a run's policy: a loop ends at the cap,
// not the policy's own budget.
func TestRunBudgetCap(t *testing.T) {
	s, _, _ := newTestStudio(t)
	f := NewSettingsForm(LoadSettings(fyne.CurrentApp().Preferences()))
	f.steps.SetText("-5")
	f.Apply()
	if !strings.Contains(f.errors.Text, "run steps must be a positive") {
		t.Fatalf("error %q", f.errors.Text)
	}
	f.steps.SetText("50")
	f.OnApply = s.ApplySettings
	f.Apply()
	if err := s.Doc.Replace("while:bool:true\n   .:x\n"); err != nil {
		t.Fatal(err)
	}
	s.Runner.Run()
	s.Runner.Wait()
	waitFor(t, func() bool { return strings.Contains(s.Runner.status.Text, "steps") }, func() string { return s.Runner.status.Text })
	if !strings.Contains(s.Runner.status.Text, "limit 50") {
		t.Errorf("status %q", s.Runner.status.Text)
	}
}

// The budget cap caps only the budgets it sets: the others stay the
// document policy's (Parse would have filled them with the defaults,
// which are tighter than trusted's; audit 11).
func TestBudgetCapCapsOnlyWhatItSets(t *testing.T) {
	src, _ := assets.Policy("trusted")
	trusted, err := whitelist.Parse("trusted", src)
	if err != nil {
		t.Fatal(err)
	}
	got := whitelist.Intersect(trusted, Settings{MaxSteps: 1000}.budgetCap()).Budgets
	want := trusted.Budgets
	want.Steps = 1000
	if got != want {
		t.Errorf("budgets %+v, want %+v", got, want)
	}
}

// Library > Watched folders… lists the watched folders; Stop watching
// forgets the chosen one for the next starts, closes its watcher, and
// keeps the snippets it brought.
func TestLibraryStopWatching(t *testing.T) {
	s, store, w := newTestStudio(t)
	dir := watchNewFolder(t, s)
	s.Library.ShowWatched()
	list := lastLaidOut[*formList](overlay(w))
	if list == nil || list.Length() != 1 {
		t.Fatal("the watched folders are not listed")
	}
	list.Select(0)
	var stop *formButton
	for _, o := range test.LaidOutObjects(overlay(w)) {
		if b, ok := o.(*formButton); ok && b.Text == "Stop watching" {
			stop = b
		}
	}
	if stop == nil || stop.Disabled() {
		t.Fatal("no Stop watching button to press")
	}
	test.Tap(stop)
	if overlay(w) != nil {
		t.Error("the dialog stayed open")
	}
	if folders, err := store.WatchedFolders(t.Context()); err != nil || len(folders) != 0 {
		t.Errorf("still registered: %+v, %v", folders, err)
	}
	s.Library.mu.Lock()
	left := len(s.Library.watchers)
	s.Library.mu.Unlock()
	if left != 0 {
		t.Errorf("%d watchers still running", left)
	}
	kept := 0
	store.Each(t.Context(), dataset.Filter{}, func(x *dataset.Snippet) error {
		if x.Source == filepath.Join(dir, "new.hl") {
			kept++
		}
		return nil
	})
	if kept != 1 {
		t.Errorf("the folder's snippet was dropped (%d kept)", kept)
	}
	if !strings.Contains(s.Library.message.Text, "No longer watching "+dir) {
		t.Errorf("message %q", s.Library.message.Text)
	}
}

// Typing a policy, Enter keeps the indentation of the line it breaks, as
// in the Source tab: a nested list is typed without counting spaces.
func TestPolicyEditorEnterKeepsTheIndentation(t *testing.T) {
	test.NewTempApp(t)
	e := NewPolicyEditor("")
	typeLine := func(text string) {
		test.Type(e.Text, text)
		e.Text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	typeLine("name:mine")
	typeLine("allow")
	typeLine("   math.add")
	test.Type(e.Text, "strings.concat")
	if want := "name:mine\nallow\n   math.add\n   strings.concat"; e.Text.Text != want {
		t.Fatalf("text %q, want %q", e.Text.Text, want)
	}
	if !strings.Contains(e.Status.Text, "Valid policy mine") {
		t.Fatalf("status %q", e.Status.Text)
	}
}
