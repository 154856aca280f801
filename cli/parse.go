package cli

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"hlstudio/hyperlambda"
)

func init() {
	commands["parse"] = command{
		summary: "print the parsed tree of a Hyperlambda file with types (or as JSON)",
		run:     runParse,
	}
}

const parseUsage = `usage: hlstudio parse [--comments] [--json] [file]

Prints the tree parsed from file (standard input when none is given): one
line per node with its name, type and value (quoted Go-style), and its
line:col in the source. --json prints the same tree as nested JSON objects
{"name","type","value","line","col","children"} for other tools; a null
value has no "type" and a null "value".

`

func runParse(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("parse", flag.ContinueOnError)
	fl.SetOutput(stderr)
	comments := fl.Bool("comments", false, "keep comments as nodes named \"..\"")
	asJSON := fl.Bool("json", false, "print JSON")
	fl.Usage = func() {
		fmt.Fprint(stderr, parseUsage)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 1 {
		if flagsBeforeArgs("parse", "the file", fl, stderr) {
			fl.Usage()
		}
		return 2
	}
	name := "<standard input>"
	var src []byte
	var err error
	if fl.NArg() == 1 {
		name = fl.Arg(0)
		src, err = readSource(name)
	} else if src, err = io.ReadAll(stdin); err != nil {
		err = fmt.Errorf("reading %s: %v", name, err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hlstudio parse: %v\n", err)
		return 2
	}
	root, err := hyperlambda.Parse(src, hyperlambda.ParseOptions{Comments: *comments})
	if err != nil {
		fmt.Fprintf(stderr, "%s:%v\n", name, err)
		return 2
	}
	if *asJSON {
		if err := writeJSON(stdout, toJSONTree(root.Children())); err != nil {
			fmt.Fprintf(stderr, "hlstudio parse: %v\n", err)
			return 1
		}
		return 0
	}
	var b strings.Builder
	printTree(&b, root.Children(), 0)
	io.WriteString(stdout, b.String())
	return 0
}

type jsonNode struct {
	Name     string     `json:"name"`
	Type     string     `json:"type,omitempty"`
	Value    *string    `json:"value"`
	Line     int32      `json:"line"`
	Col      int32      `json:"col"`
	Children []jsonNode `json:"children,omitempty"`
}

func toJSONTree(nodes []*hyperlambda.Node) []jsonNode {
	out := make([]jsonNode, len(nodes))
	for i, n := range nodes {
		out[i] = jsonNode{Name: n.Name, Line: n.Pos.Line, Col: n.Pos.Col, Children: toJSONTree(n.Children())}
		if n.Value != nil {
			typ, text := valueText(n.Value)
			out[i].Type, out[i].Value = typ, &text
		}
	}
	return out
}

func valueText(v any) (typ, text string) {
	typ, text, err := hyperlambda.ValueText(v)
	if err != nil {
		return "?", fmt.Sprint(v)
	}
	return typ, text
}

func printTree(b *strings.Builder, nodes []*hyperlambda.Node, level int) {
	for _, n := range nodes {
		b.WriteString(strings.Repeat("   ", level))
		b.WriteString(strconv.Quote(n.Name))
		if n.Value == nil {
			b.WriteString(" null")
		} else {
			typ, text := valueText(n.Value)
			fmt.Fprintf(b, " %s %s", typ, strconv.Quote(text))
		}
		fmt.Fprintf(b, "  %d:%d\n", n.Pos.Line, n.Pos.Col)
		printTree(b, n.Children(), level+1)
	}
}
