package dataslots_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// endpoint is a generated-style CRUD endpoint (testdata/crud-endpoint.hl):
// validators on the arguments, a row created and the newest rows read
// back, returned as the response.
var endpoint = func() string {
	data, err := os.ReadFile("testdata/crud-endpoint.hl")
	if err != nil {
		panic(err)
	}
	return string(data)
}()

const schema = "create table todos (id integer primary key autoincrement, title text not null, done integer not null default 0)"

// sandbox makes a fresh per-user data folder with the sandbox database's
// schema and returns the built-in sandbox policy.
func sandbox(t testing.TB) *whitelist.Policy {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	src, err := whitelist.Parse("sandbox.hl", []byte(sandboxPolicy(t)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, src, "data.connect:sandbox\r\n   data.execute:\""+schema+"\"\r\n")
	return src
}

func run(t testing.TB, p *whitelist.Policy, src string) *engine.Result {
	t.Helper()
	res, err := runErr(t, p, src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func runErr(t testing.TB, p *whitelist.Policy, src string) (*engine.Result, error) {
	t.Helper()
	lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return vocab.New().Execute(context.Background(), lambda, p)
}

// arguments is what an endpoint inserts first: the supplied arguments.
func arguments(title string) string {
	return ".arguments\r\n   title:\"" + title + "\"\r\n"
}

func TestCRUDEndpoint(t *testing.T) {
	p := sandbox(t)
	for _, title := range []string{"buy milk", "call mum", "x'); drop table todos; --"} {
		run(t, p, arguments(title)+endpoint)
	}
	res := run(t, p, arguments("write report")+endpoint)
	got := hyperlambda.Format(res.Nodes, hyperlambda.FormatOptions{})
	want := "\"\"\r\n   id:long:4\r\n   title:write report\r\n   done:long:0\r\n" +
		"\"\"\r\n   id:long:3\r\n   title:\"x'); drop table todos; --\"\r\n   done:long:0\r\n" +
		"\"\"\r\n   id:long:2\r\n   title:call mum\r\n   done:long:0\r\n"
	if got != want {
		t.Fatalf("rows:\n%s\nwant:\n%s", got, want)
	}
	// A missing argument fails the validator before anything is written.
	if _, err := runErr(t, p, ".arguments\r\n"+endpoint); err == nil || !strings.Contains(err.Error(), "title") {
		t.Fatalf("missing title: %v", err)
	}
	res = run(t, p, "data.connect\r\n   data.scalar:\"select count(*) from todos\"\r\n")
	if v := res.Lambda.Child(0).Child(0).Value; v != int64(4) {
		t.Fatalf("rows in the table: %v", v)
	}
}
