package hyperlambda

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseFormat checks that no input makes the parser panic, that every
// error is a positioned *SyntaxError, and that canonical text is a fixed
// point: parse -> format -> parse -> format gives the same text again.
func FuzzParseFormat(f *testing.F) {
	if data, err := os.ReadFile("testdata/conformance/parser-inputs.txt"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			comments := strings.HasPrefix(line, "C|")
			line = strings.TrimPrefix(line, "C|")
			if s, err := strconv.Unquote(`"` + strings.ReplaceAll(line, `"`, `\"`) + `"`); err == nil {
				f.Add(s, comments)
			}
		}
	}
	f.Add(".foo:node:@\"a:b\r\n   c:int:5\"\r\n/*\r\n * x\r\n */\r\nfoo\r\n   ..:y", true)
	f.Fuzz(func(t *testing.T, src string, comments bool) {
		opts := ParseOptions{Comments: comments, MaxDepth: 64}
		root, err := ParseString(src, opts)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || !se.Pos.IsValid() {
				t.Fatalf("error is not a positioned SyntaxError: %#v", err)
			}
			return
		}
		fo := FormatOptions{Comments: comments}
		out := Format(root.Children(), fo)
		root2, err := ParseString(out, opts)
		if err != nil {
			t.Fatalf("canonical text does not parse: %v\ninput %q\ncanonical %q", err, src, out)
		}
		if out2 := Format(root2.Children(), fo); out2 != out {
			t.Fatalf("not a fixed point:\ninput %q\nfirst  %q\nsecond %q", src, out, out2)
		}
	})
}

// FuzzExpression: parsing never panics; canonical text parses back to the
// same canonical text; evaluating on a sample tree never panics.
func FuzzExpression(f *testing.F) {
	for _, s := range []string{"@.data/*/a", "../**/deep/--", `@.data/*/"a/b"`, "@.data/*/{@.other}", "={x}", "[0,1]", "[a|b]", `\*`, "-1", "#/*/+"} {
		f.Add(s)
	}
	sample, err := ParseString(".data\r\n   a:1\r\n   b:x:@.data\r\n   c:node:\"x:1\"\r\n.other:a\r\nid:x:../*\r\n", ParseOptions{})
	if err != nil {
		f.Fatal(err)
	}
	identity := sample.Child(sample.Len() - 1)
	f.Fuzz(func(t *testing.T, text string) {
		x, err := ParseExpression(text)
		if err != nil {
			var xe *ExprError
			if !errors.As(err, &xe) {
				t.Fatalf("error is not an *ExprError: %#v", err)
			}
			return
		}
		y, err := ParseExpression(x.String())
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", x.String(), text, err)
		}
		if y.String() != x.String() {
			t.Fatalf("canonical %q reads back as %q", x.String(), y.String())
		}
		res, err := x.Evaluate(identity)
		if err == nil {
			checkSingleAgrees(t, x, identity, res)
		}
		for _, n := range res {
			_, _ = Value(n)
		}
	})
}
