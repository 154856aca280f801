package yamlslots

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"hlstudio/engine/jsonslots"
	"hlstudio/hyperlambda"
)

// toJSON writes y, expanded, as JSON: a mapping an object, a sequence an
// array, a scalar as lambda2json writes the value yaml2lambda gives it.
// room refuses the text once the output budget could not hold it.
func (w *walker) toJSON(y *yaml.Node, buf *bytes.Buffer, depth int, room func(int) error) error {
	y, err := w.deref(y)
	if err != nil {
		return err
	}
	if err := w.visit(y); err != nil {
		return err
	}
	if depth > w.maxDepth {
		return fmt.Errorf("line %d: nested deeper than %d", y.Line, w.maxDepth)
	}
	switch y.Kind {
	case yaml.ScalarNode:
		v, err := scalarValue(y)
		if err != nil {
			return err
		}
		// An integer beyond a long is a decimal, which lambda2json writes
		// with ".0" (as Newtonsoft); written as YAML wrote it, it stays
		// an integer.
		if d, ok := v.(decimal.Decimal); ok && d.Exponent() == 0 && !strings.ContainsAny(y.Value, ".eE") {
			buf.WriteString(d.String())
			return room(buf.Len())
		}
		return writeJSON(buf, v, room)
	case yaml.SequenceNode:
		w.enter(y)
		defer w.leave(y)
		buf.WriteByte('[')
		for i, item := range y.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := w.toJSON(item, buf, depth+1, room); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.MappingNode:
		w.enter(y)
		defer w.leave(y)
		entries, err := w.entries(y, depth)
		if err != nil {
			return err
		}
		buf.WriteByte('{')
		for i, e := range entries {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, e.key, room); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := w.toJSON(e.value, buf, depth+1, room); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("line %d: unexpected YAML node", y.Line)
	}
	return room(buf.Len())
}

// writeJSON writes one value with lambda2json's own encoder, so that
// numbers, dates and escapes are written the same way.
func writeJSON(buf *bytes.Buffer, v any, room func(int) error) error {
	out, err := jsonslots.Encode(hyperlambda.New("", v), math.MaxInt64)
	if err != nil {
		return err
	}
	buf.Write(out)
	return room(buf.Len())
}

// yamlOfJSON reads JSON text into a YAML tree, token by token: objects
// become mappings (of a key given twice the last value is kept, where
// the first stood, as Newtonsoft's reading does), arrays sequences,
// numbers plain scalars with their JSON text, text a string scalar; a
// string holding an ISO 8601 date-time stays plain, so that it reads
// back as a date, as the reference's Newtonsoft makes it one. count is
// told of every node before it is made; nesting beyond maxDepth is an
// error.
func yamlOfJSON(text string, maxDepth int, count func(int) error) (*yaml.Node, error) {
	r := &jsonReader{dec: json.NewDecoder(strings.NewReader(text)), maxDepth: maxDepth, count: count}
	r.dec.UseNumber()
	root, err := r.value(0)
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: text after the value")
	}
	return root, nil
}

type jsonReader struct {
	dec      *json.Decoder
	maxDepth int
	count    func(int) error
}

func (r *jsonReader) value(depth int) (*yaml.Node, error) {
	if depth > r.maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", r.maxDepth)
	}
	tok, err := r.dec.Token()
	if err != nil {
		return nil, err
	}
	if err := r.count(1); err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		var n *yaml.Node
		if t == '{' {
			n = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			at := map[string]int{} // key -> index of its value
			for r.dec.More() {
				k, err := r.dec.Token()
				if err != nil {
					return nil, err
				}
				key := k.(string)
				v, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				if i, again := at[key]; again {
					n.Content[i] = v
					continue
				}
				if err := r.count(1); err != nil {
					return nil, err
				}
				at[key] = len(n.Content) + 1
				n.Content = append(n.Content, stringNode(key), v)
			}
		} else {
			n = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for r.dec.More() {
				v, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
		}
		if _, err := r.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case json.Number:
		// JSON's numbers are YAML 1.2 ints and floats as written.
		return &yaml.Node{Kind: yaml.ScalarNode, Value: string(t)}, nil
	case string:
		if isoDateTime(t) {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: t}, nil
		}
		return stringNode(t), nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
}

// isoDateTime reports whether s is the text Newtonsoft reads as a date
// by default ("yyyy-MM-ddTHH:mm:ss", a fraction, a zone), which YAML
// also reads as a timestamp.
func isoDateTime(s string) bool {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	_, hasTime, ok := parseTimestamp(s)
	return ok && hasTime
}
