package yamlslots

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"hlstudio/hyperlambda"
)

// Parse-size bounds. go-yaml builds the whole tree before anything can
// be counted, and a hostile text makes about one tree node (some 170
// bytes of memory) per byte ("{a,b,c,...}"), so the text may be at most
// the node budget's number of bytes, within these bounds: a small budget
// still reads a small file, and no budget lets a parse take more than a
// couple of hundred megabytes.
const (
	minParseBytes = 64 << 10
	maxParseBytes = 1 << 20
)

// parseLimit is the size of the largest YAML text a run with the node
// budget nodes may parse.
func parseLimit(nodes int64) int {
	return int(min(max(nodes, minParseBytes), maxParseBytes))
}

// parse reads text as one YAML document and returns its root, nil for an
// empty document. go-yaml cannot be stopped once it starts, so the parse
// is charged to work before it is done.
func parse(text string, limit int, work *meter) (*yaml.Node, error) {
	if len(text) > limit {
		return nil, fmt.Errorf("the YAML text is %d bytes, more than the %d this run may parse (its node budget)", len(text), limit)
	}
	if err := work.now(int64(len(text)) * parseNsPerByte); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, syntaxError(err)
	}
	// The reference reads one document and fails on more; so do we,
	// rather than silently dropping the rest.
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, fmt.Errorf("not one YAML document: another starts on line %d", next.Line)
	} else if err != io.EOF {
		return nil, syntaxError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// syntaxError is go-yaml's error ("yaml: line 3: ...") as ours.
func syntaxError(err error) error {
	return fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}

// walker expands a parsed document: it follows aliases and merge keys,
// refusing cycles, and bounds the expansion by visits and depth.
type walker struct {
	maxDepth  int
	maxVisits int64
	visits    int64
	active    map[*yaml.Node]bool // anchored collections being expanded
	work      *meter              // the expansion's steps
}

func newWalker(maxDepth int, maxVisits int64, work *meter) *walker {
	return &walker{maxDepth: maxDepth, maxVisits: maxVisits, active: map[*yaml.Node]bool{}, work: work}
}

// visit counts one node reached without being made into a node (by
// yaml2json, or a merged key the mapping overrides), so that aliases of
// aliases (the "billion laughs") end at the node budget rather than after
// 10^9 of them, and charges its work, so that a small text expanding to
// many nodes is paid for.
func (w *walker) visit(y *yaml.Node, ns int64) error {
	w.visits++
	if w.visits > w.maxVisits {
		return fmt.Errorf("line %d: the YAML, aliases expanded, has more than %d nodes (the node budget)", y.Line, w.maxVisits)
	}
	return w.work.add(ns)
}

// deref follows an alias to the node it names.
func (w *walker) deref(y *yaml.Node) (*yaml.Node, error) {
	for y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return nil, fmt.Errorf("line %d: unknown anchor %q", y.Line, y.Value)
		}
		if w.active[y.Alias] {
			return nil, fmt.Errorf("line %d: the alias *%s is inside the node it names (a cycle)", y.Line, y.Value)
		}
		y = y.Alias
	}
	return y, nil
}

// enter marks an anchored collection as being expanded; leave unmarks it.
func (w *walker) enter(y *yaml.Node) {
	if y.Anchor != "" {
		w.active[y] = true
	}
}

func (w *walker) leave(y *yaml.Node) {
	if y.Anchor != "" {
		delete(w.active, y)
	}
}

// entry is one key of a mapping, merge keys resolved.
type entry struct {
	key   string
	value *yaml.Node
}

// entries lists m's keys and values in order: a merge key (<<) stands for
// the entries of the mapping(s) it names, minus the keys m gives itself,
// an earlier mapping's key winning over a later one's (YAML's merge
// type). A key given twice is an error, as in the reference.
func (w *walker) entries(m *yaml.Node, depth int) ([]entry, error) {
	if depth > w.maxDepth {
		return nil, fmt.Errorf("line %d: nested deeper than %d", m.Line, w.maxDepth)
	}
	own := make(map[string]int, len(m.Content)/2) // key -> line
	mergeLine := 0                                // of the merge key, 0 without one
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, err := w.deref(m.Content[i])
		if err != nil {
			return nil, err
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: a mapping key must be a scalar, not a %s", k.Line, kindName(k))
		}
		if k.Tag == "!!merge" {
			// A key given twice, as any other: one << takes a
			// sequence of mappings when several are merged.
			if mergeLine > 0 {
				return nil, fmt.Errorf("line %d: the merge key << is given twice (first on line %d); merge several mappings with << [*a, *b]", k.Line, mergeLine)
			}
			mergeLine = k.Line
			continue
		}
		if line, again := own[k.Value]; again {
			return nil, fmt.Errorf("line %d: the key %q is given twice (first on line %d)", k.Line, k.Value, line)
		}
		own[k.Value] = k.Line
	}
	out := make([]entry, 0, len(m.Content)/2)
	var merged map[string]bool
	if mergeLine > 0 {
		merged = map[string]bool{}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, _ := w.deref(m.Content[i]) // checked above
		if k.Tag != "!!merge" {
			out = append(out, entry{k.Value, m.Content[i+1]})
			continue
		}
		sources, err := w.mergeSources(m.Content[i+1])
		if err != nil {
			return nil, err
		}
		for _, src := range sources {
			w.enter(src)
			sub, err := w.entries(src, depth+1)
			w.leave(src)
			if err != nil {
				return nil, err
			}
			for _, e := range sub {
				if err := w.visit(e.value, mergeNs); err != nil {
					return nil, err
				}
				if _, mine := own[e.key]; mine || merged[e.key] {
					continue
				}
				merged[e.key] = true
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// mergeSources are the mappings a merge key's value names: a mapping or a
// sequence of mappings (aliases, as a rule).
func (w *walker) mergeSources(v *yaml.Node) ([]*yaml.Node, error) {
	v, err := w.deref(v)
	if err != nil {
		return nil, err
	}
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	sources := make([]*yaml.Node, 0, len(items))
	for _, it := range items {
		src, err := w.deref(it)
		if err != nil {
			return nil, err
		}
		if src.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: a merge key (<<) needs a mapping or a sequence of mappings, not a %s", src.Line, kindName(src))
		}
		sources = append(sources, src)
	}
	return sources, nil
}

func kindName(y *yaml.Node) string {
	switch y.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

// toLambda expands y into dst: a scalar becomes dst's value, a mapping
// children named by its keys, a sequence children named ".". count is
// told of every node before it is made (the run's node budget).
func (w *walker) toLambda(y *yaml.Node, dst *hyperlambda.Node, depth int, count func(int) error) error {
	y, err := w.deref(y)
	if err != nil {
		return err
	}
	// Not counted as a visit: each node reached here is made, so the
	// node budget bounds the expansion (visits bound what is not made).
	if depth > w.maxDepth {
		return fmt.Errorf("line %d: nested deeper than %d", y.Line, w.maxDepth)
	}
	switch y.Kind {
	case yaml.ScalarNode:
		dst.Value, err = scalarValue(y)
		return err
	case yaml.SequenceNode:
		w.enter(y)
		defer w.leave(y)
		for _, item := range y.Content {
			if err := count(1); err != nil {
				return err
			}
			c := hyperlambda.New(".", nil)
			dst.Add(c)
			if err := w.toLambda(item, c, depth+1, count); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		w.enter(y)
		defer w.leave(y)
		entries, err := w.entries(y, depth)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := count(1); err != nil {
				return err
			}
			c := hyperlambda.New(e.key, nil)
			dst.Add(c)
			if err := w.toLambda(e.value, c, depth+1, count); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("line %d: unexpected YAML node", y.Line)
	}
	return nil
}

// quotedOrBlock are the styles that make a scalar text whatever it says.
const quotedOrBlock = yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

// plain reports a scalar written without quotes, block or tag, which
// YAML types by what it says.
func plain(y *yaml.Node) bool {
	return y.Style&(quotedOrBlock|yaml.TaggedStyle) == 0
}

// scalarValue is the Hyperlambda value of a scalar. A plain scalar is
// typed by YAML 1.2's core schema (coreNumber), not by go-yaml's wider
// rules; otherwise by its tag (a quoted scalar is a string): null nil,
// bool bool, int long (beyond it decimal), float decimal when a .NET
// decimal holds it exactly, else double (as json2lambda types numbers),
// a timestamp with a time of day a date, !!binary bytes, anything else
// its text.
func scalarValue(y *yaml.Node) (any, error) {
	if plain(y) {
		switch y.Tag {
		case "!!int", "!!float", "!!str":
			if v, ok := coreNumber(y.Value); ok {
				return v, nil
			}
			if y.Tag != "!!str" {
				// A number only by YAML 1.1's rules (go-yaml's): 01234,
				// 08540, 1_000, 0b11. Zip codes and ids keep their
				// digits, as the reference keeps all scalars text.
				return y.Value, nil
			}
		}
	}
	switch y.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := y.Decode(&b); err != nil {
			return nil, scalarError(y, err)
		}
		return b, nil
	case "!!int":
		// Explicitly tagged (!!int 0b11): what the author asked for.
		var v any
		if err := y.Decode(&v); err != nil {
			return nil, scalarError(y, err)
		}
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case int64:
			return x, nil
		case uint64: // beyond a long; always within a decimal
			return decimal.NewFromUint64(x), nil
		}
		return nil, fmt.Errorf("line %d: %q is not an integer", y.Line, y.Value)
	case "!!float":
		var f float64
		if err := y.Decode(&f); err != nil {
			return nil, scalarError(y, err)
		}
		if d, ok := exactDecimal(strings.ReplaceAll(y.Value, "_", "")); ok {
			return d, nil
		}
		return f, nil
	case "!!timestamp":
		d, hasTime, ok := parseTimestamp(y.Value)
		switch {
		case ok && (hasTime || y.Style&yaml.TaggedStyle != 0):
			return d, nil
		case y.Style&yaml.TaggedStyle != 0:
			return nil, fmt.Errorf("line %d: %q is not a timestamp", y.Line, y.Value)
		}
		// A bare date stays text, as in the reference; so does a form
		// go-yaml accepts and YAML's pattern does not ("2001-1-2T3:4:5Z").
		return y.Value, nil
	case "!!str":
		// A plain date-time go-yaml does not resolve (no zone, a space
		// before the zone) is still one.
		if plain(y) {
			if d, hasTime, ok := parseTimestamp(y.Value); ok && hasTime {
				return d, nil
			}
		}
		return y.Value, nil
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(y.Value), ""))
		if err != nil {
			return nil, fmt.Errorf("line %d: !!binary is not base64: %w", y.Line, err)
		}
		return b, nil
	}
	return y.Value, nil // "<<" as a value, tags of other schemas
}

// YAML 1.2's core schema: integers in decimal, 0o octal and 0x hex,
// floats with a fraction or exponent, the infinities and NaN.
var (
	coreDecimal = regexp.MustCompile(`^[-+]?[0-9]+$`)
	coreBased   = regexp.MustCompile(`^0(?:o[0-7]+|x[0-9a-fA-F]+)$`)
	coreFloat   = regexp.MustCompile(`^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$`)
	coreSpecial = map[string]float64{}
)

func init() {
	for _, inf := range []string{".inf", ".Inf", ".INF"} {
		coreSpecial[inf] = math.Inf(1)
		coreSpecial["+"+inf] = math.Inf(1)
		coreSpecial["-"+inf] = math.Inf(-1)
	}
	for _, nan := range []string{".nan", ".NaN", ".NAN"} {
		coreSpecial[nan] = math.NaN()
	}
}

// coreNumber is the number s means by YAML 1.2's core schema, typed as
// json2lambda types a JSON number (long, else decimal when exact, else
// double, ±Infinity beyond it), so that yaml2lambda of json2yaml's text
// equals json2lambda of the JSON. A decimal integer with a leading zero
// (01234, 08540) is not one: YAML 1.1 reads it as octal, 1.2 as decimal,
// and such digits are zip codes and ids; it stays text.
func coreNumber(s string) (any, bool) {
	if s == "" || !strings.ContainsRune("0123456789+-.", rune(s[0])) {
		return nil, false // most text, without matching the patterns
	}
	switch {
	case coreDecimal.MatchString(s):
		if digits := strings.TrimLeft(s, "+-"); len(digits) > 1 && digits[0] == '0' {
			return nil, false
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
	case coreBased.MatchString(s):
		base := 8
		if s[1] == 'x' {
			base = 16
		}
		b, _ := new(big.Int).SetString(s[2:], base)
		if b.IsInt64() {
			return b.Int64(), true
		}
		d := decimal.NewFromBigInt(b, 0)
		if nd, ok := hyperlambda.NetDecimal(d); ok && nd.Equal(d) {
			return nd, true
		}
		f, _ := new(big.Float).SetInt(b).Float64()
		return f, true
	case coreFloat.MatchString(s):
	default:
		f, ok := coreSpecial[s]
		return f, ok
	}
	if d, ok := exactDecimal(s); ok {
		return d, true
	}
	f, _ := strconv.ParseFloat(s, 64) // ±Inf beyond a double, as json2lambda
	return f, true
}

// exactDecimal is the number text writes as a .NET decimal, when one
// holds it exactly.
func exactDecimal(text string) (decimal.Decimal, bool) {
	d, err := decimal.NewFromString(strings.TrimPrefix(text, "+"))
	if err != nil {
		return d, false
	}
	nd, ok := hyperlambda.NetDecimal(d)
	return nd, ok && nd.Equal(d)
}

// scalarError is go-yaml's decode error with the scalar's line.
func scalarError(y *yaml.Node, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		return errors.New(msg)
	}
	return fmt.Errorf("line %d: %s", y.Line, msg)
}
