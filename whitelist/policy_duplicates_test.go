package whitelist

import (
	"errors"
	"testing"
)

// Audit 22: a config key given twice is refused at its line ("config key
// "a" given twice"), but every other repeated entry silently lets the
// last one win, replacing what a reader of the file saw first: a second
// `identity` makes the caller root, a second `tables` entry (any case)
// turns users:none into read-write, a second `steps` raises the budget,
// a second `constraints` section drops the first one's clock, a second
// `files` or `root` moves the sandbox. Each must be refused at the
// repeated entry's line, as config keys are.
func TestRepeatedEntriesAreRefused(t *testing.T) {
	cases := []struct {
		name string
		src  string
		line int
	}{
		{"name", "name:a\r\nname:b\r\n", 2},
		{"description", "name:a\r\ndescription:x\r\ndescription:y\r\n", 3},
		{"budget", "name:a\r\nbudgets\r\n   steps:long:10\r\n   steps:long:99999999\r\n", 4},
		{"budgets section", "name:a\r\nbudgets\r\n   steps:long:10\r\nbudgets\r\n   steps:long:99999999\r\n", 4},
		{"constraints section", "name:a\r\nconstraints\r\n   clock:date:\"2026-01-01T00:00:00.000Z\"\r\nconstraints\r\n   config\r\n      b:2\r\n", 4},
		{"clock", "name:a\r\nconstraints\r\n   clock:date:\"2026-01-01T00:00:00.000Z\"\r\n   clock:date:\"2027-01-01T00:00:00.000Z\"\r\n", 4},
		{"config section", "name:a\r\nconstraints\r\n   config\r\n      a:1\r\n   config\r\n      b:2\r\n", 5},
		{"identity", "name:a\r\nconstraints\r\n   identity\r\n      username:jane\r\n   identity\r\n      username:root\r\n", 5},
		{"username", "name:a\r\nconstraints\r\n   identity\r\n      username:jane\r\n      username:root\r\n", 5},
		{"files section", "name:a\r\nconstraints\r\n   files\r\n      root:/srv/a\r\n   files\r\n      root:/\r\n", 5},
		{"files root", "name:a\r\nconstraints\r\n   files\r\n      root:\"{data}/a\"\r\n      root:\"/\"\r\n", 5},
		{"table", "name:a\r\nconstraints\r\n   data\r\n      tables\r\n         users:none\r\n         Users:read-write\r\n", 6},
		{"database", "name:a\r\nconstraints\r\n   data\r\n      databases\r\n         main:/a.db\r\n         main:/b.db\r\n", 6},
		{"raw-sql", "name:a\r\nconstraints\r\n   data\r\n      raw-sql:read\r\n      raw-sql:read-write\r\n", 5},
		{"private-addresses", "name:a\r\nconstraints\r\n   http\r\n      private-addresses:bool:false\r\n      private-addresses:bool:true\r\n", 5},
	}
	for _, c := range cases {
		_, err := Parse("p.hl", []byte(c.src))
		var pe *Error
		if !errors.As(err, &pe) || int(pe.Pos.Line) != c.line {
			t.Errorf("%s given twice: got %v, want a refusal at line %d", c.name, err, c.line)
		}
	}
}
