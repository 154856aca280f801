package dataset

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenCreatesCurrentSchema(t *testing.T) {
	s := openTemp(t)
	v, err := s.SchemaVersion(bg)
	if err != nil || v != len(migrations) {
		t.Fatalf("version %d, %v; want %d", v, err, len(migrations))
	}
	var mode string
	s.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	var fk, busy int
	s.db.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	s.db.QueryRow("PRAGMA busy_timeout").Scan(&busy)
	if mode != "wal" || fk != 1 || busy == 0 {
		t.Errorf("journal_mode %s, foreign_keys %d, busy_timeout %d", mode, fk, busy)
	}
	if err := s.CheckIntegrity(bg); err != nil {
		t.Error(err)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	if p, _ := DefaultPath(); p != "/data/hlstudio/studio.db" {
		t.Errorf("with XDG_DATA_HOME: %s", p)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, _ := DefaultPath(); p != "/home/u/.local/share/hlstudio/studio.db" {
		t.Errorf("without XDG_DATA_HOME: %s", p)
	}
	t.Setenv("XDG_DATA_HOME", "relative")
	if p, _ := DefaultPath(); p != "/home/u/.local/share/hlstudio/studio.db" {
		t.Errorf("relative XDG_DATA_HOME is ignored by the spec: %s", p)
	}
}

// oldFile builds a dataset file at schema version v with the rows a file
// of that version could hold, the way that version wrote them.
func oldFile(t *testing.T, v int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_fk=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrate(bg, db, v); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO attempts (id, created, prompt, prompt_hash, raw_output, error) VALUES (1, 1, 'Say hi', 'h', 'log.info:hi', '')`,
		`INSERT INTO snippets (id, prompt, code, tree_hash, status, split, source, attempt_id, created, updated)
			VALUES (1, 'Say Hi!', 'log.info:hi' || char(13, 10), 'x', 'approved', 'train', 'generated', 1, 1, 2)`,
		`INSERT INTO snippet_tags VALUES (1, 'greetings')`,
		`INSERT INTO snippet_versions VALUES (1, 1, 'Say hi', 'log.info:hello', 'y', 'draft', '', '', '', 2)`,
		`INSERT INTO regressions (snippet_id, attempt_id, bad, good, created) VALUES (1, 1, 'log.inf:hi', 'log.info:hi', 3)`,
		`INSERT INTO runs (created, tree_hash, snippet_id, policy_name, policy_hash) VALUES (4, 'x', 1, 'pure', 'p')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("version %d: %s: %v", v, q, err)
		}
	}
	if v >= 3 { // version 3 added the normalised prompt, written with each row
		if _, err := db.Exec(`UPDATE snippets SET prompt_norm = 'say hi', source_hash = 'f'`); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestMigrateFromEachEarlierVersion(t *testing.T) {
	for v := 1; v < len(migrations); v++ {
		t.Run(migrations[v-1].name, func(t *testing.T) {
			s, err := Open(oldFile(t, v))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got, _ := s.SchemaVersion(bg); got != len(migrations) {
				t.Fatalf("version %d after open", got)
			}
			sn, err := s.Snippet(bg, 1)
			if err != nil {
				t.Fatal(err)
			}
			if sn.Prompt != "Say Hi!" || sn.Status != StatusApproved || len(sn.Tags) != 1 || sn.AttemptID != 1 {
				t.Errorf("snippet after upgrade: %+v", sn)
			}
			// Later versions' features work on upgraded rows.
			hits, err := s.Search(bg, Query{Text: "hi"})
			if err != nil || len(hits) != 1 {
				t.Errorf("search after upgrade: %v %v", hits, err)
			}
			if _, err := s.AddSnippet(bg, Snippet{Prompt: "say hi", Code: "log.info:hey"}); err != nil {
				t.Fatal(err)
			}
			dups, err := s.Duplicates(bg, 1)
			if err != nil || len(dups) != 1 {
				t.Errorf("prompt_norm filled in by the upgrade: duplicates %v %v", dups, err)
			}
			if vs, _ := s.Versions(bg, 1); len(vs) != 1 {
				t.Errorf("versions %v", vs)
			}
			if err := s.CheckIntegrity(bg); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNewerFileRefused(t *testing.T) {
	path := oldFile(t, len(migrations))
	db, _ := sql.Open("sqlite3", path)
	db.Exec("PRAGMA user_version = 99")
	db.Close()
	_, err := Open(path)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "schema version 99") || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v", err)
	}
}

func TestCorruptFileReportedUntouched(t *testing.T) {
	dir := t.TempDir()
	good := oldFile(t, len(migrations))
	data, _ := os.ReadFile(good)
	pageSize := 4096
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"text", []byte("this is a shopping list, not a database\n")},
		{"truncated header", []byte("SQLite format")},
		{"damaged pages", func() []byte {
			b := bytes.Clone(data)
			// Keep the header page; overwrite the schema and table pages.
			for i := pageSize; i < len(b); i++ {
				b[i] = 0xA5
			}
			return b
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".db")
			os.WriteFile(path, tc.data, 0o644)
			s, err := Open(path)
			if err == nil {
				// Damage below the schema can only be found by reading it.
				err = s.CheckIntegrity(bg)
				s.Close()
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, tc.data) {
				t.Error("the corrupt file was changed")
			}
			if _, err := os.Stat(path + "-wal"); err == nil {
				t.Error("a WAL file was created beside the corrupt file")
			}
		})
	}
}

func TestReadOnlyFileReported(t *testing.T) {
	path := oldFile(t, len(migrations))
	os.Chmod(path, 0o444)
	_, err := Open(path)
	if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want ErrReadOnly naming the file", err)
	}
}

// TestOpenReadOnly: a read-only file opens for reading, refuses every
// write, and gets no -wal or -shm file beside it.
func TestOpenReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "studio.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSnippet(bg, Snippet{Prompt: "Read customers.", Code: "data.read\n   table:customers\n", Status: StatusApproved}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(path)
	os.Chmod(path, 0o444)
	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := r.Search(bg, Query{Text: "customers"})
	if err != nil || len(hits) != 1 || hits[0].Prompt != "Read customers." {
		t.Fatalf("search: %v, %+v", err, hits)
	}
	if _, err := r.AddSnippet(bg, Snippet{Prompt: "p", Code: "a"}); err == nil {
		t.Error("a read-only store took a write")
	}
	r.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("the file was changed")
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + ext); err == nil {
			t.Errorf("a %s file was left beside the read-only file", ext)
		}
	}

	// A file of an older schema cannot be upgraded read-only.
	old := oldFile(t, len(migrations)-1)
	os.Chmod(old, 0o444)
	if _, err := OpenReadOnly(old); err == nil || !strings.Contains(err.Error(), "older hlstudio") || !strings.Contains(err.Error(), old) {
		t.Errorf("older schema: %v", err)
	}
	if _, err := OpenReadOnly(filepath.Join(t.TempDir(), "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestOpenErrorsNameTheProblem(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing", "studio.db"), "does not exist"},
		{dir, "is a folder"},
	} {
		if _, err := Open(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%s): %v, want %q", tc.path, err, tc.want)
		}
	}
}

// Create names the folder it could not make and what to do: under a data
// home that is a file it said only "mkdir …: not a directory".
func TestCreateErrorNamesTheFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_DATA_HOME", file)
	_, err := Create("")
	if want := "cannot make the dataset's folder " + filepath.Join(file, "hlstudio"); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--db") {
		t.Errorf("Create under a data home that is a file: %v, want %q and what to do", err, want)
	}
}

func TestCanceledContext(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := s.AddSnippet(ctx, Snippet{Prompt: "p", Code: "a"}); err == nil {
		t.Error("a cancelled context should stop a write")
	}
}

// The index of words as written is filled in for the rows of a file made
// before it existed.
func TestMigrationFillsTheWordsIndex(t *testing.T) {
	path := oldFile(t, 3)
	db, err := sql.Open("sqlite3", "file:"+path+"?_fk=1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO snippets (id, prompt, prompt_norm, code, tree_hash, created, updated)
		VALUES (2, 'Keep it running', 'keep it running', 'log.info:x', 'y', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hits, err := s.Search(bg, Query{Text: "runn"})
	if err != nil || len(hits) != 1 || hits[0].ID != 2 {
		t.Errorf("runn after the upgrade: %v %v", hitIDs(hits), err)
	}
	// The triggers keep it in step.
	s.UpdateSnippet(bg, Snippet{ID: 2, Prompt: "Keep it walking", Code: "log.info:x"})
	if hits, _ := s.Search(bg, Query{Text: "runn"}); len(hits) != 0 {
		t.Errorf("runn after an edit: %v", hitIDs(hits))
	}
	if hits, _ := s.Search(bg, Query{Text: "walki"}); len(hits) != 1 {
		t.Errorf("walki after an edit: %v", hitIDs(hits))
	}
	s.DeleteSnippet(bg, 2)
	var n int
	s.db.QueryRow("SELECT count(*) FROM snippets_words WHERE snippets_words MATCH 'walking'").Scan(&n)
	if n != 0 {
		t.Errorf("deleted snippet still indexed")
	}
	if _, err := s.db.Exec("INSERT INTO snippets_words(snippets_words) VALUES ('integrity-check')"); err != nil {
		t.Errorf("words index: %v", err)
	}
	if err := s.CheckIntegrity(bg); err != nil {
		t.Error(err)
	}
}
