// Package benchcmp times a program against a baseline in one benchmark,
// so that speed is reported as a ratio measured at the same moments.
package benchcmp

import (
	"slices"
	"testing"
	"time"
)

// Compare times run against baseline in the same benchmark, in
// alternating blocks (each ~50 ms, long enough for its side to reach its
// own steady state of allocation and collection), and reports each side's
// median time per run (units runUnit and baseUnit) and the ratio
// run/baseline (ratioUnit): both see the machine at the same moments,
// which a shared machine's drift would skew between two separate
// benchmarks.
func Compare(b *testing.B, run, baseline func(), runUnit, baseUnit, ratioUnit string) {
	block := func(f func()) time.Duration {
		t0 := time.Now()
		n := 0
		for n == 0 || time.Since(t0) < 50*time.Millisecond {
			f()
			n++
		}
		return time.Since(t0) / time.Duration(n)
	}
	var runs, bases []time.Duration
	for b.Loop() {
		runs = append(runs, block(run))
		bases = append(bases, block(baseline))
	}
	r, s := Median(runs), Median(bases)
	b.ReportMetric(float64(r.Nanoseconds()), runUnit)
	b.ReportMetric(float64(s.Nanoseconds()), baseUnit)
	b.ReportMetric(float64(r)/float64(s), ratioUnit)
}

// Median is the middle of d (the upper one of an even count); d is
// left as it was.
func Median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
