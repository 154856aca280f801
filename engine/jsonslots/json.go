// Package jsonslots converts between JSON and lambda: json2lambda and
// lambda2json. Objects become nodes named by their keys, array items
// nodes named ".", so a tree converts back to the same JSON. Decoding is
// token by token and every node counts against the run's node budget as
// it is made, so a huge document ends the run before it fills memory.
package jsonslots

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

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
	tmp, err := DecodeAsReference(text, r.Policy().Budgets.Depth, r.Created)
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
// nesting beyond maxDepth is an error. Strings stay strings and a key
// given twice gives two nodes (so that a caller can refuse it, as
// endpoint arguments do).
func Decode(text string, maxDepth int, count func(int) error) (*hyperlambda.Node, error) {
	return decode(text, maxDepth, count, false)
}

// DecodeAsReference is Decode as the reference's [json2lambda] reads JSON
// (Newtonsoft.Json's defaults): a string holding an ISO 8601 date-time
// becomes a date, and of a key given twice the last value is kept, where
// the first one stood.
func DecodeAsReference(text string, maxDepth int, count func(int) error) (*hyperlambda.Node, error) {
	return decode(text, maxDepth, count, true)
}

func decode(text string, maxDepth int, count func(int) error, newtonsoft bool) (*hyperlambda.Node, error) {
	d := &decoder{count: count, dec: json.NewDecoder(strings.NewReader(text)), maxDepth: maxDepth, newtonsoft: newtonsoft}
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
	count      func(int) error
	dec        *json.Decoder
	maxDepth   int
	newtonsoft bool // dates from strings, the last of a key given twice
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
			// A key met again replaces the first one's value where it
			// stands, as Newtonsoft's JObject does (the last value wins).
			var seen map[string]*hyperlambda.Node
			for d.dec.More() {
				k, err := d.dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				first, again := seen[key]
				if !again {
					if err := d.child(n, key, depth); err != nil {
						return err
					}
					if d.newtonsoft {
						if seen == nil {
							seen = map[string]*hyperlambda.Node{}
						}
						seen[key] = n.Child(n.Len() - 1)
					}
					continue
				}
				tmp := hyperlambda.New(key, nil)
				if err := d.count(1); err != nil {
					return err
				}
				if err := d.value(tmp, depth+1); err != nil {
					return err
				}
				first.Clear()
				first.Value = tmp.Value
				first.MoveChildren(tmp)
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
	case string:
		// As Newtonsoft's default DateParseHandling.DateTime: text that
		// is an ISO 8601 date-time (or "/Date(ms)/") becomes a date.
		n.Value = t
		if d.newtonsoft {
			if dt, ok := parseDate(t); ok {
				n.Value = dt
			}
		}
	default: // bool, nil
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
		encodeFloat(buf, float64(x), hyperlambda.StringOf(x))
	case float64:
		encodeFloat(buf, x, hyperlambda.StringOf(x))
	case decimal.Decimal:
		// As Newtonsoft: .NET's text, which keeps the scale (1.50), and
		// ".0" after a whole number.
		s := hyperlambda.StringOf(x)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		buf.WriteString(s)
	case []byte:
		writeString(buf, base64.StdEncoding.EncodeToString(x)) // as Newtonsoft
	case hyperlambda.Date:
		// As Newtonsoft: ISO 8601 with the fraction's trailing zeros
		// dropped, then "Z" for UTC, the offset for a local date, nothing
		// for an unspecified one.
		switch x.Kind {
		case hyperlambda.DateUnspecified:
			writeString(buf, x.Time.Format("2006-01-02T15:04:05.9999999"))
		case hyperlambda.DateUTC:
			writeString(buf, x.Time.UTC().Format("2006-01-02T15:04:05.9999999Z"))
		default:
			writeString(buf, x.Clock().Format("2006-01-02T15:04:05.9999999-07:00"))
		}
	case *hyperlambda.Node:
		return errors.New("cannot convert a node value (a lambda or reference) to JSON")
	default:
		writeString(buf, hyperlambda.StringOf(v))
	}
	return nil
}

// writeString writes s as a JSON string as Newtonsoft does by default:
// ", \ and control characters escaped (\b \f \n \r \t, else \u00xx), and
// U+0085, U+2028, U+2029; no HTML escaping. Bytes that are not UTF-8
// become U+FFFD.
func writeString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for _, c := range s { // an invalid byte reads as U+FFFD
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x85 || c == 0x2028 || c == 0x2029 {
				buf.WriteString(`\u`)
				buf.WriteByte(hex[c>>12&15])
				buf.WriteByte(hex[c>>8&15])
				buf.WriteByte(hex[c>>4&15])
				buf.WriteByte(hex[c&15])
			} else {
				buf.WriteRune(c)
			}
		}
	}
	buf.WriteByte('"')
}

// encodeFloat writes a double or single as Newtonsoft does: .NET's
// shortest round-trip text (text), with ".0" after a whole number; NaN
// and the infinities as strings.
func encodeFloat(buf *bytes.Buffer, f float64, text string) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		writeString(buf, text)
		return
	}
	if !strings.ContainsAny(text, ".eE") {
		text += ".0"
	}
	buf.WriteString(text)
}
