package yamlslots

// The work a YAML slot does is charged to the run's step budget, a step
// standing for about 5 µs, before it is done (or, for work counted as it
// goes, at most a batch after): the engine checks its deadline only when
// steps are charged, so a slot that did seconds of work for one step
// could run far past its time budget. The costs are go-yaml's and this
// package's measured times in nanoseconds (cost_test.go's benchmarks),
// taken near the slow end of common shapes, so that a run's step budget
// and its deadline end at about the same time.
const (
	nsPerStep = 5000

	// go-yaml parses a text whole before anything can be counted, so its
	// bytes are charged first. Flow collections of one-letter items
	// ("{a,a,…", "[[[…") take 0.3-0.4 µs a byte, block text about 0.1.
	parseNsPerByte = 300
	// JSON text read by json2yaml or written by yaml2json (long strings
	// take 7 ns a byte; the values are charged as such besides).
	jsonNsPerByte = 8
	// YAML text written by go-yaml's emitter (long strings, 25 ns a
	// byte; the nodes are charged as such besides).
	writeNsPerByte = 25
	// One node made by yaml2lambda: plain scalars are matched against
	// the number and date-time patterns (dates 0.6 µs, numbers 0.45,
	// text 0.2, collections 0.1-0.15).
	makeNs = 500
	// One key of a merged mapping looked up (<<): 0.08 µs.
	mergeNs = 100
	// One node written by yaml2json, a scalar through lambda2json's
	// encoder (dates 1.1 µs, numbers 0.75, text 0.3).
	visitNs = 800
	// One JSON value read by json2yaml (numbers 0.65 µs, text 0.6,
	// empty arrays 0.3), or one lambda node made a go-yaml node by
	// lambda2yaml (dates 0.45 µs, text 0.4, integers 0.2).
	convertNs = 500
	// One node written by go-yaml's emitter (JSON values made go-yaml
	// nodes included): 0.8-1.15 µs.
	emitNs = 1100

	// Work counted as it goes is charged in batches of this many steps,
	// so that the charge (and the deadline check it makes) costs little.
	batchSteps = 64
)

// meter charges work to the step budget in batches, rounding the last
// one up, so that even a small document costs a step.
type meter struct {
	charge  func(steps int64) error
	pending int64 // nanoseconds not charged yet
}

func newMeter(charge func(int64) error) *meter {
	return &meter{charge: charge}
}

// add counts ns of work; past a batch it charges what is pending.
func (m *meter) add(ns int64) error {
	m.pending += ns
	if m.pending < batchSteps*nsPerStep {
		return nil
	}
	steps := m.pending / nsPerStep
	m.pending -= steps * nsPerStep
	return m.charge(steps)
}

// now charges ns of work about to be done, and what is pending, at once.
func (m *meter) now(ns int64) error {
	m.pending += ns
	return m.flush()
}

// flush charges what is pending, rounded up to a whole step.
func (m *meter) flush() error {
	if m.pending <= 0 {
		return nil
	}
	steps := (m.pending + nsPerStep - 1) / nsPerStep
	m.pending = 0
	return m.charge(steps)
}
