package engine_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

func mustParse(t testing.TB, src string) *hyperlambda.Node {
	t.Helper()
	n, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mustPolicy parses a policy written out in a test.
func mustPolicy(t testing.TB, name string, src []byte) *whitelist.Policy {
	t.Helper()
	p, err := whitelist.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A slot planted by sandboxed code keeps the sandbox when trusted code
// calls it later: the reference would run its body with no whitelist.
func TestPlantedSlotStaysSandboxed(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(engine.New(), &calls)
	if _, err := e.Execute(context.Background(), mustParse(t, "slots.create:app.helper\r\n   canary.record\r\n"), enginetest.LoadPolicy(t, "sandbox")); err != nil {
		t.Fatal(err)
	}
	_, err := e.Execute(context.Background(), mustParse(t, "signal:app.helper\r\n"), enginetest.LoadPolicy(t, "trusted"))
	var de *engine.DeniedError
	if !errors.As(err, &de) || de.Slot != "canary.record" || calls.Load() != 0 {
		t.Fatalf("got %v, canary calls %d", err, calls.Load())
	}
}

// Denials and budget errors cannot be swallowed by [try].
func TestTryCannotCatchDenialsOrBudgets(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(engine.New(), &calls)
	_, err := e.Execute(context.Background(), mustParse(t, "try\r\n   canary.record\r\n.catch\r\n   .x\r\n"), enginetest.LoadPolicy(t, "sandbox"))
	var de *engine.DeniedError
	if !errors.As(err, &de) {
		t.Fatalf("denial caught: %v", err)
	}
	tiny, _ := whitelist.Parse("tiny", []byte("name:tiny\r\nallow\r\n   effects:pure\r\nbudgets\r\n   steps:long:50\r\n"))
	_, err = e.Execute(context.Background(), mustParse(t, "try\r\n   while:bool:true\r\n      .:x\r\n.catch\r\n   .x\r\n"), tiny)
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "steps" {
		t.Fatalf("budget caught: %v", err)
	}
}

func TestWallTimeBudget(t *testing.T) {
	p, _ := whitelist.Parse("slow", []byte("name:slow\r\nallow\r\n   effects:pure\r\nbudgets\r\n   time-ms:int:30\r\n   steps:long:1000000000\r\n   nodes:long:1000000000\r\n"))
	res, err := engine.New().Execute(context.Background(), mustParse(t, "while:bool:true\r\n   .:x\r\n"), p)
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "time" {
		t.Fatalf("got %v", err)
	}
	// Stopped by the clock, long before the steps ran out.
	if res.Usage.Steps >= 1000000000 {
		t.Fatalf("ran %d steps", res.Usage.Steps)
	}
}

// FuzzRunPure runs arbitrary trees under pure with small budgets: no
// panic, the canary is never called, and every run ends within budget.
func FuzzRunPure(f *testing.F) {
	for _, s := range []string{
		"canary.record", "eval\r\n   canary.record", ".c\r\nadd:x:@.c\r\n   .\r\n      canary.record\r\neval:x:@.c",
		"while:bool:true\r\n   .:x", "slots.create:a\r\n   signal:a\r\nsignal:a",
		"whitelist\r\n   vocabulary\r\n      canary.record\r\n   .lambda\r\n      canary.record",
		".x\r\n   a\r\nwhile:bool:true\r\n   add:x:@.x\r\n      get-nodes:x:@.x/*",
		"if\r\n   eq\r\n      .:1\r\n      .:1\r\n   .lambda\r\n      return:x:..",
		"for-each:x:../**\r\n   set-value:x:@.dp/#\r\n      get-nodes:x:../**",
	} {
		f.Add(s)
	}
	policy, err := whitelist.Parse("fuzz", []byte("name:fuzz\r\nallow\r\n   effects:pure\r\nbudgets\r\n   steps:long:2000\r\n   nodes:long:20000\r\n   depth:int:32\r\n   time-ms:int:2000\r\n   output-bytes:long:100000\r\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{MaxDepth: 64})
		if err != nil {
			return
		}
		var calls atomic.Int64
		e := enginetest.AddCanary(engine.New(), &calls)
		res, _ := e.Execute(context.Background(), lambda, policy)
		if calls.Load() != 0 {
			t.Fatalf("canary called under pure")
		}
		u := res.Usage
		if u.Steps > policy.Budgets.Steps+1 || u.Nodes > policy.Budgets.Nodes+int64(1<<16) || u.MaxDepth > policy.Budgets.Depth+1 {
			t.Fatalf("usage beyond budget: %+v", u)
		}
	})
}

// A slot planted under a narrower policy gets copies of its arguments:
// the caller may still hold the originals (engine/reuse.go, "Held nodes")
// and run them afterwards under its own policy (audit 7). Each program
// runs under trusted; canary.record must never run, with or without the
// reuse of copies.
func TestNarrowSlotCannotChangeHeldArguments(t *testing.T) {
	for name, src := range map[string]string{
		// [eval] selects all its targets first: [.code] is held while [.a]
		// calls N with it; N adds a statement to its [.code].
		"eval-targets": "whitelist\n   vocabulary\n      slots.create\n      add\n   .lambda\n      slots.create:N\n         add:x:@.arguments/*/.code\n            .\n               canary.record\n" +
			".a\n   signal:N\n      .code\n         .x\neval:x:../**/[.a|.code]\n",
		// A running [eval] is moved into N's arguments (the [eval] it runs
		// re-enters the node above it); N renames its next statement.
		"running-statement": "whitelist\n   vocabulary\n      slots.create\n      set-name\n   .lambda\n      slots.create:N\n         set-name:x:@.arguments/*/eval/*/.later\n            .:canary.record\n" +
			".outer\n   signal:N\n      eval\n         eval:x:././.\n         .later\neval:x:../*/.outer/*/signal\n",
		// The first inside a trusted dynamic slot's copy.
		"trusted-slot-copy": "slots.create:T\n   .a\n      signal:N\n         .code\n            .x\n   eval:x:../**/[.a|.code]\n" +
			"whitelist\n   vocabulary\n      slots.create\n      add\n   .lambda\n      slots.create:N\n         add:x:@.arguments/*/.code\n            .\n               canary.record\nexecute:T\n",
	} {
		for _, reuse := range []bool{true, false} {
			func() {
				defer engine.SetReuseCopies(engine.SetReuseCopies(reuse))
				var calls atomic.Int64
				e := enginetest.AddCanary(vocab.New(), &calls)
				if _, err := e.Execute(context.Background(), mustParse(t, src), enginetest.LoadPolicy(t, "trusted")); err != nil {
					t.Errorf("%s (reuse %v): %v", name, reuse, err)
				}
				if calls.Load() != 0 {
					t.Errorf("%s (reuse %v): what the narrower slot wrote ran %d times under trusted", name, reuse, calls.Load())
				}
			}()
		}
	}
}

// runSteps runs programs in turn on one engine with the canary, each under
// its policy, and returns each run's error.
func runSteps(t *testing.T, calls *atomic.Int64, steps ...[2]string) []error {
	t.Helper()
	e := enginetest.AddCanary(vocab.New(), calls)
	var errs []error
	for _, s := range steps {
		_, err := e.Execute(context.Background(), mustParse(t, s[1]), enginetest.LoadPolicy(t, s[0]))
		errs = append(errs, err)
	}
	return errs
}

func isDenied(err error) bool {
	var de *engine.DeniedError
	return errors.As(err, &de)
}

// Dynamic slots outlive runs, under one namespace: narrower code may not
// replace or delete a slot a wider run created and calls later (it would
// choose what that run's calls return; audit 8). A run replaces slots of
// its own policy (loaded again or not) and narrower ones.
func TestNarrowerCodeCannotReplaceASlot(t *testing.T) {
	create := "slots.create:app.code\n   return\n      log.info:hello\n"
	use := "signal:app.code\neval:x:@signal\n"
	var calls atomic.Int64
	errs := runSteps(t, &calls,
		[2]string{"trusted", create},
		[2]string{"sandbox", "slots.create:app.code\n   return\n      canary.record\n"},
		[2]string{"sandbox", "slots.delete:app.code\n"},
		[2]string{"trusted", "whitelist\n   vocabulary\n      slots.create\n   .lambda\n      slots.create:app.code\n         return\n            canary.record\n"},
		[2]string{"trusted", use},
		[2]string{"trusted", create}, // the same policy, parsed again
		[2]string{"trusted", "whitelist\n   vocabulary\n      slots.create\n   .lambda\n      slots.create:app.mine\n         .x\nslots.create:app.mine\n   .y\nslots.delete:app.mine\n"},
	)
	for i, want := range []bool{false, true, true, true, false, false, false} {
		if isDenied(errs[i]) != want || !want && errs[i] != nil {
			t.Errorf("run %d: %v (want denied: %v)", i, errs[i], want)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("canary.record ran %d times under trusted", calls.Load())
	}
}

// [slots.get] hands a slot's body out as nodes, without the policy it was
// made under: only to a run whose policy narrows the creator's (or is the
// same), as for node values given to a slot.
func TestSlotsGetKeepsTheCreatorsPolicy(t *testing.T) {
	var calls atomic.Int64
	errs := runSteps(t, &calls,
		[2]string{"sandbox", "slots.create:app.tpl\n   canary.record\n"},
		[2]string{"trusted", "slots.get:app.tpl\neval:x:@slots.get\n"},
		[2]string{"sandbox", "slots.get:app.tpl\n"},
	)
	if !isDenied(errs[1]) || errs[0] != nil || errs[2] != nil || calls.Load() != 0 {
		t.Errorf("got %v, canary calls %d", errs, calls.Load())
	}
}

// A run replaces or deletes the slots of runs it grants as much as:
// trusted capped by the studio's budgets those of trusted and of trusted
// capped otherwise (budgets are not authority; audit 9). Policies that
// differ take over neither's slots: sandbox and another, and trusted and
// sandbox (sandbox grants files and a database trusted does not; audit
// 10).
func TestWiderRunsReplaceSlots(t *testing.T) {
	other := mustPolicy(t, "other", []byte("name:other\r\nallow\r\n   slots.create\r\n   slots.delete\r\n"))
	e := engine.New()
	for i, s := range []struct {
		policy *whitelist.Policy
		src    string
		denied bool
	}{
		{enginetest.LoadPolicy(t, "trusted"), "slots.create:app.code\n   .y\n", false},
		{cappedTrusted(t, 100000), "slots.create:app.code\n   .z\n", false},
		{cappedTrusted(t, 200000), "slots.delete:app.code\n", false},
		{enginetest.LoadPolicy(t, "sandbox"), "slots.create:app.sb\n   .x\n", false},
		{enginetest.LoadPolicy(t, "trusted"), "slots.create:app.sb\n   .y\n", true},
		{other, "slots.create:app.o\n   .x\n", false},
		{enginetest.LoadPolicy(t, "sandbox"), "slots.create:app.o\n   .y\n", true},
		{enginetest.LoadPolicy(t, "sandbox"), "slots.create:app.s\n   .x\n", false},
		{other, "slots.delete:app.s\n", true},
	} {
		_, err := e.Execute(context.Background(), mustParse(t, s.src), s.policy)
		if isDenied(err) != s.denied || !s.denied && err != nil {
			t.Errorf("run %d (%s): %v, want denied: %v", i, s.policy.Name, err, s.denied)
		}
	}
}

// A slot planted by a sandbox run and called by trusted code runs under
// trusted∩sandbox: it may not read the body of a trusted slot (a key in
// it) and keep it where the sandbox reads it later (audit 9). And
// [slots.exists] answers, as [slots.vocabulary] lists, only for slots the
// policy may call.
func TestSlotBodiesStayWithTheirAuthority(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var calls atomic.Int64
	errs := runSteps(t, &calls,
		[2]string{"trusted", "slots.create:app.billing\n   .key:sk-live-0123456789\n   return-value:ok\n"},
		[2]string{"sandbox", "slots.create:app.format\n   .body\n   add:x:@.body\n      slots.get:app.billing\n   io.file.save:/leak.txt\n      lambda2hyper:x:@.body/*\n"},
		[2]string{"trusted", "signal:app.format\n"},
		[2]string{"sandbox", "io.file.load:/leak.txt\n"},
	)
	if errs[0] != nil || errs[1] != nil || !isDenied(errs[2]) || errs[3] == nil {
		t.Errorf("got %v: want the planted slot's [slots.get] denied and nothing saved", errs)
	}
	e := vocab.New()
	if _, err := e.Execute(context.Background(), mustParse(t, "slots.create:app.secret\n   .x\n"), enginetest.LoadPolicy(t, "trusted")); err != nil {
		t.Fatal(err)
	}
	probe := mustParse(t, "slots.vocabulary:app.\nslots.exists:app.secret\n")
	if _, err := e.Execute(context.Background(), probe, enginetest.LoadPolicy(t, "pure")); err != nil {
		t.Fatal(err)
	}
	if listed, exists := probe.Child(0).Len() > 0, probe.Child(1).Value == true; listed || exists {
		t.Errorf("a pure run sees a trusted run's slot: listed %v, exists %v", listed, exists)
	}
}

// A slot a sandboxed run made, called by a run whose policy holds a config
// secret and an identity, runs without them: a part of an intersection
// with constraints grants nothing in a section it leaves out (audit 10).
func TestPlantedSlotGetsNoGrantsOfItsCaller(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	app := mustPolicy(t, "app.hl", []byte("name:app\r\nallow\r\n   *\r\nconstraints\r\n   config\r\n      \"magic:auth:secret\":s3cret-signing-key\r\n   identity\r\n      username:admin\r\n      roles:root\r\n"))
	e := vocab.New()
	sandbox := enginetest.LoadPolicy(t, "sandbox")
	planted := "slots.create:app.secret\r\n   config.get:\"magic:auth:secret\"\r\n   return-value:x:@config.get\r\n" +
		"slots.create:app.who\r\n   auth.ticket.get\r\n   return-value:x:@auth.ticket.get\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, planted), sandbox); err != nil {
		t.Fatal(err)
	}
	call := mustParse(t, "try\r\n   signal:app.secret\r\n.catch\r\ntry\r\n   signal:app.who\r\n.catch\r\n")
	if _, err := e.Execute(context.Background(), call, app); err != nil {
		t.Fatal(err)
	}
	if secret, who := call.Child(0).Child(0).Value, call.Child(2).Child(0).Value; secret == "s3cret-signing-key" || who == "admin" {
		t.Errorf("the planted slots read the caller's config (%v) and identity (%v)", secret, who)
	}
	// Its own code, narrowed by a [whitelist] (no constraints), keeps them.
	own := mustParse(t, "whitelist\r\n   vocabulary\r\n      config.get\r\n      return\r\n   .lambda\r\n      config.get:\"magic:auth:secret\"\r\n      return:x:-\r\n")
	if _, err := e.Execute(context.Background(), own, app); err != nil || own.Child(0).Value != "s3cret-signing-key" {
		t.Errorf("the app's own [whitelist] lost its config: %v, %v", own.Child(0).Value, err)
	}
}

// Budgets are not authority: after the studio's budget settings change,
// trusted code gives node values to its own slot made under the old cap.
func TestBudgetsDoNotChangeWhoOwnsASlot(t *testing.T) {
	e := vocab.New()
	create := "slots.create:app.fill\r\n   add:x:@.arguments/*/node_reference/#\r\n      .\r\n         .filled\r\n"
	if _, err := e.Execute(context.Background(), mustParse(t, create), cappedTrusted(t, 100000)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*whitelist.Policy{enginetest.LoadPolicy(t, "trusted"), cappedTrusted(t, 200000)} {
		call := mustParse(t, ".code\r\nexecute:app.fill\r\n   node_reference:x:@.code\r\n")
		if _, err := e.Execute(context.Background(), call, p); err != nil || call.Child(0).Len() != 1 {
			t.Errorf("%s: %v (the slot filled [.code] with %d nodes)", p.Name, err, call.Child(0).Len())
		}
	}
}

// cappedTrusted is trusted under a budget cap, as the studio's settings
// make it.
func cappedTrusted(t *testing.T, steps int) *whitelist.Policy {
	t.Helper()
	c := mustPolicy(t, "cap", []byte(fmt.Sprintf("name:studio-budgets\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:%d\r\n", steps)))
	return whitelist.Intersect(enginetest.LoadPolicy(t, "trusted"), c)
}
