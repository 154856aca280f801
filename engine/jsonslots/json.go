// Package jsonslots converts between JSON and lambda: json2lambda and
// lambda2json. Objects become nodes named by their keys, array items
// nodes named ".", so a tree converts back to the same JSON. Decoding is
// token by token and every node counts against the run's node budget as
// it is made, so a huge document ends the run before it fills memory.
package jsonslots

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "json2lambda", Doc: "parses its JSON value into children: object keys become names, array items nodes named \".\"",
			Value: whitelist.ValueSpec{Required: true, Expr: true}}, Fn: json2lambda},
		{Sig: whitelist.Signature{Name: "lambda2json", Doc: "JSON of the selected nodes (or of its children): named nodes make an object, nodes named \".\" or \"\" an array",
			Value: whitelist.ValueSpec{Expr: true}, Children: whitelist.Data,
			Args: []whitelist.Arg{{Name: "format", Type: "bool", Doc: "indent the output (beside an expression; without one every child is data)"}}, OptionsBesideValue: true}, Fn: lambda2json},
	} {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}

func json2lambda(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "JSON")
	if err != nil {
		return err
	}
	tmp, err := Decode(text, r.Policy().Budgets.Depth, r.Created)
	if err != nil {
		return err
	}
	// An object or array fills n's children; a lone value becomes n's value.
	n.Clear()
	n.Value = tmp.Value
	n.MoveChildren(tmp)
	return nil
}

// Decode turns JSON text into a lambda: an object's keys become child
// names, array items children named ".", a lone value the root's value.
// count is told of every node before it is made (a run's node budget);
// nesting beyond maxDepth is an error.
func Decode(text string, maxDepth int, count func(int) error) (*hyperlambda.Node, error) {
	d := &decoder{count: count, dec: json.NewDecoder(strings.NewReader(text)), maxDepth: maxDepth}
	d.dec.UseNumber()
	root := hyperlambda.New("", nil)
	if err := d.value(root, 0); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: text after the value")
	}
	return root, nil
}

type decoder struct {
	count    func(int) error
	dec      *json.Decoder
	maxDepth int
}

// value reads one JSON value into n (its value, or its children).
func (d *decoder) value(n *hyperlambda.Node, depth int) error {
	if depth > d.maxDepth {
		return fmt.Errorf("nested deeper than %d", d.maxDepth)
	}
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for d.dec.More() {
				k, err := d.dec.Token()
				if err != nil {
					return err
				}
				if err := d.child(n, k.(string), depth); err != nil {
					return err
				}
			}
		case '[':
			for d.dec.More() {
				if err := d.child(n, ".", depth); err != nil {
					return err
				}
			}
		}
		_, err := d.dec.Token() // the closing delimiter
		return err
	case json.Number:
		n.Value = number(t)
	default: // string, bool, nil
		n.Value = t
	}
	return nil
}

func (d *decoder) child(n *hyperlambda.Node, name string, depth int) error {
	if err := d.count(1); err != nil {
		return err
	}
	c := hyperlambda.New(name, nil)
	n.Add(c)
	return d.value(c, depth+1)
}

// number is a JSON number as the narrowest exact Hyperlambda type: long
// for integers, decimal for other numbers within decimal's range, double
// beyond it.
func number(t json.Number) any {
	if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
		return i
	}
	// A decimal when .NET's decimal holds the number exactly, else a
	// double (1.5e300 is far beyond any decimal).
	if dec, err := decimal.NewFromString(string(t)); err == nil {
		if nd, ok := hyperlambda.NetDecimal(dec); ok && nd.Equal(dec) {
			return nd
		}
	}
	f, _ := strconv.ParseFloat(string(t), 64)
	return f
}

func lambda2json(r *engine.Run, n *hyperlambda.Node) error {
	// As the reference: the selected nodes (copies) are the members of
	// the object or items of the array; without an expression, its
	// children are, every one of them, so [format] is only an option
	// beside an expression (as [comments] of lambda2hyper).
	src := hyperlambda.New("", nil)
	var indent any
	if n.Value != nil {
		sel, err := engine.Select(n, nil)
		if err != nil {
			return err
		}
		for _, s := range sel {
			c, err := r.Clone(s)
			if err != nil {
				return err
			}
			src.Add(c)
		}
		if indent, _, err = r.Arg(n, "format"); err != nil {
			return err
		}
	} else {
		for _, c := range n.Children() {
			cp, err := r.Clone(c)
			if err != nil {
				return err
			}
			src.Add(cp)
		}
	}
	if src.Len() == 0 {
		if err := r.Output(2); err != nil {
			return err
		}
		n.Clear()
		n.Value = "{}" // nothing selected: an empty object, as the reference
		return nil
	}
	out, err := Encode(src, r.Policy().Budgets.OutputBytes)
	if err != nil {
		return err
	}
	if indent == true {
		var ind bytes.Buffer
		if err := json.Indent(&ind, out, "", "  "); err != nil {
			return err
		}
		out = ind.Bytes()
	}
	if err := r.Output(len(out)); err != nil {
		return err
	}
	n.Clear()
	n.Value = string(out)
	return nil
}

// Encode is the JSON of n's children: an object, or an array when every
// child is nameless; a node without children is its value. It stops with
// an output-bytes budget error once the text passes limit.
func Encode(n *hyperlambda.Node, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if err := encode(&buf, n, limit); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encode writes n's children as a JSON object (or an array when every
// child is nameless); a node without children is its value. limit stops
// the writing once the output budget could not hold it anyway.
func encode(buf *bytes.Buffer, n *hyperlambda.Node, limit int64) error {
	if int64(buf.Len()) > limit {
		return &engine.BudgetError{Budget: "output-bytes", Limit: limit, Used: int64(buf.Len())}
	}
	kids := n.Children()
	if len(kids) == 0 {
		return encodeValue(buf, n.Value)
	}
	array := true
	for _, c := range kids {
		if c.Name != "" && c.Name != "." {
			array = false
			break
		}
	}
	open, end := byte('{'), byte('}')
	if array {
		open, end = '[', ']'
	}
	buf.WriteByte(open)
	for i, c := range kids {
		if i > 0 {
			buf.WriteByte(',')
		}
		if !array {
			writeString(buf, c.Name)
			buf.WriteByte(':')
		}
		if err := encode(buf, c, limit); err != nil {
			return err
		}
	}
	buf.WriteByte(end)
	return nil
}

func encodeValue(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		fmt.Fprint(buf, x)
	case float32:
		return encodeFloat(buf, float64(x))
	case float64:
		return encodeFloat(buf, x)
	case decimal.Decimal:
		buf.WriteString(x.String())
	case hyperlambda.Date:
		// ISO 8601, with the zone only when the date has one.
		switch x.Kind {
		case hyperlambda.DateUnspecified:
			writeString(buf, x.Time.Format("2006-01-02T15:04:05.999999999"))
		default:
			writeString(buf, x.Time.UTC().Format(time.RFC3339Nano))
		}
	case *hyperlambda.Node:
		return errors.New("cannot convert a node value (a lambda or reference) to JSON")
	default:
		writeString(buf, hyperlambda.StringOf(v))
	}
	return nil
}

// writeString writes s as a JSON string without HTML escaping: the output
// is data for programs, not a web page.
func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)               // a string always encodes
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

func encodeFloat(buf *bytes.Buffer, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%v has no JSON form", f)
	}
	buf.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	return nil
}
