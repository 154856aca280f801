package engine_test

// Adversarial tests of constraints under intersections and of their
// consumers (audit 12).

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/whitelist"
)

// Audit 12 found: a data.connect checks a connection out with the grants of the
// policy in force at data.connect (dataslots.open: a.grant(c.Data, ...)),
// and raw SQL is checked against those grants by SQLite's authorizer. A
// dynamic slot's body, called inside the caller's data.connect, runs
// under Intersect(caller, creator) but its raw SQL goes through the
// caller's connection, so the authorizer applies the caller's tables and
// raw-sql grant, not the intersection's. rawSQL only asks the
// intersection whether raw SQL is granted at all.
//
// public (tables posts:read, raw-sql:read) plants a hook; an admin run
// calls it inside its data.connect; the hook's raw data.execute copies
// the secrets table (refused to public) into posts (read-only to
// public, and raw SQL read-only), where public then reads it.
func TestPlantedSlotDoesNotUseItsCallersConnection(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	admin := mustPolicy(t, "admin.hl", []byte("name:admin\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared12\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         *:read-write\r\n      raw-sql:read-write\r\n"))
	public := mustPolicy(t, "public.hl", []byte("name:public\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared12\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         posts:read\r\n      raw-sql:read\r\n"))
	e := vocab.New()
	ctx := context.Background()
	setup := "data.connect:app\r\n   data.execute:\"create table secrets (v text)\"\r\n   data.execute:\"create table posts (v text)\"\r\n   data.execute:\"insert into secrets values ('topsecret-12')\"\r\n"
	if _, err := e.Execute(ctx, mustParse(t, setup), admin); err != nil {
		t.Fatal(err)
	}
	hook := "data.execute:\"insert into posts select v from secrets\"\r\n"
	// public alone is refused the statement.
	if _, err := e.Execute(ctx, mustParse(t, "data.connect:app\r\n   "+hook), public); err == nil {
		t.Fatal("public itself copies secrets into posts")
	}
	// So is the intersection, when the hook opens its own connection.
	inter := whitelist.Intersect(admin, public)
	if _, err := e.Execute(ctx, mustParse(t, "data.connect:app\r\n   "+hook), inter); err == nil {
		t.Fatal("admin∩public itself copies secrets into posts")
	}
	if _, err := e.Execute(ctx, mustParse(t, "slots.create:app.hook12\r\n   "+hook), public); err != nil {
		t.Fatal(err)
	}
	_, callErr := e.Execute(ctx, mustParse(t, "data.connect:app\r\n   signal:app.hook12\r\n"), admin)
	read := mustParse(t, "data.connect:app\r\n   data.select:\"select v from posts\"\r\n")
	if _, err := e.Execute(ctx, read, public); err != nil {
		t.Fatal(err)
	}
	got := read.Child(0).Child(0)
	if got.Len() > 0 {
		t.Errorf("a hook public planted, called by admin inside data.connect, ran raw SQL with admin's grants (err %v): public now reads %d row(s) of table secrets through posts", callErr, got.Len())
	}
}

// Audit 12 found: same cause: the database is fixed at data.connect too. A
// hook planted by a policy that names only its own database (mine) and
// grants posts, called inside admin's data.connect:app, writes into
// admin's app.db, a database file the hook's policy does not name and
// the intersection does not grant (it names no database at all).
func TestPlantedSlotWritesOnlyDatabasesItsPolicyNames(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	admin := mustPolicy(t, "admin.hl", []byte("name:admin\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared12b\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         *:read-write\r\n      raw-sql:read-write\r\n"))
	other := mustPolicy(t, "other.hl", []byte("name:other\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared12b\"\r\n   data\r\n      databases\r\n         mine:/mine.db\r\n      tables\r\n         posts:read-write\r\n"))
	e := vocab.New()
	ctx := context.Background()
	if _, err := e.Execute(ctx, mustParse(t, "data.connect:app\r\n   data.execute:\"create table posts (v text)\"\r\n"), admin); err != nil {
		t.Fatal(err)
	}
	inter := whitelist.Intersect(admin, other)
	if _, _, err := inter.Constraints().Effects.Data.Database("app"); err == nil {
		t.Fatal("the intersection names database app")
	}
	hook := "slots.create:app.hook12b\r\n   data.create\r\n      table:posts\r\n      values\r\n         v:planted-12\r\n"
	if _, err := e.Execute(ctx, mustParse(t, hook), other); err != nil {
		t.Fatal(err)
	}
	_, callErr := e.Execute(ctx, mustParse(t, "data.connect:app\r\n   signal:app.hook12b\r\n"), admin)
	count := mustParse(t, "data.connect:app\r\n   data.scalar:\"select count(*) from posts\"\r\n")
	if _, err := e.Execute(ctx, count, admin); err != nil {
		t.Fatal(err)
	}
	if n := count.Child(0).Child(0).Value; n != int64(0) {
		t.Errorf("a hook under other (which names only database mine) wrote %v row(s) into admin's app.db through the caller's connection (call err %v)", n, callErr)
	}
}

// Audit 12 found: the static check and the runtime disagree on the sandbox root
// under a policy with a database. DataConstraints.IsDatabaseFile(".") is
// true (the root holds the database), and LiteralDenial refuses every
// literal "/" with it; the io slots resolve "/" with an exception
// (sandbox.resolve: IsDatabaseFile(rel) && rel != "."), so
// io.folder.list:/ runs and answers, while the checker labels it denied
// (a blocking finding: the studio will not run or approve it).
func TestStaticCheckAllowsTheFilesRoot(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	sandbox := enginetest.LoadPolicy(t, "sandbox")
	e := vocab.New()
	src := "io.folder.create:/notes\r\nio.folder.list:/\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, src), sandbox); err != nil {
		t.Fatalf("runtime refuses: %v", err)
	}
	for _, f := range whitelist.Check(mustParse(t, src), e, sandbox) {
		if f.Label.Blocking() {
			t.Errorf("static check labels [%s:%v] %v (%s), which the runtime runs", f.Node.Name, f.Node.Value, f.Label, f.Reason)
		}
	}
}

// Audit 12 found: a file stream is read again at each use under the policy in
// force then (Stream.rest: same sandbox root, that policy's
// max-read-bytes), but the database-file rule (IsDatabaseFile) is not
// asked again. A stream of a file that one policy may read is read in a
// dynamic slot's body under an intersection that protects that file (the
// slot's creator names it as its database), and the body saves it as a
// plain file its creator reads: io.* reaches a database file the
// creator's policy, and the intersection, refuse to io.*.
func TestStreamKeepsDatabaseFilesProtected(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	files := mustPolicy(t, "files.hl", []byte("name:files\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared12s\"\r\n"))
	public := mustPolicy(t, "public.hl", []byte("name:public\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared12s\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         posts:read\r\n"))
	dir := filepath.Join(home, "hlstudio", "shared12s")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.db"), []byte("raw-database-bytes-12"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := vocab.New()
	ctx := context.Background()
	inter := whitelist.Intersect(files, public)
	// The intersection refuses the file directly.
	if _, err := e.Execute(ctx, mustParse(t, "io.file.load:/app.db\r\n"), inter); err == nil {
		t.Fatal("files∩public loads /app.db")
	}
	hook := "slots.create:app.keep12\r\n   io.stream.save-file:/kept.bin\r\n      get-value:x:@.arguments/*/s\r\n"
	if _, err := e.Execute(ctx, mustParse(t, hook), public); err != nil {
		t.Fatal(err)
	}
	_, callErr := e.Execute(ctx, mustParse(t, "io.stream.open-file:/app.db\r\nunwrap:x:+/*\r\nsignal:app.keep12\r\n   s:x:@io.stream.open-file\r\n"), files)
	if b, err := os.ReadFile(filepath.Join(dir, "kept.bin")); err == nil {
		t.Errorf("a body under files∩public read /app.db (a database file of public's, refused to io.*) through a stream and saved %q (call err %v)", b, callErr)
	} else {
		t.Logf("call err %v", callErr)
	}
}

// Audit 12 found: table grants are matched by exact spelling
// (DataConstraints.TableAccess is a map lookup), while SQLite's table
// names are case-insensitive and its authorizer reports a table as it
// was declared. A policy that refuses table secrets (secrets:none,
// *:read) reads a table declared "Secrets" through the "*" grant, with
// built statements and raw SQL alike.
func TestTableGrantsIgnoreSQLiteCase(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	admin := mustPolicy(t, "admin.hl", []byte("name:admin\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/case12\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         *:read-write\r\n      raw-sql:read-write\r\n"))
	reader := mustPolicy(t, "reader.hl", []byte("name:reader\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/case12\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         secrets:none\r\n         *:read\r\n      raw-sql:read\r\n"))
	e := vocab.New()
	ctx := context.Background()
	setup := "data.connect:app\r\n   data.execute:\"create table Secrets (v text)\"\r\n   data.execute:\"insert into Secrets values ('topsecret-12')\"\r\n"
	if _, err := e.Execute(ctx, mustParse(t, setup), admin); err != nil {
		t.Fatal(err)
	}
	// The exact spelling of the grant is refused.
	if _, err := e.Execute(ctx, mustParse(t, "data.connect:app\r\n   data.read\r\n      table:secrets\r\n"), reader); err == nil {
		t.Fatal("reader reads table secrets as spelled in its grant")
	}
	for _, src := range []string{
		"data.connect:app\r\n   data.select:\"select v from secrets\"\r\n",
		"data.connect:app\r\n   data.read\r\n      table:SECRETS\r\n",
	} {
		tree := mustParse(t, src)
		_, err := e.Execute(ctx, tree, reader)
		if err == nil {
			t.Errorf("policy reader (secrets:none) read table Secrets with %q: result %d row(s)", src, tree.Child(0).Child(0).Len())
		}
	}
}
