package textdiff

import (
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\n"
	b := "a\nb\nc\nD\ne\nf\ng\nh\nx\n"
	want := "--- x.orig\n+++ x\n@@ -1,8 +1,9 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n+x\n"
	if got := Unified("x.orig", "x", a, b); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if got := Unified("x.orig", "x", "a\nb\n", "a\r\nb\r\n"); !strings.Contains(got, "line ends only") {
		t.Fatalf("line-end-only change: %q", got)
	}
	if Unified("a", "b", "same", "same") != "" {
		t.Fatal("equal texts must give no diff")
	}
}
