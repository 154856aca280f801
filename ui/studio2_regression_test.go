package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/dataset"
)

// overlayText is the labels' text of the dialog on top of w.
func overlayText(w fyne.Window) string {
	var texts []string
	if top := overlay(w); top != nil {
		for _, o := range test.LaidOutObjects(top) {
			if l, ok := o.(*widget.Label); ok && l.Visible() {
				texts = append(texts, l.Text)
			}
		}
	}
	return strings.Join(texts, "\n")
}

// A regression pair over a tree with a denied slot stores the snippet's
// code before as bad and the corrected tree as good: the snippet is saved
// as a draft (it cannot be approved) and the tree is saved. It was stored
// with bad = good while the approval failed and the tree stayed unsaved.
func TestStudioRegressionPairDeniedTree(t *testing.T) {
	s, store, _ := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	sum := openRow(t, s, "sum")
	before := s.Doc.Text()
	if err := s.Doc.Replace(before + "http.get:\"https://example.com\"\n"); err != nil {
		t.Fatal(err)
	}
	if s.Doc.Blocking() == 0 {
		t.Fatal("http.get is not denied under the sandbox")
	}
	s.SaveRegression("fetched a page")
	pairs, err := store.Regressions(t.Context(), sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 1 {
		t.Fatalf("%d pairs (message %q)", len(pairs), s.Message())
	}
	p := pairs[0]
	if p.Bad == p.Good || strings.Contains(p.Bad, "http.get") || !strings.Contains(p.Good, "http.get") {
		t.Fatalf("pair bad %q, good %q", p.Bad, p.Good)
	}
	got, _ := store.Snippet(t.Context(), sum.ID)
	if got.Version != 2 || got.Status != dataset.StatusDraft || got.Code != p.Good {
		t.Fatalf("snippet version %d, status %s, code %q", got.Version, got.Status, got.Code)
	}
	if s.Unsaved() {
		t.Fatal("the tree is still unsaved after the pair was saved")
	}
	if m := s.Message(); !strings.Contains(m, "regression pair") || !strings.Contains(m, "draft") {
		t.Fatalf("message %q", m)
	}

	// Unchanged since: refused, nothing stored.
	s.SaveRegression("again")
	if pairs, _ := store.Regressions(t.Context(), sum.ID); len(pairs) != 1 || !strings.Contains(s.Message(), "unchanged") {
		t.Fatalf("an unchanged tree: %d pairs, message %q", len(pairs), s.Message())
	}
}

// "Regression pair…" says at once why there is no pair to save (nothing
// to correct, the tree unchanged) instead of asking for a reason it then
// drops; with a corrected tree it asks.
func TestStudioRegressionPairCheckedBeforeAsking(t *testing.T) {
	s, _, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	s.regressionPair()
	if overlay(w) != nil || !strings.Contains(s.Message(), "needs a generation or an opened snippet") {
		t.Fatalf("nothing to correct: dialog %v, message %q", overlay(w) != nil, s.Message())
	}
	sn := openRow(t, s, "sum")
	s.regressionPair()
	if overlay(w) != nil || !strings.Contains(s.Message(), "unchanged") {
		t.Fatalf("an unchanged tree: dialog %v, message %q", overlay(w) != nil, s.Message())
	}
	// Asked directly, the dialog says why and cannot save.
	s.askRegression()
	if overlay(w) == nil || !dialogButton(t, w, "Save").Disabled() || !strings.Contains(overlayText(w), "unchanged") {
		t.Fatalf("the dialog over an unchanged tree can save")
	}
	test.Tap(dialogButton(t, w, "Cancel"))

	if _, err := s.Doc.AddSibling(RootID, ".note"); err != nil {
		t.Fatal(err)
	}
	s.regressionPair()
	if overlay(w) == nil || dialogButton(t, w, "Save").Disabled() {
		t.Fatalf("a corrected tree: no dialog to save from (message %q)", s.Message())
	}
	test.Tap(dialogButton(t, w, "Save"))
	pairs, err := s.store.Regressions(t.Context(), sn.ID)
	if err != nil || len(pairs) != 1 || pairs[0].Bad == pairs[0].Good {
		t.Fatalf("pairs %+v, %v (message %q)", pairs, err, s.Message())
	}
}

// Broken source text is no corrected tree: the pair is refused with its
// line and column.
func TestStudioRegressionPairBrokenSource(t *testing.T) {
	s, store, w := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	pause := manualSource(s)
	sn := openRow(t, s, "sum")
	typeSource(s.Editor.Source, ".a\n   .x:\"open\n")
	pause()
	s.regressionPair()
	if overlay(w) != nil || !strings.Contains(s.Message(), "line 2, column") {
		t.Fatalf("broken source: dialog %v, message %q", overlay(w) != nil, s.Message())
	}
	if pairs, _ := store.Regressions(t.Context(), sn.ID); len(pairs) != 0 {
		t.Fatalf("%d pairs", len(pairs))
	}
}
