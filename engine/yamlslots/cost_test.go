package yamlslots

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"hlstudio/hyperlambda"
)

// The costs meter.go charges are these benchmarks' ns/unit, on their
// slowest shapes of input: go test -tags sqlite_fts5 -run - -bench Cost ./engine/yamlslots/

const costItems = 100_000

func free(int) error        { return nil }
func freeSteps(int64) error { return nil }

// parseShapes are texts of about 1 MB that go-yaml parses slowly.
func parseShapes() map[string]string {
	fill := func(unit string, size int) string { return strings.Repeat(unit, size/len(unit)) }
	var keys strings.Builder
	for i := 0; keys.Len() < 1<<20; i++ {
		fmt.Fprintf(&keys, "k%d: v\n", i)
	}
	return map[string]string{
		"flow-map":      "{" + fill("a,", 1<<20) + "a}",
		"flow-seq":      "[" + fill("a,", 1<<20) + "a]",
		"unclosed-seq":  "[" + fill("a,", 1<<20),
		"empty-seqs":    "[" + fill("[],", 1<<20) + "[]]",
		"block-seq":     fill("- a\n", 1<<20),
		"block-map":     keys.String(),
		"complex-keys":  fill("? a\n", 1<<20),
		"long-text":     "a: " + fill("x", 1<<20),
		"deep-flow":     strings.Repeat("[", 9000) + strings.Repeat("]", 9000),
		"aliases":       "- &a x\n" + fill("- *a\n", 1<<20),
		"quoted-escape": "a: \"" + fill("\\n", 1<<20) + "\"",
	}
}

func BenchmarkCostParse(b *testing.B) {
	for name, text := range parseShapes() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				parse(text, len(text), newMeter(freeSteps))
			}
			perItem(b, len(text), "ns/byte")
		})
	}
}

// BenchmarkCostMake is yaml2lambda's work after the parse, a node at a
// time.
func BenchmarkCostMake(b *testing.B) {
	for name, text := range map[string]string{
		"scalars":   "[" + strings.Repeat("a,", costItems) + "a]",
		"numbers":   "[" + strings.Repeat("1.5,", costItems) + "1.5]",
		"dates":     "[" + strings.Repeat("2023-05-01T10:20:30Z,", costItems) + "1]",
		"mappings":  "[" + strings.Repeat("{a: 1},", costItems/2) + "1]",
		"empty-seq": "[" + strings.Repeat("[],", costItems) + "1]",
	} {
		root, err := parse(text, len(text), newMeter(freeSteps))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			nodes := 0
			for b.Loop() {
				nodes = 0
				count := func(k int) error { nodes += k; return nil }
				newWalker(256, 1<<40, newMeter(freeSteps)).toLambda(root, hyperlambda.New("", nil), 0, count)
			}
			perItem(b, nodes, "ns/node")
		})
	}
}

// BenchmarkCostVisit is yaml2json's work a node at a time, and a merge
// key's lookups.
func BenchmarkCostVisit(b *testing.B) {
	merges := "m0: &m0 {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9}\n"
	for i := 1; i <= 4; i++ {
		merges += fmt.Sprintf("m%d: &m%d {<<: [%s]}\n", i, i, strings.Repeat(fmt.Sprintf("*m%d,", i-1), 15)+fmt.Sprintf("*m%d", i-1))
	}
	for name, text := range map[string]string{
		"scalars":      "[" + strings.Repeat("a,", costItems) + "a]",
		"numbers":      "[" + strings.Repeat("1.5,", costItems) + "1.5]",
		"dates":        "[" + strings.Repeat("2023-05-01T10:20:30Z,", costItems) + "1]",
		"merges":       merges,
		"long-strings": "[" + strings.Repeat(`"`+strings.Repeat("text\\n", 100)+`",`, costItems/100) + "1]",
	} {
		root, err := parse(text, len(text), newMeter(freeSteps))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			var w *walker
			out := 0
			for b.Loop() {
				var buf bytes.Buffer
				w = newWalker(256, 1<<40, newMeter(freeSteps))
				if err := w.toJSON(root, &buf, 0, free); err != nil {
					b.Fatal(err)
				}
				out = buf.Len()
			}
			perItem(b, int(w.visits), "ns/visit")
			perItem(b, out, "ns/byte")
		})
	}
}

// BenchmarkCostConvert is json2yaml's reading a JSON value at a time, and
// lambda2yaml's converting a node at a time (emitting nothing).
func BenchmarkCostConvert(b *testing.B) {
	for name, text := range map[string]string{
		"empty-arrays": "[" + strings.Repeat("[],", costItems) + "[]]",
		"numbers":      "[" + strings.Repeat("1.5,", costItems) + "1.5]",
		"objects":      "[" + strings.Repeat(`{"a":"b"},`, costItems/2) + "1]",
		"strings":      "[" + strings.Repeat(`"text",`, costItems) + "1]",
		"long-strings": "[" + strings.Repeat(`"`+strings.Repeat("text\\n", 100)+`",`, costItems/100) + "1]",
	} {
		b.Run("json-"+name, func(b *testing.B) {
			nodes := 0
			for b.Loop() {
				nodes = 0
				if _, err := readJSON(text, 256, func(k int) error { nodes += k; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			perItem(b, nodes, "ns/node")
			perItem(b, len(text), "ns/byte")
		})
	}
	for name, value := range map[string]any{"int": int32(1), "text": "text", "decimal": 1.5, "date": hyperlambda.Date{}} {
		list := make([]*hyperlambda.Node, costItems)
		for i := range list {
			list[i] = hyperlambda.New(".", value)
		}
		b.Run("lambda-"+name, func(b *testing.B) {
			nodes := 0
			for b.Loop() {
				nodes = 0
				l := newLambdaList(list, hyperlambda.New("", nil), 0, 256, func(k int) error { nodes += k; return nil })
				if _, err := l.node(); err != nil {
					b.Fatal(err)
				}
			}
			perItem(b, nodes, "ns/node")
		})
	}
}

// BenchmarkCostEmit is go-yaml's emitter, a node at a time.
func BenchmarkCostEmit(b *testing.B) {
	for name, text := range map[string]string{
		"empty-arrays": "[" + strings.Repeat("[],", costItems) + "[]]",
		"numbers":      "[" + strings.Repeat("1.5,", costItems) + "1.5]",
		"objects":      "[" + strings.Repeat(`{"a":"b"},`, costItems/2) + "1]",
		"strings":      "[" + strings.Repeat(`"a: b",`, costItems) + "1]",
		"long-strings": "[" + strings.Repeat(`"`+strings.Repeat("text ", 40)+`",`, costItems/10) + "1]",
	} {
		root, err := readJSON(text, 256, free)
		if err != nil {
			b.Fatal(err)
		}
		nodes := jsonTree{root}.size(1 << 30)
		b.Run(name, func(b *testing.B) {
			out := ""
			for b.Loop() {
				var err error
				if out, err = emit(jsonTree{root}, "\n", free, newMeter(freeSteps)); err != nil {
					b.Fatal(err)
				}
			}
			perItem(b, nodes, "ns/node")
			perItem(b, len(out), "ns/byte")
		})
	}
}

// perItem reports the time of one run divided among items, as unit.
func perItem(b *testing.B, items int, unit string) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(items), unit)
}
