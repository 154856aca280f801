package whitelist_test

import (
	"errors"
	"testing"

	"hlstudio/assets"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// builtins are the built-in policies, parsed.
func builtins(tb testing.TB) []*whitelist.Policy {
	var out []*whitelist.Policy
	for _, name := range assets.PolicyNames() {
		text, _ := assets.Policy(name)
		p, err := whitelist.Parse(name+".hl", text)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
}

// FuzzParsePolicy feeds arbitrary text to the policy loader, as the
// studio's policy editor does on every keystroke: no panic; a refusal is a
// *whitelist.Error at a line and column; an accepted policy has a name,
// positive budgets, and can be intersected with the built-ins and asked
// about every registered slot.
func FuzzParsePolicy(f *testing.F) {
	for _, name := range assets.PolicyNames() {
		text, _ := assets.Policy(name)
		f.Add(string(text))
	}
	addSeeds(f,
		"name:x\r\nbudgets\r\n   time-ms:long:9223372036854775807\r\n",
		"name:x\r\nallow\r\n   strings.*\r\n   effects:pure,logs\r\ndeny\r\n   strings.mixin\r\n",
		"name:x\r\nconstraints\r\n   files\r\n      root:\"{data}/sandbox\"\r\n   http\r\n      origins\r\n         https://example.com:8443\r\n",
		"name:x\r\nconstraints\r\n   identity\r\n      username:jane\r\n      roles:\"a, b\"\r\n",
		"name:x\r\nconstraints\r\n   data\r\n      databases\r\n         main:/db/main.db\r\n      tables\r\n         todos:read\r\n",
	)
	e := vocab.New()
	pols := builtins(f)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := whitelist.Parse("fuzz.hl", []byte(src))
		if err != nil {
			var pe *whitelist.Error
			if !errors.As(err, &pe) {
				t.Fatalf("a refusal that is not a *whitelist.Error: %T %v", err, err)
			}
			if !pe.Pos.IsValid() {
				t.Fatalf("a refusal without a position: %v", err)
			}
			return
		}
		b := p.Budgets
		if p.Name == "" || b.Steps <= 0 || b.Nodes <= 0 || b.Depth <= 0 || b.Time <= 0 || b.OutputBytes <= 0 {
			t.Fatalf("accepted policy %q with budgets %+v", p.Name, b)
		}
		for _, q := range append([]*whitelist.Policy{p}, pols...) {
			both := whitelist.Intersect(q, p)
			for _, name := range e.Names() {
				sig, _ := e.Signature(name)
				if both.Allows(name, sig).Allowed && !p.Allows(name, sig).Allowed {
					t.Fatalf("the intersection with %s allows %s, which %s denies", q.Name, name, p.Name)
				}
			}
			_ = both.Constraints()
		}
	})
}

// FuzzCheck runs the static checker, which the studio runs on every
// keystroke, over arbitrary trees under every built-in policy: no panic,
// and every finding is about a node of the tree.
func FuzzCheck(f *testing.F) {
	addSeeds(f,
		"data.connect:sandbox\r\n   data.read\r\n      table:todos\r\n",
		"io.file.load:../../etc/passwd\r\nhttp.get:\"http://127.0.0.1/\"\r\n",
		"signal:x:@.name\r\nslots.create:a\r\n   whitelist\r\n      vocabulary\r\n         io.*\r\n      .lambda\r\n         io.file.save:/a\r\n",
		"switch:x:@.v\r\n   case:1\r\n      eval\r\n         strings.concat\r\n   default\r\n      validators.email:x:@.e\r\n",
	)
	e := vocab.New()
	pols := builtins(f)
	f.Fuzz(func(t *testing.T, src string) {
		root, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{MaxDepth: 64})
		if err != nil {
			return
		}
		inTree := map[*hyperlambda.Node]bool{}
		root.Walk(func(n *hyperlambda.Node) bool { inTree[n] = true; return true })
		for _, p := range pols {
			for _, finding := range whitelist.Check(root, e, p) {
				if !inTree[finding.Node] {
					t.Fatalf("under %s, a finding about a node outside the tree: %+v", p.Name, finding)
				}
			}
		}
	})
}
