package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"hlstudio/hyperlambda"
)

// Tree mode asks Ollama for JSON constrained by a schema. Ollama rejects
// recursive schemas, so a tree is a flat list of rows in document order, each
// with its depth, like the lines of Hyperlambda text with the indentation
// made explicit: {"rows":[{"depth":0,"name":".x","type":"","value":""}, ...]}.

// MaxRowDepth bounds depth in the schema; deeper generated code is a sign of
// a runaway model, not of a program a person wants.
const MaxRowDepth = 63

// Row is one node of a tree in tree mode.
type Row struct {
	Depth int    `json:"depth"` // 0 for top-level nodes; a child is one deeper than its parent
	Name  string `json:"name"`
	Type  string `json:"type"`  // "" (untyped) or one of hyperlambda.TypeNames
	Value string `json:"value"` // the value as Hyperlambda writes it after the type
}

// Rows is the JSON object tree mode asks for.
type Rows struct {
	Rows []Row `json:"rows"`
}

// rowTypes are the values the schema allows for Row.Type.
func rowTypes() []string { return append([]string{""}, hyperlambda.TypeNames...) }

// RowsSchema is the JSON schema of Rows, for ChatRequest.Format. The object
// wrapper (rather than a bare array) is what models are most used to; the
// type enum keeps the model to types the parser knows.
func RowsSchema() json.RawMessage {
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"rows": map[string]any{
				"type":     "array",
				"minItems": 1,
				"items": map[string]any{
					"type": "object",
					"properties": map[string]any{
						"depth": map[string]any{"type": "integer", "minimum": 0, "maximum": MaxRowDepth},
						"name":  map[string]any{"type": "string"},
						"type":  map[string]any{"type": "string", "enum": rowTypes()},
						"value": map[string]any{"type": "string"},
					},
					"required":             []string{"depth", "name", "type", "value"},
					"additionalProperties": false,
				},
			},
		},
		"required":             []string{"rows"},
		"additionalProperties": false,
	}
	b, err := json.Marshal(schema)
	if err != nil {
		panic(err) // a fixed value of maps and strings always marshals
	}
	return b
}

// RowsError says why a model's tree-mode output is not a usable list of
// rows; its text is written to be fed back to the model.
type RowsError struct {
	Row    int // 0-based row index, -1 for the document as a whole
	Reason string
}

func (e *RowsError) Error() string {
	if e.Row < 0 {
		return "tree rows: " + e.Reason
	}
	return fmt.Sprintf("tree rows: row %d: %s", e.Row+1, e.Reason)
}

// DecodeRows decodes tree-mode output and checks what the schema cannot
// say: the first row is at depth 0 and each row is at most one deeper than
// the one before. Grammar-constrained output always decodes, but a model
// that ignores the schema, or a cut stream, does not.
func DecodeRows(content string) ([]Row, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(content)))
	dec.DisallowUnknownFields()
	var doc Rows
	if err := dec.Decode(&doc); err != nil {
		return nil, &RowsError{Row: -1, Reason: "not the JSON the schema asks for: " + err.Error()}
	}
	if rest := bytes.TrimSpace([]byte(content)[dec.InputOffset():]); len(rest) > 0 {
		return nil, &RowsError{Row: -1, Reason: "text after the JSON object"}
	}
	if len(doc.Rows) == 0 {
		return nil, &RowsError{Row: -1, Reason: "no rows"}
	}
	types := rowTypes()
	prev := -1
	for i, r := range doc.Rows {
		switch {
		case r.Depth < 0 || r.Depth > MaxRowDepth:
			return nil, &RowsError{Row: i, Reason: fmt.Sprintf("depth %d is outside 0..%d", r.Depth, MaxRowDepth)}
		case i == 0 && r.Depth != 0:
			return nil, &RowsError{Row: i, Reason: fmt.Sprintf("the first row must be at depth 0, not %d", r.Depth)}
		case r.Depth > prev+1:
			return nil, &RowsError{Row: i, Reason: fmt.Sprintf("depth %d after depth %d: a row can be at most one deeper than the row before it", r.Depth, prev)}
		case !slices.Contains(types, r.Type):
			return nil, &RowsError{Row: i, Reason: fmt.Sprintf("unknown type %q", r.Type)}
		}
		prev = r.Depth
	}
	return doc.Rows, nil
}
