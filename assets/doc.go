// Package assets embeds the studio's built-in files: the application icon
// now, and later the built-in policies, the system prompt and sample
// snippets. It depends on nothing of the project.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
