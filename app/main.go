// Command hlstudio is the studio: with no arguments it opens the desktop
// window; with a subcommand it runs the same engine from a terminal, for
// scripts and CI (package cli). This package adds only what needs Fyne's
// desktop driver: the app, its window and the screen's size.
package main

import (
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"hlstudio/cli"
	_ "hlstudio/internal/clocale" // before Fyne reads the locale: see the package
	"hlstudio/ui"
)

func main() {
	cli.OpenWindow = func() {
		ui.Run(fyneapp.NewWithID(ui.AppID), ui.Options{Version: cli.Version, ScreenArea: screenArea})
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
