package yamlslots

import (
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"hlstudio/hyperlambda"
)

// lambdaList is the YAML of a list of lambda nodes, as the reference's
// lambda2yaml shapes it (through its JSON conversion): a mapping when
// one of them has a name other than "" or ".", else a sequence; a node
// with children is such a collection of them, one without its value.
// Nothing at all is an empty mapping. It is converted a piece at a time
// as it is written (emit), so that a large lambda is never a large
// go-yaml tree. count is told of every node converted (as lambda2json
// counts its copies); owner is the node whose children list is, named
// in errors.
type lambdaList struct {
	list     []*hyperlambda.Node
	owner    *hyperlambda.Node
	depth    int
	maxDepth int
	count    func(int) error
	isMap    bool
}

func newLambdaList(list []*hyperlambda.Node, owner *hyperlambda.Node, depth, maxDepth int, count func(int) error) *lambdaList {
	l := &lambdaList{list: list, owner: owner, depth: depth, maxDepth: maxDepth, count: count}
	for _, c := range list {
		if c.Name != "" && c.Name != "." {
			l.isMap = true
			break
		}
	}
	return l
}

func (l *lambdaList) size(limit int) int {
	total := 1
	if l.isMap {
		total += len(l.list) // the keys
	}
	for _, c := range l.list {
		if total > limit {
			break
		}
		total += lambdaItem{c, l}.size(limit - total)
	}
	return total
}

func (l *lambdaList) collection() bool { return len(l.list) > 0 }
func (l *lambdaList) mapping() bool    { return l.isMap }
func (l *lambdaList) len() int         { return len(l.list) }
func (l *lambdaList) value(i int) tree { return lambdaItem{l.list[i], l} }

func (l *lambdaList) key(i int) *yaml.Node {
	if !l.isMap {
		return nil
	}
	return stringNode(l.list[i].Name)
}

// open checks the list's depth and, for a mapping, that no name is
// given twice: as the reference (a JSON object cannot hold a name
// twice), and because YAML with a repeated key is not valid YAML.
func (l *lambdaList) open() (items, error) {
	if l.depth > l.maxDepth {
		return nil, fmt.Errorf("%s: nested deeper than %d", l.owner.Path(), l.maxDepth)
	}
	if !l.isMap {
		return l, nil
	}
	seen := make(map[string]struct{}, len(l.list))
	for _, c := range l.list {
		if _, again := seen[c.Name]; again {
			return nil, fmt.Errorf("%s: two nodes named %q: a YAML mapping's keys are unique", l.owner.Path(), c.Name)
		}
		seen[c.Name] = struct{}{}
	}
	return l, nil
}

func (l *lambdaList) node() (*yaml.Node, error) {
	if _, err := l.open(); err != nil {
		return nil, err
	}
	if len(l.list) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
	}
	return collect(l, l.isMap)
}

// lambdaItem is one node of a lambdaList: its value, or the collection
// of its children.
type lambdaItem struct {
	n      *hyperlambda.Node
	parent *lambdaList
}

func (it lambdaItem) children() *lambdaList {
	p := it.parent
	return newLambdaList(it.n.Children(), it.n, p.depth+1, p.maxDepth, p.count)
}

func (it lambdaItem) size(limit int) int {
	if it.n.Len() == 0 {
		return 1
	}
	// The node is its collection: one node, not two.
	return it.children().size(limit)
}

func (it lambdaItem) collection() bool { return it.n.Len() > 0 }
func (it lambdaItem) mapping() bool    { return it.n.Len() > 0 && it.children().isMap }

// open counts the node and opens its children's list.
func (it lambdaItem) open() (items, error) {
	if err := it.parent.count(1); err != nil {
		return nil, err
	}
	return it.children().open()
}

func (it lambdaItem) node() (*yaml.Node, error) {
	if err := it.parent.count(1); err != nil {
		return nil, err
	}
	if it.n.Len() > 0 {
		return it.children().node()
	}
	v, err := scalarNode(it.n.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", it.n.Path(), err)
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
	_, number := coreNumber(s) // 1e400 (beyond a double), which go-yaml leaves plain
	return number || yaml11Words[s] || base60.MatchString(s) || timestampPattern.MatchString(s) ||
		strings.ContainsAny(s, "\r\u0085\u2028\u2029") ||
		// go-yaml writes a block whose line starts with a tab, then
		// cannot read it back ("found a tab character where an
		// indentation space is expected").
		strings.Contains(s, "\n") && (strings.HasPrefix(s, "\t") || strings.Contains(s, "\n\t"))
}
