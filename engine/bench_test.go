package engine_test

import (
	"context"
	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"testing"

	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// A typical snippet (about 45 nodes): defaults for arguments, a loop over
// data nodes, branching, building a result. The capability families
// (strings, math, validators) are not registered yet, so it uses core
// slots only.
const typicalSnippet = `.arguments
   name:World
   limit:int:3
.items
   .
      id:int:1
      status:open
   .
      id:int:2
      status:closed
   .
      id:int:3
      status:open
.open
.greeting
if
   exists:x:@.arguments/*/name
   .lambda
      set-value:x:@.greeting
         get-value:x:@.arguments/*/name
else
   set-value:x:@.greeting
      .:stranger
for-each:x:@.items/*
   if
      eq
         get-value:x:@.dp/#/*/status
         .:open
      .lambda
         add:x:@.open
            .
               id:x:@.dp/#/*/id
unwrap:x:@.open/*
return
   greeting:x:@.greeting
   count:x:@.open
`

func benchPolicy(b *testing.B) *whitelist.Policy { return enginetest.LoadPolicy(b, "pure") }

// BenchmarkRunFromText: parse + static check + run, per iteration.
func BenchmarkRunFromText(b *testing.B) {
	e, p := engine.New(), benchPolicy(b)
	b.ReportAllocs()
	for b.Loop() {
		lambda, err := hyperlambda.ParseString(typicalSnippet, hyperlambda.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range whitelist.Check(lambda, e, p) {
			if f.Label.Blocking() {
				b.Fatal(f.Reason)
			}
		}
		if _, err := e.Execute(context.Background(), lambda, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunCached: the compile cache keeps a parsed, checked tree; a run
// copies it (execution mutates the tree) and executes the copy.
func BenchmarkRunCached(b *testing.B) {
	e, p := engine.New(), benchPolicy(b)
	cached, err := hyperlambda.ParseString(typicalSnippet, hyperlambda.ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Execute(context.Background(), cached.Clone(), p); err != nil {
			b.Fatal(err)
		}
	}
}
