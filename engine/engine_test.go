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
