package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

func TestData(t *testing.T) { enginetest.RunCases(t, "testdata/*/*.txtar", engine.New) }

// The built-in policies parse and mean what they say.
func TestBuiltinPolicies(t *testing.T) {
	e := engine.New()
	pure, sandbox, trusted := enginetest.LoadPolicy(t, "pure"), enginetest.LoadPolicy(t, "sandbox"), enginetest.LoadPolicy(t, "trusted")
	for _, name := range e.Names() {
		sig, _ := e.Signature(name)
		if !trusted.Allows(name, sig).Allowed {
			t.Errorf("trusted denies %s", name)
		}
		if got := pure.Allows(name, sig).Allowed; got != (sig.Effects == whitelist.Pure) {
			t.Errorf("pure allows %s (effects %s): %v", name, sig.Effects, got)
		}
	}
	if d := sandbox.Allows("canary.record", &whitelist.Signature{Effects: whitelist.Network}); d.Allowed ||
		!strings.Contains(d.Reason, "not allowed by policy sandbox") {
		t.Errorf("sandbox: %+v", d)
	}
	if pure.Hash == sandbox.Hash || len(pure.Hash) != 64 {
		t.Errorf("hashes %q %q", pure.Hash, sandbox.Hash)
	}
}

func TestCancelFromAnotherGoroutine(t *testing.T) {
	lambda, _ := hyperlambda.ParseString("while:bool:true\r\n   .:x\r\n", hyperlambda.ParseOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := engine.New().Execute(ctx, lambda, enginetest.LoadPolicy(t, "pure"))
	var ce *engine.CanceledError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
}

// A slot reads its arguments through its signature: asking for one the
// signature does not declare is refused, so the signature stays the one
// list that the checker, the LLM's vocabulary and `hlstudio slots` show.
func TestArgMustBeDeclared(t *testing.T) {
	e := engine.New()
	read := func(arg string) engine.SlotFunc {
		return func(r *engine.Run, n *hyperlambda.Node) error {
			v, _, err := r.Arg(n, arg)
			n.Value = v
			return err
		}
	}
	for _, s := range []engine.Slot{
		{Sig: whitelist.Signature{Name: "test.declared", Args: []whitelist.Arg{{Name: "size", Type: "int"}}}, Fn: read("size")},
		{Sig: whitelist.Signature{Name: "test.undeclared", Args: []whitelist.Arg{{Name: "size", Type: "int"}}}, Fn: read("colour")},
	} {
		if err := e.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	trusted := enginetest.LoadPolicy(t, "trusted")
	run := func(src string) (*engine.Result, error) {
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return e.Execute(context.Background(), lambda, trusted)
	}
	res, err := run(".s:int:3\r\ntest.declared\r\n   size:x:@.s\r\n")
	if err != nil || res.Lambda.Child(1).Value != int32(3) {
		t.Fatalf("declared argument: %v %v", err, res.Lambda.Child(1).Value)
	}
	_, err = run("test.undeclared\r\n   colour:red\r\n")
	if err == nil || !strings.Contains(err.Error(), "reads argument [colour], which its signature does not declare") {
		t.Fatalf("undeclared argument: %v", err)
	}
}

// A slot that panics is a bug; the run ends with an InternalError naming
// it, and the host goes on.
func TestPanickingSlotIsAnError(t *testing.T) {
	e := engine.New()
	if err := e.Register(engine.Slot{Sig: whitelist.Signature{Name: "test.boom"}, Fn: func(*engine.Run, *hyperlambda.Node) error {
		var m map[string]int
		m["x"] = 1 // nil map write
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	lambda, _ := hyperlambda.ParseString("if:bool:true\r\n   test.boom\r\n", hyperlambda.ParseOptions{})
	_, err := e.Execute(context.Background(), lambda, enginetest.LoadPolicy(t, "trusted"))
	var ie *engine.InternalError
	if !errors.As(err, &ie) || ie.Slot != "test.boom" || !strings.Contains(err.Error(), "assignment to entry in nil map") {
		t.Fatalf("got %v", err)
	}
}

// [try-signal] of a dynamic slot the policy denies does nothing: the body
// never runs (its canary is allowed by the policy, so running it would
// show), no error ends the run, and the denial is recorded for the person.
func TestTrySignalOfDeniedSlotCallsNothing(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(engine.New(), &calls)
	if _, err := e.Execute(context.Background(), mustParse(t, "slots.create:app.secret\r\n   canary.record\r\n"), enginetest.LoadPolicy(t, "trusted")); err != nil {
		t.Fatal(err)
	}
	p, err := whitelist.Parse("no-app", []byte("name:no-app\r\nallow\r\n   effects:pure,spawns-code,network\r\ndeny\r\n   app.*\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Execute(context.Background(), mustParse(t, "try-signal:app.secret\r\n"), p)
	if err != nil || calls.Load() != 0 {
		t.Fatalf("got %v, canary calls %d", err, calls.Load())
	}
	if len(res.Denials) != 1 || res.Denials[0].Slot != "app.secret" || res.Denials[0].Path != "/0" {
		t.Fatalf("denials %+v", res.Denials)
	}
	// [signal] of the same slot is still a denial that ends the run.
	_, err = e.Execute(context.Background(), mustParse(t, "signal:app.secret\r\n"), p)
	var de *engine.DeniedError
	if !errors.As(err, &de) || calls.Load() != 0 {
		t.Fatalf("signal: got %v, canary calls %d", err, calls.Load())
	}
}

// [format] formats dates and time spans as date.format and time.format
// do (package netformat), with or without the dates family.
func TestFormatDates(t *testing.T) {
	e := engine.New()
	for _, c := range []struct{ src, want string }{
		{".d:date:\"2024-03-05T07:08:09.000Z\"\r\nformat:x:@.d\r\n   pattern:\"{0:yyyy}|{0:yyyy-MM-dd HH:mm}|{0:d}|{0,12:MMM d}|{0}\"\r\n",
			"2024|2024-03-05 07:08|03/05/2024|       Mar 5|03/05/2024 07:08:09"},
		{"format:\"{0} on {1:dddd}\"\r\n   .:Release\r\n   .:date:\"2024-03-05T07:08:09.000Z\"\r\n", "Release on Tuesday"},
		{".t:time:900000000\r\nformat:x:@.t\r\n   pattern:\"{0}|{0:c}|{0:hh\\\\:mm}\"\r\n", "00:01:30|00:01:30|00:01"},
		{".d:date:\"2024-03-05T07:08:09.000Z\"\r\nformat:x:@.d\r\n   pattern:\"{0:D4}\"\r\n", "error: \"D\" is not a date format letter"},
		{".d:date:\"2024-03-05T07:08:09.000Z\"\r\nformat:x:@.d\r\n   pattern:\"{0:Q}\"\r\n", "error: unknown standard date format"},
		{".t:time:900000000\r\nformat:x:@.t\r\n   pattern:\"{0:hh:mm}\"\r\n", "error: must be quoted or escaped"},
	} {
		lambda := mustParse(t, c.src)
		_, err := e.Execute(context.Background(), lambda, enginetest.LoadPolicy(t, "pure"))
		if want, isErr := strings.CutPrefix(c.want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: got %v, want an error with %q", c.src, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := lambda.Child(lambda.Len() - 1).Value; got != c.want {
			t.Errorf("%q: got %q, want %q", c.src, got, c.want)
		}
	}
}

// A slot planted by sandboxed code cannot be handed a reference into a
// trusted caller's tree ([execute]'s node_reference): through it the body
// could plant statements the caller then runs under trusted.
func TestReferenceIntoCallerRefusedAcrossPolicies(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(engine.New(), &calls)
	plant := "slots.create:app.helper\r\n   add:x:@.arguments/*/node_reference/#\r\n      .\r\n         canary.record\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, plant), enginetest.LoadPolicy(t, "sandbox")); err != nil {
		t.Fatal(err)
	}
	call := ".code\r\nexecute:app.helper\r\n   node_reference:x:@.code\r\neval:x:@.code\r\n"
	res, err := e.Execute(context.Background(), mustParse(t, call), enginetest.LoadPolicy(t, "trusted"))
	var de *engine.DeniedError
	if !errors.As(err, &de) || de.Slot != "app.helper" || calls.Load() != 0 || len(res.Denials) != 1 {
		t.Fatalf("got %v, canary calls %d, denials %+v", err, calls.Load(), res.Denials)
	}
	// A lambda held as a value is shared the same way.
	plant2 := "slots.create:app.helper2\r\n   add:x:@.arguments/*/lambda/#\r\n      .\r\n         canary.record\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, plant2), enginetest.LoadPolicy(t, "sandbox")); err != nil {
		t.Fatal(err)
	}
	call2 := ".code:node:\".a\"\r\nexecute:app.helper2\r\n   lambda:x:@.code\r\neval:x:@.code/#\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, call2), enginetest.LoadPolicy(t, "trusted")); !errors.As(err, &de) || calls.Load() != 0 {
		t.Fatalf("lambda value: got %v, canary calls %d", err, calls.Load())
	}
	// Under the policy that created it, the reference is passed.
	if _, err := e.Execute(context.Background(), mustParse(t, plant+".code\r\nexecute:app.helper\r\n   node_reference:x:@.code\r\n"), enginetest.LoadPolicy(t, "sandbox")); err != nil {
		t.Fatal(err)
	}
}

// A node in a [context] reaches a slot planted by sandboxed code the same
// way (get-context inside the slot): refused, as a node argument is.
func TestContextNodeRefusedAcrossPolicies(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(engine.New(), &calls)
	plant := "slots.create:app.ctx\r\n   get-context:shared\r\n   add:x:@get-context/#\r\n      .\r\n         canary.record\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, plant), enginetest.LoadPolicy(t, "sandbox")); err != nil {
		t.Fatal(err)
	}
	call := ".code\r\nreference:x:@.code\r\ncontext:shared\r\n   value:x:@reference\r\n   .lambda\r\n      signal:app.ctx\r\neval:x:@.code\r\n"
	res, err := e.Execute(context.Background(), mustParse(t, call), enginetest.LoadPolicy(t, "trusted"))
	var de *engine.DeniedError
	if !errors.As(err, &de) || de.Slot != "get-context" || calls.Load() != 0 || len(res.Denials) != 1 {
		t.Fatalf("got %v, canary calls %d, denials %+v", err, calls.Load(), res.Denials)
	}
	// Plain values, and nodes read under the policy that set them, pass.
	ok := "context:shared\r\n   value:hello\r\n   .lambda\r\n      signal:app.echo\r\n" +
		".code\r\nreference:x:@.code\r\ncontext:mine\r\n   value:x:@reference\r\n   .lambda\r\n      get-context:mine\r\n"
	echo := "slots.create:app.echo\r\n   get-context:shared\r\n   return:x:-\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, echo), enginetest.LoadPolicy(t, "sandbox")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Execute(context.Background(), mustParse(t, ok), enginetest.LoadPolicy(t, "trusted")); err != nil {
		t.Fatal(err)
	}
}

// Code narrowed by [whitelist] runs on a copy of its lambda; a node value
// in the lambda that refers to a node around it (here the [whitelist]
// node, set by the outer code) is copied too, so the narrowed code cannot
// rename the statement after the block into a slot the outer policy
// runs. Before copies mapped such references to the copied nodes, the
// copy kept a handle on the original tree and the canary ran.
func TestWhitelistLambdaHoldsNoHandleOnTheCaller(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(engine.New(), &calls)
	src := "set-value:x:../*/whitelist/*/.lambda/*/.h\r\n   reference:x:../*/whitelist\r\n" +
		"whitelist\r\n   vocabulary\r\n      set-name\r\n   .lambda\r\n      .h\r\n" +
		"      set-name:x:@.h/#/*/.lambda/*/.h/#/+\r\n         .:canary.record\r\n" +
		".after\r\n"
	lambda := mustParse(t, src)
	if _, err := e.Execute(context.Background(), lambda, enginetest.LoadPolicy(t, "trusted")); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 0 || lambda.Child(lambda.Len()-1).Name != ".after" {
		t.Fatalf("the narrowed code changed the caller: canary calls %d, last statement %q", calls.Load(), lambda.Child(lambda.Len()-1).Name)
	}
}

// Charge counts many steps at once: within the budget it adds them all;
// past it the run ends with the step budget, its usage one over (as a
// loop of Step would leave it), and the work is never done.
func TestChargeCountsManySteps(t *testing.T) {
	e := engine.New()
	done := 0
	if err := e.Register(engine.Slot{Sig: whitelist.Signature{Name: "test.heavy"}, Fn: func(r *engine.Run, _ *hyperlambda.Node) error {
		if err := r.Charge(400); err != nil {
			return err
		}
		done++
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:1000\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	lambda, _ := hyperlambda.ParseString("test.heavy\r\ntest.heavy\r\ntest.heavy\r\n", hyperlambda.ParseOptions{})
	res, err := e.Execute(context.Background(), lambda, p)
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "steps" || be.Used != 1001 {
		t.Fatalf("got %v", err)
	}
	if done != 2 || res.Usage.Steps != 1001 {
		t.Errorf("done %d times, usage %d steps; want 2 and 1001", done, res.Usage.Steps)
	}
}
