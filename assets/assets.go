package assets

import (
	_ "embed"

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
