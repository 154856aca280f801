package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"hlstudio/compiler"
	"hlstudio/dataset"
)

// newNoOllamaStudio is a studio whose Ollama does not answer (nothing
// listens on port 9): Generate offers the closest library snippets.
func newNoOllamaStudio(t *testing.T) (*Studio, *dataset.Store, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	store := tempStore(t)
	server, err := compiler.NewOllama(compiler.OllamaOptions{Host: "127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	s := NewStudio(w, Options{Store: store, Server: server}, OllamaStatus{Host: "http://127.0.0.1:9", State: OllamaNotRunning})
	w.SetContent(s.Content())
	w.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(s.Close)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	return s, store, w
}

// generateOffline runs Generate against the missing server and waits for
// the retrieved snippets it offers.
func generateOffline(t *testing.T, s *Studio) {
	t.Helper()
	s.Prompt.Generate()
	s.Prompt.Wait()
	waitFor(t, func() bool { return strings.Contains(s.Prompt.state.Text, "retrieved") }, func() string { return s.Prompt.state.Text })
}

func snippetCount(t *testing.T, store *dataset.Store) int {
	t.Helper()
	n, err := store.Count(context.Background(), dataset.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// scriptedText picks the scripted server's model and text mode, and
// types prompt, for a generation from the scripted answers.
func scriptedText(s *Studio, prompt string) {
	s.Prompt.model.SetOptions([]string{"m:latest"})
	s.Prompt.model.SetSelected("m:latest")
	s.Prompt.mode.SetSelected(modeText)
	if prompt != "" {
		s.Prompt.prompt.SetText(prompt)
	}
}

// generateScripted generates and waits until the tree is made.
func generateScripted(t *testing.T, s *Studio) {
	t.Helper()
	s.Prompt.Generate()
	s.Prompt.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(s.Prompt.state.Text, "Generated in") }, func() string { return s.Prompt.state.Text })
}

// Saving an opened snippet adds a version to it, also after a Generate
// that failed (no Ollama); it never makes a duplicate. Only "Save as a
// new snippet" makes another.
func TestSaveAddsVersionAfterFailedGenerate(t *testing.T) {
	s, store, w := newNoOllamaStudio(t)
	sum := openRow(t, s, "sum")
	s.Doc.AddSibling(RootID, ".note")
	generateOffline(t, s)
	if top := w.Canvas().Overlays().Top(); top != nil {
		top.Hide() // the retrieved snippets: none taken
	}
	s.Save(dataset.StatusDraft)
	got, err := store.Snippet(context.Background(), sum.ID)
	if err != nil || got.Version != 2 || !strings.Contains(got.Code, ".note") || snippetCount(t, store) != 5 {
		t.Fatalf("first save: version %d, %d snippets, %v (%s)", got.Version, snippetCount(t, store), err, s.Message())
	}
	s.Doc.AddSibling(RootID, ".again")
	s.Save(dataset.StatusDraft)
	got, _ = store.Snippet(context.Background(), sum.ID)
	if got.Version != 3 || snippetCount(t, store) != 5 || s.open.ID != sum.ID {
		t.Fatalf("second save: version %d, %d snippets, open %d (%s)", got.Version, snippetCount(t, store), s.open.ID, s.Message())
	}
	hits, err := store.Search(context.Background(), dataset.Query{Text: "sum"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Duplicates > 0 {
			t.Errorf("saving made a duplicate of snippet %d: %+v", h.ID, h)
		}
	}
	// An unchanged save says so and keeps the version.
	s.Save(dataset.StatusDraft)
	if got, _ = store.Snippet(context.Background(), sum.ID); got.Version != 3 || !strings.Contains(s.Message(), "unchanged") {
		t.Errorf("unchanged save: version %d, message %q", got.Version, s.Message())
	}
	s.SaveAsNew(dataset.StatusDraft)
	if snippetCount(t, store) != 6 || s.open.ID == sum.ID {
		t.Errorf("Save as new: %d snippets, open %d", snippetCount(t, store), s.open.ID)
	}
}

// Picking a retrieved snippet brings its prompt and makes it the open
// snippet, so its code is never saved under the prompt typed before (nor
// as a duplicate); Ctrl+Z takes back the tree and the prompt together.
func TestPickedRetrievedSnippetBringsItsPrompt(t *testing.T) {
	s, store, w := newNoOllamaStudio(t)
	const mine = "Return the sum of a and b"
	s.Prompt.prompt.SetText(mine)
	generateOffline(t, s)
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no retrieved snippets offered")
	}
	var list *formList
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*formList); ok {
			list = l
		}
	}
	cands := s.lastGen.Result.Candidates
	email := -1
	for i, c := range cands {
		if strings.Contains(c.Code, "validators.email") {
			email = i
		}
	}
	if list == nil || email < 0 {
		t.Fatalf("list %v, email among %d candidates at %d", list != nil, len(cands), email)
	}
	picked := cands[email]
	list.Select(email)
	if !strings.Contains(s.Doc.Text(), "validators.email") {
		t.Fatalf("the pick did not load the email snippet: %q", s.Doc.Text())
	}
	if s.Prompt.prompt.Text != picked.Prompt || s.open.ID != picked.ID || s.Unsaved() {
		t.Fatalf("after the pick: prompt %q (want %q), open %d (want %d), unsaved %v", s.Prompt.prompt.Text, picked.Prompt, s.open.ID, picked.ID, s.Unsaved())
	}
	s.Doc.AddSibling(RootID, ".note")
	s.Save(dataset.StatusDraft)
	got, _ := store.Snippet(context.Background(), picked.ID)
	if snippetCount(t, store) != 5 || got.Version != 2 || got.Prompt != picked.Prompt {
		t.Fatalf("saving the picked snippet: %d snippets, version %d, prompt %q", snippetCount(t, store), got.Version, got.Prompt)
	}

	// Undo the edit and the pick: the tree before and my prompt are back.
	s.Doc.Undo()
	s.Doc.Undo()
	if s.Prompt.prompt.Text != mine || s.open.ID != 0 || s.Doc.Len() != 0 {
		t.Fatalf("after undoing the pick: prompt %q, open %d, %d nodes", s.Prompt.prompt.Text, s.open.ID, s.Doc.Len())
	}
	s.Doc.Redo()
	if s.Prompt.prompt.Text != picked.Prompt || s.open.ID != picked.ID {
		t.Fatalf("after redoing the pick: prompt %q, open %d", s.Prompt.prompt.Text, s.open.ID)
	}
}

// Generating from a new prompt over an open snippet says that saving adds
// a version to that snippet and how to keep it apart; regenerating its
// own prompt does not (that is what the curator means).
func TestGenerateOverAnOpenSnippetSaysWhereSavesGo(t *testing.T) {
	s, _, _ := newTestStudio(t, ".total:int:3\nreturn:x:@.total\n", ".n:int:1\n")
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	scriptedText(s, "")
	generateScripted(t, s)
	if strings.Contains(s.Message(), "Save as a new snippet") {
		t.Errorf("regenerating the snippet's own prompt warned: %q", s.Message())
	}
	s.Prompt.prompt.SetText("Return three")
	generateScripted(t, s)
	want := fmt.Sprintf("unsaved edit of snippet %d: Save adds a version to it under the new prompt; Library > Save as a new snippet", sum.ID)
	if !strings.Contains(s.Message(), want) {
		t.Errorf("message %q does not say %q", s.Message(), want)
	}
}

// A generation that ends after another snippet was opened does not put
// its tree under that snippet's prompt (a mismatched pair a save would
// store): it is offered instead, and loading it makes a new, unsaved
// document with the prompt it answers.
func TestGenerationEndingAfterAnOpenIsOffered(t *testing.T) {
	s, store, w := newTestStudio(t, ".total:int:3\nreturn:x:@.total\n")
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	server := s.opts.Server.(*scriptedServer)
	scriptedText(s, "Return three")
	server.mu.Lock() // the model answers once the snippet is open
	s.Prompt.Generate()
	sum := openRow(t, s, "sum")
	server.mu.Unlock()
	s.Prompt.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(s.Prompt.state.Text, "Generated in") }, func() string { return s.Prompt.state.Text })
	if strings.Contains(s.Doc.Text(), ".total") || s.Prompt.prompt.Text != sum.Prompt || s.Unsaved() {
		t.Fatalf("the generated tree went into snippet %d: tree %q, prompt %q, unsaved %v", sum.ID, s.Doc.Text(), s.Prompt.prompt.Text, s.Unsaved())
	}
	offer := overlay(w)
	if offer == nil {
		t.Fatal("the generated tree was not offered")
	}
	var load *formButton
	for _, o := range test.LaidOutObjects(offer) {
		if b, ok := o.(*formButton); ok && strings.HasPrefix(b.Text, "Load") {
			load = b
		}
	}
	if load == nil {
		t.Fatal("the offer has no Load button")
	}
	test.Tap(load)
	if !strings.Contains(s.Doc.Text(), ".total") || s.Prompt.prompt.Text != "Return three" || s.open.ID != 0 || !s.Unsaved() {
		t.Fatalf("after Load: tree %q, prompt %q, open %d, unsaved %v", s.Doc.Text(), s.Prompt.prompt.Text, s.open.ID, s.Unsaved())
	}
	if _, highlighted := s.Library.current(); highlighted {
		t.Error("the library still highlights the snippet the tree replaced")
	}
	s.Save(dataset.StatusDraft)
	if snippetCount(t, store) != 6 {
		t.Fatalf("saving the loaded tree: %d snippets (%s)", snippetCount(t, store), s.Message())
	}
	if got, _ := store.Snippet(context.Background(), s.open.ID); got.Source != dataset.SourceGenerated || got.AttemptID == 0 {
		t.Errorf("the saved snippet does not say it was generated: %+v", got)
	}
	if got, _ := store.Snippet(context.Background(), sum.ID); got.Version != 1 {
		t.Errorf("snippet %d changed: version %d", sum.ID, got.Version)
	}
}

// A prompt edited while its generation runs: the tree is loaded and the
// studio asks which prompt goes with it (a save pairs the tree with the
// box's text), showing both; the edit stays unless the person picks the
// prompt the tree answers, and the save stores the choice. A generation
// whose prompt was left alone asks nothing.
func TestPromptEditedDuringGenerationIsAsked(t *testing.T) {
	for _, c := range []struct{ button, saved string }{
		{"Keep the edited prompt", "Return four"},
		{"Use the prompt it answers", "Return three, named"},
	} {
		t.Run(c.button, func(t *testing.T) {
			s, store, w := newTestStudio(t, ".total:int:3\nreturn:x:@.total\n")
			scriptedText(s, "Return three")
			generateScripted(t, s)
			if top := overlay(w); top != nil {
				t.Fatalf("a generation of an unedited prompt asked: %q", overlayText(w))
			}
			server := s.opts.Server.(*scriptedServer)
			scriptedText(s, "Return three, named")
			server.mu.Lock() // the model answers once the prompt is edited
			s.Prompt.Generate()
			s.Prompt.prompt.SetText("Return four")
			server.mu.Unlock()
			s.Prompt.Wait()
			waitFor(t, func() bool { return strings.HasPrefix(s.Prompt.state.Text, "Generated in") }, func() string { return s.Prompt.state.Text })
			if !strings.Contains(s.Doc.Text(), ".total") {
				t.Fatalf("the generated tree was not loaded: %q", s.Doc.Text())
			}
			text := overlayText(w)
			if !strings.Contains(text, "“Return three, named”") || !strings.Contains(text, "“Return four”") {
				t.Fatalf("the question does not show both prompts: %q", text)
			}
			pick := dialogButton(t, w, c.button)
			if b, ok := w.Canvas().Focused().(*formButton); !ok || b.Text != "Keep the edited prompt" {
				t.Errorf("the question opened with the focus on %v, not on keeping the edit", w.Canvas().Focused())
			}
			test.Tap(pick)
			if overlay(w) != nil {
				t.Fatal("the question stayed open")
			}
			if s.Prompt.prompt.Text != c.saved {
				t.Fatalf("prompt box %q, want %q", s.Prompt.prompt.Text, c.saved)
			}
			s.Save(dataset.StatusDraft)
			if got, err := store.Snippet(context.Background(), s.open.ID); err != nil || got.Prompt != c.saved || !strings.Contains(got.Code, ".total") {
				t.Errorf("saved %+v (%v; %s), want the prompt %q", got, err, s.Message(), c.saved)
			}
		})
	}
}

// What the prompt bar says about a finished generation belongs to the
// tree it made: opening another snippet clears it.
func TestOpeningClearsTheLastGenerationsState(t *testing.T) {
	s, _, _ := newTestStudio(t, ".total:int:3\nreturn:x:@.total\n")
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	scriptedText(s, "Return three")
	generateScripted(t, s)
	s.Save(dataset.StatusDraft)
	openRow(t, s, "sum")
	if s.Prompt.state.Text != "" || s.Prompt.stateBox.Visible() {
		t.Errorf("after opening another snippet the bar still says %q", s.Prompt.state.Text)
	}
}

// Saving while a generation runs is refused: the prompt box holds the
// prompt being answered, the editor a tree that does not answer it.
func TestSaveRefusedWhileGenerating(t *testing.T) {
	s, store, w := newTestStudio(t, ".total:int:3\nreturn:x:@.total\n")
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	server := s.opts.Server.(*scriptedServer)
	scriptedText(s, "Return three")
	server.mu.Lock() // the model answers after the save is tried
	s.Prompt.Generate()
	s.Save(dataset.StatusDraft)
	saving := s.Message()
	s.saveFile()
	server.mu.Unlock()
	if !strings.Contains(saving, "a generation is running") {
		t.Errorf("message %q", saving)
	}
	if !strings.Contains(s.Message(), "a generation is running") || overlay(w) != nil {
		t.Errorf("Save .hl… during the generation: message %q, picker open %v", s.Message(), overlay(w) != nil)
	}
	if got, _ := store.Snippet(context.Background(), sum.ID); got.Version != 1 {
		t.Errorf("snippet %d saved during the generation: version %d, prompt %q", sum.ID, got.Version, got.Prompt)
	}
	s.Prompt.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(s.Prompt.state.Text, "Generated in") }, func() string { return s.Prompt.state.Text })
	s.Save(dataset.StatusDraft)
	if got, _ := store.Snippet(context.Background(), sum.ID); got.Version != 2 || got.Prompt != "Return three" || !strings.Contains(got.Code, ".total") {
		t.Errorf("after the generation: %+v (%s)", got, s.Message())
	}
}

// Save draft (Ctrl+S) of an approved snippet nobody changed leaves it as it
// is: out of habit it took the approval back, and the snippet left the
// exports. Once edited, Save draft saves a draft version (the edit awaits
// approval), and Save approved of an unchanged draft approves it.
func TestSaveDraftOfAnUnchangedApprovedSnippetKeepsIt(t *testing.T) {
	s, store, _ := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	if sum.Status != dataset.StatusApproved {
		t.Fatalf("the sample is %s", sum.Status)
	}
	s.Save(dataset.StatusDraft)
	got, _ := store.Snippet(context.Background(), sum.ID)
	if got.Status != dataset.StatusApproved || got.Version != 1 || !strings.Contains(s.Message(), "stays approved") {
		t.Fatalf("an unchanged Save draft: %s, version %d (%s)", got.Status, got.Version, s.Message())
	}
	s.Doc.AddSibling(RootID, ".note")
	s.Save(dataset.StatusDraft)
	if got, _ = store.Snippet(context.Background(), sum.ID); got.Status != dataset.StatusDraft || got.Version != 2 {
		t.Fatalf("an edited Save draft: %s, version %d (%s)", got.Status, got.Version, s.Message())
	}
	s.Save(dataset.StatusApproved)
	if got, _ = store.Snippet(context.Background(), sum.ID); got.Status != dataset.StatusApproved || got.Version != 3 {
		t.Fatalf("Save approved of the unchanged draft: %s, version %d (%s)", got.Status, got.Version, s.Message())
	}
}

// Ctrl+Enter in the prompt generates, as in the multi-line inputs that
// send; the prompt's other shortcuts stay the entry's.
func TestCtrlEnterInThePromptGenerates(t *testing.T) {
	s, _, _ := newTestStudio(t, ".total:int:3\nreturn:x:@.total\n")
	scriptedText(s, "Return three")
	s.Prompt.prompt.TypedShortcut(&fyne.ShortcutSelectAll{})
	if s.Prompt.prompt.SelectedText() != "Return three" || s.Prompt.Generating() {
		t.Fatalf("Ctrl+A: selected %q, generating %v", s.Prompt.prompt.SelectedText(), s.Prompt.Generating())
	}
	s.Prompt.prompt.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	s.Prompt.Wait()
	waitFor(t, func() bool { return strings.HasPrefix(s.Prompt.state.Text, "Generated in") }, func() string { return s.Prompt.state.Text })
	if !strings.Contains(s.Doc.Text(), ".total") {
		t.Fatalf("the tree: %q", s.Doc.Text())
	}
}
