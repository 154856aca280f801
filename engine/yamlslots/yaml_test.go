package yamlslots

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/jsonslots"
	"hlstudio/hyperlambda"
)

func newEngine() *engine.Engine {
	e := engine.New()
	if err := jsonslots.Register(e); err != nil {
		panic(err)
	}
	if err := Register(e); err != nil {
		panic(err)
	}
	return e
}

// TestCases runs the family's cases (also run with the full vocabulary by
// engine/vocab) with only the core, JSON and YAML registered.
func TestCases(t *testing.T) {
	t.Chdir("../vocab")
	enginetest.RunCases(t, "testdata/yaml*.txtar", newEngine)
}

// execute runs lambda under the pure policy.
func execute(t *testing.T, lambda *hyperlambda.Node) error {
	t.Helper()
	_, err := newEngine().Execute(context.Background(), lambda, enginetest.LoadPolicy(t, "pure"))
	return err
}

// awkward are texts that YAML could misread: indicators, look-alikes of
// other types, white space at the ends, line breaks, control characters.
var seed uint64 = 1

var awkward = []string{
	"", " ", "  lead", "trail  ", "\ttab", "a\tb", "#", "# c", "a #b", "a# b", ": x", "a: b", "a:b", "-", "- x", "-x", "--", "---", "...", "--- x",
	"?", "? x", "?x", ":x", "!", "!x", "!!str", "&a", "*a", "|", ">", "%", "@", "`", "'", "''", "\"", "\"\"", "{", "}", "[]", "{}", ",", "a, b", "[a]",
	"null", "Null", "NULL", "~", "true", "False", "yes", "No", "on", "OFF", "y", "n", "<<", "=",
	"0", "-0", "42", "+42", "0x1F", "0o17", "017", "1_000", "1e3", "1.5", ".5", "5.", ".inf", "-.inf", ".nan", "1:20", "190:20:30.15",
	"01234", "08540", "0b11", "-0x1F", "0X1F", "0o8", "01.5", "1_000.5", "1e400", "-1E+400", "1e-400", "+.inf", "-.nan", "00",
	"2023-05-01", "2023-05-01T10:20:30", "2023-05-01 10:20:30 +2", "2023-5-1",
	"one\ntwo", "one\ntwo\n", "\n", "\n\n", "trailing\n\n\n", " lead\nline", "line \nspace", "one\r\ntwo", "\r", "a\u0085b", "a\u2028b", "a\u2029b",
	"\x00", "\x07bell", "\x1b[0m", "\u00e6\u00f8\u00e5 \u65e5\u672c \U0001F600", "\ufeffbom", "a\\b", "\\n",
	strings.Repeat("long words ", 30), strings.Repeat("x", 300),
}

// A text value goes through lambda2yaml and yaml2lambda unchanged, as a
// value and as a name.
func TestTextRoundTrip(t *testing.T) {
	iterations := 2000
	if testing.Short() {
		iterations = 200
	}
	texts := append([]string(nil), awkward...)
	rng := rand.New(rand.NewPCG(seed, 2))
	alphabet := []rune(" \t\n\r:#-?!&*|>'\"%@`{}[],.0123456789abcxyzTFN~\\\u0085\u2028\u00e6\U0001F600")
	for range iterations {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
	}
	for _, text := range texts {
		data := hyperlambda.New(".data", nil, hyperlambda.New("v", text))
		if text != "" {
			data.Add(hyperlambda.New(text, "name"))
		}
		conv := hyperlambda.New("lambda2yaml", hyperlambda.MustParseExpression("@.data/*"))
		back := hyperlambda.New("yaml2lambda", hyperlambda.MustParseExpression("@lambda2yaml"))
		lambda := hyperlambda.New("", nil, data, conv, back)
		if err := execute(t, lambda); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		yamlText, _ := conv.Value.(string)
		if back.Len() != data.Len() {
			t.Fatalf("%q: %d nodes back, want %d\n%s", text, back.Len(), data.Len(), yamlText)
		}
		if got := back.Child(0).Value; got != text {
			t.Fatalf("value %q came back as %#v\n%s", text, got, yamlText)
		}
		if text != "" && back.Child(1).Name != text {
			t.Fatalf("name %q came back as %q\n%s", text, back.Child(1).Name, yamlText)
		}
	}
}

// Typed values come back with their value; integers as long, decimals
// and doubles as the narrowest exact type, as through JSON.
func TestValueRoundTrip(t *testing.T) {
	dec := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	local := hyperlambda.Date{Time: time.Date(2024, 2, 29, 23, 59, 59, 123456700, time.UTC).In(hyperlambda.DateZone), Kind: hyperlambda.DateLocal}
	for _, c := range []struct{ in, want any }{
		{nil, nil},
		{true, true},
		{false, false},
		{int32(-5), int64(-5)},
		{int64(9223372036854775807), int64(9223372036854775807)},
		{uint64(18446744073709551615), dec("18446744073709551615")},
		{uint8(7), int64(7)},
		{dec("1.50"), dec("1.50")},
		{dec("5"), dec("5.0")},
		{dec("-79228162514264337593543950335"), dec("-79228162514264337593543950335.0")},
		{0.1, dec("0.1")},
		{1.5e300, 1.5e300},
		{float32(2.5), dec("2.5")},
		{[]byte("hello \x00 bytes"), []byte("hello \x00 bytes")},
		{hyperlambda.Date{Time: time.Date(2023, 5, 1, 10, 20, 30, 500000000, time.UTC), Kind: hyperlambda.DateUTC}, nil},
		{hyperlambda.Date{Time: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Kind: hyperlambda.DateUnspecified}, nil},
		{hyperlambda.Date{Time: time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC), Kind: hyperlambda.DateUnspecified}, nil},
		{local, nil},
		{hyperlambda.Char('x'), "x"},
		{hyperlambda.TimeSpan(36_000_000_000), "01:00:00"},
	} {
		want := c.want
		if want == nil {
			want = c.in
		}
		data := hyperlambda.New(".data", nil, hyperlambda.New("v", c.in))
		conv := hyperlambda.New("lambda2yaml", hyperlambda.MustParseExpression("@.data/*"))
		back := hyperlambda.New("yaml2lambda", hyperlambda.MustParseExpression("@lambda2yaml"))
		if err := execute(t, hyperlambda.New("", nil, data, conv, back)); err != nil {
			t.Fatalf("%#v: %v", c.in, err)
		}
		_, wantText, _ := hyperlambda.ValueText(want)
		gotType, gotText, _ := hyperlambda.ValueText(back.Child(0).Value)
		if gotType != hyperlambda.TypeOf(want) || gotText != wantText {
			t.Errorf("%#v came back as %s:%s, want %s:%s\n%s", c.in, gotType, gotText, hyperlambda.TypeOf(want), wantText, conv.Value)
		}
	}
}

// yaml2json writes valid JSON, which json2lambda reads to the nodes
// yaml2lambda makes of the same document (when it has no empty
// collection, which JSON keeps and nodes cannot).
func TestYAML2JSONAgreesWithYAML2Lambda(t *testing.T) {
	doc := "a: 1\nb: [x, 2.5, true, null, {c: d}]\nwhen: 2023-05-01T10:20:30Z\nbig: 18446744073709551615\ntext: \"q\\\"uote\\n\"\nbase: &b {k: v}\nm: {<<: *b, l: w}\n"
	fromJSON := hyperlambda.New("json2lambda", hyperlambda.MustParseExpression("@yaml2json"))
	lambda := hyperlambda.New("", nil,
		hyperlambda.New("yaml2lambda", doc),
		hyperlambda.New("yaml2json", doc),
		fromJSON)
	if err := execute(t, lambda); err != nil {
		t.Fatal(err)
	}
	out := lambda.Child(1).Value.(string)
	if !json.Valid([]byte(out)) {
		t.Fatalf("not JSON: %s", out)
	}
	got := hyperlambda.Format(fromJSON.Children(), hyperlambda.FormatOptions{})
	want := hyperlambda.Format(lambda.Child(0).Children(), hyperlambda.FormatOptions{})
	// json2lambda reads 18446744073709551615 as a decimal too.
	if got != want {
		t.Fatalf("json2lambda of yaml2json:\n%s\nyaml2lambda:\n%s\nJSON: %s", got, want, out)
	}
}

func TestParseLimit(t *testing.T) {
	for _, c := range []struct {
		nodes int64
		want  int
	}{{50, minParseBytes}, {200_000, 200_000}, {1_000_000, 1_000_000}, {1 << 40, maxParseBytes}} {
		if got := parseLimit(c.nodes); got != c.want {
			t.Errorf("parseLimit(%d) = %d, want %d", c.nodes, got, c.want)
		}
	}
	// The size is refused before anything is parsed.
	text := "[" + strings.Repeat("1,", minParseBytes) + "1]"
	lambda := hyperlambda.New("", nil, hyperlambda.New("yaml2lambda", text))
	_, err := newEngine().Execute(context.Background(), lambda, enginetest.LoadPolicy(t, "pure"))
	if err != nil {
		t.Fatalf("%d bytes under the default budget: %v", len(text), err)
	}
	if got := lambda.Child(0).Len(); got != minParseBytes+1 {
		t.Fatalf("%d items, want %d", got, minParseBytes+1)
	}
	text = strings.Repeat("#", maxParseBytes+1)
	err = execute(t, hyperlambda.New("", nil, hyperlambda.New("yaml2lambda", text)))
	if err == nil || !strings.Contains(err.Error(), "more than the 1000000 this run may parse") {
		t.Fatalf("got %v, want the size refused", err)
	}
}

func TestTimestamps(t *testing.T) {
	for _, c := range []struct {
		in       string
		want     string // canonical Hyperlambda text, "" when not a timestamp
		hasTime  bool
		wantKind hyperlambda.DateKind
	}{
		{"2023-05-01T10:20:30Z", "2023-05-01T10:20:30.000Z", true, hyperlambda.DateUTC},
		{"2023-05-01t10:20:30.123456789z", "", false, 0}, // lower-case z is not YAML's
		{"2023-05-01T10:20:30.1234567Z", "2023-05-01T10:20:30.123Z", true, hyperlambda.DateUTC},
		{"2023-05-01 10:20:30", "2023-05-01T10:20:30.000", true, hyperlambda.DateUnspecified},
		{"2023-5-1 1:02:03 -5", "2023-05-01T06:02:03.000+00:00", true, hyperlambda.DateLocal},
		{"2023-05-01T10:20:30+0530", "2023-05-01T04:50:30.000+00:00", true, hyperlambda.DateLocal},
		{"2023-05-01T10:20:30+05:30", "2023-05-01T04:50:30.000+00:00", true, hyperlambda.DateLocal},
		{"2023-05-01", "2023-05-01T00:00:00.000", false, hyperlambda.DateUnspecified},
		{"2023-02-29T00:00:00Z", "", false, 0},
		{"2023-05-01T24:00:00Z", "", false, 0},
		{"0000-01-01T00:00:00Z", "", false, 0},
		{"2023-05-01T10:20", "", false, 0},
		{"2023-05-01T10:20:30+15", "", false, 0},
		{"20230501T102030Z", "", false, 0},
	} {
		d, hasTime, ok := parseTimestamp(c.in)
		if ok != (c.want != "") {
			t.Errorf("%q: ok = %v", c.in, ok)
			continue
		}
		if !ok {
			continue
		}
		if _, text, _ := hyperlambda.ValueText(d); text != c.want || hasTime != c.hasTime || d.Kind != c.wantKind {
			t.Errorf("%q = %s (time %v, kind %d), want %s (time %v, kind %d)", c.in, text, hasTime, d.Kind, c.want, c.hasTime, c.wantKind)
		}
		// What lambda2yaml writes reads back to the same date.
		back, _, ok := parseTimestamp(formatTimestamp(d))
		if !ok || !back.Time.Equal(d.Time) || back.Kind != d.Kind {
			t.Errorf("%q: %s reads back as %v", c.in, formatTimestamp(d), back)
		}
	}
}

// Whatever the text, the YAML slots return a value or an error, never a
// panic; what yaml2json returns is JSON.
func FuzzYAML(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	for _, s := range []string{
		"a: &a [1, *a]", "a: &a {b: *a}", "<<: 1", "a: {<<: [*b]}", "b: &b 1\na: {<<: *b}", "? a\n? b", "!!binary x", "!!timestamp 2023-13-01",
		"- !!map {}", "&a a: *a", "a: !foo bar", "%YAML 1.2\n---\na: 1", "--- |\n  text\n", "a: >-\n  folded\n  text\n", "[a, {b: c}, [d]]",
		"a:\n  - b\n  -\n    c: d", "{? [a]: b}", "a: *unknown", "a: 1\n...\n", "\ufeffa: 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p := enginetest.LoadPolicy(t, "pure")
		for i, slot := range []string{"yaml2lambda", "yaml2json"} {
			one := hyperlambda.New("", nil, hyperlambda.New(slot, text))
			_, err := newEngine().Execute(context.Background(), one, p)
			var ie *engine.InternalError
			if errors.As(err, &ie) {
				t.Fatalf("%q: %v", text, err)
			}
			if i == 1 && err == nil && !json.Valid([]byte(one.Child(0).Value.(string))) {
				t.Fatalf("%q: yaml2json wrote %q", text, one.Child(0).Value)
			}
		}
	})
}

// randomTree is a go-yaml tree of mappings, sequences (some empty) and
// scalars as lambda2yaml and json2yaml make them, with awkward text,
// long and multi-line keys (which go-yaml writes as "? key").
func randomTree(rng *rand.Rand, depth int) *yaml.Node {
	text := func() string {
		switch rng.IntN(8) {
		case 0:
			return strings.Repeat("k", 100+rng.IntN(60)) // around go-yaml's 128-character simple key
		case 1:
			return "multi\nline\n" + strings.Repeat(" ", rng.IntN(3))
		}
		return awkward[rng.IntN(len(awkward))]
	}
	if depth > 4 || rng.IntN(3) == 0 {
		values := []any{nil, true, int64(-5), decimal.RequireFromString("1.50"), 1.5e300, []byte("bytes"),
			hyperlambda.Date{Time: time.Date(2023, 5, 1, 10, 20, 30, 0, time.UTC), Kind: hyperlambda.DateUTC}}
		if rng.IntN(2) == 0 {
			return stringNode(text())
		}
		y, _ := scalarNode(values[rng.IntN(len(values))])
		return y
	}
	items := rng.IntN(7)
	if rng.IntN(2) == 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for range items {
			seq.Content = append(seq.Content, randomTree(rng, depth+1))
		}
		return seq
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	seen := map[string]bool{}
	for range items {
		k := text()
		if seen[k] {
			continue
		}
		seen[k] = true
		m.Content = append(m.Content, stringNode(k), randomTree(rng, depth+1))
	}
	return m
}

// Written in pieces, a tree is the text go-yaml writes of it whole: the
// pieces are documents of their own, indented into place.
func TestPiecesAsWhole(t *testing.T) {
	iterations := 400
	if testing.Short() {
		iterations = 150
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	free := func(int) error { return nil }
	for i := range iterations {
		root := randomTree(rng, 0)
		newline := []string{"\n", "\r\n"}[i%2]
		whole, err := emitPieces(yamlTree{root}, newline, free, newMeter(func(int64) error { return nil }), 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		for _, most := range []int{1, 2, 3, 5, 8} {
			got, err := emitPieces(yamlTree{root}, newline, free, newMeter(func(int64) error { return nil }), most)
			if err != nil {
				t.Fatal(err)
			}
			if got != whole {
				t.Fatalf("in pieces of %d nodes:\n%s\nwhole:\n%s", most, got, whole)
			}
		}
	}
}

// yamlTree is a go-yaml tree as a tree emit writes.
type yamlTree struct{ y *yaml.Node }

func (t yamlTree) size(limit int) int {
	total := 1
	for _, c := range t.y.Content {
		if total > limit {
			break
		}
		total += yamlTree{c}.size(limit - total)
	}
	return total
}

func (t yamlTree) collection() bool {
	return (t.y.Kind == yaml.MappingNode || t.y.Kind == yaml.SequenceNode) && len(t.y.Content) > 0
}

func (t yamlTree) mapping() bool             { return t.y.Kind == yaml.MappingNode }
func (t yamlTree) node() (*yaml.Node, error) { return t.y, nil }
func (t yamlTree) open() (items, error)      { return t, nil }
func (t yamlTree) len() int {
	if t.mapping() {
		return len(t.y.Content) / 2
	}
	return len(t.y.Content)
}

func (t yamlTree) key(i int) *yaml.Node {
	if t.mapping() {
		return t.y.Content[2*i]
	}
	return nil
}

func (t yamlTree) value(i int) tree {
	if t.mapping() {
		return yamlTree{t.y.Content[2*i+1]}
	}
	return yamlTree{t.y.Content[i]}
}
