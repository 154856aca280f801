package yamlslots

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/engine/enginetest"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// mergeBomb is 389 bytes whose merge keys expand to some 700,000 keys
// looked up (about 80 ms of work).
func mergeBomb() string {
	text := "m0: &m0 {k0: 0,k1: 1,k2: 2,k3: 3,k4: 4,k5: 5,k6: 6,k7: 7,k8: 8,k9: 9}\n"
	for i := 1; i <= 4; i++ {
		text += fmt.Sprintf("m%d: &m%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d,", i-1), 16), ","))
	}
	return text
}

// policyWith is the pure policy with other budgets.
func policyWith(t *testing.T, change func(*whitelist.Budgets)) *whitelist.Policy {
	p := *enginetest.LoadPolicy(t, "pure")
	change(&p.Budgets)
	return &p
}

// The work a slot does is charged to the step budget, not a step for
// the whole slot: a small text expanding to many keys, a large text
// parsed (even when it fails), many nodes written.
func TestWorkIsCharged(t *testing.T) {
	unclosed := "[" + strings.Repeat("a,", 300_000)
	items := make([]*hyperlambda.Node, 100_000)
	for i := range items {
		items[i] = hyperlambda.New(".", int64(i))
	}
	// Pure's budgets but time: steps are what is checked, and a case
	// took 2 s of pure's 5 under -race on an idle machine.
	untimed := policyWith(t, func(b *whitelist.Budgets) { b.Time = 10 * time.Minute })
	for _, c := range []struct {
		name      string
		lambda    *hyperlambda.Node
		wantSteps int64 // at least
	}{
		{"yaml2json merges", hyperlambda.New("yaml2json", mergeBomb()), 10_000},
		{"yaml2lambda merges", hyperlambda.New("yaml2lambda", mergeBomb()), 10_000},
		{"yaml2lambda unclosed", hyperlambda.New("yaml2lambda", unclosed), int64(len(unclosed)) * parseNsPerByte / nsPerStep},
		{"json2yaml", hyperlambda.New("json2yaml", "["+strings.Repeat("[],", 99_999)+"[]]"), 100_000 * emitNs / nsPerStep},
		{"lambda2yaml", hyperlambda.New("lambda2yaml", nil, items...), 100_000 * emitNs / nsPerStep},
	} {
		res, _ := newEngine().Execute(context.Background(), hyperlambda.New("", nil, c.lambda), untimed)
		if res == nil {
			t.Fatalf("%s: no result", c.name)
		}
		if res.Usage.Steps < c.wantSteps {
			t.Errorf("%s: %d steps, want at least %d", c.name, res.Usage.Steps, c.wantSteps)
		}
	}
}

// A slot whose work runs past the deadline fails rather than succeeding
// late (json2yaml of a million items returned after 2.7 s of a 1 s
// budget).
func TestNoSuccessPastDeadline(t *testing.T) {
	p := policyWith(t, func(b *whitelist.Budgets) { b.Time = 5 * time.Millisecond })
	items := make([]*hyperlambda.Node, 200_000)
	for i := range items {
		items[i] = hyperlambda.New(".", "text")
	}
	flow := "[" + strings.Repeat("a,", 200_000) + "a]"
	for name, slot := range map[string]*hyperlambda.Node{
		"json2yaml":   hyperlambda.New("json2yaml", "["+strings.Repeat("[],", 200_000)+"[]]"),
		"lambda2yaml": hyperlambda.New("lambda2yaml", nil, items...),
		"yaml2lambda": hyperlambda.New("yaml2lambda", flow),
		"yaml2json":   hyperlambda.New("yaml2json", flow),
	} {
		_, err := newEngine().Execute(context.Background(), hyperlambda.New("", nil, slot), p)
		var be *engine.BudgetError
		if !errors.As(err, &be) || be.Budget != "time" {
			t.Errorf("%s: got %v, want the time budget exceeded", name, err)
		}
	}
}

// peakHeap runs f and returns the most heap its objects took meanwhile,
// above what they took before, sampled every millisecond with the
// garbage collector made eager, so that what is measured is what is
// live.
func peakHeap(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	<-stopped
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// go-yaml's emitter keeps every event of a document until it ends (1.6 KB
// a node: 2.2 GB for a million); written in pieces, 200,000 nodes take a
// few megabytes besides their text and tree (100,000 nodes took 165 MB
// written whole, 16-18 MB in pieces).
func TestEmitMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures memory for seconds")
	}
	const most = 48 << 20
	items := make([]*hyperlambda.Node, 100_000)
	for i := range items {
		items[i] = hyperlambda.New(".", int64(1))
	}
	for name, slot := range map[string]*hyperlambda.Node{
		"json2yaml":   hyperlambda.New("json2yaml", "["+strings.Repeat("[],", 100_000)+"[]]"),
		"lambda2yaml": hyperlambda.New("lambda2yaml", nil, items...),
	} {
		lambda := hyperlambda.New("", nil, slot)
		var err error
		// Time enough for a slow (race-detecting) build: memory is measured.
		p := policyWith(t, func(b *whitelist.Budgets) { b.Time = time.Minute })
		peak := peakHeap(func() { _, err = newEngine().Execute(context.Background(), lambda, p) })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: %d MB at most", name, peak>>20)
		if peak > most {
			t.Errorf("%s took %d MB, more than %d", name, peak>>20, most>>20)
		}
	}
}

// Written in pieces, a lambda counts each of its nodes once against the
// node budget, as written whole, and its errors (nesting, a name given
// twice, a node value) are found deep in it.
func TestPiecesCountAndCheck(t *testing.T) {
	wide := func() *hyperlambda.Node {
		root := hyperlambda.New("", nil)
		for i := range 3000 {
			root.Add(hyperlambda.New(fmt.Sprintf("k%d", i), nil, hyperlambda.New("a", 1), hyperlambda.New("b", nil, hyperlambda.New(".", "x"))))
		}
		return root
	}
	root := wide()
	var counts []int
	var texts []string
	for _, most := range []int{1, 7, pieceNodes, 1 << 30} {
		total := 0
		l := newLambdaList(root.Children(), root, 0, 256, func(k int) error { total += k; return nil })
		text, err := emitPieces(l, "\n", free, newMeter(freeSteps), most)
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, total)
		texts = append(texts, text)
	}
	for i := range counts {
		if counts[i] != 4*3000 || texts[i] != texts[len(texts)-1] {
			t.Fatalf("pieces %d: %d nodes counted, want %d; same text: %v", i, counts[i], 4*3000, texts[i] == texts[len(texts)-1])
		}
	}

	deep := wide()
	n := deep.Child(2500).Child(1)
	for range 20 {
		c := hyperlambda.New("deeper", nil)
		n.Add(c)
		n = c
	}
	n.Add(hyperlambda.New("leaf", 1))
	twice := wide()
	twice.Child(2999).Child(1).Add(hyperlambda.New("x", 1))
	twice.Child(2999).Child(1).Add(hyperlambda.New("x", 2))
	lambdaValue := wide()
	lambdaValue.Child(1500).Child(0).Value = hyperlambda.New("", nil)
	for _, c := range []struct {
		root *hyperlambda.Node
		want string
	}{
		{deep, "nested deeper than 10"},
		{twice, `two nodes named "x"`},
		{lambdaValue, "cannot convert a node value"},
	} {
		l := newLambdaList(c.root.Children(), c.root, 0, 10, free)
		_, err := emitPieces(l, "\n", free, newMeter(freeSteps), 64)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

// Written in pieces, a large text is refused as soon as it passes the
// output budget, and the node budget ends a large conversion.
func TestPiecesBudgets(t *testing.T) {
	for _, c := range []struct {
		budget string
		change func(*whitelist.Budgets)
	}{
		{"output-bytes", func(b *whitelist.Budgets) { b.OutputBytes = 100_000 }},
		{"nodes", func(b *whitelist.Budgets) { b.Nodes = 20_000 }},
	} {
		items := make([]*hyperlambda.Node, 50_000)
		for i := range items {
			items[i] = hyperlambda.New(".", "some text")
		}
		for _, slot := range []*hyperlambda.Node{
			hyperlambda.New("json2yaml", "["+strings.Repeat(`"some text",`, 50_000)+"1]"),
			hyperlambda.New("lambda2yaml", nil, items...),
		} {
			_, err := newEngine().Execute(context.Background(), hyperlambda.New("", nil, slot), policyWith(t, c.change))
			var be *engine.BudgetError
			if !errors.As(err, &be) || be.Budget != c.budget {
				t.Errorf("%s: got %v, want the %s budget exceeded", slot.Name, err, c.budget)
			}
		}
	}
}
