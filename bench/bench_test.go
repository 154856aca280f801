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
	"hlstudio/whitelist"
)

var policy = func() *whitelist.Policy {
	p, err := whitelist.Parse("bench", []byte("name:bench\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:100000000\r\n   nodes:long:100000000\r\n   time-ms:int:600000\r\n   output-bytes:long:1000000000\r\n"))
	if err != nil {
		panic(err)
	}
	return p
}()

func runHL(b *testing.B, src string) {
	e := vocab.New()
	cached, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Execute(context.Background(), cached.Clone(), policy); err != nil {
			b.Fatal(err)
		}
	}
}

func runStarlark(b *testing.B, src string) {
	opts := &syntax.FileOptions{While: true, Recursion: true, GlobalReassign: true}
	_, prog, err := starlark.SourceProgramOptions(opts, "bench.star", src, func(string) bool { return false })
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := prog.Init(&starlark.Thread{}, nil); err != nil {
			b.Fatal(err)
		}
	}
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

func BenchmarkWhile100k(b *testing.B) {
	b.Run("hyperlambda", func(b *testing.B) { runHL(b, loopHL) })
	b.Run("starlark", func(b *testing.B) { runStarlark(b, loopStar) })
}

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

func BenchmarkForEach10k(b *testing.B) {
	b.Run("hyperlambda", func(b *testing.B) { runHL(b, forEachHL()) })
	b.Run("starlark", func(b *testing.B) { runStarlark(b, forEachStar) })
}

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

func BenchmarkRecursionFib15(b *testing.B) {
	b.Run("hyperlambda", func(b *testing.B) { runHL(b, fibHL) })
	b.Run("starlark", func(b *testing.B) { runStarlark(b, fibStar) })
}

// The algorithms compute the same answers.
func TestSameResults(t *testing.T) {
	e := vocab.New()
	for _, c := range []struct{ src, want string }{
		{loopHL, "int:100000"}, {fibHL, "int:610"},
	} {
		lambda, err := hyperlambda.ParseString(c.src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Execute(context.Background(), lambda, policy); err != nil {
			t.Fatal(err)
		}
		var got string
		for _, n := range lambda.Children() {
			if n.Name == ".i" || n.Name == ".r" {
				typ, text, _ := hyperlambda.ValueText(n.Value)
				got = typ + ":" + text
			}
		}
		if got != c.want {
			t.Errorf("got %s want %s", got, c.want)
		}
	}
}
