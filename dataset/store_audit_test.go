package dataset

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// foreignDB writes a SQLite database of another program (user_version 0,
// its own table, rollback journal) and returns its path and bytes.
func foreignDB(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "places.sqlite")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestOpenRefusesAnotherProgramsDatabase: a SQLite file that is not
// a dataset (schema version 0, yet holding tables of its own: --db pointed
// at the wrong file) must be refused with a clear error and left exactly
// as it was. Before audit 18, Open took it for a new dataset: it switches the file
// to WAL and adds hlstudio's thirty-odd tables, indexes and triggers to
// the other program's database (the CLI's read-only commands, search and
// export, do the same).
func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	path, before := foreignDB(t)
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Errorf("Open of another program's SQLite database succeeded; want an error saying it is not an hlstudio dataset")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("the other program's database was changed (%d bytes before, %d after)", len(before), len(after))
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Errorf("a WAL file was left beside the other program's database")
	}
}
