package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// In a short inspector pane (the studio gives it about 270 points), a
// newly selected node is shown from its top, and a problem node's reason
// and fix button are in view without scrolling.
func TestInspectorShowsProblemWithoutScrolling(t *testing.T) {
	d := useDesktopDriver(t)
	long := strings.Repeat("a long value that wraps over many lines ", 20)
	doc := mustDoc(t, ".a:\""+long+"\"\r\nget-vaule:x:@.a\r\nlog.info:hello\r\n.c\r\n", "pure")
	i := NewInspector(doc)
	w := test.NewTempWindow(t, i)
	w.Resize(fyne.NewSize(420, 270))
	scroll := i.content.(*container.Scroll)

	// In view: from the scroll's top to its bottom, as drawn.
	inView := func(o fyne.CanvasObject) bool {
		top := d.absY(t, scroll)
		y := d.absY(t, o)
		return y >= top && y+o.Size().Height <= top+scroll.Size().Height
	}

	i.SetNode(byPath(t, doc, "/0"))
	scroll.Refresh()
	d.frame()
	scroll.ScrollToBottom() // read the end of the long value
	d.frame()
	if scroll.Offset.Y == 0 {
		t.Fatal("the inspector does not scroll: the test shows nothing")
	}

	i.SetNode(byPath(t, doc, "/1")) // get-vaule: an unknown slot, a fix offered
	d.frame()
	if scroll.Offset.Y != 0 {
		t.Errorf("another node is shown scrolled by %v", scroll.Offset.Y)
	}
	if !strings.Contains(i.Finding(), "no slot is named get-vaule") || i.Fix() != "get-value" {
		t.Fatalf("finding %q, fix %q", i.Finding(), i.Fix())
	}
	scroll.ScrollToTop() // as a person sees it first, however it got there
	d.frame()
	for name, o := range map[string]fyne.CanvasObject{"reason": i.finding, "fix button": i.fix, "name field": i.name} {
		if !inView(o) {
			t.Errorf("unknown slot: the %s is out of view (at %v, the pane %v to %v)", name, d.absY(t, o),
				d.absY(t, scroll), d.absY(t, scroll)+scroll.Size().Height)
		}
	}

	i.SetNode(byPath(t, doc, "/2")) // log.info: denied under pure
	d.frame()
	if !inView(i.finding) || !strings.Contains(i.Finding(), "not allowed") {
		t.Errorf("denied: the reason %q is out of view", i.Finding())
	}

	// Taking the fix makes the node allowed: the words go back under the
	// fields, which stay in view.
	i.SetNode(byPath(t, doc, "/1"))
	d.frame()
	test.Tap(i.fix)
	d.frame()
	if d.absY(t, i.finding) < d.absY(t, i.name) {
		t.Errorf("an allowed node's finding %q is above the fields", i.Finding())
	}
	if !inView(i.name) {
		t.Error("the name field is out of view")
	}

	// Typing a name the check rejects does not move the name field under
	// the cursor; Enter puts the reason on top.
	i.FocusName()
	d.frame()
	at := d.absY(t, i.name)
	typeText(t, w, "made.up.slot")
	d.frame()
	if i.doc.Node(i.Node()).Name != "made.up.slot" || !strings.Contains(i.Finding(), "no slot is named") {
		t.Fatalf("typed %q: finding %q", i.doc.Node(i.Node()).Name, i.Finding())
	}
	if y := d.absY(t, i.name); y != at {
		t.Errorf("typing moved the name field from %v to %v", at, y)
	}
	key(t, w, fyne.KeyReturn)
	d.frame()
	if d.absY(t, i.finding) > d.absY(t, i.name) || !inView(i.finding) {
		t.Errorf("after Enter the reason is not on top, in view")
	}
}
