package dataslots_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/engine"
	"hlstudio/whitelist"
)

// A policy granting one table read-write, one read-only, raw SQL read.
func narrow(t *testing.T, root, raw string) *whitelist.Policy {
	src := "name:narrow\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\"" + filepath.ToSlash(root) +
		"\"\r\n   data\r\n      databases\r\n         app:/db/app.db\r\n      tables\r\n         todos:read-write\r\n         users:read\r\n      raw-sql:" + raw + "\r\n"
	p, err := whitelist.Parse("narrow.hl", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tree(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			fi, _ := os.Lstat(p)
			b.WriteString(p + " " + fi.Mode().String() + "\n")
		}
		return nil
	})
	return b.String()
}

// SQL injection through values and names, tables not granted, raw SQL
// beyond its grant, and SQLite's own ways out (ATTACH, VACUUM INTO,
// pragmas, extension loading, triggers): each is refused, the database
// is unchanged and nothing outside the sandbox appears.
func TestInjectionAndGrants(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "sandbox")
	setupSrc := "data.connect:app\r\n" +
		"   data.execute:\"create table todos (id integer primary key, title text); create table users (id integer primary key, name text); create table secrets (id integer primary key, value text)\"\r\n"
	// Only a policy granting the tables read-write may create them.
	full, err := whitelist.Parse("full.hl", []byte(strings.Replace(strings.Replace(policyText(root), "todos:read-write", "*:read-write", 1), "         users:read\r\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, full, setupSrc)
	run(t, full, "data.connect:app\r\n   data.execute:\"insert into secrets (value) values ('s3cret'); insert into users (name) values ('ada')\"\r\n")
	before := tree(t, tmp)
	p := narrow(t, root, "read")

	cases := []struct{ src, want string }{
		// names
		{"data.read\r\n   table:\"todos; drop table users\"", "is not an identifier"},
		{"data.read\r\n   table:\"todos]; drop table users; --\"", "is not an identifier"},
		{"data.read\r\n   table:todos\r\n   columns\r\n      \"title] from secrets --\"", "is not an identifier"},
		{"data.read\r\n   table:todos\r\n   where\r\n      and\r\n         \"1=1 or id.eq\":1", "is not an identifier"},
		{"data.read\r\n   table:todos\r\n   order:\"id; drop table todos\"", "is not an identifier"},
		{"data.create\r\n   table:todos\r\n   values\r\n      \"title) select value from secrets --\":x", "is not an identifier"},
		// grants
		{"data.read\r\n   table:secrets", "table secrets needs read access and is granted none"},
		{"data.create\r\n   table:users\r\n   values\r\n      name:eve", "table users needs read-write access and is granted read"},
		{"data.select:\"select value from secrets\"", "table secrets needs read access"},
		{"data.select:\"select t.title from todos t join secrets s on 1=1\"", "table secrets needs read access"},
		{"data.select:\"select name from users where name in (select value from secrets)\"", "table secrets needs read access"},
		{"data.execute:\"insert into todos (title) values ('x')\"", "needs raw-sql:read-write"},
		{"data.execute:\"delete from todos\"", "needs raw-sql:read-write"},
		{"data.execute:\"drop table todos\"", "raw-sql:read-write"},
		{"data.select:\"select name from sqlite_master\"", "schema table"},
		// SQLite's ways out
		{"data.execute:\"attach database '" + filepath.ToSlash(filepath.Join(tmp, "evil.db")) + "' as evil\"", "not available"},
		{"data.execute:\"vacuum into '" + filepath.ToSlash(filepath.Join(tmp, "copy.db")) + "'\"", "not available"},
		{"data.execute:\"pragma writable_schema = 1\"", "pragma writable_schema is not available"},
		{"data.select:\"select load_extension('/tmp/x.so')\"", "function load_extension is not available"},
		{"data.execute:\"create temp table t (x)\"", "only the policy's database"},
		{"data.connect:other", "is not one it names"},
		{"data.connect:\"[mysql|app]\"", "connection forms"},
	}
	for _, c := range cases {
		src := c.src
		if !strings.HasPrefix(src, "data.connect") {
			src = "data.connect:app\r\n   " + strings.ReplaceAll(src, "\r\n", "\r\n   ") + "\r\n"
		}
		_, err := runErr(t, p, src)
		var de *engine.DeniedError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant a denial containing %q", c.src, err, c.want)
			continue
		}
		if !strings.Contains(de.Reason, "policy narrow") {
			t.Errorf("%s: the reason does not name the policy: %s", c.src, de.Reason)
		}
	}
	// Values are bound: text that looks like SQL is stored as text.
	rw := narrow(t, root, "read")
	evil := "x'); drop table users; --"
	run(t, rw, "data.connect:app\r\n   data.create\r\n      table:todos\r\n      values\r\n         title:\""+evil+"\"\r\n")
	res := run(t, full, "data.connect:app\r\n   data.scalar:\"select count(*) from users\"\r\n   data.scalar:\"select title from todos\"\r\n   data.scalar:\"select value from secrets\"\r\n")
	c := res.Lambda.Child(0)
	if c.Child(0).Value != int64(1) || c.Child(1).Value != evil || c.Child(2).Value != "s3cret" {
		t.Fatalf("the database changed: %v %v %v", c.Child(0).Value, c.Child(1).Value, c.Child(2).Value)
	}
	// Nothing appeared or went away outside the database folder.
	if after := tree(t, tmp); after != before {
		t.Fatalf("files changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// A column that does not exist is an error from SQLite's schema, not
	// a string (brackets, unlike double quotes, never fall back to text).
	if _, err := runErr(t, p, "data.connect:app\r\n   data.read\r\n      table:todos\r\n      columns\r\n         nope\r\n"); err == nil || !strings.Contains(err.Error(), "no such column") {
		t.Fatalf("unknown column: %v", err)
	}
}

func policyText(root string) string {
	return "name:narrow\r\nallow\r\n   effects:pure,db-read,db-write\r\nconstraints\r\n   files\r\n      root:\"" + filepath.ToSlash(root) +
		"\"\r\n   data\r\n      databases\r\n         app:/db/app.db\r\n      tables\r\n         todos:read-write\r\n         users:read\r\n      raw-sql:read-write\r\n"
}

// A database file or folder that is a link out of the sandbox is refused;
// the file outside is not touched.
func TestDatabaseSymlinkEscape(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "sandbox")
	outside := filepath.Join(tmp, "outside")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "app.db"), []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../outside", filepath.Join(root, "db")); err != nil {
		t.Fatal(err)
	}
	_, err := runErr(t, narrow(t, root, "read"), "data.connect:app\r\n   data.read\r\n      table:todos\r\n")
	var de *engine.DeniedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "leads outside the sandbox root") {
		t.Fatalf("got %v", err)
	}
	os.Remove(filepath.Join(root, "db"))
	os.Mkdir(filepath.Join(root, "db"), 0o700)
	os.Symlink(filepath.Join(outside, "app.db"), filepath.Join(root, "db", "app.db"))
	_, err = runErr(t, narrow(t, filepath.Join(root), "read"), "data.connect:app\r\n   data.read\r\n      table:todos\r\n")
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "app.db")); string(data) != "not a database" {
		t.Fatal("the file outside changed")
	}
}
