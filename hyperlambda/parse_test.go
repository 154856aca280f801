package hyperlambda

import (
	"errors"
	"testing"
)

// TestParseRefusesBinary: text that is not UTF-8, or holds a NUL byte, is
// a syntax error at the first such byte, so that no command takes a binary
// file for Hyperlambda. A byte order mark is still text.
func TestParseRefusesBinary(t *testing.T) {
	cases := []struct {
		src       string
		line, col int32
		msg       string
	}{
		{"\xff\xfe\x00bad\x00", 1, 1, "1:1: byte 0xFF is not UTF-8; save the file as UTF-8"},
		{"// Caf\xe9\nlog.info:hi\n", 1, 7, "1:7: byte 0xE9 is not UTF-8; save the file as UTF-8"},
		{"\uFEFF// x\n.a:\xff\n", 2, 4, "2:4: byte 0xFF is not UTF-8; save the file as UTF-8"},
		{"a\r\nb:x\x00y", 2, 4, "2:4: NUL byte (0x00): this is binary data, not Hyperlambda text"},
		{"a:\"\x00\xff\"", 1, 4, "1:4: NUL byte (0x00): this is binary data, not Hyperlambda text"},
		{"ø:\xed\xa0\x80", 1, 3, "1:3: byte 0xED is not UTF-8; save the file as UTF-8"}, // an encoded surrogate
	}
	for _, c := range cases {
		for _, comments := range []bool{false, true} {
			_, err := Parse([]byte(c.src), ParseOptions{Comments: comments})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("%q: want a SyntaxError, got %v", c.src, err)
				continue
			}
			if se.Kind != ErrEncoding || se.Pos.Line != c.line || se.Pos.Col != c.col || se.Error() != c.msg {
				t.Errorf("%q: got %v %q at %d:%d, want %q", c.src, se.Kind, se, se.Pos.Line, se.Pos.Col, c.msg)
			}
		}
	}
	root, err := Parse([]byte("\uFEFFa:\"ø\"\r\n"), ParseOptions{})
	if err != nil || root.Len() != 1 || root.Child(0).Value != "ø" {
		t.Fatalf("text with a BOM: %v", err)
	}
}

// TestCommentPositions: a comment node is where the comment starts, also
// when a block comment spans lines.
func TestCommentPositions(t *testing.T) {
	root, err := ParseString("/* one\ntwo */\nx:1\r\n   /*\r\n    * a\r\n    */\r\n   // b\r\n   y\r\n/* one line */\r\nz", ParseOptions{Comments: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []Pos
	var names []string
	root.Walk(func(n *Node) bool {
		if n != root {
			got = append(got, n.Pos)
			names = append(names, n.Name)
		}
		return true
	})
	want := []Pos{{1, 1}, {3, 1}, {4, 4}, {7, 4}, {8, 4}, {9, 1}, {10, 1}}
	if len(got) != len(want) {
		t.Fatalf("nodes %v at %v, want %d nodes", names, got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("node %d (%s) at %v, want %v", i, names[i], got[i], want[i])
		}
	}
}

// A program's string may hold a NUL (json2lambda of "\u0000", a decoded
// byte): its canonical text holds it raw (Hyperlambda has no escape for
// it), and ParseString reads that back; only Parse, reading a file,
// takes a NUL for binary data.
func TestNULRoundTripsThroughText(t *testing.T) {
	text := Format([]*Node{New("a", "x\x00y")}, FormatOptions{})
	root, err := ParseString(text, ParseOptions{})
	if err != nil || root.Child(0).Value != "x\x00y" {
		t.Fatalf("ParseString(%q) = %v", text, err)
	}
	if _, err := Parse([]byte(text), ParseOptions{}); err == nil {
		t.Fatal("Parse took a NUL byte for text")
	}
}

// MaxNodes stops the parse at the first node past the limit, naming its
// line; comments kept as nodes count too.
func TestParseMaxNodes(t *testing.T) {
	for _, c := range []struct {
		src      string
		comments bool
		max      int
		line     int32 // 0: parses
	}{
		{"a\r\nb\r\n   c\r\n", false, 3, 0},
		{"a\r\nb\r\n   c\r\n", false, 2, 3},
		{"a\r\n\r\n\r\nb\r\n", false, 1, 4},
		{"// one\r\na\r\n", true, 1, 2},
		{"// one\r\na\r\n", false, 1, 0},
	} {
		_, err := ParseString(c.src, ParseOptions{Comments: c.comments, MaxNodes: c.max})
		var se *SyntaxError
		switch {
		case c.line == 0 && err != nil:
			t.Errorf("%q max %d: %v", c.src, c.max, err)
		case c.line != 0 && (!errors.As(err, &se) || se.Kind != ErrMaxNodes || se.Pos.Line != c.line):
			t.Errorf("%q max %d: got %v, want too many nodes at line %d", c.src, c.max, err, c.line)
		}
	}
}
