// Package cli is the hlstudio command's command line: with no arguments it
// opens the desktop window (through OpenWindow, which the command sets);
// with a subcommand it runs the same engine from a terminal, for scripts
// and CI. The command itself (package main in app/) only adds the window:
// Fyne's desktop driver, whose OpenGL build is minutes of C, stays out of
// this package and its tests.
package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
)

// Version is the command's version, set at build time with
// -ldflags "-X hlstudio/cli.Version=...".
var Version = "0.1.0-dev"

// command is one subcommand; each file adds its own in init().
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// OpenWindow opens the studio's window and returns when it closes. The
// command sets it; tests replace it.
var OpenWindow = func() {
	panic("this build of hlstudio has no window (cli.OpenWindow is not set)")
}

// startStudio opens the studio when there is a display to open it on.
// Without one, or when the window system fails to start, it says so in one
// line instead of a panic's goroutine trace (GOTRACEBACK set to anything
// adds the trace, for a bug report).
func startStudio(stderr io.Writer) (code int) {
	if msg := noDisplay(runtime.GOOS, os.Getenv); msg != "" {
		fmt.Fprintf(stderr, "hlstudio: %s; run `hlstudio help` for the commands\n", msg)
		return 2
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "hlstudio: the studio window failed: %v; run `hlstudio help` for the commands\n", r)
			if os.Getenv("GOTRACEBACK") != "" {
				stderr.Write(debug.Stack())
			}
			code = 1
		}
	}()
	OpenWindow()
	return 0
}

// noDisplay explains why no window can open: on the systems where windows
// go through X11 or Wayland, neither DISPLAY nor WAYLAND_DISPLAY is set.
func noDisplay(goos string, getenv func(string) string) string {
	switch goos {
	case "darwin", "windows", "ios", "android", "js", "wasip1":
		return ""
	}
	if getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != "" {
		return ""
	}
	return "no display (DISPLAY is not set): the studio needs an X11 or Wayland session"
}

// Run runs a command line (the arguments after the program's name) and
// returns the exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(args, stdin, stdout, stderr)
}

// run dispatches a command line and returns the exit status: 0 ok,
// 1 failure, 2 usage or syntax error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return startStudio(stderr)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(args[1:], stdin, stdout, stderr)
	case "version", "--version":
		if len(args) > 1 {
			fmt.Fprintf(stderr, "hlstudio version: unexpected argument %q\n", args[1])
			return 2
		}
		fmt.Fprintf(stdout, "hlstudio %s\n", Version)
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
	"help":    "list the commands (also -h, --help); help COMMAND prints a command's help",
	"version": "print the version",
}

// help lists the commands, or with a command's name prints that command's
// help (what "hlstudio COMMAND -h" prints) on standard output.
func help(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stdout)
		return 0
	case len(args) > 1:
		fmt.Fprintf(stderr, "hlstudio help: unexpected argument %q; usage: hlstudio help [command]\n", args[1])
		return 2
	}
	name := args[0]
	if summary, ok := builtins[name]; ok {
		fmt.Fprintf(stdout, "usage: hlstudio %s\n\n%s.\n", name, summary)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "hlstudio help: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	cmd.run([]string{"-h"}, stdin, stdout, stdout) // the flag package answers -h with the usage
	return 0
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
	fmt.Fprintln(w, `Run "hlstudio help <command>" or "hlstudio <command> -h" for a command's flags.`)
}

// readSource reads a file a command was given, with errors that name it
// once and say plainly what is wrong ("d is a folder, not a file").
func readSource(name string) ([]byte, error) {
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a folder, not a file", name)
	}
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, pathReason(err))
	}
	return src, nil
}

// flagsBeforeArgs reports false, after saying so, when one of fl's flags
// follows the first of its arguments (what, e.g. FILE): the flag package
// stops at the first argument and would take the flag for another one.
func flagsBeforeArgs(cmd, what string, fl *flag.FlagSet, stderr io.Writer) bool {
	if fl.NArg() < 2 {
		return true
	}
	for _, a := range fl.Args()[1:] {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name != "" && (fl.Lookup(name) != nil || name == "h" || name == "help") {
			fmt.Fprintf(stderr, "hlstudio %s: flags must come before %s: %q after %s\n", cmd, what, a, fl.Arg(0))
			return false
		}
	}
	return true
}

// noArgs reports false, after saying so, when a command that takes no
// arguments was given some.
func noArgs(cmd string, fl *flag.FlagSet, stderr io.Writer) bool {
	if fl.NArg() == 0 {
		return true
	}
	fmt.Fprintf(stderr, "hlstudio %s: unexpected argument %q (%s takes only flags; see hlstudio %s -h)\n", cmd, fl.Arg(0), cmd, cmd)
	return false
}

// writeJSON is how every command prints JSON: indented, without HTML
// escaping (the output is data, not a web page).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
