package whitelist

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hlstudio/hyperlambda"
)

func TestParseErrorsHaveLineAndColumn(t *testing.T) {
	cases := []struct{ src, want string }{
		{"name:p\r\nallow\r\n   strings.*x\r\n", "p.hl:3:4: pattern \"strings.*x\""},
		{"name:p\r\nbudgets\r\n   steps:abc\r\n", "p.hl:3:4: budget steps needs a positive integer"},
		{"name:p\r\nbudgets\r\n   speed:int:5\r\n", "p.hl:3:4: unknown budget \"speed\""},
		{"name:p\r\nbudgets\r\n   time-ms:long:9223372036854775807\r\n", "p.hl:3:4: budget time-ms is at most 9223372036854"},
		{"name:p\r\nallow\r\n   effects:flying\r\n", "p.hl:3:4: unknown effect \"flying\""},
		{"allow\r\n   eval\r\n", "p.hl:1:1: a policy needs a name"},
		{"name:p\r\ncolour:red\r\n", "p.hl:2:1: unknown policy entry \"colour\""},
		{"name:p\r\n  allow\r\n", "p.hl:2:3: indentation of 2 spaces"},
		{"name:p\r\nconstraints\r\n   clock:tomorrow\r\n", "p.hl:3:4: clock needs a date value"},
		{"name:p\r\nconstraints\r\n   config\r\n      a:1\r\n      a:2\r\n", "p.hl:5:7: config key \"a\" given twice"},
		{"name:p\r\nconstraints\r\n   config\r\n      novalue\r\n", "p.hl:4:7: a config entry needs a name and a value"},
		{"name:p\r\nconstraints\r\n   weather:sunny\r\n", "p.hl:3:4: unknown constraint \"weather\""},
	}
	for _, c := range cases {
		_, err := Parse("p.hl", []byte(c.src))
		var pe *Error
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: got %v, want prefix %q", c.src, err, c.want)
		}
	}
}

func TestAllowDenyAndIntersection(t *testing.T) {
	outer, err := Parse("o", []byte("name:outer\r\nallow\r\n   effects:pure,logs\r\n   strings.*\r\ndeny\r\n   strings.secret\r\nbudgets\r\n   steps:long:10\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	pure := &Signature{}
	net := &Signature{Effects: Network}
	for _, c := range []struct {
		name string
		sig  *Signature
		want bool
	}{
		{"eq", pure, true}, {"http.get", net, false}, {"strings.concat", net, true},
		{"strings.secret", pure, false}, {"unknown.slot", nil, false},
	} {
		if got := outer.Allows(c.name, c.sig).Allowed; got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	inner := Exactly("inner", []string{"eq", "http.get"})
	both := Intersect(outer, inner)
	if both.Allows("http.get", net).Allowed || !both.Allows("eq", pure).Allowed || both.Allows("strings.concat", pure).Allowed {
		t.Error("intersection must allow only what both allow")
	}
	if both.Budgets.Steps != 10 {
		t.Errorf("intersection keeps the tighter budget, got %d", both.Budgets.Steps)
	}
	if d := outer.Allows("strings.secret", pure); !strings.Contains(d.Reason, "denied by policy outer (deny strings.secret)") {
		t.Errorf("reason %q", d.Reason)
	}
}

// The hash identifies the policy's content, not its formatting.
func TestHashIgnoresFormatting(t *testing.T) {
	a, _ := Parse("a", []byte("name:p\r\nallow\r\n   eval\r\n"))
	b, _ := Parse("b", []byte("name:\"p\"\n\nallow\n   eval\n"))
	c, _ := Parse("c", []byte("name:p\r\nallow\r\n   eq\r\n"))
	if a.Hash != b.Hash || a.Hash == c.Hash {
		t.Fatalf("hashes %s %s %s", a.Hash, b.Hash, c.Hash)
	}
}

func TestWatchReloadsOnChangeAndRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.hl")
	write := func(content string) {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("name:one\r\nallow\r\n   eval\r\n")
	type ev struct {
		p   *Policy
		err error
	}
	events := make(chan ev, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := Watch(ctx, path, 50*time.Millisecond, func(p *Policy, err error) { events <- ev{p, err} }); err != nil {
		t.Fatal(err)
	}
	next := func() ev {
		select {
		case e := <-events:
			return e
		case <-time.After(5 * time.Second):
			t.Fatal("no reload within 5 s")
		}
		return ev{}
	}
	if e := next(); e.err != nil || e.p.Name != "one" {
		t.Fatalf("initial load: %+v", e)
	}
	write("name:two\r\nallow\r\n   eval\r\n")
	if e := next(); e.err != nil || e.p.Name != "two" {
		t.Fatalf("after write: %+v", e)
	}
	// An editor that saves by rename.
	tmp := filepath.Join(dir, ".p.hl.swp")
	os.WriteFile(tmp, []byte("name:three\r\nallow\r\n   eval\r\n"), 0o644)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if e := next(); e.err != nil || e.p.Name != "three" {
		t.Fatalf("after rename: %+v", e)
	}
	// A broken file is reported with its position; the caller keeps the old policy.
	write("name:four\r\n  allow\r\n")
	e := next()
	var se *Error
	if !errors.As(e.err, &se) || se.Pos != (hyperlambda.Pos{Line: 2, Col: 3}) {
		t.Fatalf("broken file: %+v", e)
	}
}

// Constraints narrow under intersection: a fixed clock holds, config keeps
// only the keys both parts agree on, a part without constraints adds none.
func TestConstraintsNarrow(t *testing.T) {
	a, err := Parse("a", []byte("name:a\r\nconstraints\r\n   clock:date:\"2026-01-02T03:04:05.000Z\"\r\n   config\r\n      k1:same\r\n      k2:mine\r\n      k3:only-a\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("b", []byte("name:b\r\nconstraints\r\n   config\r\n      k1:same\r\n      k2:theirs\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := Intersect(Intersect(b, a), Exactly("w", []string{"config.get"})).Constraints()
	if c.Clock == nil || c.Clock.Format(time.RFC3339) != "2026-01-02T03:04:05Z" {
		t.Errorf("clock %v", c.Clock)
	}
	if got := c.ConfigKeys(); got != "k1" {
		t.Errorf("config keys %q, want k1", got)
	}
	if got := Intersect(a, Exactly("w", nil)).Constraints().ConfigKeys(); got != "k1, k2, k3" {
		t.Errorf("a nested whitelist changed config: %q", got)
	}
}

// A vocabulary name holding a line break is not two names: the policies
// differ, and so do their hashes (node values and slot bodies cross
// between runs of the same hash).
func TestExactlyHashKeepsNamesApart(t *testing.T) {
	one, two := Exactly("whitelist", []string{"a\nb"}), Exactly("whitelist", []string{"a", "b"})
	if one.Hash == two.Hash || one.Narrows(two) || two.Narrows(one) {
		t.Fatalf("the same hash %s for different vocabularies", one.Hash)
	}
	if again := Exactly("whitelist", []string{"a", "b"}); !again.Narrows(two) {
		t.Fatal("the same vocabulary, made twice, does not count as the same policy")
	}
}

// Covers compares what policies grant, not how they were built or what
// budgets they set.
func TestCovers(t *testing.T) {
	parse := func(src string) *Policy {
		p, err := Parse("p.hl", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	trusted := parse("name:trusted\r\nallow\r\n   *\r\n")
	capped := Intersect(trusted, parse("name:cap\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:10\r\n"))
	sandbox := parse("name:sandbox\r\nallow\r\n   effects:pure\r\n")
	other := parse("name:other\r\nallow\r\n   strings.*\r\n")
	narrowed := Intersect(trusted, Exactly("whitelist", []string{"eq"}))
	app := parse("name:app\r\nallow\r\n   *\r\nconstraints\r\n   config\r\n      \"magic:auth:secret\":k\r\n")
	for _, c := range []struct {
		p, q *Policy
		want bool
	}{
		{trusted, sandbox, true}, {sandbox, trusted, false},
		{trusted, capped, true}, {capped, trusted, true},
		{capped, sandbox, true}, {Intersect(sandbox, capped), sandbox, true}, {sandbox, Intersect(sandbox, capped), true},
		{sandbox, other, false}, {other, sandbox, false},
		{trusted, narrowed, true}, {narrowed, trusted, false},
		{parse("name:fixed\r\nallow\r\n   *\r\nconstraints\r\n   clock:date:\"2026-01-01T00:00:00.000Z\"\r\n"), trusted, false},
		// Constraints grant (deny by default): trusted does not cover an
		// app with a config secret (audit 10); and in an intersection they
		// take away what they leave out, so the app covers neither trusted
		// nor a policy without constraints (audit 11).
		{app, trusted, false}, {trusted, app, false}, {Intersect(trusted, app), app, true}, {trusted, Intersect(trusted, app), false},
		{app, sandbox, false}, {sandbox, app, false}, {Intersect(app, sandbox), sandbox, false},
	} {
		if got := c.p.Covers(c.q); got != c.want {
			t.Errorf("%s covers %s: %v, want %v", c.p.Name, c.q.Name, got, c.want)
		}
	}
}

// A fixed clock is what the policy's text says, to the millisecond: two
// policies with one canonical text (one hash) mean the same.
func TestClockToTheMillisecond(t *testing.T) {
	src := func(clock string) string {
		return "name:fixed\r\nallow\r\n   effects:pure\r\nconstraints\r\n   clock:date:\"" + clock + "\"\r\n"
	}
	a, errA := Parse("a", []byte(src("2026-01-01T00:00:00.000Z")))
	b, errB := Parse("b", []byte(src("2026-01-01T00:00:00.0009Z")))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.Hash != b.Hash || !a.Constraints().Clock.Equal(*b.Constraints().Clock) {
		t.Errorf("hashes equal: %v; clocks %v and %v", a.Hash == b.Hash, a.Constraints().Clock, b.Constraints().Clock)
	}
}

// Intersections are flat sets: code that keeps calling slots made under
// other [whitelist]s builds caller∩creator over and over, which doubled a
// tree (and its name) with each call until the studio ran out of memory
// (audit 10). The same set in any order is one policy.
func TestIntersectStaysFlat(t *testing.T) {
	base, err := Parse("sandbox.hl", []byte("name:sandbox\r\nallow\r\n   effects:pure,spawns-code\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := Intersect(base, Exactly("whitelist", []string{"a"})), Intersect(base, Exactly("whitelist", []string{"b"}))
	p := a
	for range 64 {
		p = Intersect(Intersect(p, b), Intersect(a, p))
	}
	if len(p.parts) != 3 || len(p.Name) > 64 {
		t.Fatalf("%d parts, name %d bytes", len(p.parts), len(p.Name))
	}
	if Intersect(a, b).Hash != Intersect(b, a).Hash || Intersect(a, a) != a || !p.Narrows(a) || a.Narrows(p) {
		t.Fatal("the same set is not one policy")
	}
	if d := p.Allows("a", nil); d.Allowed {
		t.Fatal("a is allowed under a∩b")
	}
}
