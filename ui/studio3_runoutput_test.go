package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// Audit 23: a run's output goes into the run panel's labels whole. The
// sandbox lets a run return or log up to 16 MB, but a word-wrapped label
// with one long line costs Fyne time that grows with the square of its
// length: a 16 KB returned string keeps the UI goroutine busy for
// seconds in show(), 64 KB for over a minute, 1 MB practically forever
// (the run itself takes a millisecond). What the panel shows of a value
// must be bounded (clipped, saying so), whatever the run returned.
func TestRunHugeValueIsClipped(t *testing.T) {
	test.NewTempApp(t)
	// A 16-character string doubled 10 times: 16 KB without a space.
	src := ".s:xxxxxxxxxxxxxxxx\n.i:int:0\nwhile\n   lt\n      get-value:x:@.i\n      .:int:10\n   .lambda\n" +
		"      set-value:x:@.s\n         strings.concat\n            get-value:x:@.s\n            get-value:x:@.s\n" +
		"      math.increment:x:@.i\nreturn:x:@.s\n"
	doc := mustDoc(t, src, "sandbox")
	p, _ := runPanelWindow(t, doc)
	runAndWait(t, p)
	const whole = 16 << 10
	for name, text := range map[string]string{"value": p.value.Text, "result": p.result.Text} {
		if len(text) >= whole {
			t.Errorf("the Result tab's %s label holds %d bytes: a %d-byte value is shown whole, unbounded", name, len(text), whole)
		}
	}
}

// Audit 23: the Log tab is built by appending every entry to a string
// (quadratic) and shown whole. A loop that logs 30 000 short entries
// (well within the sandbox's budgets; the run takes milliseconds) puts
// 360 KB in one label; 60 000 entries keep the UI goroutine busy for
// about 7 s, and the 16 MB output budget allows far more. The log shown
// must be bounded and say that entries were left out.
func TestRunLogFloodIsBounded(t *testing.T) {
	test.NewTempApp(t)
	const n = 30000
	src := fmt.Sprintf(".i:int:0\nwhile\n   lt\n      get-value:x:@.i\n      .:int:%d\n   .lambda\n      log.info:hello\n      math.increment:x:@.i\n", n)
	doc := mustDoc(t, src, "sandbox")
	p, _ := runPanelWindow(t, doc)
	runAndWait(t, p)
	lines := strings.Count(p.log.Text, "\n") + 1
	if lines >= n || len(p.log.Text) > 64<<10 {
		t.Errorf("the Log tab shows %d lines (%d bytes) of a %d-entry log: unbounded", lines, len(p.log.Text), n)
	}
}
