package vocab_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Cases for the capability families, run with the full vocabulary.
func TestFamilies(t *testing.T) { enginetest.RunCases(t, "testdata/*.txtar", vocab.New) }

// The studio's Stop ends a [sleep] (the run's context is cancelled from
// another goroutine): the run reports the stop, not a finished wait.
func TestSleepStops(t *testing.T) {
	e := vocab.New()
	lambda, err := hyperlambda.ParseString("sleep:int:600000\r\n", hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = e.Execute(ctx, lambda, mustPolicy(t, "name:long\r\nallow\r\n   effects:pure\r\nbudgets\r\n   time-ms:int:900000\r\n"))
	var ce *engine.CanceledError
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want a CanceledError", err, err)
	}
}

func mustPolicy(t *testing.T, src string) *whitelist.Policy {
	t.Helper()
	p, err := whitelist.Parse("p.hl", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A slot's declared own dispatches name slots of the vocabulary, and the
// slots whose code signals another by name declare it (the checker labels
// from the declaration alone).
func TestSignalsNameSlots(t *testing.T) {
	e := vocab.New()
	declared := map[string]bool{}
	for _, name := range e.Names() {
		sig, _ := e.Signature(name)
		for _, sg := range sig.Signals {
			if _, ok := e.Signature(sg.Slot); !ok {
				t.Errorf("%s signals [%s], which is not in the vocabulary", name, sg.Slot)
			}
			if sg.When == "" {
				t.Errorf("%s signals [%s] without saying when", name, sg.Slot)
			}
			declared[name+" "+sg.Slot] = true
		}
	}
	for _, want := range []string{"markdown2html yaml2lambda", "http.post lambda2json", "http.put lambda2json", "http.patch lambda2json"} {
		if !declared[want] {
			t.Errorf("not declared: %s", want)
		}
	}
}
