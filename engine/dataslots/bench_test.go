package dataslots

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/engine/validatorslots"
	"hlstudio/hyperlambda"
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
	exec := func(src string) *engine.Result {
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range whitelist.Check(lambda, e, p) {
			if f.Label.Blocking() {
				b.Fatal(f.Reason)
			}
		}
		res, err := e.Execute(ctx, lambda, p)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	exec("data.connect:sandbox\r\n   data.execute:\"create table todos (id integer primary key autoincrement, title text not null, done integer not null default 0)\"\r\n")
	dir, _ := p.Constraints().Effects.Files.Dir()
	file, err := databaseFile(&whitelist.FileConstraints{Root: dir}, "/sandbox.db")
	if err != nil {
		b.Fatal(err)
	}
	db, err := pool(file)
	if err != nil {
		b.Fatal(err)
	}
	direct := func() {
		c, err := db.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "INSERT INTO [todos] ([title], [done]) VALUES (?, ?)", "benchmark item", false); err != nil {
			b.Fatal(err)
		}
		rows, err := c.QueryContext(ctx, "SELECT [id], [title], [done] FROM [todos] WHERE ([done] = ?) ORDER BY [id] DESC LIMIT ? OFFSET ?", false, int64(3), int64(0))
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id, done int64
			var title string
			if err := rows.Scan(&id, &title, &done); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
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
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if res := exec(benchEndpoint); len(res.Nodes) != 3 {
			b.Fatalf("%d rows", len(res.Nodes))
		}
		t1 := time.Now()
		direct()
		inEngine[i] = t1.Sub(t0)
		inSQL[i] = time.Since(t1)
	}
	b.StopTimer()
	perCall := float64(median(inEngine).Nanoseconds())
	sqlite := float64(median(inSQL).Nanoseconds())
	b.ReportMetric(perCall, "median-ns/call")
	b.ReportMetric(sqlite, "median-sqlite-ns/call")
	b.ReportMetric(100*(perCall-sqlite)/perCall, "%outside-sqlite")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	slices.Sort(s)
	return s[len(s)/2]
}
