// Command hlstudio is the studio: with no arguments it opens the desktop
// window; with a subcommand it runs the same engine from a terminal, for
// scripts and CI.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	_ "hlstudio/internal/clocale" // before Fyne reads the locale: see the package
	"hlstudio/ui"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// command is one subcommand; each file adds its own in init().
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// startStudio opens the GUI; tests replace it.
var startStudio = func() int {
	ui.Run(ui.Options{Version: version})
	return 0
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status: 0 ok,
// 1 failure, 2 usage or syntax error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return startStudio()
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "hlstudio %s\n", version)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hlstudio: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(args[1:], stdin, stdout, stderr)
}

// builtins are the commands main.go answers itself; they are listed with
// the others.
var builtins = map[string]string{
	"help":    "list the commands (also -h, --help)",
	"version": "print the version",
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: hlstudio [command] [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "With no command, hlstudio opens the studio window. Commands:")
	fmt.Fprintln(w)
	summaries := make(map[string]string, len(commands)+len(builtins))
	for name, cmd := range commands {
		summaries[name] = cmd.summary
	}
	for name, summary := range builtins {
		summaries[name] = summary
	}
	names := make([]string, 0, len(summaries))
	for name := range summaries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, summaries[name])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "hlstudio <command> -h" for a command's flags.`)
}

// writeJSON is how every command prints JSON: indented, without HTML
// escaping (the output is data, not a web page).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
