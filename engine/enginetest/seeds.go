package enginetest

import (
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// AddSeeds adds the input.hl section of every txtar case the globs match
// to a fuzz target's corpus.
func AddSeeds(f *testing.F, globs ...string) {
	for _, glob := range globs {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				f.Fatal(err)
			}
			for _, section := range ar.Files {
				if section.Name == "input.hl" {
					f.Add(string(section.Data))
				}
			}
		}
	}
}
