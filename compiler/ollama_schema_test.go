package compiler

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRowsSchemaIsFlat(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(RowsSchema(), &s); err != nil {
		t.Fatal(err)
	}
	// Ollama rejects recursive schemas.
	if strings.Contains(string(RowsSchema()), "$ref") {
		t.Error("schema has a $ref")
	}
	items := s["properties"].(map[string]any)["rows"].(map[string]any)["items"].(map[string]any)
	req := items["required"].([]any)
	if len(req) != 4 {
		t.Errorf("required %v", req)
	}
	enum := items["properties"].(map[string]any)["type"].(map[string]any)["enum"].([]any)
	if enum[0] != "" || len(enum) < 10 {
		t.Errorf("type enum %v", enum)
	}
}

func TestDecodeRows(t *testing.T) {
	for _, tc := range []struct {
		in   string
		rows int
		err  string
	}{
		{`{"rows":[{"depth":0,"name":".c","type":"","value":".z"}]}`, 1, ""},
		{"{\"rows\":[{\"depth\":0,\"name\":\"a\",\"type\":\"\",\"value\":\"\"},{\"depth\":1,\"name\":\"b\",\"type\":\"int\",\"value\":\"1\"},{\"depth\":0,\"name\":\"c\",\"type\":\"\",\"value\":\"\"}]}\n\t ", 3, ""},
		{`{"rows":[{"depth":1,"name":"a","type":"","value":""}]}`, 0, "row 1: the first row must be at depth 0, not 1"},
		{`{"rows":[{"depth":0,"name":"a","type":"","value":""},{"depth":2,"name":"b","type":"","value":""}]}`, 0, "row 2: depth 2 after depth 0"},
		{`{"rows":[{"depth":0,"name":"a","type":"integer","value":""}]}`, 0, `unknown type "integer"`},
		{`{"rows":[{"depth":-1,"name":"a","type":"","value":""}]}`, 0, "outside 0..63"},
		{`{"rows":[]}`, 0, "no rows"},
		{`{"rows":[{"depth":0,"name":"a","type":"","value":"","extra":1}]}`, 0, "unknown field"},
		{`{"rows":[{"depth":0,"name":"a"`, 0, "not the JSON the schema asks for"},
		{"```json\n{}\n```", 0, "not the JSON"},
		{`{"rows":[{"depth":0,"name":"a","type":"","value":""}]} and more`, 0, "text after the JSON object"},
	} {
		rows, err := DecodeRows(tc.in)
		var re *RowsError
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.err == "" && len(rows) != tc.rows:
			t.Errorf("%s: %d rows", tc.in, len(rows))
		case tc.err != "" && (!errors.As(err, &re) || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
		}
	}
}
