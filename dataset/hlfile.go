package dataset

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"hlstudio/hyperlambda"
)

// FileError is a file that could not be imported, with the place and the
// reason. Its text is "file:line:col: reason", as compilers print.
type FileError struct {
	File   string
	Line   int // 1-based; 0 when the error is not at a place in the text
	Col    int // 1-based, in characters
	Reason string
}

func (e *FileError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Reason)
}

// ParseHL splits the text of a training file into its prompt (the first
// comment, before any code: a block comment, or // lines one after the
// other, joined with line breaks) and its completion (the rest, as canonical
// Hyperlambda with its comments), the layout of the fine-tune-hyperlambda
// training set. A UTF-8 byte order mark is dropped; text that is not UTF-8
// (or holds a NUL byte) is an error, as the parser reports it, as is a file
// without a leading comment or without code. Errors are *FileError with an
// empty File.
func ParseHL(src []byte) (prompt, code string, err error) {
	root, err := hyperlambda.Parse(src, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		var se *hyperlambda.SyntaxError
		if errors.As(err, &se) {
			return "", "", &FileError{Line: int(se.Pos.Line), Col: int(se.Pos.Col), Reason: se.Msg}
		}
		return "", "", &FileError{Reason: err.Error()}
	}
	nodes := root.Children()
	if len(nodes) == 0 {
		return "", "", &FileError{Line: 1, Col: 1, Reason: "the file is empty; want a comment with the prompt, then the code"}
	}
	first := nodes[0]
	if !isComment(first) {
		return "", "", &FileError{Line: int(first.Pos.Line), Col: int(first.Pos.Col),
			Reason: "the file does not start with a comment; the first comment is the prompt"}
	}
	// A prompt written as several // lines is one comment per line: the
	// lines that follow each other, before any code, are the prompt. A
	// comment after a blank line is the code's.
	lines := []string{first.Value.(string)}
	n := 1
	for ; n < len(nodes) && isComment(nodes[n]); n++ {
		prev, next := nodes[n-1], nodes[n]
		if next.Pos.Line != prev.Pos.Line+1 || strings.Contains(prev.Value.(string), "\n") {
			break // a blank line between, or a block comment, whose last line is not known
		}
		lines = append(lines, next.Value.(string))
	}
	prompt = strings.TrimSpace(strings.ReplaceAll(strings.Join(lines, "\n"), "\r\n", "\n"))
	if prompt == "" {
		return "", "", &FileError{Line: int(first.Pos.Line), Col: int(first.Pos.Col), Reason: "the prompt comment is empty"}
	}
	rest := nodes[n:]
	if len(rest) == 0 || allComments(rest) {
		return "", "", &FileError{Line: int(first.Pos.Line), Col: int(first.Pos.Col), Reason: "there is no code after the prompt comment"}
	}
	return prompt, hyperlambda.Format(rest, hyperlambda.FormatOptions{Comments: true}), nil
}

// isComment reports whether n is a comment kept by the parser: a ".."
// with a string value and no children.
func isComment(n *hyperlambda.Node) bool {
	_, ok := n.Value.(string)
	return n.Name == ".." && ok && n.Len() == 0
}

func allComments(nodes []*hyperlambda.Node) bool {
	for _, n := range nodes {
		if !isComment(n) {
			return false
		}
	}
	return true
}

// FormatHL is the text of a training file for a prompt and its code: the
// prompt as the first comment, then the code (ParseHL reads it back). The
// code must be Hyperlambda.
func FormatHL(prompt, code string) (string, error) {
	root, err := hyperlambda.ParseString(code, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		return "", err
	}
	// Trailing spaces cannot be kept in a comment (nor are they read back).
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(prompt), "\r\n", "\n"), "\n")
	closes := false
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
		closes = closes || strings.HasSuffix(lines[i], "*/")
	}
	switch {
	case len(lines) == 1 || !closes:
		// One "//" line, or a /* */ block.
		comment := hyperlambda.New("..", strings.Join(lines, "\r\n"))
		nodes := append([]*hyperlambda.Node{comment}, root.Children()...)
		return hyperlambda.Format(nodes, hyperlambda.FormatOptions{Comments: true}), nil
	case !slices.Contains(lines, ""):
		// A line ending in */ would close a block: consecutive "//" lines,
		// which ParseHL reads as one prompt (the formatter would put a
		// blank line between comment nodes).
		var b strings.Builder
		for _, l := range lines {
			b.WriteString("// " + l + "\r\n")
		}
		b.WriteString(strings.TrimPrefix(hyperlambda.Format(root.Children(), hyperlambda.FormatOptions{Comments: true}), "\r\n"))
		return b.String(), nil
	}
	// Neither holds it (an empty "//" line ends the prompt): said, not
	// written changed (audit 18).
	return "", ErrPromptNotWritable
}

// ErrPromptNotWritable is FormatHL's error for a prompt no comment holds
// as it is: several paragraphs with a line ending in "*/".
var ErrPromptNotWritable = errors.New("the prompt has a line ending in */ and blank lines: no comment holds it as it is")
