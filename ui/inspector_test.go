package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"hlstudio/whitelist"
)

func inspectorWindow(t *testing.T, src, policy, path string) (*Inspector, *Document) {
	t.Helper()
	test.NewTempApp(t)
	d := mustDoc(t, src, policy)
	i := NewInspector(d)
	w := test.NewTempWindow(t, i)
	w.Resize(fyne.NewSize(500, 600))
	i.SetNode(byPath(t, d, path))
	return i, d
}

// retype replaces an entry's text the way a person does: select all,
// type the new text.
func retype(e interface {
	fyne.Focusable
	fyne.Shortcutable
}, text string) {
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	test.Type(e, text)
}

func TestInspectorShowsNode(t *testing.T) {
	i, _ := inspectorWindow(t, "if\r\n   .cond:int:42\r\n", "pure", "/0/0")
	for _, tc := range []struct{ what, got, want string }{
		{"name", i.name.Text, ".cond"},
		{"type", i.typ.Selected, "int"},
		{"value", i.value.Text, "42"},
		{"path", i.path.Text, "/0/0   [if] / [.cond]"},
		{"hint", i.hint.Text, typeHints["int"]},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.what, tc.got, tc.want)
		}
	}
	if !strings.HasPrefix(i.Finding(), "Data") {
		t.Errorf("finding %q", i.Finding())
	}
	if len(i.typ.Options) != 22 { // the 21 types and "no value"
		t.Errorf("%d type options", len(i.typ.Options))
	}
	i.SetNode(RootID)
	if i.stack.Objects[0] != i.empty {
		t.Errorf("no node selected, but the form shows")
	}
}

func TestInspectorRenameRelabels(t *testing.T) {
	i, d := inspectorWindow(t, "if\r\n   .cond:bool:true\r\n   .lambda\r\n      .x\r\n", "pure", "/0/1/0")
	retype(i.name, "made.up.slot")
	f, _ := d.Finding(i.Node())
	if d.Node(i.Node()).Name != "made.up.slot" || f.Label != whitelist.LabelUnknownSlot {
		t.Fatalf("typed name gave %q labelled %v", d.Node(i.Node()).Name, f.Label)
	}
	if !strings.Contains(i.Finding(), "no slot is named made.up.slot") || i.finding.Importance != widget.DangerImportance {
		t.Fatalf("finding %q drawn %v", i.Finding(), i.finding.Importance)
	}
	retype(i.name, "log.info")
	if want := "log.info is not allowed by policy pure"; !strings.Contains(i.Finding(), want) {
		t.Fatalf("finding %q lacks %q", i.Finding(), want)
	}
	// All that typing is one undo step.
	d.Undo()
	if i.name.Text != ".x" || d.CanUndo() {
		t.Fatalf("after undo the name shows %q (more steps: %v)", i.name.Text, d.CanUndo())
	}
	if !strings.HasPrefix(i.Finding(), "Data") {
		t.Fatalf("finding after undo %q", i.Finding())
	}
}

func TestInspectorValidatesValues(t *testing.T) {
	i, d := inspectorWindow(t, ".x:int:1\r\n", "pure", "/0")
	for _, tc := range []struct {
		typ, text string
		bad       string // part of the inline message; "" when accepted
		want      string // the node's text after
	}{
		{"int", "abc", `cannot convert "abc" to int`, ".x:int:1"},
		{"int", "42", "", ".x:int:42"},
		{"guid", "42", "to guid", ".x:int:42"},
		{"guid", "0f8fad5b-d9cb-469f-a165-70867728950e", "", ".x:guid:0f8fad5b-d9cb-469f-a165-70867728950e"},
		// Typed a key at a time: "../" was valid and stays until the text is.
		{"x", "../[", "is not closed", ".x:x:../"},
		{"string", "hello", "", ".x:hello"},
		{NoValue, "", "", ".x"},
		{"node", "a\n   b:int:2", "", ".x:node:@\"a\r\n   b:int:2\r\n\""},
	} {
		i.typ.SetSelected(tc.typ)
		if tc.typ != NoValue {
			retype(i.value, tc.text)
		}
		if got := i.ValueError(); tc.bad == "" && got != "" || !strings.Contains(got, tc.bad) {
			t.Errorf("%s %q: inline error %q, want %q", tc.typ, tc.text, got, tc.bad)
		}
		if got := strings.TrimSuffix(d.Text(), "\r\n"); got != tc.want {
			t.Errorf("%s %q: tree %q, want %q", tc.typ, tc.text, got, tc.want)
		}
		if tc.typ == NoValue != i.value.Disabled() {
			t.Errorf("%s: value entry disabled %v", tc.typ, i.value.Disabled())
		}
	}
}

func TestInspectorFollowsOtherEdits(t *testing.T) {
	i, d := inspectorWindow(t, ".a:int:1\r\n.b\r\n", "pure", "/0")
	other := byPath(t, d, "/1")
	i.typ.SetSelected("int")
	retype(i.value, "oops")
	d.SetName(other, "renamed") // a change elsewhere keeps the half-typed value
	if i.value.Text != "oops" || i.ValueError() == "" {
		t.Fatalf("value %q error %q", i.value.Text, i.ValueError())
	}
	d.SetValue(i.Node(), "long", "7") // a change of this node shows
	if i.typ.Selected != "long" || i.value.Text != "7" || i.ValueError() != "" {
		t.Fatalf("shows %s %q error %q", i.typ.Selected, i.value.Text, i.ValueError())
	}
	d.Delete(i.Node())
	if i.Node() != RootID {
		t.Fatalf("still shows a deleted node")
	}
}

// A misspelt slot gets a one-click rename to the near miss, undone in one
// step; a reference slot the runtime lacks, or an invented name, gets none.
func TestInspectorOffersTheNearMiss(t *testing.T) {
	i, d := inspectorWindow(t, ".a:1\r\nget-vaule:x:@.a\r\nmail.pop3.fetch\r\nstrings.reverse:abc\r\n", "pure", "/1")
	if i.Fix() != "get-value" || !i.fix.Visible() || i.fix.Text != "Rename to get-value" {
		t.Fatalf("fix %q shown %v text %q; finding %q", i.Fix(), i.fix.Visible(), i.fix.Text, i.Finding())
	}
	test.Tap(i.fix)
	if f, _ := d.Finding(i.Node()); d.Node(i.Node()).Name != "get-value" || f.Label != whitelist.LabelAllowed {
		t.Fatalf("after the fix: %q labelled %v", d.Node(i.Node()).Name, f.Label)
	}
	if i.fix.Visible() || i.name.Text != "get-value" {
		t.Fatalf("after the fix the button shows %v and the name field %q", i.fix.Visible(), i.name.Text)
	}
	d.Undo()
	if d.Node(i.Node()).Name != "get-vaule" || !i.fix.Visible() {
		t.Fatalf("undo gave %q, fix shown %v", d.Node(i.Node()).Name, i.fix.Visible())
	}
	for _, path := range []string{"/2", "/3"} {
		i.SetNode(byPath(t, d, path))
		if i.Fix() != "" || i.fix.Visible() {
			t.Errorf("%s: offers %q", d.Node(i.Node()).Name, i.Fix())
		}
	}
}

// The inspector's value and the request's headers and cookies take several
// lines, and Tab still moves on from them: Fyne's multi-line entry kept Tab
// and typed it into the value (and the run panel's argument labels).
func TestMultiLineFieldsLetTabMoveOn(t *testing.T) {
	test.NewTempApp(t)
	i := NewInspector(mustDoc(t, ".a:x\r\n", "pure"))
	f := newRequestForm(func() {})
	for name, e := range map[string]*formEntry{"inspector value": i.value, "headers": f.headers, "cookies": f.cookies} {
		if !e.MultiLine || e.AcceptsTab() {
			t.Errorf("%s: multi-line %v, keeps Tab %v", name, e.MultiLine, e.AcceptsTab())
		}
	}
}
