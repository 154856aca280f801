package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Store is an open dataset file. It is safe for concurrent use: SQLite in
// WAL mode lets readers go on while one writer commits.
type Store struct {
	db   *sql.DB
	path string
}

// ErrNewerSchema is wrapped by the error Open returns for a file written
// by a newer hlstudio.
var ErrNewerSchema = errors.New("written by a newer hlstudio")

// ErrNotDataset is wrapped by the error Open returns for a SQLite
// database of another program.
var ErrNotDataset = errors.New("not an hlstudio dataset")

// ErrReadOnly is wrapped by the error Open returns when the file (or its
// folder) cannot be written.
var ErrReadOnly = errors.New("read-only")

// ErrCorrupt is wrapped by the error Open returns for a file that is not a
// readable SQLite database. Open does not write to such a file.
var ErrCorrupt = errors.New("not a readable SQLite database")

// ErrNotFound is returned when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// DefaultPath is where the studio keeps its dataset:
// $XDG_DATA_HOME/hlstudio/studio.db, or ~/.local/share/hlstudio/studio.db.
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" || !filepath.IsAbs(dir) { // the XDG spec ignores relative values
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no dataset location: set XDG_DATA_HOME or HOME, or pass --db (%v)", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "hlstudio", "studio.db"), nil
}

// sqliteHeader starts every SQLite 3 database file.
const sqliteHeader = "SQLite format 3\x00"

// Create opens the dataset at path (the default location when empty),
// making its folder first: how the studio and the commands that record
// (import, generate) open a store on a machine that has none yet.
func Create(path string) (*Store, error) {
	if path == "" {
		var err error
		if path, err = DefaultPath(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		// The raw "mkdir …: not a directory" named neither the dataset
		// nor what to do.
		return nil, fmt.Errorf("cannot make the dataset's folder %s (%v): choose another file (--db, or the Database file in Settings)", filepath.Dir(path), err)
	}
	return Open(path)
}

// Open opens the dataset at path, creating the file (not its folder) when
// it does not exist, and brings its schema up to date. An older file is
// upgraded in one transaction; a newer, corrupt or read-only file is
// refused with an error naming the file and the reason (see ErrNewerSchema,
// ErrCorrupt, ErrReadOnly), and a corrupt file is left exactly as it was.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := precheck(abs, true); err != nil {
		return nil, err
	}
	// The DSN parameters apply to every pooled connection: foreign keys on,
	// a busy timeout so writers queue instead of failing, and write
	// transactions that take the lock at BEGIN (a deferred transaction that
	// upgrades from read to write cannot wait and fails with SQLITE_BUSY).
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() +
		"?_fk=1&_busy_timeout=10000&_txlock=immediate&_sync=NORMAL&_cache_size=-65536"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &Store{db: db, path: abs}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// OpenReadOnly opens the existing dataset at path for reading only, for
// the commands that only read (search, export): SQLite opens the file
// read-only and refuses every change (query_only), so a file the user
// cannot write, or keeps read-only on purpose, can still be searched and
// exported. Nothing is written to it, not even a schema upgrade: a file
// written by an older hlstudio must be opened writable (Open) once first.
func OpenReadOnly(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, err
	}
	if err := precheck(abs, false); err != nil {
		return nil, err
	}
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() +
		"?mode=ro&_query_only=1&_busy_timeout=10000&_cache_size=-65536"
	// Without a write-ahead log to read, the file is all there is: opened
	// as immutable, SQLite needs no -shm file beside it (which it could not
	// create in a folder the user cannot write) and leaves none behind.
	if fi, err := os.Stat(abs + "-wal"); err != nil || fi.Size() == 0 {
		dsn += "&immutable=1"
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var version, n int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, classify(err))
	}
	if err := db.QueryRow("SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, classify(err))
	}
	switch {
	case version == 0 && n > 0:
		db.Close()
		return nil, fmt.Errorf("%s: %w: the file holds tables of another program and no hlstudio schema", path, ErrNotDataset)
	case version > len(migrations):
		db.Close()
		return nil, fmt.Errorf("%s: the file has schema version %d, %w (this one knows versions up to %d); update hlstudio or use another --db", path, version, ErrNewerSchema, len(migrations))
	case version < len(migrations):
		db.Close()
		return nil, fmt.Errorf("%s: written by an older hlstudio and read-only, so it cannot be upgraded; make it writable once (or pass another --db)", path)
	}
	return &Store{db: db, path: abs}, nil
}

// precheck refuses, before SQLite touches it, a file that is not a
// database and (with write) a file that cannot be written. Root ignores
// permission bits, so they are read rather than tried.
func precheck(path string, write bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		dir := filepath.Dir(path)
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("%s: folder %s does not exist", path, dir)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s: is a folder, not a dataset file", path)
	}
	if fi.Size() > 0 {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		head := make([]byte, len(sqliteHeader))
		_, err = io.ReadFull(f, head)
		f.Close()
		if err != nil || string(head) != sqliteHeader {
			return fmt.Errorf("%s: %w (the file does not start with the SQLite header; it was not changed)", path, ErrCorrupt)
		}
	}
	if write && fi.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("%s: the file is %w (mode %v); make it writable or pass another --db", path, ErrReadOnly, fi.Mode().Perm())
	}
	return nil
}

// init checks the file can be read before anything writes to it, then
// switches to WAL and migrates.
func (s *Store) init() error {
	ctx := context.Background()
	var n, version int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		return classify(err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return classify(err)
	}
	if version == 0 && n > 0 {
		// Tables but no schema version: another program's database (a
		// --db pointed at the wrong file), which migrating would fill
		// with ours (audit 18).
		return fmt.Errorf("%w: the file holds %d tables or indexes of another program and no hlstudio schema; it was not changed", ErrNotDataset, n)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return classify(err)
	}
	if mode != "wal" {
		return fmt.Errorf("cannot switch the file to WAL mode (got %q)", mode)
	}
	return classify(migrate(ctx, s.db, len(migrations)))
}

// classify turns SQLite's error codes into the package's errors so callers
// can tell a damaged file from a locked one.
func classify(err error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
		return fmt.Errorf("%w: %v (the file was not changed)", ErrCorrupt, err)
	case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen:
		return fmt.Errorf("%w: %v", ErrReadOnly, err)
	}
	return err
}

// Path returns the absolute path of the dataset file.
func (s *Store) Path() string { return s.path }

// Close checkpoints the write-ahead log and closes the file.
func (s *Store) Close() error {
	// A checkpoint leaves one self-contained file for the user to copy.
	s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return s.db.Close()
}

// SchemaVersion returns the schema version of the open file.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// CheckIntegrity runs SQLite's integrity check and returns its complaints,
// or nil for a sound file.
func (s *Store) CheckIntegrity(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return err
		}
		if m != "ok" {
			msgs = append(msgs, m)
		}
	}
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%w: %v", ErrCorrupt, msgs)
	}
	return nil
}

// tx runs fn in a write transaction, committing when it returns nil.
func (s *Store) tx(ctx context.Context, fn func(*wtx) error) error {
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	w := &wtx{tx: t}
	defer w.close()
	if err := fn(w); err != nil {
		t.Rollback()
		return err
	}
	return classify(t.Commit())
}

// wtx is a write transaction that prepares each statement once: an import
// runs the same few statements thousands of times, and preparing them
// anew each time costs as much as running them.
type wtx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (w *wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[query] = st
	return st, nil
}

func (w *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (w *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := w.stmt(ctx, query)
	if err != nil {
		// A *sql.Row cannot be made with an error; the transaction's own
		// QueryRow reports the same preparation error through Scan.
		return w.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (w *wtx) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// Times are stored as Unix milliseconds: compact, sortable, and readable
// in the sqlite3 shell with datetime(x/1000, 'unixepoch').
func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// now is replaced by tests that need fixed times.
var now = func() time.Time { return time.Now().UTC() }
