package dataslots

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
