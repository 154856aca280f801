package engine_test

import (
	"strings"
	"testing"
)

// chainOf is a chain of n nested nodes named name, each with value v
// (empty for none), starting at the root.
func chainOf(name string, n int, v string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat("   ", i) + name + v + "\n")
	}
	return b.String()
}

// Audit 24: hyperlambda.MaxSelection bounds each set of one evaluation,
// but not the work of an evaluation: the ={expr} iterator reads the value
// of every node in its input set with hyperlambda.Value, which follows an
// expression value by evaluating it. When the input set repeats nodes
// (`**/**` over a chain) whose values are expressions selecting a large
// set (then one node of it with [0,1]), one [get-count] evaluates the
// inner expression once per node of the outer set: |outer| × |inner|
// node visits in one step, with no deadline check inside. Here 5050 ×
// 5050 (25M visits); with `**/**/**` on both sides it is 171,700² (3e10:
// the slot call runs for many minutes past the time budget, unstoppable,
// under pure). The secure behaviour: an evaluation's total work is
// bounded (selection refused or work charged), so a run of a few steps
// cannot do it.
func TestNestedValueEvaluationIsBounded(t *testing.T) {
	src := chainOf(".c", 100, "") +
		chainOf(".d", 100, ":x:@.c/**/**/[0,1]") +
		"get-count:x:@.d/**/**/={@.nothing}\n"
	r := runMeasured(t, src, budgetPolicy(t, "pure", []string{"steps:long:1000"}, ""))
	t.Logf("err %v steps %d elapsed %v", r.err, r.res.Usage.Steps, r.elapsed)
	if r.err == nil {
		t.Errorf("one get-count visited 25M nodes (5050 expression evaluations of 5050 nodes each) in %d steps, %v, with no error",
			r.res.Usage.Steps, r.elapsed)
	}
}
