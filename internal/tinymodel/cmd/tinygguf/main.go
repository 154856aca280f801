// Command tinygguf writes the tests' tiny GGUF model and a Modelfile next to
// it, for trying the model with the ollama command line:
//
//	go run ./internal/tinymodel/cmd/tinygguf -o /tmp/tiny
//	ollama create tiny -f /tmp/tiny/Modelfile
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"hlstudio/internal/tinymodel"
)

func main() {
	dir := flag.String("o", ".", "output folder for tiny.gguf and Modelfile")
	seed := flag.Uint64("seed", tinymodel.DefaultSeed, "seed of the random weights")
	flag.Parse()
	if err := run(*dir, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "tinygguf:", err)
		os.Exit(1)
	}
}

func run(dir string, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	gguf := filepath.Join(dir, "tiny.gguf")
	if err := tinymodel.WriteFile(gguf, seed); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "Modelfile"), []byte(tinymodel.Modelfile("./tiny.gguf")), 0o644)
}
