package hyperlambda

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// The data-driven conformance runner over testdata/expr lives in
// expr_conformance_test.go; the tests here pin each iterator kind, the
// splitting rules and our deliberate differences on hand-built trees, so
// that they do not depend on the parser.

// exprFixture builds the tree of §6.4 and returns its root and the node
// "id" that expressions are evaluated from.
//
//	.data
//	   a:1
//	   b:2
//	   c:int:3
//	   a:4
//	      deep:5
//	.other:x
//	   child
//	id
func exprFixture() (root, id *Node) {
	id = New("id", nil)
	root = New("", nil,
		New(".data", nil,
			New("a", "1"),
			New("b", "2"),
			New("c", int32(3)),
			New("a", "4", New("deep", "5"))),
		New(".other", "x", New("child", nil)),
		id)
	return root, id
}

// evalNames evaluates text from the fixture's id node and returns the
// selected names joined with commas, "" meaning the root.
func evalNames(t *testing.T, identity *Node, text string) string {
	t.Helper()
	x, err := ParseExpression(text)
	if err != nil {
		t.Fatalf("%s: parse: %v", text, err)
	}
	res, err := x.Evaluate(identity)
	if err != nil {
		t.Fatalf("%s: evaluate: %v", text, err)
	}
	checkSingleAgrees(t, x, identity, res)
	var s []string
	for _, n := range res {
		if n.Value != nil {
			s = append(s, n.Name+":"+StringOf(n.Value))
		} else {
			s = append(s, n.Name)
		}
	}
	return strings.Join(s, ",")
}

func TestExpressionIterators(t *testing.T) {
	cases := []struct{ expr, want string }{
		// Names, children, n-th child.
		{"@.data", ".data"},
		{"@.data/*", "a:1,b:2,c:3,a:4"},
		{"@.data/*/a", "a:1,a:4"},
		{"@.data/0", "a:1"},
		{"@.data/3", "a:4"},
		{"@.data/9", ""},
		{"@.data/+1", "b:2"},           // .NET int.TryParse accepts a sign
		{"@.data/ 2 ", "c:3"},          // and surrounding white space
		{"@.data/-1", "a:1"},           // Skip(-1) skips nothing
		{"@.data/99999999999", ""},     // out of int range: a plain name
		{"@.data/*/\\3", ""},           // escaped: the name "3"
		{"@.data/*/\\a", "a:1,a:4"},    // escaped plain name
		{"@.data/*/\"*\"", "deep:5"},   // quoting does not escape
		{"@.data/*/\\*", ""},           // a node literally named *
		{"@.data/*/a/*/deep/.", "a:4"}, // parent
		{"@.data/*/.", ".data"},        // parents are distinct
		{"@.data/*/a/..", ""},          // root of the first input node
		{"..", ""},                     // the root has an empty name
		{"../*", ".data,.other:x,id"},  // top level
		{".", ""},                      // parent of id is the root
		{"*", ""},                      // id has no children
		{"@.data/**", ".data,a:1,b:2,c:3,a:4,deep:5"},
		{"@.data/!a", ".data,b:2,c:3"}, // pruned pre-order
		{"@.data/!deep", ".data,a:1,b:2,c:3,a:4"},
		{"@.data/*/b/-", "a:1"},
		{"@.data/*/b/+", "c:3"},
		{"@.data/*/a/-", "a:4,c:3"}, // first a wraps to the last child
		{"@.data/*/a/+", "b:2,a:1"}, // last a wraps to the first child
		{"--", ".other:x,.data,"},   // elder siblings, then the root
		{"../**/deep/--", "a:4,c:3,b:2,a:1,.data,"},
		{"../**/deep/^.data", ".data"},
		{"../**/deep/^.other", ""},
		{"../**/deep/^deep", ""}, // strict ancestors only
		{"../**/deep/@.data", ".data"},
		{"../**/deep/@b", "b:2"},
		{"../**/deep/@deep", ""}, // never the start node itself
		{"@.data/*/a/@a", ""},    // only the first input node counts
		{"@id", ""},
		{"@.other/*/child", "child"},
		{"@child", ""}, // @ does not look into children
		// Subscripts: skip n, take m.
		{"@.data/*/[1,2]", "b:2,c:3"},
		{"@.data/*/[0,1]", "a:1"},
		{"@.data/*/[2,10]", "c:3,a:4"},
		{"@.data/*/[ 1 , 2 ]", "b:2,c:3"},
		{"@.data/*/[1,2,3]", "b:2,c:3"}, // extra numbers ignored
		{"@.data/*/[-1,2]", "a:1,b:2"},  // negative skip is zero
		{"@.data/*/[1,0]", ""},
		{"@.data/*/[1,-5]", ""},
		{"@.data/*/[a|c]", "a:1,c:3,a:4"},
		{"@.data/*/[a|]", "a:1,a:4"}, // empty entries ignored
		{"@.data/*/[|]", ""},
		// Value equality.
		{"@.data/*/=2", "b:2"},
		{"@.data/*/=3", "c:3"},   // int compared by canonical text
		{"@.data/*/=", ""},       // no null or empty values here
		{"@.other/*/=", "child"}, // null matches the empty text
		{"@.data/*/=4/.", ".data"},
		// Nested expressions: name and value.
		{"@.data/*/{@.other/*/0/..}", ""},
		{"../*/{@.other/.}", ""},
		{"../*/={@.other}", ".other:x"},
		{"@.data/*/={@.data/*/b}", "b:2"},
		{"@.data/*/={@.data/*/b}/-", "a:1"},
		{"@.data/*/={@.nothing}", ""}, // null: nodes with null value only
		{"@.other/*/={@.nothing}", "child"},
	}
	_, id := exprFixture()
	for _, c := range cases {
		if got := evalNames(t, id, c.expr); got != c.want {
			t.Errorf("%s: got %q, want %q", c.expr, got, c.want)
		}
	}
}

// @ finds the nearest elder of the name: siblings before the start node,
// nearest first, then the parent, then the parent's elder siblings, and
// so on up. Names that agree in length and at both ends are still told
// apart (a1b is not a2b).
func TestExpressionElderIsTheNearest(t *testing.T) {
	start := New("start", nil)
	New("", nil,
		New(".x", "top"),
		New("a1b", "top"),
		New("block", nil,
			New(".x", "far"),
			New("a1b", "far"),
			New(".x", "near"),
			New("a2b", "near"),
			start,
			New(".x", "after"),
			New("a3b", "after")),
		New(".x", "after block"))
	for _, c := range []struct{ expr, want string }{
		{"@.x", ".x:near"},
		{"@a1b", "a1b:far"},
		{"@a2b", "a2b:near"},
		{"@a3b", ""}, // younger siblings are not elders
		{"@block", "block"},
		{"@.x/@a1b", "a1b:far"},
		{"@block/@.x", ".x:top"},
		{"@block/@a1b", "a1b:top"},
	} {
		if got := evalNames(t, start, c.expr); got != c.want {
			t.Errorf("%s: got %q, want %q", c.expr, got, c.want)
		}
	}
}

func TestExpressionNameFromNestedValue(t *testing.T) {
	// {expr} compares names with the nested node's value as text, following
	// expressions, and converting the way the runtime does (bool -> True).
	id := New("id", nil)
	root := New("", nil,
		New(".name", "b"),
		New(".flag", true),
		New(".ref", MustParseExpression("@.name")),
		New(".list", nil, New("a", nil), New("b", nil), New("True", nil)),
		id)
	_ = root
	for expr, want := range map[string]string{
		"@.list/*/{@.name}": "b",
		"@.list/*/{@.ref}":  "b",
		"@.list/*/{@.flag}": "True",
	} {
		if got := evalNames(t, id, expr); got != want {
			t.Errorf("%s: got %q, want %q", expr, got, want)
		}
	}
}

func TestExpressionValueEqualityTypes(t *testing.T) {
	id := New("id", nil)
	New("", nil,
		New(".v", nil,
			New("t", true),
			New("f", false),
			New("s", ""),
			New("n", nil),
			New("i", int64(-7)),
			New("x", MustParseExpression("@.v/*"))),
		id)
	for expr, want := range map[string]string{
		"@.v/*/=true":    "t:True", // canonical text, not "True"
		"@.v/*/=True":    "",
		"@.v/*/=":        "s:,n", // empty string and null
		"@.v/*/=-7":      "i:-7",
		`@.v/*/"=@.v/*"`: "x:@.v/*", // expressions compare by their text
	} {
		if got := evalNames(t, id, expr); got != want {
			t.Errorf("%s: got %q, want %q", expr, got, want)
		}
	}
}

func TestExpressionSplitting(t *testing.T) {
	cases := []struct {
		text  string
		iters []string
		canon string
	}{
		{"", []string{""}, ""},
		{"a//b", []string{"a", "", "b"}, "a//b"},
		{"a/", []string{"a", ""}, "a/"},
		{"/", []string{"", ""}, "/"},
		{`"a/b"/c`, []string{"a/b", "c"}, `"a/b"/c`},
		{`x/"*"`, []string{"x", "*"}, "x/*"},
		{`"a"b`, []string{"ab"}, "ab"},     // text after the quote joins it
		{`a"b"`, []string{`a"b"`}, `a"b"`}, // a quote later is ordinary
		{`"a\"b\\c\t"`, []string{"a\"b\\c\t"}, "a\"b\\c\t"},
		{"{../*/x}", []string{"{../*/x}"}, `"{../*/x}"`},
		{"{a}/b", []string{"{a}", "b"}, "{a}/b"},
		{"{a}b", []string{"{a}", "b"}, "{a}/b"}, // a new iterator after }
		{"{a}", []string{"{a}"}, "{a}"},         // no empty iterator after }
		{"{a}/", []string{"{a}", ""}, "{a}/"},
		{"={a/b}/c", []string{"={a/b}", "c"}, `"={a/b}"/c`},
		{"={{x}/y}", []string{"={{x}/y}"}, `"={{x}/y}"`},
		{"a{b/c}", []string{"a{b", "c}"}, "a{b/c}"}, // later { is ordinary
		{"x={a}", []string{"x={a}"}, "x={a}"},
		{`""{a}`, []string{"{a}"}, "{a}"}, // only what the quote read counts
		{`"="{a/b}`, []string{"={a/b}"}, `"={a/b}"`},
		{`"x"{a/b}`, []string{"x{a", "b}"}, "x{a/b}"},
	}
	for _, c := range cases {
		x, err := ParseExpression(c.text)
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if got := x.Iterators(); strings.Join(got, "\x00") != strings.Join(c.iters, "\x00") {
			t.Errorf("%q: iterators %q, want %q", c.text, got, c.iters)
		}
		if got := x.String(); got != c.canon {
			t.Errorf("%q: canonical %q, want %q", c.text, got, c.canon)
		}
		// The canonical text must mean the same thing.
		y, err := ParseExpression(x.String())
		if err != nil {
			t.Errorf("%q: canonical %q does not parse: %v", c.text, x.String(), err)
		} else if strings.Join(y.Iterators(), "\x00") != strings.Join(x.Iterators(), "\x00") {
			t.Errorf("%q: canonical re-parses to %q", c.text, y.Iterators())
		}
	}
}

func TestExpressionCanonicalQuoting(t *testing.T) {
	// Iterators that would not read back raw are quoted and escaped.
	for _, text := range []string{
		`"a/\"b"`, `"\"x"`, `"{a"`, `"={a"`, `"{a}b"`, `"a\\/b"`,
	} {
		x := MustParseExpression(text)
		y, err := ParseExpression(x.String())
		if err != nil {
			t.Fatalf("%q -> %q: %v", text, x.String(), err)
		}
		if y.String() != x.String() || strings.Join(y.Iterators(), "|") != strings.Join(x.Iterators(), "|") {
			t.Errorf("%q -> %q -> %q %q", text, x.String(), y.String(), y.Iterators())
		}
	}
}

func TestExpressionParseErrors(t *testing.T) {
	for _, text := range []string{
		"{a",             // extrapolated expression never closed
		"a/{b/{c}",       //
		"={a",            //
		`"abc`,           // quoted iterator never closed
		`"a\qb"`,         // invalid escape
		`"a\`,            //
		"@.data/*/[1]",   // one number: index error in the reference
		"@.data/*/[x,y]", // format error in the reference
		"[]",             //
		"[,]",            //
		"[1,2147483648]", // out of int range
		`"["`,            // a one-character subscript
		`"{"`,            // a one-character nested expression
		"{{a}",           // nested never closed
		"={[1]}",         // bad nested expression
		`{"[x,1]"}`,      //
	} {
		_, err := ParseExpression(text)
		var xe *ExprError
		if !errors.As(err, &xe) {
			t.Errorf("%q: want *ExprError, got %v", text, err)
			continue
		}
		if xe.Offset < 0 || xe.Offset > len(xe.Expr) || xe.Msg == "" {
			t.Errorf("%q: bad error fields %+v", text, xe)
		}
	}
	// Unmatched closing braces are ordinary characters.
	for _, text := range []string{"a}", "}", "a/}/b"} {
		if _, err := ParseExpression(text); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
	// The reference drops a subscript's last character unseen, so "[1,2"
	// reads one number (an error) and "[1,2,3" reads two.
	if _, err := ParseExpression("[1,2"); err == nil {
		t.Error(`"[1,2": want an error`)
	}
	if x, err := ParseExpression("[1,2,3"); err != nil || x.iters[0].kind != itRange || x.iters[0].n != 1 || x.iters[0].m != 2 {
		t.Errorf(`"[1,2,3": %v`, err)
	}
}

func TestExpressionDifferences(t *testing.T) {
	// `#` on a non-node value yields nothing (reference: null entries).
	_, id := exprFixture()
	if got := evalNames(t, id, "@.data/#"); got != "" {
		t.Errorf("@.data/#: %q", got)
	}
	if got := evalNames(t, id, "@.data/*/a/#/*"); got != "" {
		t.Errorf("@.data/*/a/#/*: %q", got)
	}
	// `#` on a node value follows it.
	target := New("target", nil, New("kid", "k"))
	holder := New(".dp", target)
	New("", nil, holder)
	if got := evalNames(t, holder, "#/*"); got != "kid:k" {
		t.Errorf("#/*: %q", got)
	}
	// A typed nil *Node value is not a node.
	holder.Value = (*Node)(nil)
	if got := evalNames(t, holder, "#"); got != "" {
		t.Errorf("# on nil node: %q", got)
	}
	// `-`, `+`, `.` and `--` on a parentless node yield nothing.
	lone := New("lone", nil)
	for _, expr := range []string{"-", "+", ".", "--", "@x", "^x"} {
		if got := evalNames(t, lone, expr); got != "" {
			t.Errorf("%s on a root: %q", expr, got)
		}
	}
	if got := evalNames(t, lone, ".."); got != "lone" {
		t.Errorf(".. on a root: %q", got)
	}
	// An only child wraps to itself.
	only := New("only", nil)
	New("p", nil, only)
	if got := evalNames(t, only, "-/+"); got != "only" {
		t.Errorf("-/+ on an only child: %q", got)
	}
	// A nil identity selects nothing.
	if res, err := MustParseExpression("*").Evaluate(nil); err != nil || res != nil {
		t.Errorf("nil identity: %v %v", res, err)
	}
}

func TestExpressionNestedMultipleIsError(t *testing.T) {
	_, id := exprFixture()
	for _, text := range []string{"@.data/*/{@.data/*}", "@.data/*/={@.data/*}", "@.data/*/={@.data/*/x/..}/x"} {
		x := MustParseExpression(text)
		res, err := x.Evaluate(id)
		if text == "@.data/*/={@.data/*/x/..}/x" {
			// The nested expression yields nothing, so x is never reached.
			if err != nil || len(res) != 0 {
				t.Errorf("%s: %v %v", text, res, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "multiple results") {
			t.Errorf("%s: want a multiple-results error, got %v", text, err)
		}
	}
}

func TestValueEdgeCases(t *testing.T) {
	id := New("id", nil)
	root := New("", nil,
		New(".a", "hello"),
		New(".b", MustParseExpression("@.a")),
		New(".c", MustParseExpression("@.b")),
		New(".none", MustParseExpression("@.nothing")),
		New(".many", MustParseExpression("../*")),
		New(".loop", MustParseExpression("../*/.loop")),
		New(".ping", MustParseExpression("../*/.pong")),
		New(".pong", MustParseExpression("../*/.ping")),
		New(".num", int32(5)),
		id)
	get := func(name string) (any, error) {
		for _, n := range root.Children() {
			if n.Name == name {
				return Value(n)
			}
		}
		t.Fatalf("no %s", name)
		return nil, nil
	}
	for name, want := range map[string]any{".a": "hello", ".b": "hello", ".c": "hello", ".none": nil, ".num": int32(5)} {
		v, err := get(name)
		if err != nil || v != want {
			t.Errorf("Value(%s) = %v, %v; want %v", name, v, err, want)
		}
	}
	if _, err := get(".many"); err == nil || !strings.Contains(err.Error(), "multiple resulting nodes from expression") {
		t.Errorf("Value(.many): %v", err)
	}
	for _, name := range []string{".loop", ".ping"} {
		if _, err := get(name); err == nil || !strings.Contains(err.Error(), "cyclic") {
			t.Errorf("Value(%s): want a cycle error, got %v", name, err)
		}
	}
}

func TestExpressionParseAllocations(t *testing.T) {
	// Expressions are compiled for every x value while a file is parsed, so
	// the common shapes must cost one allocation (the Expression itself).
	for _, text := range []string{"@.arguments/*/name", "@.dp/#/*/id", "+/*/*", "@.data/*/[0,1]", "../**/x", "@.x/*/=5"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = ParseExpression(text) }); n > 1 {
			t.Errorf("%s: %v allocations", text, n)
		}
	}
}

func TestExpressionConcurrentEvaluate(t *testing.T) {
	_, id := exprFixture()
	x := MustParseExpression("../**/deep/--/[1,3]")
	first, err := x.Evaluate(id)
	if err != nil {
		t.Fatal(err)
	}
	want := names(first)
	done := make(chan string)
	for range 8 {
		go func() {
			res, _ := x.Evaluate(id)
			done <- names(res)
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Errorf("concurrent result %q, want %q", got, want)
		}
	}
}

func BenchmarkParseExpressionMix(b *testing.B) {
	// A mix in the corpus's proportions: mostly @name, *, plain names.
	exprs := []string{"@.arguments/*/name", "@.dp/#/*/id", "+/*/*", "@.data/*/[0,1]", "../*/data.connect/*/data.read/*/where/0", `@.x/*/"a/b"`, "@.a/*/{@.b}"}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range exprs {
			if _, err := ParseExpression(s); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEvaluateMix(b *testing.B) {
	_, id := exprFixture()
	exprs := []*Expression{
		MustParseExpression("@.data/*/a"),
		MustParseExpression("../**/deep/--"),
		MustParseExpression("@.data/*/={@.data/*/b}"),
		MustParseExpression("@.data/!a/."),
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, x := range exprs {
			if _, err := x.Evaluate(id); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestValueFollowsExpressionsAndStopsOnCycles(t *testing.T) {
	root, err := ParseString(".a:int:5\r\n.b:x:@.a\r\n.c:x:@.b\r\n.loop:x:../*/.loop\r\n.many:x:../*\r\n", ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Value(root.Child(2)); err != nil || v != int32(5) {
		t.Fatalf("chain: %v %v", v, err)
	}
	if _, err := Value(root.Child(3)); err == nil || !strings.Contains(err.Error(), "cyclic") {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := Value(root.Child(4)); err == nil {
		t.Fatal("several nodes where one value is expected must be an error")
	}
}

func TestIteratorsOnParentlessNodes(t *testing.T) {
	lone := New("lone", "v")
	for _, text := range []string{"-", "+", ".", "#", "@x", "^x"} {
		res, err := MustParseExpression(text).Evaluate(lone)
		if err != nil || len(res) != 0 {
			t.Errorf("%s on a parentless node: %v %v", text, res, err)
		}
	}
}

func TestExpressionErrors(t *testing.T) {
	for _, text := range []string{"@.a/[1]", "@.a/[x,y]", "@.a/{", `@.a/"b`, `"\q"`, "@.a/={@.b"} {
		_, err := ParseExpression(text)
		var xe *ExprError
		if !errors.As(err, &xe) || xe.Expr != text {
			t.Errorf("%q: want *ExprError, got %v", text, err)
		}
	}
	// An expression error inside a file is a syntax error with a position.
	_, err := ParseString("a\r\nb:x:@.a/[1]", ParseOptions{})
	var se *SyntaxError
	if !errors.As(err, &se) || se.Kind != ErrExpression || se.Pos.Line != 2 || se.Pos.Col != 5 {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkParseExpression(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		MustParseExpression("@.arguments/*/name")
	}
}

func BenchmarkEvaluate(b *testing.B) {
	root, _ := ParseString(".arguments\r\n   name:x\r\n   email:y\r\n.a\r\n.b\r\nget-value:x:@.arguments/*/email\r\n", ParseOptions{})
	id := root.Child(root.Len() - 1)
	x := id.Value.(*Expression)
	b.ReportAllocs()
	for b.Loop() {
		if res, _ := x.Evaluate(id); len(res) != 1 {
			b.Fatal(res)
		}
	}
}

// TestExpressionCanonicalKeepsIterators is a deterministic complement to
// FuzzExpression: over random texts built from the characters the splitter
// cares about, the canonical text must read back to the same iterators (not
// only the same canonical text).
func TestExpressionCanonicalKeepsIterators(t *testing.T) {
	const alphabet = `/"{}=\[]|,a*.-+@^!#0 n`
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 0, 16)
	for range 50000 {
		b = b[:0]
		for range r.IntN(14) {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		x, err := ParseExpression(string(b))
		if err != nil {
			continue
		}
		y, err := ParseExpression(x.String())
		if err != nil {
			t.Fatalf("%q: canonical %q does not parse: %v", b, x.String(), err)
		}
		if strings.Join(y.Iterators(), "\x00") != strings.Join(x.Iterators(), "\x00") {
			t.Fatalf("%q: iterators %q, via canonical %q: %q", b, x.Iterators(), x.String(), y.Iterators())
		}
	}
}

func TestExprErrorOffsets(t *testing.T) {
	cases := []struct {
		text string
		at   int
	}{
		{"@.a/[1]", 4},             // the subscript's segment
		{"@.a/{", 4},               // the unclosed brace
		{"@.a/={@.b", 5},           // the brace after "="
		{`@.a/"b\q"`, 6},           // the bad escape
		{"@.a/{x/[1]}", 7},         // inside the nested expression
		{"@.a/={x/{y/[x,y]}}", 11}, // two levels down
		{`"{[1]}"`, 0},             // quoted: offsets do not line up, the segment
	}
	for _, c := range cases {
		_, err := ParseExpression(c.text)
		var xe *ExprError
		if !errors.As(err, &xe) {
			t.Fatalf("%q: want *ExprError, got %v", c.text, err)
		}
		if xe.Offset != c.at || xe.Expr != c.text {
			t.Errorf("%q: offset %d in %q, want %d (%v)", c.text, xe.Offset, xe.Expr, c.at, err)
		}
	}
	_, err := ParseExpression("@.a/[1]")
	if want := `expression "@.a/[1]": `; !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), " at offset 4") {
		t.Errorf("message %q", err)
	}
	if v, err := Value(nil); v != nil || err != nil {
		t.Errorf("Value(nil) = %v, %v", v, err)
	}
}

// checkSingleAgrees fails when EvaluateSingle, having claimed an
// expression, selects something other than Evaluate's full set.
func checkSingleAgrees(t testing.TB, x *Expression, identity *Node, full []*Node) {
	t.Helper()
	n, ok := x.EvaluateSingle(identity)
	if !ok {
		return
	}
	switch {
	case len(full) > 1:
		t.Fatalf("%s: EvaluateSingle claimed an expression that selects %d nodes", x, len(full))
	case len(full) == 0 && n != nil:
		t.Fatalf("%s: EvaluateSingle selected %q, Evaluate nothing", x, n.Name)
	case len(full) == 1 && n != full[0]:
		t.Fatalf("%s: EvaluateSingle selected %v, Evaluate %q", x, n, full[0].Name)
	}
}

// Iterators that repeat nodes stop at MaxSelection; sets of distinct
// nodes are never near it.
func TestSelectionLimit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 2100; i++ {
		b.WriteString("x\n")
	}
	wide, err := ParseString(b.String(), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	for i := 0; i < 100; i++ {
		b.WriteString(strings.Repeat("   ", i) + "c\n")
	}
	deep, err := ParseString(b.String(), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		root *Node
		expr string
		want int // -1: refused
	}{
		{wide, "../*", 2100},
		{wide, "../*/--", -1}, // about 2100²/2 elder siblings
		{wide, "../*/*", 0},
		{deep, "../**", 101},
		{deep, "../**/**", 5151},
		{deep, "../**/**/**/**/**", -1},
		{deep, "../**/**/**/**/*", -1},
	} {
		x, err := ParseExpression(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		got, err := x.Evaluate(c.root.Child(0))
		var se *SelectionError
		switch {
		case c.want < 0 && !errors.As(err, &se):
			t.Errorf("%s: %d nodes, %v; want the selection refused", c.expr, len(got), err)
		case c.want >= 0 && (err != nil || len(got) != c.want):
			t.Errorf("%s: %d nodes, %v; want %d", c.expr, len(got), err, c.want)
		}
	}
}
