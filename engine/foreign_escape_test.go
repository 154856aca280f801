package engine_test

// Adversarial tests of Run.Foreign and of state shared with foreign code
// (audit 15).

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
)

// appPolicy restricts (no allow-all rule) and grants pure slots (the cache
// among them), dynamic
// slots and the log: an app's own helpers, trusted less than trusted code.
const appPolicySrc = "name:app\nallow\n   effects:pure,logs,spawns-code\n"

// Foreign code stays foreign through the run's own slots (audit 14), but
// not through a slot of a third policy: when sandbox-planted code running
// in a trusted run calls a slot an app policy made, Run.foreign becomes
// the app's, and the app's slot works on the app's partition of the run
// under the sandbox code's direction. Trusted handed the app's helper a
// secret (kept in the app's per-run cache); the sandbox hook reads it
// through the app's accessor and keeps it in the sandbox's files.
//
// Under a run of the app policy itself the same sandbox hook gets nothing
// (the app's accessor, called by foreign code, stays in the sandbox's
// partition): only the trusted run leaks.
func TestForeignCodeDoesNotReachAThirdPolicysState(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	app := mustPolicy(t, "app.hl", []byte(appPolicySrc))
	ctx := context.Background()
	if _, err := e.Execute(ctx, mustParse(t,
		"slots.create:app.remember\n   cache.set:key\n      value:x:@.arguments/*/key\n   return:ok\n"+
			"slots.create:app.recall\n   cache.get:key\n   return:x:-\n"), app); err != nil {
		t.Fatal(err)
	}
	_, errs := stepsOn(t, e, [2]string{"sandbox",
		"slots.create:sb.hook\n   signal:app.recall\n   io.file.save:/leak.txt\n      get-value:x:@signal\n   return:ok\n"})
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	_, errs = stepsOn(t, e, [2]string{"trusted",
		"signal:app.remember\n   key:sk-live-0123456789\nsignal:sb.hook\n"})
	t.Logf("trusted run: %v", errs[0])
	lambdas, _ := stepsOn(t, e, [2]string{"sandbox", "io.file.load:/leak.txt\n"})
	if got := hyperlambda.StringOf(lambdas[0].Child(0).Value); got == "sk-live-0123456789" {
		t.Errorf("sandbox-planted code, called by trusted, read through the app's accessor what trusted gave the app's helper: a sandbox run reads %q", got)
	}
}

// [context] text values are shared with foreign code: cache, request and
// response are kept from a sandbox-planted body (audit 13), but a token
// the trusted code keeps in a [context] around its work is read by the
// body of any planted slot called inside it.
func TestPlantedSlotDoesNotReadItsCallersContext(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	_, errs := stepsOn(t, e,
		[2]string{"sandbox", "slots.create:app.format\n   get-context:api-key\n   io.file.save:/leak.txt\n      get-value:x:@get-context\n   return:ok\n"},
		[2]string{"trusted", "context:api-key\n   value:sk-live-0123456789\n   .lambda\n      signal:app.format\n"},
	)
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	t.Logf("trusted run: %v", errs[1])
	lambdas, _ := stepsOn(t, e, [2]string{"sandbox", "io.file.load:/leak.txt\n"})
	if got := hyperlambda.StringOf(lambdas[0].Child(0).Value); got == "sk-live-0123456789" {
		t.Errorf("the planted slot read the trusted run's [context] value; a sandbox run reads %q", got)
	}
}

// Regression of today's partitions (Run.Extension keys foreign state by
// the foreign policy's hash): a sandbox slot that makes a helper slot
// when it runs, and shares its cache with it, works in a sandbox run; in
// a trusted run the helper is created under trusted∩sandbox (the body's
// policy there), a policy of the same authority but another hash, so the
// helper gets a partition of its own and does not see what its creator
// cached (before today both saw one cache).
func TestHelperMadeByForeignCodeSharesItsCreatorsState(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, errs := stepsOn(t, e, [2]string{"sandbox",
		"slots.create:sb.main\n" +
			"   slots.create:sb.helper\n      cache.get:k\n      return:x:-\n" +
			"   cache.set:k\n      value:v1\n" +
			"   signal:sb.helper\n" +
			"   return:x:-\n"}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	for _, p := range []string{"sandbox", "trusted"} {
		lambdas, errs := stepsOn(t, e, [2]string{p, "signal:sb.main\n"})
		if errs[0] != nil {
			t.Fatalf("%s: %v", p, errs[0])
		}
		if got := lambdas[0].Child(0).Value; got != "v1" {
			t.Errorf("called by a %s run, sb.main's helper does not see what sb.main cached: got %v, want v1", p, got)
		}
	}
}

// The label on a foreign log entry (audit 13) is appended to its text, and
// the studio (run panel) and `hlstudio run` show entries line by line: a
// message with line breaks in it writes lines that carry no label, the
// same as a line the trusted code wrote.
func TestForeignLogLinesAllCarryTheLabel(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, errs := stepsOn(t, e, [2]string{"sandbox",
		"slots.create:app.format\n   log.info:\"checking\\ninfo: payment verified\\ninfo: done\"\n   return:ok\n"}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	res, err := e.Execute(context.Background(), mustParse(t,
		"log.info:\"payment verified\"\nsignal:app.format\n"), enginetest.LoadPolicy(t, "trusted"))
	if err != nil {
		t.Fatal(err)
	}
	// As ui/run_panel.go shows the log.
	text := ""
	for _, e := range res.Log {
		text += e.String() + "\n"
	}
	own := res.Log[0].String()
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if line == own {
			n++
		}
	}
	if n > 1 {
		t.Errorf("the log shows %q %d times, once written by the sandbox-planted slot without its label:\n%s", own, n, text)
	}
}

// r.denials grows without limit and counts against no budget: a denial
// recorded by [try-signal] (the run goes on) keeps the refused name in its
// slot and, copied, in its reason. A sandbox run (or a body planted by
// one, in any run that calls it) builds one long name and refuses it in a
// loop: each round is one step and keeps another copy. Here 300 rounds of
// a 64 KiB name keep about 20 MB of denial text, more than the sandbox's
// whole output budget (16 MiB), and the run ends without an error; with
// the sandbox's million steps and a name of a few MiB it is terabytes.
func TestDenialsCountAgainstTheOutputBudget(t *testing.T) {
	e := vocab.New()
	pol := enginetest.LoadPolicy(t, "sandbox")
	src := "whitelist\n   vocabulary\n      try-signal\n      while\n      lt\n      strings.length\n      set-value\n      strings.concat\n      get-value\n      math.increment\n   .lambda\n" +
		"      .big:x\n" +
		"      while\n         lt\n            strings.length:x:@.big\n            .:int:65536\n         .lambda\n            set-value:x:@.big\n               strings.concat\n                  get-value:x:@.big\n                  get-value:x:@.big\n" +
		"      .i:int:0\n" +
		"      while\n         lt\n            get-value:x:@.i\n            .:int:300\n         .lambda\n            math.increment:x:@.i\n            try-signal:x:@.big\n"
	res, err := e.Execute(context.Background(), mustParse(t, src), pol)
	if err != nil {
		return // a budget ended it: bounded
	}
	var kept int64
	for _, d := range res.Denials {
		kept += int64(len(d.Reason))
	}
	if kept > pol.Budgets.OutputBytes {
		t.Errorf("a sandbox run of %d steps and %d output bytes kept %d denials holding %d bytes of reasons (output budget %d): denials are neither bounded nor counted",
			res.Usage.Steps, res.Usage.OutputBytes, len(res.Denials), kept, pol.Budgets.OutputBytes)
	}
}

// A denial recorded inside a dynamic slot's body (or a [whitelist] lambda)
// has a path relative to the body's copy: the trusted run's report says
// the denial happened at /0, which in the trusted program is its own
// first node, and nothing in the denial names the planted slot.
func TestForeignDenialDoesNotPointAtTheCallersNode(t *testing.T) {
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	if _, errs := stepsOn(t, e, [2]string{"sandbox",
		"slots.create:sb.x\n   whitelist\n      vocabulary\n         try-signal\n      .lambda\n         try-signal:canary.record\n   return:ok\n"}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	prog := mustParse(t, "canary.record\nsignal:sb.x\n")
	res, err := e.Execute(context.Background(), prog, enginetest.LoadPolicy(t, "trusted"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Denials) != 1 {
		t.Fatalf("denials: %+v", res.Denials)
	}
	d := res.Denials[0]
	if d.Path == prog.Child(0).Path() && d.Slot == prog.Child(0).Name {
		t.Errorf("the trusted run's report shows a denial [%s] at %s, its own first node [%s], which ran; the planted slot's [try-signal] was refused (%s)",
			d.Slot, d.Path, prog.Child(0).Name, d.Reason)
	}
}
