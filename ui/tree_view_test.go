package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/hyperlambda"
)

// A second lambda with the same shape (so the same row ids) shows its own
// values, not the rows cached from the first.
func TestTreeViewShowsNewRootWithSameIDs(t *testing.T) {
	test.NewTempApp(t)
	v := NewTreeView()
	w := test.NewWindow(v)
	defer w.Close()
	w.Resize(fyne.NewSize(400, 300))
	parse := func(src string) *hyperlambda.Node {
		n, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	v.SetRoot(parse(".r:int:1\r\n   a:first\r\n"))
	v.SetRoot(parse(".r:int:2\r\n   a:second\r\n"))
	var texts []string
	for _, o := range test.LaidOutObjects(v) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && l.Text != "" {
			texts = append(texts, l.Text)
		}
	}
	want := map[string]bool{".r:int:2": false, "a:second": false}
	for _, s := range texts {
		if _, ok := want[s]; ok {
			want[s] = true
		}
		if s == ".r:int:1" || s == "a:first" {
			t.Errorf("a row of the first lambda is still shown: %q (all: %q)", s, texts)
		}
	}
	for s, seen := range want {
		if !seen {
			t.Errorf("row %q not shown (all: %q)", s, texts)
		}
	}
}
