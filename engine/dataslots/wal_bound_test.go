package dataslots_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/whitelist"
)

// Audit 24: max-database-bytes is SQLite's max_page_count, which bounds
// the database file's pages but not its write-ahead log. A run holding a
// read snapshot on one connection (a transaction that has read) while a
// nested [data.connect] to the same database commits writes on another
// keeps every checkpoint from resetting the log: each commit appends its
// pages and the -wal file grows without bound, past the policy's limit,
// and stays that size on disk after the run (the pool keeps the
// connections open; the log is reused, not truncated). Here, under
// max-database-bytes of 1 MiB, 200 updates of one 100 KB row.
func TestWriteAheadLogStaysWithinDatabaseSize(t *testing.T) {
	root := t.TempDir()
	p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\""+
		filepath.ToSlash(root)+"\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         \"*\":read-write\r\n      raw-sql:read-write\r\n      max-database-bytes:long:1048576\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("data.connect:app\r\n   data.execute:\"create table t (x blob)\"\r\n   data.execute:\"insert into t values (zeroblob(100000))\"\r\n")
	b.WriteString("data.connect:app\r\n   data.transaction.create\r\n      data.select:\"select length(x) as n from t\"\r\n      data.connect:app\r\n")
	for i := 0; i < 200; i++ {
		b.WriteString("         data.execute:\"update t set x = randomblob(100000)\"\r\n")
	}
	_, err = runErr(t, p, b.String())
	var size int64
	filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			t.Logf("%s: %d bytes", filepath.Base(path), fi.Size())
			size += fi.Size()
		}
		return nil
	})
	if size > 4<<20 {
		t.Errorf("%d MiB on disk under max-database-bytes of 1 MiB (run err %v)", size>>20, err)
	}
}
