package engine_test

// Adversarial tests of intersections of policies with constraints (audit 11).

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/whitelist"
)

// Audit 11 found: two policies over the same files root name the same database
// file, one as "/app.db", the other as "app.db". Each alone refuses
// io.* on it (DataConstraints.IsDatabaseFile: reachable through data.*
// only, so table grants hold). Their intersection keeps a database only
// where both spell name and path alike (narrowEffects compares the text),
// so it lists none, and io.* reaches the raw file: a slot the public
// policy planted, called by an admin run, copies the whole database,
// tables the public policy is refused included, where public reads it.
func TestIntersectionKeepsDatabaseFilesFromIO(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", home)
	admin := mustPolicy(t, "admin.hl", []byte("name:admin\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared\"\r\n   data\r\n      databases\r\n         app:/app.db\r\n      tables\r\n         *:read-write\r\n      raw-sql:read-write\r\n"))
	public := mustPolicy(t, "public.hl", []byte("name:public\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared\"\r\n   data\r\n      databases\r\n         app:app.db\r\n      tables\r\n         posts:read\r\n"))
	e := vocab.New()
	ctx := context.Background()
	setup := "data.connect:app\r\n   data.execute:\"create table secrets (v text)\"\r\n   data.execute:\"insert into secrets values ('topsecret-4711')\"\r\n"
	if _, err := e.Execute(ctx, mustParse(t, setup), admin); err != nil {
		t.Fatal(err)
	}
	// Each policy alone refuses the raw file.
	for _, p := range []*whitelist.Policy{admin, public} {
		if _, err := e.Execute(ctx, mustParse(t, "io.file.copy:/app.db\r\n   destination:/direct.db\r\n"), p); err == nil {
			t.Fatalf("%s copies the database file directly", p.Name)
		}
	}
	if _, err := e.Execute(ctx, mustParse(t, "slots.create:app.hook\r\n   io.file.copy:/app.db\r\n      destination:/leak.db\r\n   io.file.copy:/app.db-wal\r\n      destination:/leak.db-wal\r\n"), public); err != nil {
		t.Fatal(err)
	}
	_, err := e.Execute(ctx, mustParse(t, "signal:app.hook\r\n"), admin)
	dir := filepath.Join(home, "hlstudio", "shared")
	main, mainErr := os.ReadFile(filepath.Join(dir, "leak.db"))
	wal, _ := os.ReadFile(filepath.Join(dir, "leak.db-wal"))
	if mainErr == nil {
		t.Errorf("a slot public planted, called by admin, copied the database file out of data.*'s reach (%d + %d WAL bytes, the secret row in them: %v; call err %v): public reads table secrets it is refused",
			len(main), len(wal), bytes.Contains(append(main, wal...), []byte("topsecret-4711")), err)
	}
}

// Audit 11 found: a run under a policy whose http section allows one origin
// calls a slot planted under another policy, which calls a slot planted
// under a third: the innermost body runs under the flat intersection of
// the three, whose http origins are checked against the first and last
// part in hash order only (narrowEffects overwrites HTTPConstraints.also).
// The request the caller's policy refuses reaches the server.
func TestThreePartsKeepEveryOrigin(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	mk := func(name, origin string) *whitelist.Policy {
		p := mustPolicy(t, name, []byte(fmt.Sprintf("name:%s\r\nallow\r\n   *\r\nconstraints\r\n   http\r\n      private-addresses:bool:true\r\n      origins\r\n         .:\"%s\"\r\n", name, origin)))
		return p
	}
	a, c := mk("app-a", srv.URL), mk("app-c", srv.URL)
	var strict *whitelist.Policy
	for i := 0; i < 1000 && strict == nil; i++ {
		p := mk(fmt.Sprintf("strict-%d", i), "http://127.0.0.1:1")
		h := []string{a.Hash, c.Hash, p.Hash}
		sort.Strings(h)
		if h[1] == p.Hash {
			strict = p
		}
	}
	if strict == nil {
		t.Fatal("no name sorts in the middle")
	}
	e := vocab.New()
	ctx := context.Background()
	if _, err := e.Execute(ctx, mustParse(t, "slots.create:app.relay\r\n   signal:app.fetch\r\n"), a); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(ctx, mustParse(t, "slots.create:app.fetch\r\n   http.get:\""+srv.URL+"/x\"\r\n"), c); err != nil {
		t.Fatal(err)
	}
	// The strict policy refuses the server on its own.
	if _, err := e.Execute(ctx, mustParse(t, "http.get:\""+srv.URL+"/x\"\r\n"), strict); err == nil || hits.Load() != 0 {
		t.Fatalf("the strict policy itself reaches the server: %v, hits %d", err, hits.Load())
	}
	_, err := e.Execute(ctx, mustParse(t, "signal:app.relay\r\n"), strict)
	if hits.Load() != 0 {
		t.Errorf("a run under %s reached %s through slots of app-a and app-c (%d requests, err %v)", strict.Name, srv.URL, hits.Load(), err)
	}
}

// Audit 11 found: app (every slot, a config section, no files) plants a slot; a
// sandbox run calls it; its body, under app ∩ sandbox (no files, no
// database: app leaves them out), replaces the sandbox run's own slot,
// which app cannot do directly (sandbox grants files app lacks). Covers
// counts app's constraints as grants, while in the intersection they
// narrow. Afterwards the sandbox run's slot returns what app chose and
// can no longer write its files.
func TestAppCannotTakeOverASandboxSlotThroughACall(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	app := mustPolicy(t, "app.hl", []byte("name:app\r\nallow\r\n   *\r\nconstraints\r\n   config\r\n      app.name:demo\r\n"))
	sandbox := enginetest.LoadPolicy(t, "sandbox")
	e := vocab.New()
	ctx := context.Background()
	if _, err := e.Execute(ctx, mustParse(t, "slots.create:app.sb\r\n   io.file.save:/note.txt\r\n      .:hello\r\n   return:saved\r\n"), sandbox); err != nil {
		t.Fatal(err)
	}
	// Directly, app may not replace it.
	if _, err := e.Execute(ctx, mustParse(t, "slots.create:app.sb\r\n   return:hijacked\r\n"), app); err == nil {
		t.Fatal("app replaced the sandbox run's slot directly")
	}
	if _, err := e.Execute(ctx, mustParse(t, "slots.create:app.hook\r\n   slots.create:app.sb\r\n      return:hijacked\r\n"), app); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(ctx, mustParse(t, "signal:app.hook\r\n"), sandbox); err != nil {
		t.Logf("the sandbox run's call of app.hook: %v", err)
	}
	call := mustParse(t, "signal:app.sb\r\n")
	_, err := e.Execute(ctx, call, sandbox)
	if call.Child(0).Value != "saved" {
		t.Errorf("the sandbox run's own slot app.sb now returns %v (err %v): app's code replaced it through a call under app∩sandbox", call.Child(0).Value, err)
	}
}
