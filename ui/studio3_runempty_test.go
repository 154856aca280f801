package ui

import (
	"strings"
	"testing"
)

// Audit 23: with every node deleted the run panel says "The tree is
// empty." and disables Approve & Run, but Ctrl+R (the Tree menu's
// "Approve & run", which calls RunPanel.Run directly) still runs the
// empty tree: the status turns to "Finished in …" and a run of nothing
// is recorded in the library's runs. Run must refuse what the button
// refuses.
func TestCtrlROnEmptyTreeDoesNotRun(t *testing.T) {
	s, store, _ := newTestStudio(t)
	s.Library.WaitSearch()
	waitFor(t, func() bool { return s.Library.length() == 5 }, func() string { return s.Library.count.Text })
	openRow(t, s, "sum")
	for s.Doc.Len() > 0 {
		s.Editor.Tree.Select(s.Doc.ChildIDs(RootID)[0])
		s.Editor.Tree.Do(ActDelete)
	}
	if !s.Runner.run.Disabled() || !strings.Contains(s.Runner.status.Text, "empty") {
		t.Fatalf("setup: run enabled %v, status %q", !s.Runner.run.Disabled(), s.Runner.status.Text)
	}
	var run func()
	for _, m := range s.MainMenu(func() {}).Items {
		for _, it := range m.Items {
			if it.Label == "Approve & run" {
				run = it.Action
			}
		}
	}
	if run == nil {
		t.Fatal("no Approve & run menu item")
	}
	run() // Ctrl+R
	s.Runner.Wait()
	drainUI()
	if !strings.Contains(s.Runner.status.Text, "empty") {
		t.Errorf("Ctrl+R ran the empty tree: status %q", s.Runner.status.Text)
	}
	if runs, err := store.Runs(t.Context(), "", 0); err != nil || len(runs) != 0 {
		t.Errorf("%d run(s) recorded of an empty tree (%v)", len(runs), err)
	}
}
