package engine_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// The static check labels nodes as the runtime dispatches them
// (testdata/check/labels.txt).
func TestCheckLabelsWhatRuns(t *testing.T) {
	data, err := os.ReadFile("testdata/check/labels.txt")
	if err != nil {
		t.Fatal(err)
	}
	e := vocab.New()
	var cases []string
	for _, c := range strings.Split(string(data), "----\n") {
		var lines []string
		for _, l := range strings.Split(c, "\n") {
			if !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		cases = append(cases, strings.TrimLeft(strings.Join(lines, "\n"), "\n"))
	}
	for _, c := range cases {
		policy, rest, _ := strings.Cut(c, "\n")
		src, want, ok := strings.Cut(rest, "=>\n")
		if !ok {
			t.Fatalf("a case without =>: %q", c)
		}
		root, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got := map[string]string{}
		var pol *whitelist.Policy
		if strings.HasSuffix(policy, ".hl") {
			src, err := os.ReadFile(filepath.Join("testdata/check", policy))
			if err != nil {
				t.Fatal(err)
			}
			if pol, err = whitelist.Parse(policy, src); err != nil {
				t.Fatal(err)
			}
		} else {
			pol = enginetest.LoadPolicy(t, policy)
		}
		for _, f := range whitelist.Check(root, e, pol) {
			got[strconv.Itoa(int(f.Node.Pos.Line))+" "+f.Node.Name] = f.Label.String() + " (" + f.Reason + ")"
		}
		for _, w := range strings.Split(strings.TrimSpace(want), "\n") {
			at := w[:strings.LastIndex(w, " ")]
			label := w[strings.LastIndex(w, " ")+1:]
			if g := got[at]; !strings.HasPrefix(g, label+" ") {
				t.Errorf("under %s, line %s: %s, want %s\n%s", policy, at, g, label, src)
			}
		}
	}
}
