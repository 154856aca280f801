package cli

import (
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
