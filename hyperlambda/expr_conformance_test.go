package hyperlambda

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The expression cases are the reference's recorded behaviour
// (testdata/expr): the expression's iterator split, its canonical text, and
// the nodes it selects from the node named "id" — or the exception.

type exprCase struct {
	expr, tree string
	iterators  string // as recorded, e.g. ["@.data", "*"]
	value      string
	result     []string // `"name"=type:"text"` entries, or NULLREF
	exc        string   // reference exception at construction or evaluation
}

// exprDeviations: where the reference crashes or yields null entries.
var exprDeviations = map[string]struct {
	parseErr bool     // we reject the expression when it is parsed
	result   []string // or select these nodes
}{
	"@.data/#":       {result: nil}, // reference: a null entry; `#` on a non-node yields nothing
	"@.data/*/a/#":   {result: nil},
	"@.data/*/[1]":   {parseErr: true}, // reference: index exception
	"@.data/*/[x,y]": {parseErr: true}, // reference: format exception
}

func readExprCases(t *testing.T) []exprCase {
	inputs, err := os.ReadFile("testdata/expr/expression-inputs.txt")
	if err != nil {
		t.Fatal(err)
	}
	var trees []string
	for _, line := range strings.Split(string(inputs), "\n") {
		if _, rest, ok := strings.Cut(line, "|||"); ok && strings.HasPrefix(line, "X|") {
			tree, err := strconv.Unquote(`"` + strings.ReplaceAll(rest, `"`, `\"`) + `"`)
			if err != nil {
				t.Fatalf("tree %q: %v", rest, err)
			}
			trees = append(trees, tree)
		}
	}
	f, err := os.Open("testdata/expr/expression-results-latest.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []exprCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var c *exprCase
		if len(cases) > 0 {
			c = &cases[len(cases)-1]
		}
		switch {
		case strings.HasPrefix(line, "EXPR-EXC"), strings.HasPrefix(line, "  EXPR-EXC"):
			c.exc = strings.TrimSpace(line)
		case strings.HasPrefix(line, "EXPR "):
			e, err := strconv.Unquote(strings.TrimPrefix(line, "EXPR "))
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			cases = append(cases, exprCase{expr: e})
		case strings.HasPrefix(line, "  ITERATORS: "):
			its, val, _ := strings.Cut(strings.TrimPrefix(line, "  ITERATORS: "), " VALUE ")
			c.iterators = its
			if c.value, err = strconv.Unquote(val); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		case strings.HasPrefix(line, "  RESULT("):
			_, list, _ := strings.Cut(line, "): ")
			if list != "" {
				c.result = strings.Split(list, " | ")
			}
		}
	}
	if len(cases) != len(trees) {
		t.Fatalf("%d results but %d inputs", len(cases), len(trees))
	}
	for i := range cases {
		cases[i].tree = trees[i]
	}
	return cases
}

func TestConformanceExpressions(t *testing.T) {
	cases := readExprCases(t)
	if len(cases) < 80 {
		t.Fatalf("only %d cases", len(cases))
	}
	used := 0
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			root, err := ParseString(c.tree, ParseOptions{})
			if err != nil {
				t.Fatalf("tree: %v", err)
			}
			identity := root.Child(root.Len() - 1)
			if identity.Name != "id" {
				t.Fatalf("identity is %q", identity.Name)
			}
			dev, deviates := exprDeviations[c.expr]
			if deviates {
				used++
			}
			x, err := ParseExpression(c.expr)
			if deviates && dev.parseErr || c.exc != "" && c.iterators == "" {
				if err == nil {
					t.Fatalf("want a parse error (reference: %s), got %v", c.exc, x.Iterators())
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			its := make([]string, 0)
			for _, it := range x.Iterators() {
				its = append(its, quoteRef(it))
			}
			if got := "[" + strings.Join(its, ", ") + "]"; got != c.iterators {
				t.Errorf("iterators %s, want %s", got, c.iterators)
			}
			if x.String() != c.value {
				t.Errorf("canonical %q, want %q", x.String(), c.value)
			}
			res, err := x.Evaluate(identity)
			if c.exc != "" {
				if err == nil {
					t.Fatalf("want evaluation error (reference: %s)", c.exc)
				}
				return
			}
			if err != nil {
				t.Fatalf("evaluate: %v", err)
			}
			checkSingleAgrees(t, x, identity, res)
			want := c.result
			if deviates {
				want = dev.result
			}
			var got []string
			for _, n := range res {
				got = append(got, quoteRef(n.Name)+"="+describeValue(n.Value))
			}
			if strings.Join(got, " | ") != strings.Join(want, " | ") {
				t.Errorf("result\n got %s\nwant %s", strings.Join(got, " | "), strings.Join(want, " | "))
			}
		})
	}
	if used != len(exprDeviations) {
		t.Errorf("%d deviations listed, %d used: the list is stale", len(exprDeviations), used)
	}
}
