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
	if err := w.visit(y, visitNs); err != nil {
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
		start := buf.Len()
		if d, ok := v.(decimal.Decimal); ok && d.Exponent() == 0 && !strings.ContainsAny(y.Value, ".eE") {
			buf.WriteString(d.String())
		} else if err := writeJSON(buf, v, room); err != nil {
			return err
		}
		if err := w.work.add(int64(buf.Len()-start) * jsonNsPerByte); err != nil {
			return err
		}
		return room(buf.Len())
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

// jsonValue is a JSON value as json2yaml reads it, kept small (48
// bytes): the go-yaml nodes of a piece are made only as it is written.
type jsonValue struct {
	text  string      // a scalar's: the number as written, the string, true or false
	items []jsonValue // an array's values, an object's keys and values in turn
	kind  jsonKind
}

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// readJSON reads JSON text token by token: objects become mappings (of
// a key given twice the last value is kept, where the first stood, as
// Newtonsoft's reading does), arrays sequences. count is told of every
// value and key before it is kept; nesting beyond maxDepth is an error.
func readJSON(text string, maxDepth int, count func(int) error) (*jsonValue, error) {
	r := &jsonReader{dec: json.NewDecoder(strings.NewReader(text)), maxDepth: maxDepth, count: count}
	r.dec.UseNumber()
	root, err := r.value(0)
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: text after the value")
	}
	return &root, nil
}

type jsonReader struct {
	dec      *json.Decoder
	maxDepth int
	count    func(int) error
}

func (r *jsonReader) value(depth int) (jsonValue, error) {
	if depth > r.maxDepth {
		return jsonValue{}, fmt.Errorf("nested deeper than %d", r.maxDepth)
	}
	tok, err := r.dec.Token()
	if err != nil {
		return jsonValue{}, err
	}
	if err := r.count(1); err != nil {
		return jsonValue{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := jsonValue{kind: jsonArray}
		if t == '{' {
			v.kind = jsonObject
			at := map[string]int{} // key -> index of its value
			for r.dec.More() {
				k, err := r.dec.Token()
				if err != nil {
					return v, err
				}
				key := k.(string)
				item, err := r.value(depth + 1)
				if err != nil {
					return v, err
				}
				if i, again := at[key]; again {
					v.items[i] = item
					continue
				}
				if err := r.count(1); err != nil {
					return v, err
				}
				at[key] = len(v.items) + 1
				v.items = append(v.items, jsonValue{kind: jsonString, text: key}, item)
			}
		} else {
			for r.dec.More() {
				item, err := r.value(depth + 1)
				if err != nil {
					return v, err
				}
				v.items = append(v.items, item)
			}
		}
		if _, err := r.dec.Token(); err != nil { // the closing delimiter
			return v, err
		}
		return v, nil
	case json.Number:
		return jsonValue{kind: jsonNumber, text: string(t)}, nil
	case string:
		return jsonValue{kind: jsonString, text: t}, nil
	case bool:
		return jsonValue{kind: jsonBool, text: fmt.Sprint(t)}, nil
	}
	return jsonValue{kind: jsonNull}, nil
}

// jsonTree is a JSON value as the YAML emit writes: objects mappings,
// arrays sequences, numbers plain scalars with their JSON text (YAML
// 1.2 reads them as the numbers they are), text a string scalar, except
// that a string holding an ISO 8601 date-time stays plain, so that it
// reads back as a date, as the reference's Newtonsoft makes it one.
type jsonTree struct{ v *jsonValue }

func (t jsonTree) size(limit int) int {
	total := 1
	for i := range t.v.items {
		if total > limit {
			break
		}
		total += jsonTree{&t.v.items[i]}.size(limit - total)
	}
	return total
}

func (t jsonTree) collection() bool {
	return (t.v.kind == jsonArray || t.v.kind == jsonObject) && len(t.v.items) > 0
}

func (t jsonTree) mapping() bool        { return t.v.kind == jsonObject }
func (t jsonTree) open() (items, error) { return t, nil }

func (t jsonTree) len() int {
	if t.v.kind == jsonObject {
		return len(t.v.items) / 2
	}
	return len(t.v.items)
}

func (t jsonTree) key(i int) *yaml.Node {
	if t.v.kind != jsonObject {
		return nil
	}
	return stringNode(t.v.items[2*i].text)
}

func (t jsonTree) value(i int) tree {
	if t.v.kind == jsonObject {
		return jsonTree{&t.v.items[2*i+1]}
	}
	return jsonTree{&t.v.items[i]}
}

func (t jsonTree) node() (*yaml.Node, error) {
	switch t.v.kind {
	case jsonArray, jsonObject:
		return collect(t, t.v.kind == jsonObject)
	case jsonNumber:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: t.v.text}, nil
	case jsonString:
		if isoDateTime(t.v.text) {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: t.v.text}, nil
		}
		return stringNode(t.v.text), nil
	case jsonBool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: t.v.text}, nil
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
