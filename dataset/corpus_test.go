package dataset

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hlstudio/internal/hlgen"
)

// writeCorpus writes n realistic training files (from hlgen) under dir in
// the fine-tune layout: a few topic folders, each with a validation folder
// holding one file in ten. Prompts get a numbered clause so that each
// snippet is its own example, as in a real set. It returns the bytes
// written.
func writeCorpus(t testing.TB, dir string, n int, seed int64) int {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	topics := []string{"crud", "strings", "http", "logic", "slots"}
	total := 0
	for i := 0; i < n; i++ {
		text := hlgen.Snippet(r)
		// The first line is the prompt comment ("// ..." or "/*"); add
		// a clause to it to make each prompt distinct.
		if strings.HasPrefix(text, "// ") {
			nl := strings.Index(text, "\r\n")
			text = text[:nl] + fmt.Sprintf(" Variant %d, for the %s team.", i, topics[r.Intn(len(topics))]) + text[nl:]
		} else {
			text = strings.Replace(text, " */", fmt.Sprintf(" * Variant %d.\r\n */", i), 1)
		}
		folder := topics[i%len(topics)]
		if i%10 == 9 {
			folder += "/validation"
		}
		p := filepath.Join(dir, folder, fmt.Sprintf("example-%05d.hl", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		total += len(text)
	}
	return total
}
