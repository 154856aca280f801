package dataslots

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"strconv"
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
	run := appRunner(t, root)
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
	err := run("data.connect:app\r\n   data.read\r\n      table:todos\r\n")
	var de *engine.DeniedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v", err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "not a database" {
		t.Fatal("the file outside changed")
	}
}

// appRunner runs Hyperlambda under a policy granting the database
// /app.db (table todos read-write, raw SQL) in the sandbox root.
func appRunner(t *testing.T, root string) func(src string) error {
	t.Helper()
	p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\""+
		filepath.ToSlash(root)+"\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         todos:read-write\r\n      raw-sql:read-write\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	return func(src string) error {
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Execute(context.Background(), lambda, p)
		return err
	}
}

// checkout takes a pooled connection with grants set, as a run would.
func checkout(t *testing.T, file string, grants *whitelist.DataConstraints) *conn {
	t.Helper()
	db, err := pool(file)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := &conn{c: sc, name: "app"}
	sc.Raw(func(dc any) error { c.auth = dc.(*sandboxConn).auth; return nil })
	c.auth.grant(grants, "test")
	t.Cleanup(c.close)
	return c
}

func grants(t *testing.T, tables string) *whitelist.DataConstraints {
	t.Helper()
	p, err := whitelist.Parse("g.hl", []byte("name:g\r\nconstraints\r\n   files\r\n      root:/tmp\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n"+tables))
	if err != nil {
		t.Fatal(err)
	}
	return p.Constraints().Effects.Data
}

func builtRows(c *conn, q string) (int, error) {
	n := 0
	err := c.built(context.Background(), q, nil, func([]string, []driver.Value) error { n++; return nil })
	if c.auth.denied != "" {
		return n, errors.New(c.auth.denied)
	}
	return n, err
}

// A statement prepared (and so authorised) under one policy's grants is
// never served to a checkout under other grants, even on the same
// connection and with the same text: the other grants are asked afresh.
func TestPreparedStatementsKeepTheirGrants(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.db")
	seedDatabase(t, file, "create table secret (x); insert into secret values (42)")
	db, _ := pool(file)
	db.SetMaxOpenConns(1) // one connection: the second checkout gets the first's
	q := "SELECT [x] FROM [secret]"
	wide := checkout(t, file, grants(t, "         secret:read\r\n"))
	if n, err := builtRows(wide, q); err != nil || n != 1 {
		t.Fatalf("granted: %d rows, %v", n, err)
	}
	wide.close()
	narrow := checkout(t, file, grants(t, "         todos:read\r\n"))
	n, err := builtRows(narrow, q)
	if err == nil || !strings.Contains(err.Error(), "table secret") || n != 0 {
		t.Fatalf("not granted: %d rows, %v", n, err)
	}
}

// A prepared statement whose table is later replaced by a view over a
// table the policy does not grant is authorised again when SQLite
// re-prepares it for the changed schema: refused, nothing read.
func TestPreparedStatementIsReauthorisedAfterASchemaChange(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.db")
	seed, _ := sql.Open("sqlite3", dsn(file))
	defer seed.Close()
	if _, err := seed.Exec("create table todos (x); create table secret (x); insert into secret values (42)"); err != nil {
		t.Fatal(err)
	}
	db, _ := pool(file)
	db.SetMaxOpenConns(1)
	g := grants(t, "         todos:read\r\n")
	q := "SELECT [x] FROM [todos]"
	c := checkout(t, file, g)
	if n, err := builtRows(c, q); err != nil || n != 0 {
		t.Fatalf("%d rows, %v", n, err)
	}
	c.close()
	if _, err := seed.Exec("drop table todos; create view todos as select x from secret"); err != nil {
		t.Fatal(err)
	}
	c = checkout(t, file, g)
	n, err := builtRows(c, q)
	if err == nil || !strings.Contains(err.Error(), "secret") || n != 0 {
		t.Fatalf("the view over secret was read: %d rows, %v", n, err)
	}
}

// A connection keeps at most maxStmts prepared statements; the oldest go.
func TestPreparedStatementsAreBounded(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.db")
	db, _ := pool(file)
	db.SetMaxOpenConns(1)
	c := checkout(t, file, grants(t, "         \"*\":read\r\n"))
	for i := 0; i < maxStmts+10; i++ {
		if _, err := builtRows(c, "SELECT "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	c.c.Raw(func(dc any) error {
		s := dc.(*sandboxConn)
		if len(s.stmts.m) != maxStmts || len(s.stmts.order) != maxStmts {
			t.Errorf("%d statements kept", len(s.stmts.m))
		}
		if _, ok := s.stmts.m[stmtKey{c.auth.data, "SELECT 0"}]; ok {
			t.Error("the oldest statement was kept")
		}
		return nil
	})
}

// A kept statement that failed (a constraint) is usable again at once.
func TestPreparedStatementRecoversFromAnError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.db")
	seedDatabase(t, file, "create table todos (title text not null)")
	db, _ := pool(file)
	db.SetMaxOpenConns(1)
	c := checkout(t, file, grants(t, "         todos:read-write\r\n"))
	insert := func(v any) error {
		return c.built(context.Background(), "INSERT INTO [todos] ([title]) VALUES (?) RETURNING rowid", []any{v}, func([]string, []driver.Value) error { return nil })
	}
	if err := insert(nil); err == nil || !strings.Contains(err.Error(), "NOT NULL") {
		t.Fatalf("got %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := insert("ok"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := builtRows(c, "SELECT [title] FROM [todos]"); err != nil || n != 2 {
		t.Fatalf("%d rows, %v", n, err)
	}
}

// sqlite.connections.flush closes the idle connections of the policy's
// databases (the next run opens the file again) and leaves a connection
// checked out by the run itself open.
func TestConnectionsFlush(t *testing.T) {
	root := t.TempDir()
	run := appRunner(t, root)
	if err := run("data.connect:app\r\n   data.execute:\"create table todos (x)\"\r\n"); err != nil {
		t.Fatal(err)
	}
	db, _ := pool(filepath.Join(root, "app.db"))
	if db.Stats().Idle == 0 {
		t.Fatal("no idle connection after a run")
	}
	// Inside data.connect the run's own connection is in use: it stays.
	if err := run("data.connect:app\r\n   sqlite.connections.flush\r\n   data.execute:\"insert into todos values (1)\"\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := run("sqlite.connections.flush\r\n"); err != nil {
		t.Fatal(err)
	}
	if s := db.Stats(); s.Idle != 0 || s.OpenConnections != 0 {
		t.Fatalf("after the flush: %d idle, %d open", s.Idle, s.OpenConnections)
	}
	if err := run("data.connect:app\r\n   data.scalar:\"select count(*) from todos\"\r\n"); err != nil {
		t.Fatalf("the next run: %v", err)
	}
}

// A built statement is prepared, and so authorised, once: binding new
// values (as every call of an endpoint does) does not make SQLite prepare
// it again (see stablePlans). A change of schema still does (above).
func TestStablePlans(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.db")
	seedDatabase(t, file, "create table todos (id integer primary key, title text, done integer); insert into todos (title, done) values ('a', 0), ('b', 1), ('c', 0)")
	c := checkout(t, file, grants(t, "         todos:read-write\r\n"))
	asked := 0
	onAuthorize = func() { asked++ }
	t.Cleanup(func() { onAuthorize = nil })
	// The forms SQLite 3.54 plans by their bound values: LIMIT ?, a bound
	// comparison beside ORDER BY, LIKE ?.
	for _, q := range []string{
		"SELECT [id], [title] FROM [todos] WHERE ([done] = ?) ORDER BY [id] DESC LIMIT ? OFFSET ?",
		"SELECT [id] FROM [todos] WHERE ([title] LIKE ?) LIMIT ? OFFSET ?",
	} {
		for i := range 4 {
			asked = 0
			rows := 0
			args := []any{int64(i % 2), int64(i + 1), int64(0)}
			if strings.Contains(q, "LIKE") {
				args[0] = []string{"a%", "%b", "c", "%"}[i]
			}
			err := c.built(context.Background(), q, args, func([]string, []driver.Value) error { rows++; return nil })
			if err != nil || c.auth.denied != "" {
				t.Fatalf("%s: %v %s", q, err, c.auth.denied)
			}
			if i == 0 && asked == 0 {
				t.Fatalf("%s: the first run was not authorised", q)
			}
			if i > 0 && asked != 0 {
				t.Errorf("%s, run %d: prepared again (%d questions to the authorizer)", q, i+1, asked)
			}
		}
	}
}

// seedDatabase runs statements on a new database file, outside any pool.
func seedDatabase(t *testing.T, file, statements string) {
	t.Helper()
	seed, err := sql.Open("sqlite3", dsn(file))
	if err != nil {
		t.Fatal(err)
	}
	defer seed.Close()
	if _, err := seed.Exec(statements); err != nil {
		t.Fatal(err)
	}
}
