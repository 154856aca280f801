package cli

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestSearchLeavesAnotherProgramsDatabaseAlone: `hlstudio search
// --db FILE` with FILE a SQLite database of another program (a wrong
// --db) must fail with a clear message and must not write to it; search
// "only reads the dataset" (README). Before audit 18 it exited 0 with no results and
// the file has grown hlstudio's whole schema and been switched to WAL.
func TestSearchLeavesAnotherProgramsDatabaseAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "places.sqlite")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	var stdout, stderr bytes.Buffer
	code := run([]string{"search", "--db", path, "customers"}, nil, &stdout, &stderr)
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("search wrote to another program's database (%d bytes before, %d after)", len(before), len(after))
	}
	if code == 0 || stderr.Len() == 0 {
		t.Errorf("exit status %d, stderr %q; want a non-zero status and a message that the file is not an hlstudio dataset", code, stderr.String())
	}
}
