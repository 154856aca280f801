package hyperlambda

import (
	"errors"
	"strings"
	"testing"
)

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

func TestExpressionParseAllocations(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { MustParseExpression("@.arguments/*/name") })
	if allocs > 1 {
		t.Errorf("%v allocations parsing a typical expression, want at most 1", allocs)
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
