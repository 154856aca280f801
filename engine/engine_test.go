package engine_test

import (
	"context"
	"errors"
	"strings"
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
