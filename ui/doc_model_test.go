package ui

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/internal/hlgen"
	"hlstudio/whitelist"
)

// One vocabulary for all tests: building it registers every slot.
var editVocab = vocab.New()

func mustPolicy(t testing.TB, name string) *whitelist.Policy {
	t.Helper()
	p, err := BuiltinPolicy(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustDoc(t testing.TB, src, policy string) *Document {
	t.Helper()
	d, err := ParseDocument(src, editVocab, mustPolicy(t, policy))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// byPath finds a node's id by its child-index path, e.g. "/0/1".
func byPath(t testing.TB, d *Document, path string) widget.TreeNodeID {
	t.Helper()
	var id widget.TreeNodeID
	found := false
	d.Root().Walk(func(n *hyperlambda.Node) bool {
		if n != d.Root() && n.Path() == path {
			id, found = d.ID(n), true
		}
		return !found
	})
	if !found {
		t.Fatalf("no node at %s in\n%s", path, d.Text())
	}
	return id
}

// sampleAt opens sampleHL and finds the node at path ("" for the root).
func sampleAt(t *testing.T, path string) (*Document, widget.TreeNodeID) {
	d := mustDoc(t, sampleHL, "pure")
	if path == "" {
		return d, RootID
	}
	return d, byPath(t, d, path)
}

// lines is canonical text as one line per node, "|" joined, for compact
// expectations.
func joinLines(text string) string {
	return strings.Join(strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n"), "|")
}

const sampleHL = ".a\r\n   .x:int:1\r\n.b\r\n.c\r\n   .y\r\n"

func TestEdits(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string
		edit func(d *Document, id widget.TreeNodeID) error
		want string
	}{
		{"add child", "/0", func(d *Document, id widget.TreeNodeID) error { _, err := d.AddChild(id, "z"); return err },
			".a|   .x:int:1|   z|.b|.c|   .y"},
		{"add child to root", "", func(d *Document, id widget.TreeNodeID) error { _, err := d.AddChild(RootID, ""); return err },
			".a|   .x:int:1|.b|.c|   .y|.new"},
		{"add sibling", "/0/0", func(d *Document, id widget.TreeNodeID) error { _, err := d.AddSibling(id, "z"); return err },
			".a|   .x:int:1|   z|.b|.c|   .y"},
		{"delete", "/0", func(d *Document, id widget.TreeNodeID) error { _, err := d.Delete(id); return err },
			".b|.c|   .y"},
		{"move up", "/1", func(d *Document, id widget.TreeNodeID) error { return d.MoveUp(id) },
			".b|.a|   .x:int:1|.c|   .y"},
		{"move down", "/0", func(d *Document, id widget.TreeNodeID) error { return d.MoveDown(id) },
			".b|.a|   .x:int:1|.c|   .y"},
		{"indent", "/1", func(d *Document, id widget.TreeNodeID) error { return d.Indent(id) },
			".a|   .x:int:1|   .b|.c|   .y"},
		{"outdent", "/0/0", func(d *Document, id widget.TreeNodeID) error { return d.Outdent(id) },
			".a|.x:int:1|.b|.c|   .y"},
		{"duplicate", "/0", func(d *Document, id widget.TreeNodeID) error { _, err := d.Duplicate(id); return err },
			".a|   .x:int:1|.a|   .x:int:1|.b|.c|   .y"},
		{"copy paste", "/0", func(d *Document, id widget.TreeNodeID) error {
			if err := d.Copy(id); err != nil {
				return err
			}
			_, err := d.Paste(d.ParentID(byPath(t, d, "/2/0")))
			return err
		}, ".a|   .x:int:1|.b|.c|   .y|.a|   .x:int:1"},
		{"cut paste into", "/0", func(d *Document, id widget.TreeNodeID) error {
			if _, err := d.Cut(id); err != nil {
				return err
			}
			_, err := d.PasteInto(byPath(t, d, "/1/0"))
			return err
		}, ".b|.c|   .y|      .a|         .x:int:1"},
		{"rename", "/1", func(d *Document, id widget.TreeNodeID) error { return d.SetName(id, "if") },
			".a|   .x:int:1|if|.c|   .y"},
		{"set value", "/0/0", func(d *Document, id widget.TreeNodeID) error { return d.SetValue(id, "decimal", "5.50") },
			".a|   .x:decimal:5.50|.b|.c|   .y"},
		{"remove value", "/0/0", func(d *Document, id widget.TreeNodeID) error { return d.SetValue(id, "", "") },
			".a|   .x|.b|.c|   .y"},
		{"set type", "/0/0", func(d *Document, id widget.TreeNodeID) error { return d.SetType(id, "long") },
			".a|   .x:long:1|.b|.c|   .y"},
		{"replace", "", func(d *Document, id widget.TreeNodeID) error { return d.Replace(".q:x:../*\r\n") },
			".q:x:../*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, id := sampleAt(t, tc.path)
			before := d.Text()
			if err := tc.edit(d, id); err != nil {
				t.Fatal(err)
			}
			if got := joinLines(d.Text()); got != tc.want {
				t.Fatalf("after %s:\n got %s\nwant %s", tc.name, got, tc.want)
			}
			checkIndex(t, d)
			for d.CanUndo() {
				d.Undo()
			}
			if got := d.Text(); got != before {
				t.Fatalf("undo all: got %q, want %q", got, before)
			}
			checkIndex(t, d)
			for d.CanRedo() {
				d.Redo()
			}
			if got := joinLines(d.Text()); got != tc.want {
				t.Fatalf("redo all:\n got %s\nwant %s", got, tc.want)
			}
			checkIndex(t, d)
		})
	}
}

// checkIndex verifies that the id index, child-id cache and labels agree
// with the tree.
func checkIndex(t *testing.T, d *Document) {
	t.Helper()
	count := 0
	d.Root().Walk(func(n *hyperlambda.Node) bool {
		id := d.ID(n)
		if n != d.Root() {
			count++
			if id == RootID || d.Node(id) != n {
				t.Fatalf("node %s at %s: id %q does not find it", n.Name, n.Path(), id)
			}
			if _, ok := d.Finding(id); !ok {
				t.Fatalf("node %s at %s has no label", n.Name, n.Path())
			}
		}
		kids := d.ChildIDs(id)
		if len(kids) != n.Len() {
			t.Fatalf("node %s: %d child ids for %d children", n.Name, len(kids), n.Len())
		}
		for i, k := range kids {
			if d.Node(k) != n.Child(i) {
				t.Fatalf("node %s: child id %d is stale", n.Name, i)
			}
		}
		return true
	})
	if count != d.Len() {
		t.Fatalf("index holds %d nodes, tree has %d", d.Len(), count)
	}
}

func TestRefusedEdits(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		edit       func(d *Document, id widget.TreeNodeID) error
	}{
		{"move first up", "/0", func(d *Document, id widget.TreeNodeID) error { return d.MoveUp(id) }},
		{"move last down", "/2", func(d *Document, id widget.TreeNodeID) error { return d.MoveDown(id) }},
		{"indent first", "/0", func(d *Document, id widget.TreeNodeID) error { return d.Indent(id) }},
		{"outdent top", "/1", func(d *Document, id widget.TreeNodeID) error { return d.Outdent(id) }},
		{"delete root", "", func(d *Document, id widget.TreeNodeID) error { _, err := d.Delete(RootID); return err }},
		{"paste nothing", "/0", func(d *Document, id widget.TreeNodeID) error { _, err := d.Paste(id); return err }},
		{"stale id", "", func(d *Document, id widget.TreeNodeID) error { return d.SetName("n999", "x") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, id := sampleAt(t, tc.path)
			before := d.Text()
			err := tc.edit(d, id)
			var ee *EditError
			if !errors.As(err, &ee) || ee.Reason == "" {
				t.Fatalf("got %v, want an *EditError with a reason", err)
			}
			if d.Text() != before || d.CanUndo() {
				t.Fatalf("a refused edit changed the document")
			}
		})
	}
}

func TestBadValueIsRejectedWithConverterMessage(t *testing.T) {
	d := mustDoc(t, sampleHL, "pure")
	id := byPath(t, d, "/0/0")
	for _, tc := range []struct{ typ, text string }{
		{"int", "abc"}, {"int", "99999999999"}, {"guid", "nope"}, {"bool", "true"}, {"x", "../["}, {"date", "yesterday"},
	} {
		err := d.SetValue(id, tc.typ, tc.text)
		if tc.typ == "bool" { // the reference accepts any text for bool
			if err != nil {
				t.Fatalf("bool: %v", err)
			}
			continue
		}
		var ee *EditError
		if !errors.As(err, &ee) || ee.Err == nil {
			t.Fatalf("%s %q: got %v, want an EditError with the converter's cause", tc.typ, tc.text, err)
		}
		_, convErr := hyperlambda.ConvertText(tc.text, tc.typ)
		if !strings.Contains(err.Error(), convErr.Error()) {
			t.Errorf("%s %q: message %q lacks the converter's %q", tc.typ, tc.text, err, convErr)
		}
	}
	if got := joinLines(d.Text()); got != ".a|   .x:bool:true|.b|.c|   .y" {
		t.Fatalf("tree after rejected values: %s", got)
	}
}

func TestIDsAreStable(t *testing.T) {
	d := mustDoc(t, sampleHL, "pure")
	a, x := byPath(t, d, "/0"), byPath(t, d, "/0/0")
	d.MoveDown(a)
	d.Indent(a)
	next, _ := d.Delete(a)
	if next != RootID && d.Node(next) == nil {
		t.Fatalf("delete suggested a dead id %q", next)
	}
	if d.Node(a) != nil || d.Node(x) != nil {
		t.Fatalf("deleted nodes still found by id")
	}
	d.Undo()
	if d.Node(a) == nil || d.Node(a).Name != ".a" || d.Node(x) == nil || d.Node(x).Name != ".x" {
		t.Fatalf("undo did not bring the ids back")
	}
	// Editing the text keeps ids by place.
	y := byPath(t, d, "/1/0")
	if err := d.Replace(".b\r\n   .a2\r\n.c\r\n   .y:changed\r\n"); err != nil {
		t.Fatal(err)
	}
	if n := d.Node(y); n == nil || n.Name != ".y" || n.Value != "changed" {
		t.Fatalf("the node at /1/0 lost its id over a text edit: %v", n)
	}
	checkIndex(t, d)
}

func TestReset(t *testing.T) {
	d := mustDoc(t, sampleHL, "pure")
	old := byPath(t, d, "/0")
	d.Delete(old)
	root, err := hyperlambda.ParseString("log.info:hi\r\n   .x\r\n", parseOptions)
	if err != nil {
		t.Fatal(err)
	}
	d.Reset(root)
	if d.CanUndo() || d.CanRedo() || d.Node(old) != nil || d.Len() != 2 || d.Blocking() != 1 {
		t.Fatalf("after reset: undo %v, old id live %v, %d nodes, %d blocking", d.CanUndo(), d.Node(old) != nil, d.Len(), d.Blocking())
	}
	checkIndex(t, d)
}

func TestTypingIsOneUndoStep(t *testing.T) {
	d := mustDoc(t, sampleHL, "pure")
	id := byPath(t, d, "/1")
	for _, name := range []string{"l", "lo", "log", "log.info"} {
		d.setName(id, name, true)
	}
	d.EndTyping()
	d.setName(id, "log.infos", true)
	if d.UndoName() != "rename" {
		t.Fatalf("undo name %q", d.UndoName())
	}
	d.Undo()
	if got := d.Node(id).Name; got != "log.info" {
		t.Fatalf("first undo: %q, want log.info", got)
	}
	d.Undo()
	if got := d.Node(id).Name; got != ".b" {
		t.Fatalf("second undo: %q, want .b", got)
	}
	if d.CanUndo() {
		t.Fatalf("typing left more than two steps")
	}
}

func TestLabelsFollowEdits(t *testing.T) {
	d := mustDoc(t, "if\r\n   .cond:bool:true\r\n   .lambda\r\n      .x\r\n", "pure")
	id := byPath(t, d, "/0/1/0")
	changes := 0
	d.OnChange(func() { changes++ })
	for _, tc := range []struct {
		name   string
		policy string
		label  whitelist.Label
		words  string
	}{
		{"made.up.slot", "pure", whitelist.LabelUnknownSlot, "Unknown slot: no slot is named made.up.slot. A run would fail here; is the name misspelt or invented?"},
		{"mail.pop3.fetch", "pure", whitelist.LabelUnknownSlot, "Unknown slot: mail.pop3.fetch is a slot of the reference runtime (magic.lambda.mail) that hlstudio does not provide. A run would fail here: do it with the slots hlstudio has."},
		{"strings.concatt", "pure", whitelist.LabelUnknownSlot, "Unknown slot: no slot is named strings.concatt; did you mean strings.concat? A run would fail here."},
		{"log.info", "pure", whitelist.LabelDenied, "Denied: log.info is not allowed by policy pure: it has effects logs"},
		{"log.info", "sandbox", whitelist.LabelAllowed, "Allowed: log.info may run under policy sandbox"},
		{"signal", "sandbox", whitelist.LabelDynamic, "Dynamic: signal reaches code chosen at run time"},
		{".x", "sandbox", whitelist.LabelData, "Data"},
	} {
		if err := d.SetName(id, tc.name); err != nil {
			t.Fatal(err)
		}
		if d.Policy().Name != tc.policy {
			d.SetPolicy(mustPolicy(t, tc.policy))
		}
		f, ok := d.Finding(id)
		if !ok || f.Label != tc.label {
			t.Fatalf("%s under %s: label %v, want %v", tc.name, tc.policy, f.Label, tc.label)
		}
		if got := d.Describe(id); !strings.HasPrefix(got, tc.words) {
			t.Errorf("%s under %s: %q, want it to start %q", tc.name, tc.policy, got, tc.words)
		}
		if wantBlocking := tc.label.Blocking(); (d.Blocking() > 0) != wantBlocking {
			t.Errorf("%s: blocking count %d", tc.name, d.Blocking())
		}
	}
	if changes < 5 {
		t.Fatalf("listeners ran %d times", changes)
	}
}

func TestFind(t *testing.T) {
	d := mustDoc(t, ".a\r\n   .x:int:1\r\n.b:alpha\r\n.c\r\n   .A\r\n", "pure")
	if got := len(d.Find("a")); got != 3 { // .a, alpha, .A
		t.Fatalf("Find(a): %d matches", got)
	}
	want := []string{"/0", "/1", "/2/0", "/0"}
	id := RootID
	for _, p := range want {
		id, _ = d.FindNext("a", id, false)
		if got := d.Node(id).Path(); got != p {
			t.Fatalf("next: %s, want %s", got, p)
		}
	}
	for _, p := range []string{"/2/0", "/1", "/0", "/2/0"} {
		id, _ = d.FindNext("a", id, true)
		if got := d.Node(id).Path(); got != p {
			t.Fatalf("previous: %s, want %s", got, p)
		}
	}
	if id, ok := d.FindNext("1", RootID, false); !ok || d.Node(id).Name != ".x" {
		t.Fatalf("find by value failed")
	}
	if _, ok := d.FindNext("zzz", RootID, false); ok {
		t.Fatalf("found what is not there")
	}
}

func TestReplaceKeepsLastGoodTree(t *testing.T) {
	d := mustDoc(t, sampleHL, "pure")
	before := d.Text()
	err := d.Replace(".a\r\n      .too-deep\r\n")
	var se *hyperlambda.SyntaxError
	if !errors.As(err, &se) || se.Pos.Line != 2 {
		t.Fatalf("got %v, want a syntax error on line 2", err)
	}
	if d.Text() != before || d.CanUndo() {
		t.Fatalf("a bad text changed the tree")
	}
	// Layout-only changes are no edit.
	if err := d.Replace(strings.ReplaceAll(before, "\r\n", "\n")); err != nil || d.CanUndo() {
		t.Fatalf("layout-only change: %v, undo %v", err, d.CanUndo())
	}
}

// bigDoc is a realistic tree of at least n nodes from the snippet generator.
func bigDoc(tb testing.TB, n int) *Document {
	tb.Helper()
	r := rand.New(rand.NewSource(1))
	var b strings.Builder
	for target := n; ; {
		for lines := strings.Count(b.String(), "\n"); lines < target; {
			s := hlgen.Snippet(r)
			b.WriteString(s)
			lines += strings.Count(s, "\n")
		}
		d, err := ParseDocument(b.String(), editVocab, mustPolicy(tb, "sandbox"))
		if err != nil {
			tb.Fatal(err)
		}
		if d.Len() >= n { // multi-line comments are fewer nodes than lines
			return d
		}
		target += n - d.Len()
	}
}

func TestBigDocument(t *testing.T) {
	d := bigDoc(t, 10000)
	if d.Len() < 10000 {
		t.Fatalf("only %d nodes", d.Len())
	}
	id := d.ChildIDs(RootID)[3]
	d.SetName(id, "no.such.slot")
	if f, _ := d.Finding(id); f.Label != whitelist.LabelUnknownSlot {
		t.Fatalf("label %v", f.Label)
	}
	checkIndex(t, d)
}

// BenchmarkEditRelabel is one edit with relabelling of a 10,000-node tree,
// the work behind a keystroke in the inspector; BenchmarkCheckBaseline is
// the bare static check of the same tree, for the ratio.
func BenchmarkEditRelabel(b *testing.B) {
	d := bigDoc(b, 10000)
	id := d.ChildIDs(RootID)[len(d.ChildIDs(RootID))/2]
	names := [2]string{"log.info", "strings.concat"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.SetName(id, names[i&1])
	}
	b.ReportMetric(float64(d.Len()), "nodes")
}

func BenchmarkCheckBaseline(b *testing.B) {
	d := bigDoc(b, 10000)
	p := d.Policy()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		whitelist.Check(d.Root(), editVocab, p)
	}
	b.ReportMetric(float64(d.Len()), "nodes")
}

func BenchmarkLoad(b *testing.B) {
	text := bigDoc(b, 10000).Text()
	p := mustPolicy(b, "sandbox")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ParseDocument(text, editVocab, p); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleDocument() {
	pure, _ := BuiltinPolicy("pure")
	d, _ := ParseDocument("if\n   .cond:bool:true\n   .lambda\n      log.info:hi\n", editVocab, pure)
	lambda := d.ChildIDs(d.ChildIDs(RootID)[0])[1]
	id := d.ChildIDs(lambda)[0]
	fmt.Println(d.Describe(id))

	d.SetName(id, "strings.concat")
	fmt.Println(d.Describe(id))
	fmt.Println(d.Blocking(), "blocking")
	sandbox, _ := BuiltinPolicy("sandbox")
	d.SetPolicy(sandbox)
	fmt.Println(d.Describe(id))

	d.Undo()
	fmt.Print(strings.ReplaceAll(d.Text(), "\r\n", "\n"))
	// Output:
	// Denied: log.info is not allowed by policy pure: it has effects logs. The run would stop here.
	// Allowed: strings.concat may run under policy pure (allow effects:pure).
	// 0 blocking
	// Allowed: strings.concat may run under policy sandbox (allow effects:pure, read-files, write-files, db-read, db-write, spawns-code, logs).
	// if
	//    .cond:bool:true
	//    .lambda
	//       log.info:hi
}

// The document knows whether it has unsaved edits: an edit, a generation
// or a retrieved snippet (ReplaceTree) makes it modified; saving, undoing
// back to the saved tree, or opening another tree makes it unmodified; a
// new policy is not an edit. Typing after a save is a new edit even
// though it would otherwise merge into the saved step.
func TestModifiedFollowsEditsSaveAndUndo(t *testing.T) {
	d := mustDoc(t, sampleHL, "pure")
	if d.Modified() {
		t.Fatal("a freshly parsed document is modified")
	}
	d.SetPolicy(mustPolicy(t, "sandbox"))
	if d.Modified() {
		t.Fatal("a new policy counts as an unsaved edit")
	}
	id := byPath(t, d, "/1")
	d.setName(id, "l", true)
	if !d.Modified() {
		t.Fatal("a rename is not an unsaved edit")
	}
	d.MarkSaved()
	if d.Modified() {
		t.Fatal("modified right after MarkSaved")
	}
	d.setName(id, "lo", true) // would merge into the saved step
	if !d.Modified() {
		t.Fatal("typing after a save does not count as an edit")
	}
	d.Undo()
	if d.Modified() {
		t.Fatal("undoing back to the saved tree leaves it modified")
	}
	d.Undo()
	if !d.Modified() {
		t.Fatal("undoing past the saved tree is not a change")
	}
	d.Redo()
	if d.Modified() {
		t.Fatal("redoing back to the saved tree leaves it modified")
	}
	loads := d.Loads()
	root, _ := hyperlambda.ParseString("log.info:hi\n", parseOptions)
	d.ReplaceTree(root, "generate")
	if !d.Modified() || d.Loads() != loads+1 {
		t.Fatalf("a generated tree: modified %v, loads %d (was %d)", d.Modified(), d.Loads(), loads)
	}
	if err := d.Replace("log.info:bye\n"); err != nil || d.Loads() != loads+1 {
		t.Fatalf("editing the text counts as a load: %v, %d", err, d.Loads())
	}
	root, _ = hyperlambda.ParseString("log.info:other\n", parseOptions)
	d.Reset(root)
	if d.Modified() || d.Loads() != loads+2 {
		t.Fatalf("after opening another tree: modified %v, loads %d", d.Modified(), d.Loads())
	}
}
