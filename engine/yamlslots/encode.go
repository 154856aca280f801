package yamlslots

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"hlstudio/hyperlambda"
)

// yamlOfNodes is the YAML tree of a list of nodes, as the reference's
// lambda2yaml shapes it (through its JSON conversion): a mapping when
// one of them has a name other than "" or ".", else a sequence; a node
// with children is such a collection of them, one without its value.
// Nothing at all is an empty mapping. count is told of every node
// converted (as lambda2json counts its copies). owner is the node whose
// children list is, named in errors.
func yamlOfNodes(list []*hyperlambda.Node, owner *hyperlambda.Node, depth, maxDepth int, count func(int) error) (*yaml.Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s: nested deeper than %d", owner.Path(), maxDepth)
	}
	mapping := false
	for _, c := range list {
		if c.Name != "" && c.Name != "." {
			mapping = true
			break
		}
	}
	if !mapping && len(list) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, 0, len(list))}
		for _, c := range list {
			v, err := yamlOfNode(c, depth, maxDepth, count)
			if err != nil {
				return nil, err
			}
			seq.Content = append(seq.Content, v)
		}
		return seq, nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(list))}
	seen := make(map[string]bool, len(list))
	for _, c := range list {
		// As the reference (a JSON object cannot hold a name twice), and
		// because YAML with a repeated key is not valid YAML.
		if seen[c.Name] {
			return nil, fmt.Errorf("%s: two nodes named %q: a YAML mapping's keys are unique", owner.Path(), c.Name)
		}
		seen[c.Name] = true
		v, err := yamlOfNode(c, depth, maxDepth, count)
		if err != nil {
			return nil, err
		}
		m.Content = append(m.Content, stringNode(c.Name), v)
	}
	return m, nil
}

func yamlOfNode(n *hyperlambda.Node, depth, maxDepth int, count func(int) error) (*yaml.Node, error) {
	if err := count(1); err != nil {
		return nil, err
	}
	if n.Len() > 0 {
		return yamlOfNodes(n.Children(), n, depth+1, maxDepth, count)
	}
	v, err := scalarNode(n.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.Path(), err)
	}
	return v, nil
}

// scalarNode is the YAML scalar of a value, written so that yaml2lambda
// reads back the same type where YAML has one: null, bool, integers,
// decimals and doubles (always with a fraction or exponent, so they stay
// floats), dates (as the reference writes them), bytes as !!binary; other
// values are text.
func scalarNode(v any) (*yaml.Node, error) {
	tagged := func(tag, text string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: text}
	}
	switch x := v.(type) {
	case nil:
		return tagged("!!null", "null"), nil
	case string:
		return stringNode(x), nil
	case bool:
		return tagged("!!bool", fmt.Sprint(x)), nil
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		return tagged("!!int", fmt.Sprint(x)), nil
	case decimal.Decimal:
		_, text, err := hyperlambda.ValueText(x)
		if err != nil {
			return nil, err
		}
		if !strings.Contains(text, ".") {
			text += ".0"
		}
		return tagged("!!float", text), nil
	case float64:
		return tagged("!!float", floatText(x, hyperlambda.StringOf(x))), nil
	case float32:
		return tagged("!!float", floatText(float64(x), hyperlambda.StringOf(x))), nil
	case []byte:
		return tagged("!!binary", base64.StdEncoding.EncodeToString(x)), nil
	case hyperlambda.Date:
		if _, _, err := hyperlambda.ValueText(x); err != nil {
			return nil, err
		}
		// Untagged and plain: go-yaml does not know the zone-less form as
		// a timestamp and would tag it; YAML 1.1 readers and yaml2lambda do.
		return tagged("", formatTimestamp(x)), nil
	case *hyperlambda.Node:
		return nil, fmt.Errorf("cannot convert a node value (a lambda or reference) to YAML")
	}
	return stringNode(hyperlambda.StringOf(v)), nil // char, time, guid, expression
}

// floatText is a double's YAML text: .NET's shortest round-trip text
// with ".0" after a whole number, YAML's .inf and .nan.
func floatText(f float64, text string) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	case !strings.ContainsAny(text, ".eE"):
		return text + ".0"
	}
	return text
}

// stringNode is a text scalar. go-yaml quotes text that YAML 1.2 would
// read as another type; this also quotes what YAML 1.1 readers (such as
// the reference's YamlDotNet) or yaml2lambda's date-times would, and text
// with line breaks a block scalar would not keep.
func stringNode(s string) *yaml.Node {
	s = strings.ToValidUTF8(s, "\uFFFD") // as lambda2json
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if needsQuotes(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// YAML 1.1 reads these words as booleans and null, and 1:20 as a
// sexagesimal number; YAML 1.2 (go-yaml) does not, so it writes them
// plain.
var (
	yaml11Words = map[string]bool{}
	base60      = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)
)

func init() {
	for _, w := range strings.Fields("yes no on off true false null") {
		yaml11Words[w] = true
		yaml11Words[strings.ToUpper(w)] = true
		yaml11Words[strings.ToUpper(w[:1])+w[1:]] = true
	}
}

func needsQuotes(s string) bool {
	return yaml11Words[s] || base60.MatchString(s) || timestampPattern.MatchString(s) ||
		strings.ContainsAny(s, "\r\u0085\u2028\u2029") ||
		// go-yaml writes a block whose line starts with a tab, then
		// cannot read it back ("found a tab character where an
		// indentation space is expected").
		strings.Contains(s, "\n") && (strings.HasPrefix(s, "\t") || strings.Contains(s, "\n\t"))
}

// emit writes root as YAML, each line ending in newline ("\n" or
// "\r\n"), refusing through room as soon as the text passes the output
// budget, so that it is never built whole.
func emit(root *yaml.Node, newline string, room func(int) error) (string, error) {
	w := &budgetWriter{room: room, crlf: newline == "\r\n"}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	enc.CompactSeqIndent() // "- item" under its key, as YamlDotNet writes it
	err := enc.Encode(root)
	if err == nil {
		err = enc.Close()
	}
	if w.err != nil {
		return "", w.err
	}
	if err != nil {
		return "", fmt.Errorf("cannot write YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return w.buf.String(), nil
}

// budgetWriter collects the emitter's output, turning line breaks into
// CRLF when asked, and fails once the output budget could not hold it.
type budgetWriter struct {
	buf  bytes.Buffer
	room func(int) error
	crlf bool
	err  error
}

func (w *budgetWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	written, size := len(p), len(p)
	if w.crlf {
		size += bytes.Count(p, []byte{'\n'})
	}
	if err := w.room(w.buf.Len() + size); err != nil {
		w.err = err
		return 0, err
	}
	if !w.crlf {
		return w.buf.Write(p)
	}
	// go-yaml writes raw line breaks only between lines: text with a
	// carriage return is double-quoted (escaped), so none is doubled.
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf.Write(p)
			break
		}
		w.buf.Write(p[:i])
		w.buf.WriteString("\r\n")
		p = p[i+1:]
	}
	return written, nil
}
