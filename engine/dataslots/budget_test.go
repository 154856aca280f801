package dataslots_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/whitelist"
)

// A runaway query, built or raw, is cut by the run's time budget: SQLite
// is interrupted and the run ends with the time budget error, not with a
// hung studio.
func TestRunawayQueriesAreCutByTheTimeBudget(t *testing.T) {
	root := t.TempDir()
	policy := func(timeMS string) *whitelist.Policy {
		p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\""+
			filepath.ToSlash(root)+"\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         \"*\":read-write\r\n      raw-sql:read-write\r\nbudgets\r\n   time-ms:int:"+timeMS+"\r\n   steps:long:10000000\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Three tables of 400 rows in which every ON condition matches: the
	// ordered joins below must visit all 400^3 rows before the first.
	var setup strings.Builder
	setup.WriteString("data.connect:app\r\n")
	for _, table := range []string{"a", "b", "c"} {
		setup.WriteString("   data.execute:\"create table " + table + " (x integer, y integer)\"\r\n")
	}
	setup.WriteString("   data.transaction.create\r\n      .i:int:0\r\n      while\r\n         lt\r\n            get-value:x:@.i\r\n            .:int:400\r\n         .lambda\r\n")
	for _, table := range []string{"a", "b", "c"} {
		setup.WriteString("            data.create\r\n               table:" + table + "\r\n               values\r\n                  x:int:1\r\n                  y:x:@.i\r\n")
	}
	setup.WriteString("            math.increment:x:@.i\r\n      data.transaction.commit\r\n")
	run(t, policy("60000"), setup.String())

	for name, src := range map[string]string{
		"built": "data.connect:app\r\n   data.read\r\n      table:a\r\n         join:b\r\n            on\r\n               a.x:b.x\r\n         join:c\r\n            on\r\n               b.x:c.x\r\n      order:c.y\r\n      direction:desc\r\n",
		"raw":   "data.connect:app\r\n   data.select:\"select count(*) from a, b, c where a.x + b.x + c.x < 0\"\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := runErr(t, policy("150"), src)
			var be *engine.BudgetError
			if !errors.As(err, &be) || be.Budget != "time" {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// SQLite builds no value larger than the run's output budget (audit 17):
// its own limit is 1e9 bytes, and a value was made, and copied into Go,
// before any budget counted it; one never returned was not counted at all.
func TestSQLiteValuesStayWithinTheOutputBudget(t *testing.T) {
	p := sandbox(t) // a 16 MiB output budget
	const n = 20 << 20
	for _, src := range []string{
		"data.connect:sandbox\r\n   data.scalar:\"select length(hex(zeroblob(" + strconv.Itoa(n) + ")))\"\r\n",
		"data.connect:sandbox\r\n   data.select:\"select zeroblob(" + strconv.Itoa(n) + ") as x\"\r\n",
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := runErr(t, p, src)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "larger than the run's output budget") {
			t.Errorf("%s: got %v, want the value refused by the output budget", src, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
			t.Errorf("%s: %d MiB allocated in Go for a refused value", src, grew>>20)
		}
	}
}

// A database grows no larger than its policy's max-database-bytes (audit
// 16): an INSERT ... SELECT doubling a table per statement filled the
// disk in a few steps, and the file outlives the run.
func TestDatabaseStaysWithinItsSize(t *testing.T) {
	root := t.TempDir()
	p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\""+
		filepath.ToSlash(root)+"\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         \"*\":read-write\r\n      raw-sql:read-write\r\n      max-database-bytes:long:4194304\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("data.connect:app\r\n   data.execute:\"create table t (x blob)\"\r\n   data.execute:\"insert into t values (zeroblob(1000000))\"\r\n")
	for i := 0; i < 6; i++ {
		b.WriteString("   data.execute:\"insert into t select x from t\"\r\n")
	}
	_, err = runErr(t, p, b.String())
	if err == nil || !strings.Contains(err.Error(), "max-database-bytes 4194304") {
		t.Fatalf("got %v, want the database's size refused", err)
	}
	var size int64
	filepath.Walk(root, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	if size > 12<<20 {
		t.Errorf("%d MiB on disk under max-database-bytes of 4 MiB", size>>20)
	}
}
