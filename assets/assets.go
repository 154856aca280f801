package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

// IconPNG is the application icon, a 256x256 PNG (also named by
// FyneApp.toml for fyne package).
//
//go:embed icon.png
var IconPNG []byte

// Icon is the application icon as a Fyne resource, for App.SetIcon.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", IconPNG)

// Primer is the system prompt the compiler gives the model: a concise
// account of Hyperlambda and the output rules, written for this project.
// The active policy's vocabulary is appended to it at run time.
//
//go:embed primer.md
var Primer string

//go:embed samples/*.hl
var samples embed.FS

// Samples are the snippets a new library starts with, as .hl files in
// the training layout (the first comment is the prompt): name -> content.
func Samples() map[string][]byte {
	out := map[string][]byte{}
	entries, _ := samples.ReadDir("samples")
	for _, e := range entries {
		b, err := samples.ReadFile("samples/" + e.Name())
		if err == nil {
			out[e.Name()] = b
		}
	}
	return out
}
