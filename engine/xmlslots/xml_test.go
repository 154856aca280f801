package xmlslots

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// meter is a Budget that records what is counted against it and refuses
// past its limits (0 for none).
type meter struct {
	nodes, steps       int64
	maxNodes, maxSteps int64
	maxOutput          int
	largestAsked       int
	// interruptAfter makes the deadline pass at that check (0: never).
	interruptAfter, checks int
}

var errDeadline = &engine.BudgetError{Budget: "time", Limit: 1, Used: 2}

func (m *meter) Created(n int) error {
	if m.maxNodes > 0 && m.nodes+int64(n) > m.maxNodes {
		return &engine.BudgetError{Budget: "nodes", Limit: m.maxNodes, Used: m.nodes + int64(n)}
	}
	m.nodes += int64(n)
	return nil
}

func (m *meter) Charge(n int64) error {
	if m.maxSteps > 0 && m.steps+n > m.maxSteps {
		return &engine.BudgetError{Budget: "steps", Limit: m.maxSteps, Used: m.steps + n}
	}
	m.steps += n
	return m.Interrupted()
}

func (m *meter) Interrupted() error {
	m.checks++
	if m.interruptAfter > 0 && m.checks >= m.interruptAfter {
		return errDeadline
	}
	return nil
}

func (m *meter) OutputRoom(n int) error {
	m.largestAsked = max(m.largestAsked, n)
	if m.maxOutput > 0 && n > m.maxOutput {
		return &engine.BudgetError{Budget: "output-bytes", Limit: int64(m.maxOutput), Used: int64(n)}
	}
	return nil
}

func unlimited() *meter { return &meter{} }

func format(n *hyperlambda.Node) string {
	return strings.ReplaceAll(hyperlambda.Format([]*hyperlambda.Node{n}, hyperlambda.FormatOptions{}), "\r\n", "\n")
}

// The reference's own round trip: its CATALOG document (with CRLF line
// breaks, as its test file has them) comes back byte for byte.
func TestRoundTripIsByteExact(t *testing.T) {
	src := strings.Join([]string{
		`<CATALOG>`,
		`  <PLANT>`,
		`    <COMMON a="qwertyuio">Bloodroot</COMMON>`,
		`    <BOTANICAL>Sanguinaria canadensis</BOTANICAL>`,
		`    <ZONE>4</ZONE>`,
		`    <EMPTY />`,
		`    <PRICE>$2.44</PRICE>`,
		`  </PLANT>`,
		`</CATALOG>`,
	}, "\r\n")
	n, err := Decode(src, 64, unlimited())
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(n, 64, unlimited())
	if err != nil {
		t.Fatal(err)
	}
	if out != src {
		t.Errorf("got\n%q\nwant\n%q", out, src)
	}
}

// The decoder gives CDATA as text; the offsets must tell them apart also
// when text, CDATA and entities sit next to each other.
func TestCDATAIsToldFromText(t *testing.T) {
	n, err := Decode("<a>x&amp;<![CDATA[<&>]]><![CDATA[]]>y<b/><![CDATA[ ]]> </a>", 8, unlimited())
	if err != nil {
		t.Fatal(err)
	}
	want := "a\n   #text:x&\n   #cdata-section:<&>\n   #cdata-section:\n   #text:y\n   b\n   #cdata-section:\" \"\n"
	if got := format(n); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A hostile depth is refused at the depth budget, long before the end of
// a megabyte of open tags, and the parser never recurses.
func TestDeepNestingIsRefused(t *testing.T) {
	src := strings.Repeat("<a>", 1<<20)
	_, err := Decode(src, 256, unlimited())
	if err == nil || !strings.Contains(err.Error(), "line 1: elements nested deeper than 256") {
		t.Fatalf("got %v", err)
	}
	// Encode is bounded the same way.
	deep := hyperlambda.New("a", nil)
	for range 300 {
		deep = hyperlambda.New("a", nil, deep)
	}
	if _, err := Encode(deep, 256, unlimited()); err == nil || !strings.Contains(err.Error(), "nested deeper than 256") {
		t.Fatalf("encode: got %v", err)
	}
}

// manyAttributes is a tag with n attributes that each declare a prefix
// and use it.
func manyAttributes(n int) string {
	var b strings.Builder
	b.WriteString("<a")
	for i := range n {
		fmt.Fprintf(&b, ` xmlns:p%d="u" p%d:x="1"`, i, i)
	}
	b.WriteString("/>")
	return b.String()
}

// A tag with very many attributes (and prefix declarations) is read and
// written, and a repeated one among them found (the duplicate and prefix
// checks are sets; BenchmarkManyAttributes shows the time is linear).
func TestManyAttributes(t *testing.T) {
	text := manyAttributes(100_000)
	_, err := Decode(strings.Replace(text, "/>", ` p7:x="2"/>`, 1), 8, unlimited())
	if err == nil || !strings.Contains(err.Error(), "attribute p7:x given twice on <a>") {
		t.Fatalf("got %v", err)
	}
	n, err := Decode(text, 8, unlimited())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Encode(n, 8, unlimited()); err != nil {
		t.Fatal(err)
	}
}

// The time per attribute of a tag with 100,000 attributes against one
// with 10,000 (the ratio is ~1 when reading and writing are linear; the
// quadratic checks made it ~10).
func BenchmarkManyAttributes(b *testing.B) {
	perAttr := func(n int) float64 {
		text := manyAttributes(n)
		start := time.Now()
		node, err := Decode(text, 8, unlimited())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(node, 8, unlimited()); err != nil {
			b.Fatal(err)
		}
		return float64(time.Since(start)) / float64(n)
	}
	var small, large float64
	for b.Loop() {
		small += perAttr(10_000)
		large += perAttr(100_000)
	}
	b.ReportMetric(large/small, "x-per-attribute-100k-vs-10k")
}

// Nodes are refused before they are made: the counter is asked first and
// its error is returned as it is (a budget error, not "not valid XML").
func TestNodeCountComesFirst(t *testing.T) {
	m := &meter{maxNodes: 5}
	_, err := Decode(`<a x="1" y="2"><b>t</b><c/></a>`, 8, m)
	var budget *engine.BudgetError
	if !errors.As(err, &budget) || strings.Contains(err.Error(), "XML") {
		t.Fatalf("got %v", err)
	}
	if m.nodes != 5 { // a, @x, @y, b, #text; <c> would be the sixth
		t.Errorf("counted %d nodes", m.nodes)
	}
}

// The output budget is asked before a large text is written.
func TestOutputRoomIsAskedBeforeWriting(t *testing.T) {
	big := strings.Repeat("x", 1000)
	n := hyperlambda.New("a", nil, hyperlambda.New("#text", big))
	m := &meter{maxOutput: 100}
	if _, err := Encode(n, 8, m); err == nil || m.largestAsked < 1000 {
		t.Fatalf("got %v, largest size asked %d", err, m.largestAsked)
	}
}

func TestEscaping(t *testing.T) {
	n := hyperlambda.New("a", nil,
		hyperlambda.New("@q", "<\"&'>\t\r\n"),
		hyperlambda.New("#text", "a<b & c>d\"'\nline\r\nx\ry"),
		hyperlambda.New("#cdata-section", "1]]>2\n"))
	out, err := Encode(n, 8, unlimited())
	if err != nil {
		t.Fatal(err)
	}
	want := "<a q=\"&lt;&quot;&amp;'&gt;&#x9;&#xD;&#xA;\">a&lt;b &amp; c&gt;d\"'\r\nline\r\nx\r\ny<![CDATA[1]]]]><![CDATA[>2\r\n]]></a>"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
	for _, bad := range []*hyperlambda.Node{
		hyperlambda.New("a", nil, hyperlambda.New("#text", "\x01")),
		hyperlambda.New("a", nil, hyperlambda.New("@x", "\uFFFE")),
		hyperlambda.New("a", nil, hyperlambda.New("#cdata-section", "\x00")),
	} {
		if _, err := Encode(bad, 8, unlimited()); err == nil || !strings.Contains(err.Error(), "cannot appear in XML") {
			t.Errorf("%s: got %v", format(bad), err)
		}
	}
}

// XmlWriter's indentation: none inside an element once it holds text
// (its descendants included), resumed after it.
func TestMixedContentIsNotIndented(t *testing.T) {
	n := hyperlambda.New("r", nil,
		hyperlambda.New("p", nil,
			hyperlambda.New("b", nil, hyperlambda.New("#text", "x")),
			hyperlambda.New("#text", "tail"),
			hyperlambda.New("i", nil, hyperlambda.New("u", nil))),
		hyperlambda.New("q", nil, hyperlambda.New("e", nil)),
		hyperlambda.New("empty", nil, hyperlambda.New("#text", "")))
	out, err := Encode(n, 8, unlimited())
	if err != nil {
		t.Fatal(err)
	}
	want := "<r>\r\n  <p>\r\n    <b>x</b>tail<i><u /></i></p>\r\n  <q>\r\n    <e />\r\n  </q>\r\n  <empty />\r\n</r>"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
}

// What XmlWriter refuses (or the reference drops) is an error naming the
// node.
func TestEncodeErrors(t *testing.T) {
	for want, n := range map[string]*hyperlambda.Node{
		"[#text] is text":                        hyperlambda.New("#text", "x"),
		"[@x] is an attribute":                   hyperlambda.New("@x", "1"),
		"[@x] of <a> has children":               hyperlambda.New("a", nil, hyperlambda.New("@x", "1", hyperlambda.New("y", nil))),
		"[#text] in <a> has children":            hyperlambda.New("a", nil, hyperlambda.New("#text", "1", hyperlambda.New("y", nil))),
		"attribute x given twice on <a>":         hyperlambda.New("a", nil, hyperlambda.New("@x", "1"), hyperlambda.New("@x", "2")),
		`the prefix "p" of attribute p:x`:        hyperlambda.New("a", nil, hyperlambda.New("@p:x", "1")),
		"[@1x] is not an XML attribute name":     hyperlambda.New("a", nil, hyperlambda.New("@1x", "1")),
		"[.data] is not an XML element name":     hyperlambda.New(".data", nil),
		"[b] holds a lambda":                     hyperlambda.New("a", nil, hyperlambda.New("b", hyperlambda.New("", nil))),
		"comes after its content":                hyperlambda.New("a", nil, hyperlambda.New("#text", "t"), hyperlambda.New("@x", "1")),
		`the prefix "xmlns" of <xmlns:a> is not`: hyperlambda.New("xmlns:a", nil),
	} {
		if _, err := Encode(n, 8, unlimited()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", format(n), err, want)
		}
	}
	// An element's own value is its text, after its attributes and before
	// its children.
	valued := hyperlambda.New("a", int64(5), hyperlambda.New("@x", "1"), hyperlambda.New("b", nil))
	if out, err := Encode(valued, 8, unlimited()); err != nil || out != "<a x=\"1\">5<b /></a>" {
		t.Errorf("got %q, %v", out, err)
	}
	// A prefix declared on the element itself or an ancestor is in scope.
	ok := hyperlambda.New("p:a", nil, hyperlambda.New("@p:x", "1"), hyperlambda.New("@xmlns:p", "u"), hyperlambda.New("p:b", nil))
	if out, err := Encode(ok, 8, unlimited()); err != nil || out != "<p:a p:x=\"1\" xmlns:p=\"u\">\r\n  <p:b />\r\n</p:a>" {
		t.Errorf("got %q, %v", out, err)
	}
}

func TestNames(t *testing.T) {
	for name, want := range map[string]bool{
		"a": true, "_x-1.2": true, "soap:Envelope": true, "é": true, "日本": true,
		"": false, "1a": false, "-a": false, "a b": false, "a:b:c": false, ":a": false, "a:": false,
		".foo": false, "#text": false, "@x": false,
	} {
		if got := isQName(name); got != want {
			t.Errorf("isQName(%q) = %v", name, got)
		}
	}
}

// FuzzRoundTrip: whatever Decode accepts, Encode writes, and Decode reads
// that back to the same lambda (line breaks in text read back as LF, as
// any XML reader normalises them, and text split by a dropped comment or
// processing instruction reads back joined).
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{
		"<a/>", `<a x="1">t<b>u</b>v<![CDATA[w]]></a>`, "<p:a xmlns:p=\"u\" p:x=\"&#13;\"><p:b/></p:a>",
		"<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"x\">]><a>&#xD;&#9;\r\n x</a>", "<a><!-- c --><?pi?>  </a>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Decode(src, 32, unlimited())
		if err != nil {
			return
		}
		out, err := Encode(n, 32, unlimited())
		if err != nil {
			t.Fatalf("encode of %q: %v", src, err)
		}
		back, err := Decode(out, 32, unlimited())
		if err != nil {
			t.Fatalf("decode of %q (from %q): %v", out, src, err)
		}
		normalise := func(n *hyperlambda.Node) string {
			n.Walk(func(c *hyperlambda.Node) bool {
				var kids []*hyperlambda.Node
				for _, k := range c.Children() {
					if s, ok := k.Value.(string); ok && k.Name == textName {
						// A CRLF pair is one line break, as the writer
						// puts each text, then a lone CR is one too.
						k.Value = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
						if last := len(kids) - 1; last >= 0 && kids[last].Name == textName {
							kids[last].Value = kids[last].Value.(string) + k.Value.(string)
							continue
						}
					}
					kids = append(kids, k)
				}
				c.Clear()
				for _, k := range kids {
					c.Add(k)
				}
				return true
			})
			return format(n)
		}
		if a, b := normalise(n), normalise(back); a != b {
			t.Fatalf("%q -> %q\n%s\n!=\n%s", src, out, a, b)
		}
	})
}

// Parsing is charged before anything is read: a step per 128 bytes of
// text, then a step per 8 nodes as they are made, and a budget that
// cannot pay for the text refuses it unread.
func TestParsingIsChargedFirst(t *testing.T) {
	blank := "<a>" + strings.Repeat(" ", 1<<20) + "</a>"
	m := &meter{maxSteps: 1000}
	_, err := Decode(blank, 8, m)
	var budget *engine.BudgetError
	if !errors.As(err, &budget) || budget.Budget != "steps" {
		t.Fatalf("got %v, want the steps budget", err)
	}
	if m.steps != 0 || m.nodes != 0 || m.checks != 0 {
		t.Errorf("refused after reading: %d steps, %d nodes, %d checks", m.steps, m.nodes, m.checks)
	}
	m = unlimited()
	if _, err := Decode(blank, 8, m); err != nil {
		t.Fatal(err)
	}
	if want := 1 + int64(len(blank))/parseBytesPerStep; m.steps != want {
		t.Errorf("charged %d steps for %d bytes, want %d", m.steps, len(blank), want)
	}
	many := "<r>" + strings.Repeat(`<b x="1"/>`, 100) + "</r>" // 201 nodes
	m = unlimited()
	if _, err := Decode(many, 8, m); err != nil {
		t.Fatal(err)
	}
	if want := 1 + int64(len(many))/parseBytesPerStep + 201/parseNodesPerStep; m.nodes != 201 || m.steps != want {
		t.Errorf("charged %d steps for %d nodes, want %d", m.steps, m.nodes, want)
	}
}

// A long parse asks for the deadline as it reads and ends there, and a
// parse that ended past it is not a success.
func TestParsingStopsAtTheDeadline(t *testing.T) {
	long := "<a>" + strings.Repeat("x ", 1<<20) + "</a>"
	m := &meter{interruptAfter: 3} // the charge, then 64 KiB, then 128 KiB read
	_, err := Decode(long, 8, m)
	if !errors.Is(err, errDeadline) || strings.Contains(err.Error(), "XML") {
		t.Fatalf("got %v, want the deadline", err)
	}
	m = &meter{interruptAfter: 2} // the charge, then the end of the parse
	if _, err := Decode("<a>short</a>", 8, m); !errors.Is(err, errDeadline) {
		t.Fatalf("got %v, want the deadline", err)
	}
}

// Escaping grows text up to sixfold ("&quot;" for a quote, "]]]]><![CDATA[>"
// for "]]>"): the text is built in pieces, each within the output
// budget, so a text that escapes to six times the budget is refused
// without being built.
func TestEscapingStaysWithinTheOutputBudget(t *testing.T) {
	const budget = 1 << 20
	for _, n := range []*hyperlambda.Node{
		hyperlambda.New("a", nil, hyperlambda.New("@x", strings.Repeat(`"`, budget-64))),
		hyperlambda.New("a", nil, hyperlambda.New("#text", strings.Repeat(`<`, budget-64))),
		hyperlambda.New("a", nil, hyperlambda.New("#cdata-section", strings.Repeat(`]]>`, (budget-64)/3))),
	} {
		var before, after runtime.MemStats
		m := &meter{maxOutput: budget}
		runtime.ReadMemStats(&before)
		_, err := Encode(n, 8, m)
		runtime.ReadMemStats(&after)
		var be *engine.BudgetError
		if !errors.As(err, &be) || be.Budget != "output-bytes" {
			t.Fatalf("%s: got %v, want the output budget", n.Children()[0].Name, err)
		}
		// The text asked for last (and refused) is at most one piece more
		// than the budget: nothing larger was built.
		if m.largestAsked > budget+escapePiece+16 {
			t.Errorf("%s: built %d bytes for a budget of %d", n.Children()[0].Name, m.largestAsked, budget)
		}
		// A builder grown to the budget by appending allocates about five
		// times it in all; the whole escaped text would be thirty.
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 8*budget {
			t.Errorf("%s: allocated %d bytes for a budget of %d", n.Children()[0].Name, allocated, budget)
		}
	}
}

// Writing is charged for the nodes and the bytes written, and a budget
// that cannot pay ends it.
func TestWritingIsCharged(t *testing.T) {
	root := hyperlambda.New("r", nil)
	for range 1600 {
		root.Add(hyperlambda.New("b", nil, hyperlambda.New("@x", "1")))
	}
	m := unlimited()
	out, err := Encode(root, 8, m)
	if err != nil {
		t.Fatal(err)
	}
	// 1,601 elements and 1,600 attributes (which count twice), the bytes,
	// and a step for what is left over at the end.
	if want := int64((1601+2*1600)/encodeNodesPerStep + len(out)/encodeBytesPerStep + 1); m.steps != want {
		t.Errorf("charged %d steps for %d bytes, want %d", m.steps, len(out), want)
	}
	m = &meter{maxSteps: 100}
	if _, err := Encode(root, 8, m); err == nil || !strings.Contains(err.Error(), "steps") {
		t.Fatalf("got %v, want the steps budget", err)
	}
}
