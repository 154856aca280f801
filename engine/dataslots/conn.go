package dataslots

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// pools holds one database/sql pool per database file for the process,
// so a run's data.connect takes a warm connection instead of opening the
// file. The policy travels with each checkout (the authorizer's grants),
// never with the pool.
var pools = struct {
	sync.Mutex
	m map[string]*sql.DB
}{m: map[string]*sql.DB{}}

// maxIdle is how many connections a pool keeps open while idle.
const maxIdle = 4

func pool(file string) (*sql.DB, error) {
	pools.Lock()
	defer pools.Unlock()
	if db, ok := pools.m[file]; ok {
		return db, nil
	}
	db := sql.OpenDB(&connector{file: file, dsn: dsn(file)})
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(maxIdle)
	db.SetConnMaxIdleTime(time.Minute) // temporary sandboxes do not keep files open
	pools.m[file] = db
	return db, nil
}

func dsn(file string) string {
	return "file:" + (&url.URL{Path: file}).EscapedPath() + "?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=on"
}

var sqliteDriver = &sqlite3.SQLiteDriver{}

// connector opens the pool's connections. Each new connection checks
// again that the database is a regular file (it may have been replaced by
// a link since it was first resolved: an open connection keeps the file it
// opened, so the check belongs here and not on every checkout), and gets
// its authorizer once, for its whole life: a checkout only sets the
// grants, which is Go-side state, instead of two cgo registrations.
type connector struct{ file, dsn string }

var errNotRegular = errors.New("not a regular file")

func (c *connector) Connect(context.Context) (driver.Conn, error) {
	if fi, err := os.Lstat(c.file); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %w (%s)", c.file, errNotRegular, fi.Mode().Type())
	}
	dc, err := sqliteDriver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sq := dc.(*sqlite3.SQLiteConn)
	if err := stablePlans(sq); err != nil {
		sq.Close()
		return nil, err
	}
	a := &authorizer{}
	sq.RegisterAuthorizer(a.check)
	return &sandboxConn{SQLiteConn: sq, auth: a}, nil
}

func (c *connector) Driver() driver.Driver { return sqliteDriver }

// sandboxConn is a pooled connection with its authorizer; embedding
// keeps every interface of the driver's connection.
type sandboxConn struct {
	*sqlite3.SQLiteConn
	auth     *authorizer
	stmts    stmtCache // see stmts.go
	maxBytes int64     // the max-database-bytes its max_page_count is set to
	maxValue int       // its SQLITE_LIMIT_LENGTH, 0 before the first checkout
}

// limitSize keeps the database within limit bytes through this connection
// (SQLite's max_page_count, which lasts for the connection: set again
// only when a checkout's policy says otherwise). A write past it fails
// with SQLITE_FULL.
func (s *sandboxConn) limitSize(limit int64) error {
	if s.maxBytes == limit {
		return nil
	}
	s.auth.internal = true
	defer func() { s.auth.internal = false }()
	pageSize := int64(4096)
	if rows, err := s.Query("PRAGMA page_size", nil); err == nil {
		v := make([]driver.Value, 1)
		if rows.Next(v) == nil {
			if n, ok := v[0].(int64); ok && n > 0 {
				pageSize = n
			}
		}
		rows.Close()
	}
	if _, err := s.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", max(limit/pageSize, 1)), nil); err != nil {
		return err
	}
	s.maxBytes = limit
	return nil
}

// conn is one checked-out connection of a run, with the authorizer that
// applies the run's policy to every statement SQLite prepares on it.
type conn struct {
	c      *sql.Conn
	name   string
	policy *whitelist.Policy // the policy it was checked out under
	auth   *authorizer
	tx     bool
	raw    bool // raw SQL ran: it may have begun a transaction of its own
	file   string
	// nested: another connection of the run to the same file is open
	// around this one, and may hold a read snapshot that keeps SQLite
	// from resetting the write-ahead log (see run).
	nested bool
}

// state is a run's open connections, innermost last: data.* statements
// use the innermost, as the reference's [data.connect] scopes them.
type state struct{ conns []*conn }

var runs sync.Map // *engine.Run -> *state

// current is the innermost connection of the run, when it was checked out
// under the authority in force: a dynamic slot's body running under
// another policy (one planted by narrower code, called inside the
// caller's [data.connect]) must not use the caller's database and grants
// (audit 12); its statements open their own.
func current(r *engine.Run) *conn {
	if s, ok := runs.Load(r); ok {
		if cs := s.(*state).conns; len(cs) > 0 {
			c := cs[len(cs)-1]
			if pol := r.Policy(); c.policy == pol || c.policy != nil && whitelist.SameAuthority(c.policy, pol) {
				return c
			}
		}
	}
	return nil
}

// open checks out a connection to the database value names (see
// whitelist.DataConstraints.Database) under the run's policy.
func open(r *engine.Run, n *hyperlambda.Node, value string) (*conn, error) {
	pol := r.Policy()
	c := pol.Constraints().Effects
	name, rel, err := c.Data.Database(value)
	if err != nil {
		return nil, r.Deny(n, fmt.Sprintf("policy %s refuses database %q: %v", pol.Name, value, err))
	}
	file, err := databaseFile(c.Files, rel)
	if err != nil {
		return nil, r.Deny(n, fmt.Sprintf("policy %s refuses database %s (%s): %v", pol.Name, name, rel, err))
	}
	db, err := pool(file)
	if err != nil {
		return nil, err
	}
	sc, err := db.Conn(r.Context())
	if err != nil {
		if errors.Is(err, errNotRegular) {
			return nil, r.Deny(n, fmt.Sprintf("policy %s refuses database %s (%s): it is not a regular file", pol.Name, name, rel))
		}
		return nil, interrupted(r, err)
	}
	var a *authorizer
	err = sc.Raw(func(dc any) error {
		if s, ok := dc.(*sandboxConn); ok {
			a = s.auth
			// No string, blob or row SQLite builds for this run is larger
			// than its output budget: SQLite's own limit is 1e9 bytes,
			// made before any budget could count it (audit 17).
			if limit := int(min(r.Budgets().OutputBytes, 1e9)); s.maxValue != limit {
				s.SetLimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
				s.maxValue = limit
			}
			return s.limitSize(c.Data.MaxDatabaseBytes)
		}
		return nil
	})
	if err != nil {
		sc.Close()
		return nil, fmt.Errorf("database %s: %v", name, err)
	}
	if a == nil { // cannot happen: the pool's connector makes every connection
		sc.Close()
		return nil, fmt.Errorf("database %s: a connection without an authorizer", name)
	}
	a.grant(c.Data, pol.Name)
	return &conn{c: sc, name: name, policy: pol, auth: a, file: file}, nil
}

// close ends a checkout: an open transaction is rolled back and the
// grants withdrawn (the authorizer denies everything between checkouts)
// before the connection goes back to the pool.
func (c *conn) close() {
	// Asked of SQLite, not of c.tx: raw SQL with raw-sql:read-write may
	// have sent its own BEGIN or SAVEPOINT (audit 17), and a transaction
	// left open on a pooled connection would be the next run's, whatever
	// its policy.
	open := c.tx
	if c.raw && !open {
		c.c.Raw(func(dc any) error {
			if s, ok := dc.(*sandboxConn); ok && !s.AutoCommit() {
				open = true
			}
			return nil
		})
	}
	if open {
		c.c.ExecContext(context.Background(), "ROLLBACK")
	}
	c.auth.grant(nil, "")
	c.c.Close()
}

// databaseFile is the host path of a sandbox database: inside the files
// root, created on first use, and refused if it or a folder on its way
// is a link leading outside the root, or if it is not a regular file.
func databaseFile(fc *whitelist.FileConstraints, rel string) (string, error) {
	dir, err := fc.Dir()
	if err != nil {
		return "", err
	}
	// The folders and the file are checked when the file is first
	// resolved; after that the pool's connector checks the file whenever
	// it opens a connection (see connector).
	key := dir + "\x00" + rel
	if f, ok := resolved.Load(key); ok {
		return f.(string), nil
	}
	file, err := resolveDatabase(dir, rel)
	if err == nil {
		resolved.Store(key, file)
	}
	return file, err
}

var resolved sync.Map // root dir + "\x00" + sandbox path -> checked host path

func resolveDatabase(dir, rel string) (string, error) {
	p, err := whitelist.SandboxPath(rel)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	if d := path.Dir(p); d != "." {
		if err := root.MkdirAll(d, 0o700); err != nil {
			if strings.Contains(err.Error(), "escapes") {
				return "", errors.New("its folder leads outside the sandbox root")
			}
			return "", err
		}
	}
	// SQLite opens by name; the real folder must still be the root's.
	realRoot, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	realDir, err := filepath.EvalSymlinks(filepath.Join(dir, filepath.FromSlash(path.Dir(p))))
	if err != nil {
		return "", err
	}
	if realDir != realRoot && !strings.HasPrefix(realDir, realRoot+string(filepath.Separator)) {
		return "", errors.New("its folder leads outside the sandbox root")
	}
	file := filepath.Join(realDir, path.Base(p))
	if fi, err := os.Lstat(file); err == nil && !fi.Mode().IsRegular() {
		return "", fmt.Errorf("it is not a regular file (%s)", fi.Mode().Type())
	}
	return file, nil
}

func interrupted(r *engine.Run, err error) error {
	if ierr := r.Interrupted(); ierr != nil {
		return ierr
	}
	return err
}

// authorizer is SQLite's authorizer callback for one checkout: every
// table a statement reads or writes, every DDL statement, pragma, attach
// and function is checked while SQLite prepares it, so what a statement
// can do is decided by SQLite's parse, never by inspecting its text.
type authorizer struct {
	// data is nil between checkouts: then everything is denied.
	data   *whitelist.DataConstraints
	policy string
	// raw is set while a raw SQL statement (data.select/scalar/execute)
	// runs: it is further capped by the policy's raw-sql grant.
	raw bool
	// schema names the tables and indexes whose fixed schema the runtime
	// itself is creating (the task store's, see tasks.go), nil otherwise:
	// their CREATE TABLE and CREATE INDEX (when the tables are granted
	// read-write), SQLite filling the new indexes, and SQLite's own rows
	// for them in the schema table pass. No Hyperlambda text reaches
	// those statements.
	schema map[string]bool
	// internal is set while the runtime sets the connection's size limit
	// (sandboxConn.limitSize): its two pragmas pass.
	internal bool
	// indexing is the index a granted CREATE INDEX makes, which SQLite
	// then fills (asking about a REINDEX of it).
	indexing string
	wrote    bool   // the current statement inserts, updates or deletes
	denied   string // the first refusal of the current statement
}

// everyTableReadable: "*" grants reading and no table is withheld. What
// lists every table (the schema, sqlite_sequence, an index named without
// its table) is only for such a policy: a "*" grant alone would show the
// tables it withholds.
func (a *authorizer) everyTableReadable() bool {
	if a.data.TableAccess("*") < whitelist.ReadOnly {
		return false
	}
	for _, access := range a.data.Tables {
		if access < whitelist.ReadOnly {
			return false
		}
	}
	return true
}

// functions SQLite could use to reach outside the database.
var deniedFunctions = map[string]bool{"load_extension": true, "readfile": true, "writefile": true, "edit": true, "fts3_tokenizer": true}

// grant sets the policy a checkout runs under; nil withdraws it.
func (a *authorizer) grant(d *whitelist.DataConstraints, policy string) {
	a.data, a.policy, a.raw, a.schema, a.indexing, a.denied = d, policy, false, nil, "", ""
}

// onAuthorize, when set (by tests), is called on every question SQLite
// asks the authorizer: how a test sees that a statement was prepared.
var onAuthorize func()

func (a *authorizer) check(op int, arg1, arg2, dbName string) int {
	if onAuthorize != nil {
		onAuthorize()
	}
	deny := func(format string, args ...any) int {
		if a.denied == "" {
			a.denied = fmt.Sprintf(format, args...)
		}
		return sqlite3.SQLITE_DENY
	}
	if a.internal && op == sqlite3.SQLITE_PRAGMA && (arg1 == "page_size" && arg2 == "" || arg1 == "max_page_count") {
		return sqlite3.SQLITE_OK
	}
	if a.data == nil {
		return deny("no run has this connection checked out")
	}
	write := whitelist.ReadWrite
	if a.raw && a.data.RawSQL < write {
		write = whitelist.Access(255) // nothing grants it
	}
	if dbName != "" && dbName != "main" {
		return deny("database %q: only the policy's database is reachable", dbName)
	}
	table := func(t string, need whitelist.Access) int {
		switch strings.ToLower(t) {
		case "sqlite_master", "sqlite_schema":
			if a.schema != nil {
				return sqlite3.SQLITE_OK // the runtime's own CREATE statements
			}
			// Reading the schema lists every table: only for a policy
			// granting every table. SQLite writes it itself during DDL;
			// SQLite reads it itself during DDL, so raw read-write may too.
			if need == whitelist.ReadOnly && !a.everyTableReadable() && (!a.raw || a.data.RawSQL < whitelist.ReadWrite) {
				return deny("the schema table is readable only when every table is granted or raw-sql is read-write")
			}
			if need > whitelist.ReadOnly && (!a.raw || a.data.RawSQL < whitelist.ReadWrite) {
				return deny("the schema is changed only by raw SQL with raw-sql:read-write")
			}
			return sqlite3.SQLITE_OK
		case "sqlite_sequence":
			// SQLite keeps it for AUTOINCREMENT tables without asking; a
			// statement naming it would read every such table's name and
			// size, or stop inserts into one it is not granted (audit 17).
			if need == whitelist.ReadOnly && !a.everyTableReadable() {
				return deny("sqlite_sequence is readable only when every table is granted")
			}
			if need > whitelist.ReadOnly {
				return deny("sqlite_sequence is SQLite's own bookkeeping: no statement writes it")
			}
			return sqlite3.SQLITE_OK
		}
		if need > whitelist.ReadWrite {
			return deny("writing table %s needs raw-sql:read-write", t)
		}
		if got := a.data.TableAccess(t); got < need {
			return deny("table %s needs %s access and is granted %s", t, need, got)
		}
		return sqlite3.SQLITE_OK
	}
	switch op {
	case sqlite3.SQLITE_SELECT:
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT:
		// A transaction takes locks and decides the fate of writes: raw
		// SQL controls one only where it may write (audit 17).
		if a.raw && a.data.RawSQL < whitelist.ReadWrite {
			return deny("transaction statements in raw SQL need raw-sql:read-write (data.transaction.* needs none)")
		}
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_READ:
		return table(arg1, whitelist.ReadOnly)
	case sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE:
		a.wrote = true
		return table(arg1, write)
	case sqlite3.SQLITE_FUNCTION:
		if deniedFunctions[strings.ToLower(arg2)] {
			return deny("function %s is not available", arg2)
		}
		return sqlite3.SQLITE_OK
	case sqlite3.SQLITE_PRAGMA:
		switch strings.ToLower(arg1) {
		case "table_info", "table_xinfo", "index_list", "foreign_key_list":
			return table(arg2, whitelist.ReadOnly)
		case "index_info":
			// Named by an index, not a table: only where every table is
			// readable (a "*" grant would pass the index of a table the
			// policy withholds; audit 17).
			if !a.everyTableReadable() {
				return deny("pragma index_info needs every table readable")
			}
			return sqlite3.SQLITE_OK
		}
		return deny("pragma %s is not available", arg1)
	case sqlite3.SQLITE_CREATE_TABLE, sqlite3.SQLITE_DROP_TABLE:
		if op == sqlite3.SQLITE_CREATE_TABLE && strings.EqualFold(arg1, "sqlite_sequence") &&
			(a.schema != nil || a.raw && a.data.RawSQL >= whitelist.ReadWrite) {
			// SQLite making it for the first AUTOINCREMENT table, whose own
			// CREATE it has asked about too.
			return sqlite3.SQLITE_OK
		}
		if op == sqlite3.SQLITE_CREATE_TABLE && a.schema[strings.ToLower(arg1)] {
			return table(arg1, whitelist.ReadWrite)
		}
		if !a.raw || a.data.RawSQL < whitelist.ReadWrite {
			return deny("creating or dropping table %s needs raw-sql:read-write", arg1)
		}
		return table(arg1, whitelist.ReadWrite)
	case sqlite3.SQLITE_CREATE_INDEX, sqlite3.SQLITE_DROP_INDEX, sqlite3.SQLITE_ALTER_TABLE:
		if op == sqlite3.SQLITE_CREATE_INDEX && a.schema[strings.ToLower(arg2)] {
			return table(arg2, whitelist.ReadWrite)
		}
		if !a.raw || a.data.RawSQL < whitelist.ReadWrite {
			return deny("changing the schema of table %s needs raw-sql:read-write", arg2)
		}
		verdict := table(arg2, whitelist.ReadWrite)
		if op == sqlite3.SQLITE_CREATE_INDEX && verdict == sqlite3.SQLITE_OK {
			a.indexing = strings.ToLower(arg1) // SQLite fills it next (REINDEX)
		}
		return verdict
	case sqlite3.SQLITE_REINDEX:
		if a.schema[strings.ToLower(arg1)] || a.indexing != "" && strings.EqualFold(arg1, a.indexing) {
			return sqlite3.SQLITE_OK // SQLite filling an index just created
		}
	}
	// ATTACH, DETACH, temporary objects, views, triggers, virtual tables,
	// ANALYZE, REINDEX and anything newer: not granted by any policy.
	return deny("this kind of statement (SQLite action %d) is not available", op)
}
