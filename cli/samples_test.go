package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/assets"
	"hlstudio/dataset"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// The library's first snippets are good examples: each has a prompt, is
// canonical, and passes the pure policy's check.
func TestSamplesAreGoodExamples(t *testing.T) {
	pure, err := loadPolicy("pure")
	if err != nil {
		t.Fatal(err)
	}
	samples := assets.Samples()
	if len(samples) < 5 {
		t.Fatalf("%d samples", len(samples))
	}
	for name, src := range samples {
		prompt, code, err := dataset.ParseHL(src)
		if err != nil || prompt == "" {
			t.Errorf("%s: prompt %q, %v", name, prompt, err)
			continue
		}
		root, err := hyperlambda.ParseString(code, hyperlambda.ParseOptions{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, f := range whitelist.Check(root, vocab.New(), pure) {
			if f.Label == whitelist.LabelDenied || f.Label == whitelist.LabelUnknownSlot {
				t.Errorf("%s: %s %s: %s", name, f.Node.Name, f.Label, f.Reason)
			}
		}
	}
}

// Each sample does what its prompt says, on the inputs a person would try
// first (a sample is what a new user runs, and a worked example the
// model is shown): every sample has cases here.
func TestSamplesRun(t *testing.T) {
	type outcome struct {
		Status int    `json:"status"`
		Result string `json:"result"`
		Error  string `json:"error"`
	}
	cases := map[string][]struct {
		args []string
		want outcome
	}{
		"count-words.hl": {
			{[]string{"text=the quick  brown fox "}, outcome{Status: 200, Result: "4"}},
			{[]string{"text="}, outcome{Status: 200, Result: "0"}},
		},
		"email.hl": {
			{[]string{"email=Ann@Example.COM"}, outcome{Status: 200, Result: "ann@example.com"}},
			{[]string{"email=nope"}, outcome{Status: 400, Error: "'nope' is not a valid email address"}},
			{nil, outcome{Status: 400, Error: "Mandatory argument 'email' not given"}},
		},
		"greet.hl": {
			{[]string{"name=Ann"}, outcome{Status: 200, Result: "Hello, Ann!"}},
			{nil, outcome{Status: 200, Result: "Hello, friend!"}},
		},
		// Prices have cents.
		"json-order.hl": {
			{[]string{`order={"lines":[{"price":2.5,"quantity":4},{"price":1,"quantity":3}]}`}, outcome{Status: 200, Result: "13.0"}},
			{[]string{`order={"lines":[]}`}, outcome{Status: 200, Result: "0"}},
		},
		"sum.hl": {
			{[]string{"a=2", "b=40"}, outcome{Status: 200, Result: "42"}},
			{[]string{"a=2"}, outcome{Status: 400, Error: "Mandatory argument 'b' not given"}},
		},
	}
	dir := t.TempDir()
	for name, src := range assets.Samples() {
		runs, ok := cases[name]
		if !ok {
			t.Errorf("%s: no cases: add some here", name)
			continue
		}
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, c := range runs {
			args := []string{"--json"}
			for _, a := range c.args {
				args = append(args, "--arg", a)
			}
			var stdout, stderr bytes.Buffer
			runRun(append(args, file), strings.NewReader(""), &stdout, &stderr)
			var got outcome
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Errorf("%s %q: %v\n%s%s", name, c.args, err, stdout.String(), stderr.String())
				continue
			}
			if got.Status != c.want.Status || got.Result != c.want.Result || !strings.Contains(got.Error, c.want.Error) {
				t.Errorf("%s %q: got %+v, want %+v", name, c.args, got, c.want)
			}
		}
	}
}
