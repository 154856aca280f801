package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
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

// A program run again creates the same slot: the slot is kept, and the
// second run's calls use the copies the first left, making none.
func TestReuseCopiesOutliveRuns(t *testing.T) {
	e, p := vocab.New(), enginetest.LoadPolicy(t, "trusted")
	if _, err := e.Execute(context.Background(), mustParse(t, recursion), p); err != nil {
		t.Fatal(err)
	}
	body, first := engine.SlotSpares(e, "fib")
	if len(first) == 0 {
		t.Fatal("the first run left no copies")
	}
	if _, err := e.Execute(context.Background(), mustParse(t, recursion), p); err != nil {
		t.Fatal(err)
	}
	again, second := engine.SlotSpares(e, "fib")
	if again != body {
		t.Fatal("creating the same slot again replaced it")
	}
	left := map[*hyperlambda.Instance]bool{}
	for _, inst := range first {
		left[inst] = true
	}
	for _, inst := range second {
		if !left[inst] {
			t.Fatalf("the second run made a copy of its own (%d left by the first, %d now)", len(first), len(second))
		}
	}
	if len(second) != len(first) {
		t.Fatalf("%d copies after the second run, %d after the first", len(second), len(first))
	}
}

// What a slot keeps between runs is bounded by the nodes of its copies: a
// body of 33,000 nodes called four deep keeps one copy, not four.
func TestSparesKeptAreBounded(t *testing.T) {
	src := "slots.create:deep\n   .pad\n" + strings.Repeat("      x\n", 33000) + `   if
      mt
         get-value:x:@.arguments/*/n
         .:int:0
      .lambda
         .m
         set-value:x:@.m
            math.subtract
               get-value:x:@.arguments/*/n
               .:int:1
         execute:deep
            n:x:@.m
execute:deep
   n:int:3
`
	e := vocab.New()
	if _, err := e.Execute(context.Background(), mustParse(t, src), enginetest.LoadPolicy(t, "trusted")); err != nil {
		t.Fatal(err)
	}
	if _, kept := engine.SlotSpares(e, "deep"); len(kept) != 1 {
		t.Fatalf("%d copies of a 33,000-node body kept, want 1", len(kept))
	}
}

// The same body created under another policy is another slot: it runs
// under the policy of the run that created it last (here trusted, which
// lets it call the canary; kept from the first run's policy, which does
// not, the call would be denied).
func TestSameBodyOtherPolicyReplaces(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	const create = "slots.create:rec\n   canary.record\n"
	code, err := whitelist.Parse("code", []byte("name:code\r\nallow\r\n   effects:pure\r\n   effects:spawns-code\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(context.Background(), mustParse(t, create), code); err != nil {
		t.Fatal(err)
	}
	narrowBody, _ := engine.SlotSpares(e, "rec")
	if _, err := e.Execute(context.Background(), mustParse(t, create+"execute:rec\n"), enginetest.LoadPolicy(t, "trusted")); err != nil {
		t.Fatalf("the body created again under trusted: %v", err)
	}
	if body, _ := engine.SlotSpares(e, "rec"); body == narrowBody {
		t.Fatal("the slot made under the narrower policy was kept for trusted")
	}
	if calls.Load() != 1 {
		t.Fatalf("canary called %d times, want 1", calls.Load())
	}
}

// Runs at once on one engine share a slot's copies safely (the race
// detector watches this in make test) and each computes its own answer.
func TestReuseConcurrentRuns(t *testing.T) {
	e, p := vocab.New(), enginetest.LoadPolicy(t, "trusted")
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				src := strings.Replace(recursion, "n:int:12", fmt.Sprintf("n:int:%d", 5+g+i%3), 1)
				lambda := mustParse(t, src)
				if _, err := e.Execute(context.Background(), lambda, p); err != nil {
					errs <- err
					return
				}
				got := lambda.Children()[lambda.Len()-1].Value // [execute]'s
				if want := fib(5 + g + i%3); got != int32(want) {
					errs <- fmt.Errorf("fib(%d) = %v, want %d", 5+g+i%3, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
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
// executed lambda, result, error and usage, for any program, run once or
// again on the same engine.
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
			// On it the program runs twice, as the studio's Run does: the
			// second run meets the first's slots and their copies.
			e := vocab.New()
			var out string
			for range 2 {
				lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{MaxDepth: 64})
				if err != nil {
					return "syntax"
				}
				res, err := e.Execute(context.Background(), lambda, policy)
				u := res.Usage
				u.Duration = 0
				_, value, _ := hyperlambda.ValueText(res.Value)
				out += fmt.Sprintf("%s\nvalue %q\nnodes %s\nerror %v\nusage %+v\n",
					hyperlambda.Format(lambda.Children(), hyperlambda.FormatOptions{}), value,
					hyperlambda.Format(res.Nodes, hyperlambda.FormatOptions{}), err, u)
			}
			return out
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
// fresh copies, and so does a program run twice (its slots and their
// copies kept from one run to the next).
func TestReuseAcrossRuns(t *testing.T) {
	for _, runs := range [][2]string{{plantByCall, useByCall}, {plantForGet, useByGet},
		{recursion, recursion}, {returnsOwnNodes, returnsOwnNodes}, {lendsToKeeper, lendsToKeeper}, {recursion, lendsToKeeper}} {
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
