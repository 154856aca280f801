package dataslots

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// A pooled connection outside a run's checkout has no grants: a statement
// sent to it straight through the pool is refused by SQLite's authorizer.
func TestPooledConnectionDeniesWithoutCheckout(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.db")
	db, err := pool(file)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		pools.Lock()
		delete(pools.m, file)
		pools.Unlock()
		db.Close()
	}()
	_, err = db.ExecContext(context.Background(), "create table t (x)")
	if err == nil || !strings.Contains(err.Error(), "not authorized") {
		t.Fatalf("got %v", err)
	}
	if _, err := db.QueryContext(context.Background(), "select 1 from sqlite_master"); err == nil {
		t.Fatal("an unchecked-out connection read the schema")
	}
}

// The database file is checked whenever the pool opens a connection: a
// file replaced by a link after its first use is refused, and the file
// the link points at is not touched.
func TestConnectorRefusesAReplacedFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app.db")
	outside := filepath.Join(dir, "outside.db")
	if err := os.WriteFile(outside, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &connector{file: file, dsn: dsn(file)}
	dc, err := c.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dc.Close()
	os.Remove(file)
	if err := os.Symlink(outside, file); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v", err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "not a database" {
		t.Fatal("the file outside changed")
	}
}

// Through a run: once the pool must open a new connection to a database
// that has become a link, data.connect is a denial naming the database.
func TestReplacedDatabaseIsDeniedToARun(t *testing.T) {
	root := t.TempDir()
	p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\""+
		filepath.ToSlash(root)+"\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         todos:read-write\r\n      raw-sql:read-write\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	run := func(src string) error {
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Execute(context.Background(), lambda, p)
		return err
	}
	if err := run("data.connect:app\r\n   data.execute:\"create table todos (x)\"\r\n"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "app.db")
	outside := filepath.Join(t.TempDir(), "outside.db")
	os.WriteFile(outside, []byte("not a database"), 0o600)
	os.Remove(file)
	os.Remove(file + "-wal")
	os.Remove(file + "-shm")
	if err := os.Symlink(outside, file); err != nil {
		t.Fatal(err)
	}
	db, _ := pool(file)
	db.SetMaxIdleConns(0) // the idle connection (the old file) goes
	db.SetMaxIdleConns(4)
	err = run("data.connect:app\r\n   data.read\r\n      table:todos\r\n")
	var de *engine.DeniedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v", err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "not a database" {
		t.Fatal("the file outside changed")
	}
}
