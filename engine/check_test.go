package engine_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/internal/hlgen"
	"hlstudio/whitelist"
)

// The static check labels a tree with the same policy the guard enforces.
func TestCheckLabels(t *testing.T) {
	src := `.a:int:1
if
   eq
      get-value:x:@.a
      .:int:1
   .lambda
      log.info:hello
      data.frobnicate
signal:x:@.name
set-value:x:@.a
   oops
try
   .x
.catch
   return:x:@.arguments/*/message
remove-nodes:x:@.a
   stray
`
	root, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range whitelist.Check(root, vocab.New(), enginetest.LoadPolicy(t, "pure")) {
		got = append(got, fmt.Sprintf("%s %s", f.Node.Name, f.Label))
	}
	want := []string{
		".a data", "if allowed", "eq allowed", "get-value allowed", ". data", ".lambda data",
		"log.info denied", "data.frobnicate unknown-slot", "signal denied", "set-value allowed", "oops unknown-slot",
		"try allowed", ".x data", ".catch data", "return allowed", "remove-nodes dynamic", "stray unknown-argument",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("labels:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	sandboxed := whitelist.Check(root, vocab.New(), enginetest.LoadPolicy(t, "sandbox"))
	for _, f := range sandboxed {
		if f.Node.Name == "signal" && f.Label != whitelist.LabelDynamic {
			t.Errorf("signal under sandbox: %s (%s)", f.Label, f.Reason)
		}
		if f.Node.Name == "log.info" && (f.Label != whitelist.LabelAllowed) {
			t.Errorf("log.info under sandbox: %s", f.Label)
		}
	}
}

func bigTree(b testing.TB, nodes int) *hyperlambda.Node {
	r := rand.New(rand.NewSource(3))
	var sb strings.Builder
	root := &hyperlambda.Node{}
	count := 0
	for count < nodes {
		s := hlgen.Snippet(r)
		sb.WriteString(s)
		t, err := hyperlambda.ParseString(s, hyperlambda.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		t.Walk(func(*hyperlambda.Node) bool { count++; return true })
		for _, c := range append([]*hyperlambda.Node(nil), t.Children()...) {
			root.Add(c)
		}
	}
	return root
}

// BenchmarkCheck10k: the static check runs on every keystroke in the
// editor; the goal is under 1 ms for a 10,000-node tree.
func BenchmarkCheck10k(b *testing.B) {
	root := bigTree(b, 10_000)
	e := vocab.New() // the studio's vocabulary: family slots are known, not guessed at
	p := enginetest.LoadPolicy(b, "sandbox")
	b.ReportAllocs()
	for b.Loop() {
		whitelist.Check(root, e, p)
	}
}
