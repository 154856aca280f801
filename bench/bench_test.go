// Package bench compares the Hyperlambda runtime with starlark-go on the
// same three algorithms. It is a separate module so that starlark never
// enters the product's go.mod; run it with `make bench-starlark`.
package bench

import (
	"context"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/internal/benchcmp"
	"hlstudio/whitelist"
)

var policy = func() *whitelist.Policy {
	p, err := whitelist.Parse("bench", []byte("name:bench\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:100000000\r\n   nodes:long:100000000\r\n   time-ms:int:600000\r\n   output-bytes:long:1000000000\r\n"))
	if err != nil {
		panic(err)
	}
	return p
}()

// compare times the Hyperlambda program against the starlark one in the
// same benchmark, in alternating blocks (benchcmp.Compare), and
// reports each side's median time per run and the ratio.
func compare(b *testing.B, hl, star string) {
	e := vocab.New()
	cached, err := hyperlambda.ParseString(hl, hyperlambda.ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	opts := &syntax.FileOptions{While: true, Recursion: true, GlobalReassign: true}
	_, prog, err := starlark.SourceProgramOptions(opts, "bench.star", star, func(string) bool { return false })
	if err != nil {
		b.Fatal(err)
	}
	runHL := func() {
		if _, err := e.Execute(context.Background(), cached.Clone(), policy); err != nil {
			b.Fatal(err)
		}
	}
	runStar := func() {
		if _, err := prog.Init(&starlark.Thread{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	benchcmp.Compare(b, runHL, runStar, "hl-ns/run", "starlark-ns/run", "x-starlark")
}

const loopHL = `.i:int:0
while
   lt
      get-value:x:@.i
      .:int:100000
   .lambda
      math.increment:x:@.i
`

const loopStar = `
def f():
    i = 0
    while i < 100000:
        i += 1
    return i
r = f()
`

func BenchmarkWhile100k(b *testing.B) { compare(b, loopHL, loopStar) }

func forEachHL() string {
	var sb strings.Builder
	sb.WriteString(".data\n")
	for i := 0; i < 10000; i++ {
		sb.WriteString("   v:x\n")
	}
	sb.WriteString(`.s:
for-each:x:@.data/*
   set-value:x:@.s
      strings.concat
         get-value:x:@.s
         get-value:x:@.dp/#
`)
	return sb.String()
}

const forEachStar = `
data = ["x"] * 10000
def f():
    s = ""
    for v in data:
        s += v
    return s
r = f()
`

func BenchmarkForEach10k(b *testing.B) { compare(b, forEachHL(), forEachStar) }

// fib(15) by recursion: through [execute] of a dynamic slot in Hyperlambda.
const fibHL = `slots.create:bench.fib
   if
      lt
         get-value:x:@.arguments/*/n
         .:int:2
      .lambda
         return:x:@.arguments/*/n
   .n1
   .n2
   set-value:x:@.n1
      math.subtract
         get-value:x:@.arguments/*/n
         .:int:1
   set-value:x:@.n2
      math.subtract
         get-value:x:@.arguments/*/n
         .:int:2
   .r1
   .r2
   set-value:x:@.r1
      execute:bench.fib
         n:x:@.n1
   set-value:x:@.r2
      execute:bench.fib
         n:x:@.n2
   .sum
   set-value:x:@.sum
      math.add
         get-value:x:@.r1
         get-value:x:@.r2
   return-value:x:@.sum
.r
set-value:x:@.r
   execute:bench.fib
      n:int:15
`

const fibStar = `
def fib(n):
    if n < 2:
        return n
    return fib(n-1) + fib(n-2)
r = fib(15)
`

func BenchmarkRecursionFib15(b *testing.B) { compare(b, fibHL, fibStar) }

// The algorithms compute the same answers.
func TestSameResults(t *testing.T) {
	e := vocab.New()
	for _, c := range []struct{ src, star, want, wantStar string }{
		{loopHL, loopStar, "int:100000", "100000"},
		{fibHL, fibStar, "int:610", "610"},
		{forEachHL(), forEachStar, "string:" + strings.Repeat("x", 10000), `"` + strings.Repeat("x", 10000) + `"`},
	} {
		opts := &syntax.FileOptions{While: true, Recursion: true, GlobalReassign: true}
		globals, err := starlark.ExecFileOptions(opts, &starlark.Thread{}, "bench.star", c.star, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := globals["r"].String(); got != c.wantStar {
			t.Errorf("starlark: got %.40s want %.40s", got, c.wantStar)
		}
		lambda, err := hyperlambda.ParseString(c.src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Execute(context.Background(), lambda, policy); err != nil {
			t.Fatal(err)
		}
		var got string
		for _, n := range lambda.Children() {
			if n.Name == ".i" || n.Name == ".r" || n.Name == ".s" {
				typ, text, _ := hyperlambda.ValueText(n.Value)
				got = typ + ":" + text
			}
		}
		if got != c.want {
			t.Errorf("got %s want %s", got, c.want)
		}
	}
}
