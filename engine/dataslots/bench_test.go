package dataslots

import (
	"context"
	"database/sql/driver"
	"os"
	"path/filepath"
	"testing"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"hlstudio/engine"
	"hlstudio/engine/validatorslots"
	"hlstudio/hyperlambda"
	"hlstudio/internal/benchcmp"
	"hlstudio/whitelist"
)

// BenchmarkCRUDEndpoint runs the endpoint end to end (parse, static check,
// run against the sandbox database with its pooled connection) and, in
// the same iteration, the same two statements straight through
// database/sql on the same pool: the difference is what the engine adds
// (parsing, checking, dispatch, argument reading, SQL building, the
// authorizer), reported as the share of the call spent outside SQLite.
func BenchmarkCRUDEndpoint(b *testing.B) {
	b.Setenv("XDG_DATA_HOME", b.TempDir())
	p, err := whitelist.Parse("p.hl", []byte("name:bench\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\"{data}/sandbox\"\r\n   data\r\n      databases\r\n         sandbox:/sandbox.db\r\n      tables\r\n         todos:read-write\r\n      raw-sql:read-write\r\n"))
	if err != nil {
		b.Fatal(err)
	}
	e := engine.New()
	if err := Register(e); err != nil {
		b.Fatal(err)
	}
	if err := validatorslots.Register(e); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// exec parses, checks and runs src, and says how long each step took.
	type phases struct{ parse, check, total time.Duration }
	exec := func(src string) (*engine.Result, phases) {
		t0 := time.Now()
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		tParsed := time.Now()
		for _, f := range whitelist.Check(lambda, e, p) {
			if f.Label.Blocking() {
				b.Fatal(f.Reason)
			}
		}
		tChecked := time.Now()
		res, err := e.Execute(ctx, lambda, p)
		if err != nil {
			b.Fatal(err)
		}
		return res, phases{tParsed.Sub(t0), tChecked.Sub(tParsed), time.Since(t0)}
	}
	const schema = "create table todos (id integer primary key autoincrement, title text not null, done integer not null default 0)"
	exec("data.connect:sandbox\r\n   data.execute:\"" + schema + "\"\r\n")
	// The direct path is the SQLite work of the call and nothing else: the
	// same statement texts the engine builds, prepared once (the engine
	// keeps its built statements prepared too), run through the same
	// driver calls on a request context with a deadline (the driver
	// watches such a context per statement, as it watches the run's), on a
	// connection of its own (no pool, no authorizer) to a twin database in
	// the same folder: on the same file, each side's commits would void
	// the other connection's page cache and bill both for it.
	dir, _ := p.Constraints().Effects.Files.Dir()
	dc, err := sqliteDriver.Open(dsn(filepath.Join(dir, "direct.db")))
	if err != nil {
		b.Fatal(err)
	}
	defer dc.Close()
	sq := dc.(*sqlite3.SQLiteConn)
	if err := stablePlans(sq); err != nil { // the same plans, the same SQLite work
		b.Fatal(err)
	}
	if _, err := sq.Exec(schema, nil); err != nil {
		b.Fatal(err)
	}
	prepare := func(q string) driver.StmtQueryContext {
		st, err := sq.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st.(driver.StmtQueryContext)
	}
	insert := prepare("INSERT INTO [todos] ([title], [done]) VALUES (?, ?) RETURNING rowid")
	latest := prepare("SELECT [id], [title], [done] FROM [todos] WHERE ([done] = ?) ORDER BY [id] DESC LIMIT ? OFFSET ?")
	run := func(ctx context.Context, st driver.StmtQueryContext, args ...any) {
		nv := make([]driver.NamedValue, len(args))
		for i, a := range args {
			nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		rows, err := st.QueryContext(ctx, nv)
		if err != nil {
			b.Fatal(err)
		}
		vals := make([]driver.Value, len(rows.Columns()))
		for rows.Next(vals) == nil {
		}
		rows.Close()
	}
	direct := func() {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		run(ctx, insert, "benchmark item", false)
		run(ctx, latest, false, int64(3), int64(0))
	}
	endpoint, err := os.ReadFile("testdata/crud-endpoint.hl")
	if err != nil {
		b.Fatal(err)
	}
	benchEndpoint := ".arguments\r\n   title:\"benchmark item\"\r\n" + string(endpoint)
	for i := 0; i < 200; i++ {
		exec(benchEndpoint)
		direct()
	}
	b.ResetTimer()
	// Medians of per-iteration times: the machine may be shared, and a
	// median is not moved by the odd scheduling spike on either side.
	inEngine := make([]time.Duration, b.N)
	inSQL := make([]time.Duration, b.N)
	parsing := make([]time.Duration, b.N)
	checking := make([]time.Duration, b.N)
	for i := 0; i < b.N; i++ {
		// Alternate which goes first, so neither always finds the
		// other's pages and statements warm.
		if i%2 == 1 {
			tDirect := time.Now()
			direct()
			inSQL[i] = time.Since(tDirect)
		}
		res, took := exec(benchEndpoint)
		if len(res.Nodes) != 3 {
			b.Fatalf("%d rows", len(res.Nodes))
		}
		if i%2 == 0 {
			t1 := time.Now()
			direct()
			inSQL[i] = time.Since(t1)
		}
		inEngine[i], parsing[i], checking[i] = took.total, took.parse, took.check
	}
	b.StopTimer()
	perCall := float64(benchcmp.Median(inEngine).Nanoseconds())
	sqlite := float64(benchcmp.Median(inSQL).Nanoseconds())
	b.ReportMetric(perCall, "median-ns/call")
	b.ReportMetric(sqlite, "median-sqlite-ns/call")
	b.ReportMetric(float64(benchcmp.Median(parsing).Nanoseconds()), "median-parse-ns")
	b.ReportMetric(float64(benchcmp.Median(checking).Nanoseconds()), "median-check-ns")
	b.ReportMetric(100*(perCall-sqlite)/perCall, "%outside-sqlite")
	// The absolute overhead, which does not swing with how fast the
	// machine runs SQLite, and the share without parsing and checking (a
	// run from the compile cache, as the studio does).
	b.ReportMetric(perCall-sqlite, "engine-ns/call")
	running := make([]time.Duration, b.N)
	for i := range running {
		running[i] = inEngine[i] - parsing[i] - checking[i]
	}
	cachedRun := float64(benchcmp.Median(running).Nanoseconds())
	b.ReportMetric(100*(cachedRun-sqlite)/cachedRun, "%outside-sqlite-cached")
}
