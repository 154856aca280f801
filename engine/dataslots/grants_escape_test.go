//go:build sqlite_fts5

package dataslots

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// runner runs Hyperlambda under the policy text given (its root
// and database /app.db filled in).
func runner(t *testing.T, name, root, tables, raw string) func(src string) (*engine.Result, error) {
	t.Helper()
	return runnerWithEffects(t, name, root, "pure,db-read,db-write", tables, raw)
}

func runnerWithEffects(t *testing.T, name, root, effects, tables, raw string) func(src string) (*engine.Result, error) {
	t.Helper()
	p, err := whitelist.Parse(name+".hl", []byte("name:"+name+"\r\nallow\r\n   effects:"+effects+"\r\nconstraints\r\n   files\r\n      root:\""+
		filepath.ToSlash(root)+"\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n"+tables+"      raw-sql:"+raw+"\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "app.db")
	t.Cleanup(func() { // the process-wide pool of this test's file goes with it
		pools.Lock()
		db := pools.m[file]
		delete(pools.m, file)
		pools.Unlock()
		if db != nil {
			db.Close()
		}
	})
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	return func(src string) (*engine.Result, error) {
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return e.Execute(context.Background(), lambda, p)
	}
}

// A raw BEGIN (or SAVEPOINT) left open by a run ends with its checkout
// (audit 17): on the pooled connection it was the next run's, whatever
// its policy, which read uncommitted rows, wrote into the transaction
// and could not start its own.
func TestRawTransactionEndsWithTheCheckout(t *testing.T) {
	root := t.TempDir()
	writer := runner(t, "writer", root, "         todos:read-write\r\n", "read-write")
	reader := runner(t, "reader", root, "         todos:read-write\r\n", "none")
	if _, err := writer("data.connect:app\r\n   data.execute:\"create table todos (title text)\"\r\n"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "app.db")
	db, _ := pool(file)
	db.SetMaxOpenConns(1) // the pool's LIFO reuse made certain: one connection
	t.Cleanup(func() { db.SetMaxOpenConns(8) })

	// The writer's run begins a transaction and ends without closing it.
	if _, err := writer("data.connect:app\r\n   data.execute:\"begin; insert into todos values ('uncommitted by writer')\"\r\n"); err != nil {
		t.Logf("raw begin refused (secure): %v", err)
	}

	// Is the pooled connection back in autocommit mode?
	sc, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	auto := true
	sc.Raw(func(dc any) error { auto = dc.(*sandboxConn).AutoCommit(); return nil })
	sc.Close()
	if !auto {
		t.Errorf("after the writer's run ended, its pooled connection is still inside the run's transaction")
	}

	// Another policy's run: it must see only committed data, and its own
	// transaction must work.
	res, err := reader("data.connect:app\r\n   data.read\r\n      table:todos\r\n")
	if err != nil {
		t.Fatal(err)
	}
	seen := res.Lambda.Child(0).Child(0).Len()
	outside, _ := sql.Open("sqlite3", dsn(file))
	defer outside.Close()
	var committed int
	if err := outside.QueryRow("select count(*) from todos").Scan(&committed); err != nil {
		t.Fatal(err)
	}
	if seen != committed {
		t.Errorf("the reader's run saw %d rows, %d are committed: it read the writer's uncommitted transaction", seen, committed)
	}
	if _, err := reader("data.connect:app\r\n   data.transaction.create\r\n      data.create\r\n         table:todos\r\n         values\r\n            title:mine\r\n      data.transaction.commit\r\n"); err != nil {
		t.Errorf("the reader's own transaction: %v", err)
	}
}

// Raw SQL controls transactions only with raw-sql:read-write (audit 17):
// a read-only policy's BEGIN, left open on the pooled connection, took in
// another policy's successful write, and its ROLLBACK in a later run
// discarded it.
func TestReadOnlyRawSQLControlsNoTransaction(t *testing.T) {
	root := t.TempDir()
	writer := runner(t, "writer", root, "         todos:read-write\r\n", "read-write")
	reader := runnerWithEffects(t, "reader", root, "pure,db-read", "         todos:read\r\n", "read")
	if _, err := writer("data.connect:app\r\n   data.execute:\"create table todos (title text)\"\r\n"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "app.db")
	db, _ := pool(file)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.SetMaxOpenConns(8) })

	if _, err := reader("data.connect:app\r\n   data.select:\"begin\"\r\n"); err != nil {
		t.Logf("begin refused (secure): %v", err)
	}
	if _, err := writer("data.connect:app\r\n   data.create\r\n      table:todos\r\n      values\r\n         title:\"the writer's row\"\r\n"); err != nil {
		t.Fatalf("the writer's insert: %v", err)
	}
	if _, err := reader("data.connect:app\r\n   data.select:\"rollback\"\r\n"); err != nil {
		t.Logf("rollback refused or failed: %v", err)
	}
	outside, _ := sql.Open("sqlite3", dsn(file))
	defer outside.Close()
	var rows int
	if err := outside.QueryRow("select count(*) from todos").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("the writer's successful insert is gone (%d rows): the read-only policy rolled it back", rows)
	}
}

// sqlite_sequence is SQLite's (audit 17): it holds the name and highest
// id of every AUTOINCREMENT table, so it is read only when every table is
// granted, and no statement writes it (a read-only policy set an
// ungranted table's counter to the largest rowid, and every insert into
// that table failed from then on).
func TestSqliteSequenceFollowsTheGrants(t *testing.T) {
	root := t.TempDir()
	owner := runner(t, "owner", root, "         \"*\":read-write\r\n", "read-write")
	if _, err := owner("data.connect:app\r\n   data.execute:\"create table todos (id integer primary key autoincrement, title text); create table secrets (id integer primary key autoincrement, value text); insert into secrets (value) values ('a'), ('b'), ('c')\"\r\n"); err != nil {
		t.Fatal(err)
	}
	// Reads only: todos read, raw SQL read, and only the db-read effect.
	readOnly := readOnlyRunner(t, root)

	var de *engine.DeniedError
	// 1. Learning an ungranted table's name and size.
	res, err := readOnly("data.connect:app\r\n   data.select:\"select name, seq from sqlite_sequence\"\r\n")
	if err == nil {
		t.Errorf("the names and counters of every AUTOINCREMENT table were read under todos:read: %s", hyperlambda.Format(res.Lambda.Children(), hyperlambda.FormatOptions{}))
	} else if !errors.As(err, &de) {
		t.Errorf("reading sqlite_sequence: %v, want a denial", err)
	}
	// 2. Writing through a read-only grant, from a read slot.
	_, err = readOnly("data.connect:app\r\n   data.select:\"update sqlite_sequence set seq = 9223372036854775807 where name = 'secrets' returning seq\"\r\n")
	if err == nil {
		t.Errorf("data.select under raw-sql:read updated sqlite_sequence")
	} else if !errors.As(err, &de) {
		t.Errorf("writing sqlite_sequence: %v, want a denial", err)
	}
	// Nothing changed for the table's owner: it can still insert.
	if _, err := owner("data.connect:app\r\n   data.execute:\"insert into secrets (value) values ('d')\"\r\n"); err != nil {
		if strings.Contains(err.Error(), "full") {
			t.Errorf("the read-only run broke inserts into a table it was not granted: %v", err)
		} else {
			t.Fatal(err)
		}
	}
}

func readOnlyRunner(t *testing.T, root string) func(string) (*engine.Result, error) {
	return runnerWithEffects(t, "readonly", root, "pure,db-read", "         todos:read\r\n", "read")
}

// pragma index_info names an index, not a table: it is answered only
// where every table is readable (audit 17: under "*" with one table
// withheld, it listed the indexed columns of that table).
func TestIndexInfoNeedsEveryTable(t *testing.T) {
	root := t.TempDir()
	owner := runner(t, "owner", root, "         \"*\":read-write\r\n", "read-write")
	if _, err := owner("data.connect:app\r\n   data.execute:\"create table todos (title text); create table secrets (token text); create index secrets_token on secrets (token)\"\r\n"); err != nil {
		t.Fatal(err)
	}
	all := runnerWithEffects(t, "all", root, "pure,db-read", "         \"*\":read\r\n", "read")
	if _, err := all("data.connect:app\r\n   data.select:\"select name from pragma_index_info('secrets_token')\"\r\n"); err != nil {
		t.Errorf("every table readable: %v", err)
	}
	withheld := runnerWithEffects(t, "withheld", root, "pure,db-read", "         \"*\":read\r\n         secrets:none\r\n", "read")
	res, err := withheld("data.connect:app\r\n   data.select:\"select name from pragma_index_info('secrets_token')\"\r\n")
	var de *engine.DeniedError
	if !errors.As(err, &de) {
		t.Errorf("secrets withheld: got %v (%v), want a denial", err, res)
	}
}

// Raw SQL with read-write creates an index on a granted table, rows in it
// or not (SQLite fills the new index as a REINDEX, refused before); a
// REINDEX of its own stays refused.
func TestCreateIndexOnGrantedTables(t *testing.T) {
	root := t.TempDir()
	owner := runner(t, "owner", root, "         todos:read-write\r\n", "read-write")
	if _, err := owner("data.connect:app\r\n   data.execute:\"create table todos (title text); insert into todos values ('a'); create index todos_title on todos (title)\"\r\n"); err != nil {
		t.Fatal(err)
	}
	_, err := owner("data.connect:app\r\n   data.execute:\"reindex todos_title\"\r\n")
	var de *engine.DeniedError
	if !errors.As(err, &de) {
		t.Errorf("reindex: got %v, want a denial", err)
	}
}

// What lists every table (the schema, sqlite_sequence) is read only where
// every table is readable: a "*" grant withholding one table showed it.
func TestTableListsNeedEveryTable(t *testing.T) {
	root := t.TempDir()
	owner := runner(t, "owner", root, "         \"*\":read-write\r\n", "read-write")
	if _, err := owner("data.connect:app\r\n   data.execute:\"create table todos (id integer primary key autoincrement, title text); create table secrets (id integer primary key autoincrement, token text); insert into secrets (token) values ('x')\"\r\n"); err != nil {
		t.Fatal(err)
	}
	withheld := runnerWithEffects(t, "withheld", root, "pure,db-read", "         \"*\":read\r\n         secrets:none\r\n", "read")
	for _, q := range []string{"select name from sqlite_master", "select name from sqlite_sequence"} {
		res, err := withheld("data.connect:app\r\n   data.select:\"" + q + "\"\r\n")
		var de *engine.DeniedError
		if !errors.As(err, &de) {
			t.Errorf("%s with secrets withheld: got %v (%v), want a denial", q, err, res)
		}
	}
}
