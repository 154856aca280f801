package engine_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Audit 24: the check labels a [.catch] that does not follow a [try]
// data (ranByTry), and [remove-nodes] is not among the slots that can
// turn data into statements (rewritesCode): removing the node between a
// [try] and a [.catch] at run time makes the runtime's [try] run that
// [.catch] (it looks at its next sibling when it runs). Under pure, the
// [log.info] inside is labelled data, while the runtime dispatches it
// (and denies it). The check must label it as what runs (denied), or
// [remove-nodes] dynamic.
func TestRemoveNodesMakesACatchRun(t *testing.T) {
	src := "remove-nodes:x:../*/.x\ntry\n   throw:boom\n.x\n.catch\n   log.info:caught\n"
	root, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := vocab.New()
	p := enginetest.LoadPolicy(t, "pure")
	got := map[string]string{}
	for _, f := range whitelist.Check(root, e, p) {
		got[strconv.Itoa(int(f.Node.Pos.Line))+" "+f.Node.Name] = f.Label.String()
	}
	// What the runtime does with it: the [.catch] runs, its log.info is denied.
	run, _ := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	_, rerr := e.Execute(context.Background(), run, p)
	t.Logf("labels %v; run: %v", got, rerr)
	if rerr == nil || !strings.Contains(rerr.Error(), "log.info") {
		t.Fatalf("expected the runtime to dispatch (and deny) log.info, got %v", rerr)
	}
	if got["6 log.info"] != "denied" && got["1 remove-nodes"] != "dynamic" {
		t.Errorf("log.info in a .catch that runs once remove-nodes detaches [.x] is labelled %q (remove-nodes %q), want denied (or remove-nodes dynamic)",
			got["6 log.info"], got["1 remove-nodes"])
	}
}
