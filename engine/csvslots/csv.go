// Package csvslots converts between CSV and lambda, as the reference's
// magic.lambda.csv: csv2lambda reads a header row and makes one "."
// node per record with a column:value child per cell; lambda2csv writes
// the selected records back, and lists each column's type so csv2lambda
// can restore typed values. Parsing is RFC 4180 (encoding/csv); every
// node counts against the run's node budget before it is made, and the
// text written against the output budget.
package csvslots

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// defaultNull is the cell text that stands for null, as in the reference.
const defaultNull = "[NULL]"

var nullArg = whitelist.Arg{Name: "null-value", Type: "string", Doc: "the cell text meaning null (default [NULL])"}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "csv2lambda", Doc: "parses its CSV value (a header row, then records) into children: one \".\" node per record with a column:value child per cell",
			Value: whitelist.ValueSpec{Required: true, Expr: true}, Children: whitelist.Arguments,
			Args: []whitelist.Arg{{Name: "types", Doc: "children name a column and have a type name as value (int, date, ...); other columns stay text"}, nullArg}}, Fn: csv2lambda},
		{Sig: whitelist.Signature{Name: "lambda2csv", Doc: "CSV of the selected records (or of its children): the first record's names are the header; children := each column's type",
			Value: whitelist.ValueSpec{Expr: true}, Children: whitelist.Data, Args: []whitelist.Arg{nullArg}}, Fn: lambda2csv},
	} {
		if err := e.Register(s); err != nil {
			return err
		}
	}
	return nil
}

func nullText(r *engine.Run, n *hyperlambda.Node) (string, error) {
	v, ok, err := r.Arg(n, "null-value")
	if err != nil || !ok {
		return defaultNull, err
	}
	return v.(string), nil
}

func csv2lambda(r *engine.Run, n *hyperlambda.Node) error {
	text, err := engine.TextValue(n, "CSV")
	if err != nil {
		return err
	}
	null, err := nullText(r, n)
	if err != nil {
		return err
	}
	types := map[string]string{}
	if t, err := r.ArgNode(n, "types"); err != nil {
		return err
	} else if t != nil {
		for _, c := range t.Children() {
			name := hyperlambda.StringOf(c.Value)
			if !hyperlambda.IsTypeName(name) {
				return fmt.Errorf("[types]: %q is not a type name (column %s)", name, c.Name)
			}
			types[c.Name] = name
		}
	}
	rd := csv.NewReader(strings.NewReader(text))
	rd.FieldsPerRecord = -1 // checked below, with the reference's rule
	header, err := rd.Read()
	if err == io.EOF {
		n.Clear()
		n.Value = nil
		return nil // empty text: no records, as the reference
	}
	if err != nil {
		return fmt.Errorf("not valid CSV: %w", err)
	}
	header = append([]string(nil), header...)
	var rows []*hyperlambda.Node
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not valid CSV: %w", err)
		}
		// Extra cells are dropped, as the reference; missing ones are an
		// error (the reference fails on them too, without saying where).
		if len(rec) < len(header) {
			line, _ := rd.FieldPos(0)
			return fmt.Errorf("the record on line %d has %d cells, the header %d", line, len(rec), len(header))
		}
		if err := r.Created(len(header) + 1); err != nil {
			return err
		}
		row := hyperlambda.New(".", nil)
		row.Grow(len(header))
		for i, col := range header {
			var cell any
			switch t, typed := types[col]; {
			case rec[i] == null:
			case typed:
				if cell, err = hyperlambda.ConvertText(rec[i], t); err != nil {
					line, _ := rd.FieldPos(i)
					return fmt.Errorf("line %d, column %s: %w", line, col, err)
				}
			default:
				cell = rec[i]
			}
			row.Add(hyperlambda.New(col, cell))
		}
		rows = append(rows, row)
	}
	n.Clear()
	n.Value = nil
	for _, row := range rows {
		n.Add(row)
	}
	return nil
}

func lambda2csv(r *engine.Run, n *hyperlambda.Node) error {
	null, err := nullText(r, n)
	if err != nil {
		return err
	}
	var records []*hyperlambda.Node
	if n.Value != nil {
		if records, err = engine.Select(n, nil); err != nil {
			return err
		}
	} else {
		for _, c := range n.Children() {
			if c.Name != "null-value" {
				records = append(records, c)
			}
		}
	}
	var b strings.Builder
	counted := 0
	var columns []*hyperlambda.Node // name:type, in header order
	for i, rec := range records {
		cells := rec.Children()
		if i == 0 {
			for j, c := range cells {
				if j > 0 {
					b.WriteByte(',')
				}
				// Unlike the reference, a header needing quotes gets them.
				writeField(&b, c.Name, false)
				columns = append(columns, hyperlambda.New(c.Name, nil))
			}
			b.WriteString("\r\n")
		}
		if len(cells) != len(columns) {
			return fmt.Errorf("record %d has %d cells, the first record %d", i, len(cells), len(columns))
		}
		for j, c := range cells {
			if j > 0 {
				b.WriteByte(',')
			}
			if c.Value == nil {
				b.WriteString(null)
				continue
			}
			typ, text, err := hyperlambda.ValueText(c.Value)
			if err != nil {
				return fmt.Errorf("record %d, column %s: %w", i, c.Name, err)
			}
			// Text is always quoted, as the reference, so a text cell
			// equal to the null marker stays text; other values only
			// when they need it.
			_, isString := c.Value.(string)
			// Cells can share one long value: room is checked before each
			// is written, not only after a record (audit 16).
			if err := r.OutputRoom(b.Len() - counted + len(text)); err != nil {
				return err
			}
			writeField(&b, text, isString)
			if columns[j].Value == nil {
				columns[j].Value = typ
			}
		}
		b.WriteString("\r\n")
		// Counted as it grows, so a huge selection ends the run before
		// the text is built.
		if err := r.Output(b.Len() - counted); err != nil {
			return err
		}
		counted = b.Len()
	}
	if err := r.Created(len(columns)); err != nil {
		return err
	}
	n.Clear()
	n.Value = b.String()
	for _, c := range columns {
		n.Add(c)
	}
	return nil
}

// writeField writes one cell, quoted when quote is set or the text
// needs it (RFC 4180: a comma, a quote or a line break).
func writeField(b *strings.Builder, text string, quote bool) {
	if !quote && !strings.ContainsAny(text, ",\"\r\n") {
		b.WriteString(text)
		return
	}
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(text, `"`, `""`))
	b.WriteByte('"')
}
