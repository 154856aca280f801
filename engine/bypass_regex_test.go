package engine_test

import (
	"testing"
)

// Audit 24: strings.matches (and regex-replace) charge RE2's work as
// pattern size × text length, but for a pattern that can match empty
// text, every non-empty match not followed directly by another runs the
// anchored pattern once more from where it ended (emptyAt, .NET's empty
// match after a match). A pattern with a branch that stays alive to the
// end of the text (`.*Q` where Q never comes) scans the rest of the text
// each time: quadratic work charged as linear. Over "xa" repeated n
// times, n matches each scan up to 2n bytes. The steps charged must
// cover it (or the extra scans must not be quadratic). (RE2's own
// FindAll is quadratic for such a pattern too, uncharged: kept small
// here, see docs/differences.md.)
func TestRegexEmptyAfterMatchIsCharged(t *testing.T) {
	p := budgetPolicy(t, "pure", []string{"steps:long:5000"}, "")
	for _, slot := range []string{
		"strings.matches:x:@.s\n   .:\"x|(?:.*Q)?\"\n",
		"strings.regex-replace:x:@.s\n   .:\"x|(?:.*Q)?\"\n   .:y\n",
	} {
		r := runMeasured(t, ".s:xa\n"+doubling(10)+slot, p)
		t.Logf("%s: elapsed %v steps %d err %v", slot, r.elapsed, r.res.Usage.Steps, r.err)
		if budgetOf(r.err) != "steps" {
			t.Errorf("%s over 2 KiB of \"xa\" (1024 matches, each rescanning the rest of the text) under 5,000 steps: err %v, steps %d, %v",
				slot, r.err, r.res.Usage.Steps, r.elapsed)
		}
	}
}
