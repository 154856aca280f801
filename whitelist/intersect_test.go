package whitelist

import (
	"fmt"
	"sort"
	"testing"
)

// In an intersection of three or more parts with http sections, every
// part's origins hold: narrowEffects used to copy a.HTTP (with its chain)
// and overwrite the chain with b.HTTP, dropping the middle part in hash
// order, so a URL it refuses passed (audit 11).
func TestEveryPartsOriginsHold(t *testing.T) {
	loose := func(name string) *Policy {
		p, err := Parse(name, []byte("name:"+name+"\r\nallow\r\n   *\r\nconstraints\r\n   http\r\n      origins\r\n         .:\"https://good.example\"\r\n         .:\"https://evil.example\"\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, c := loose("app-a"), loose("app-c")
	// The strict policy's name is picked so that it sorts between the
	// other two by hash (deterministic: the hashes are of fixed text).
	var strict *Policy
	for i := 0; i < 1000 && strict == nil; i++ {
		name := fmt.Sprintf("strict-%d", i)
		p, err := Parse(name, []byte("name:"+name+"\r\nallow\r\n   *\r\nconstraints\r\n   http\r\n      origins\r\n         .:\"https://good.example\"\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		h := []string{a.Hash, c.Hash, p.Hash}
		sort.Strings(h)
		if h[1] == p.Hash {
			strict = p
		}
	}
	if strict == nil {
		t.Fatal("no name sorts in the middle")
	}
	if _, err := strict.Constraints().Effects.HTTP.CheckURL("https://evil.example/"); err == nil {
		t.Fatal("the strict part allows evil.example itself")
	}
	for _, p := range []*Policy{Intersect(Intersect(a, strict), c), Intersect(strict, Intersect(a, c)), Intersect(c, Intersect(strict, a))} {
		if _, err := p.Constraints().Effects.HTTP.CheckURL("https://evil.example/"); err == nil {
			t.Errorf("%s allows https://evil.example, which part %s refuses", p.Name, strict.Name)
		}
	}
}

// The same database file named alike but spelled "/app.db" by
// one part and "app.db" by another (or under two names) is protected from
// io.* by each part, and by their intersection (audit 11: by neither).
func TestIntersectionKeepsDatabaseFilesProtected(t *testing.T) {
	mk := func(name, db string) *Policy {
		p, err := Parse(name, []byte("name:"+name+"\r\nallow\r\n   *\r\nconstraints\r\n   files\r\n      root:\"{data}/shared\"\r\n   data\r\n      databases\r\n         "+db+"\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, pair := range [][2]*Policy{
		{mk("admin", "app:/app.db"), mk("public", "app:app.db")},
		{mk("admin", "app:/app.db"), mk("public", "main:/app.db")},
	} {
		a, b := pair[0], pair[1]
		if !a.Constraints().Effects.Data.IsDatabaseFile("app.db") || !b.Constraints().Effects.Data.IsDatabaseFile("app.db") {
			t.Fatal("a part does not protect app.db")
		}
		c := Intersect(a, b).Constraints().Effects
		if c.Files != nil && c.Files.Root != "" && !c.Data.IsDatabaseFile("app.db") {
			t.Errorf("%s: files root %s, and app.db is no database file: io.* reaches it", Intersect(a, b).Name, c.Files.Root)
		}
	}
}
