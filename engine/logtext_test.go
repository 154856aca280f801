package engine_test

import (
	"strings"
	"testing"

	"hlstudio/engine"
)

// Before audit 19, a log entry's text kept carriage returns and escapes as
// they are, and `hlstudio run` prints it raw ("log: %s" in app/run.go).
// On a terminal "\r" returns to the start of the line, so a planted
// slot's line "info: [by a slot of policy sandbox] \rinfo: from trusted
// code" shows as the trusted run's own line (the label audit 15 added is
// overwritten), and ESC sequences reach the operator's terminal. Like
// "\n", which is already indented, "\r" and other control characters
// should not come out raw.
func TestLogEntryTextHasNoRawControls(t *testing.T) {
	e := engine.LogEntry{Level: "info", Policy: "sandbox", Message: "x\rinfo: from trusted code \x1b]0;pwned\a"}
	s := e.String()
	if strings.ContainsAny(s, "\r\x1b\a") {
		t.Fatalf("log text holds raw control characters: %q", s)
	}
}
