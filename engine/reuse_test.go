package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/internal/benchcmp"
	"hlstudio/whitelist"
)

// Every case gives the same results when each call of a dynamic slot
// gets a fresh copy of its body (the reference's way) as with copies made
// over (TestData).
func TestDataWithoutReuse(t *testing.T) {
	defer engine.SetReuseCopies(engine.SetReuseCopies(false))
	enginetest.RunCases(t, "testdata/*/*.txtar", engine.New)
	enginetest.RunCases(t, "vocab/testdata/*.txtar", vocab.New)
}

// Reuse changes nothing a run reports: the steps, the nodes counted (a
// copy made over counts as a new one), the depth and the output.
func TestReuseKeepsUsage(t *testing.T) {
	for _, src := range []string{recursion, returnsOwnNodes, lendsToKeeper} {
		run := func(reuse bool) engine.Usage {
			defer engine.SetReuseCopies(engine.SetReuseCopies(reuse))
			res, err := vocab.New().Execute(context.Background(), mustParse(t, src), enginetest.LoadPolicy(t, "trusted"))
			if err != nil {
				t.Fatal(err)
			}
			u := res.Usage
			u.Duration = 0
			return u
		}
		if with, without := run(true), run(false); with != without {
			t.Errorf("usage with reuse %+v, without %+v, for\n%s", with, without, src)
		}
	}
}

const recursion = `slots.create:fib
   if
      lt
         get-value:x:@.arguments/*/n
         .:int:2
      .lambda
         return:x:@.arguments/*/n
   .n1
   set-value:x:@.n1
      math.subtract
         get-value:x:@.arguments/*/n
         .:int:1
   .n2
   set-value:x:@.n2
      math.subtract
         get-value:x:@.arguments/*/n
         .:int:2
   .sum
   set-value:x:@.sum
      math.add
         execute:fib
            n:x:@.n1
         execute:fib
            n:x:@.n2
   return-value:x:@.sum
execute:fib
   n:int:12
`

const returnsOwnNodes = `slots.create:mk
   return
      a:int:1
execute:mk
execute:mk
execute:mk
`

const lendsToKeeper = `slots.create:keep
   reference:x:@.arguments/*/v
   return-value:x:@reference
slots.create:fn
   .x
   execute:keep
      v:x:@.x
   return-value:x:@execute
execute:fn
execute:fn
execute:fn
`

// A run makes as many copies of a reusable body as calls of it are in
// progress at once (the recursion's depth), not one per call; a body
// whose copies cannot be made over keeps none.
func TestReuseMakesFewCopies(t *testing.T) {
	for _, c := range []struct {
		src      string
		min, max int
	}{
		// fib(12): 465 calls, at most 12 in progress at once.
		{recursion, 2, 12},
		{returnsOwnNodes, 0, 0},
		{lendsToKeeper, 0, 0},
	} {
		n, err := engine.SpareCopies(vocab.New(), mustParse(t, c.src), enginetest.LoadPolicy(t, "trusted"))
		if err != nil {
			t.Fatal(err)
		}
		if n < c.min || n > c.max {
			t.Errorf("%d copies kept, want %d..%d, for\n%s", n, c.min, c.max, c.src)
		}
	}
}

// BenchmarkDynamicCalls: fib(12) through [execute] (465 calls), with the
// copies of the body made over (reuse) and, as the baseline in the same
// run, with a fresh copy per call as the reference makes; "x-fresh" is
// the time with reuse over the baseline's.
func BenchmarkDynamicCalls(b *testing.B) {
	e, p := vocab.New(), enginetest.LoadPolicy(b, "trusted")
	cached := mustParse(b, recursion)
	run := func(reuse bool) func() {
		return func() {
			defer engine.SetReuseCopies(engine.SetReuseCopies(reuse))
			if _, err := e.Execute(context.Background(), cached.Clone(), p); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchcmp.Compare(b, run(true), run(false), "ns/run", "fresh-ns/run", "x-fresh")
}

// Running with copies made over gives what fresh copies give: the same
// executed lambda, result, error and usage, for any program.
func FuzzReuseSameAsFresh(f *testing.F) {
	enginetest.AddSeeds(f, "testdata/*/*.txtar", "vocab/testdata/reuse-*.txtar", "vocab/testdata/sockets*.txtar")
	for _, src := range []string{recursion, returnsOwnNodes, lendsToKeeper} {
		f.Add(src)
	}
	// Computation and dynamic code, nothing outside the run (so both
	// runs of an input start from the same world), small budgets.
	policy, err := whitelist.Parse("pure-and-code", []byte("name:pure-and-code\r\nallow\r\n   effects:pure\r\n   effects:spawns-code\r\nbudgets\r\n   steps:long:20000\r\n   nodes:long:20000\r\n   depth:int:64\r\n   time-ms:int:5000\r\n   output-bytes:long:100000\r\n"))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := vocab.New().Execute(context.Background(), mustParse(f, recursion), policy); err != nil {
		f.Fatalf("the policy must let dynamic slots run: %v", err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		run := func(reuse bool) string {
			defer engine.SetReuseCopies(engine.SetReuseCopies(reuse))
			// A fresh engine each time: dynamic slots outlive a run in
			// the engine, and one run's slots must not meet the other's.
			e := vocab.New()
			lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{MaxDepth: 64})
			if err != nil {
				return "syntax"
			}
			res, err := e.Execute(context.Background(), lambda, policy)
			u := res.Usage
			u.Duration = 0
			_, value, _ := hyperlambda.ValueText(res.Value)
			return fmt.Sprintf("%s\nvalue %q\nnodes %s\nerror %v\nusage %+v",
				hyperlambda.Format(lambda.Children(), hyperlambda.FormatOptions{}), value,
				hyperlambda.Format(res.Nodes, hyperlambda.FormatOptions{}), err, u)
		}
		if with, without := run(true), run(false); with != without {
			if strings.Contains(without, "budget time") {
				return // a time budget ends each run at a different point
			}
			t.Fatalf("with reuse:\n%s\n\nwith fresh copies:\n%s", with, without)
		}
	})
}

// The planted statement of reuse-whitelist-cannot-plant is canary.record,
// which trusted allows: the case's output cannot tell whether it ran, so
// the canary counts its calls.
func TestReuseWhitelistCannotPlant(t *testing.T) {
	ar, err := txtar.ParseFile("vocab/testdata/reuse-whitelist-cannot-plant.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var src string
	for _, f := range ar.Files {
		if f.Name == "input.hl" {
			src = string(f.Data)
		}
	}
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, err := e.Execute(context.Background(), mustParse(t, src), enginetest.LoadPolicy(t, "trusted")); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 0 {
		t.Fatalf("the statement planted under the whitelist ran %d times under trusted", calls.Load())
	}
}

// Dynamic slots outlive the run that made them: a body holding a node
// value (a reference to an ancestor of its holder), planted by one run,
// is copied into a later run by a call or by [slots.get]. Two runs in
// turn on one engine, as in the studio, give the same with reuse as with
// fresh copies.
func TestReuseAcrossRuns(t *testing.T) {
	for _, runs := range [][2]string{{plantByCall, useByCall}, {plantForGet, useByGet}} {
		outcome := func(reuse bool) string {
			defer engine.SetReuseCopies(engine.SetReuseCopies(reuse))
			e := vocab.New()
			var out string
			for _, src := range runs {
				lambda := mustParse(t, src)
				res, err := e.Execute(context.Background(), lambda, enginetest.LoadPolicy(t, "trusted"))
				u := res.Usage
				u.Duration = 0
				out += fmt.Sprintf("%s\nerror %v\nusage %+v\n", hyperlambda.Format(lambda.Children(), hyperlambda.FormatOptions{}), err, u)
			}
			return out
		}
		if with, without := outcome(true), outcome(false); with != without {
			t.Errorf("with reuse:\n%s\nwith fresh copies:\n%s", with, without)
		}
	}
}

const plantByCall = `slots.create:foo
   return-value:x:@.arguments/*/.a/*/.h
set-value:x:../*/slots.create/[1,2]/*/signal/*/.a/*/.h
   reference:x:../*/slots.create/[1,2]/*/signal/*/.a
slots.create:leak
   signal:foo
      .a
         .h
   return-value:x:@signal
`

const useByCall = `.r
set-value:x:@.r
   signal:leak
.root
set-value:x:@.root
   get-name:x:@.r/#/..
.cnt
set-value:x:@.cnt
   get-count:x:@.r/#/../*
`

const plantForGet = `set-value:x:../*/slots.create/*/.a/*/.h
   reference:x:../*/slots.create/*/.a
slots.create:leak2
   .a
      .h
`

const useByGet = `slots.create:foo
   return-value:int:1
slots.get:leak2
add:x:../*/signal
   get-nodes:x:@slots.get/*/.a
.r
set-value:x:@.r
   get-value:x:../*/signal/*/.a/*/.h
signal:foo
.root
set-value:x:@.root
   get-name:x:@.r/#/..
`
