package vocab_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"hlstudio/assets"
	"hlstudio/engine/enginetest"
	"hlstudio/engine/vocab"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// FuzzRunVocabulary runs arbitrary trees with every slot family registered,
// under the built-in pure and sandbox policies narrowed to small budgets:
// no panic, the canary is never called, usage stays within the budgets, and
// nothing outside the sandbox folder appears in the per-user data folder.
// The core-only FuzzRunPure (engine) never reaches the families, where the
// sizes, numbers, regexes, JSON and paths of generated code are handled.
func FuzzRunVocabulary(f *testing.F) {
	data := f.TempDir()
	f.Setenv("XDG_DATA_HOME", data)
	enginetest.AddSeeds(f, "testdata/*.txtar", "../testdata/*/*.txtar", "../*/testdata/*.txtar")
	small, err := whitelist.Parse("small", []byte("name:small\r\nallow\r\n   *\r\nbudgets\r\n   steps:long:2000\r\n   nodes:long:20000\r\n   depth:int:32\r\n   time-ms:int:2000\r\n   output-bytes:long:100000\r\n"))
	if err != nil {
		f.Fatal(err)
	}
	var policies []*whitelist.Policy
	for _, name := range []string{"pure", "sandbox"} {
		text, _ := assets.Policy(name)
		p, err := whitelist.Parse(name+".hl", text)
		if err != nil {
			f.Fatal(err)
		}
		policies = append(policies, whitelist.Intersect(p, small))
	}
	var calls atomic.Int64
	e := enginetest.AddCanary(vocab.New(), &calls)
	f.Fuzz(func(t *testing.T, src string) {
		for _, policy := range policies {
			lambda, err := hyperlambda.ParseString(src, hyperlambda.ParseOptions{MaxDepth: 64})
			if err != nil {
				return
			}
			// A run that outlives its time budget by far is a hang: crash
			// the worker, so that the fuzzer records the input.
			watchdog := time.AfterFunc(policy.Budgets.Time+10*time.Second, func() {
				panic(fmt.Sprintf("the run under %s did not end within its time budget", policy.Name))
			})
			res, _ := e.Execute(context.Background(), lambda, policy)
			watchdog.Stop()
			if calls.Load() != 0 {
				t.Fatalf("canary called under %s", policy.Name)
			}
			u, b := res.Usage, policy.Budgets
			if u.Steps > b.Steps+1 || u.Nodes > b.Nodes+int64(1<<16) || u.MaxDepth > b.Depth+1 {
				t.Fatalf("usage beyond budget under %s: %+v", policy.Name, u)
			}
		}
		entries, err := os.ReadDir(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, entry := range entries {
			if entry.Name() != "hlstudio" {
				t.Fatalf("%s appeared in the data folder, outside the sandbox", entry.Name())
			}
		}
		_ = filepath.WalkDir(filepath.Join(data, "hlstudio"), func(path string, d fs.DirEntry, err error) error {
			if rel, _ := filepath.Rel(data, path); err == nil && d.IsDir() && rel != "hlstudio" && !inside(rel, filepath.Join("hlstudio", "sandbox")) {
				t.Fatalf("%s appeared outside the sandbox", rel)
			}
			return nil
		})
	})
}

func inside(rel, dir string) bool {
	return rel == dir || len(rel) > len(dir) && rel[:len(dir)] == dir && rel[len(dir)] == filepath.Separator
}
