package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"hlstudio": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the txtar scripts in testdata/script: each holds
// command lines, the files they read and the output they must give.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// crlf rewrites files with CRLF line ends: canonical Hyperlambda
			// uses them and txtar sections cannot hold them.
			"crlf": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, name := range args {
					text := strings.ReplaceAll(ts.ReadFile(name), "\r\n", "\n")
					ts.Check(os.WriteFile(ts.MkAbs(name), []byte(strings.ReplaceAll(text, "\n", "\r\n")), 0o644))
				}
			},
			// bytes FILE 'TEXT' writes TEXT with Go escapes (\xff, \x00)
			// resolved: bytes a txtar section cannot hold.
			"bytes": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: bytes FILE 'TEXT'")
				}
				data, err := strconv.Unquote(`"` + strings.ReplaceAll(args[1], `"`, `\"`) + `"`)
				ts.Check(err)
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o644))
			},
			// status N command args... runs the command like exec and
			// checks that it exits with status N.
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: status N command [args...]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("%v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("exit status %d, want %d", got, want)
				}
			},
		},
	})
}

func TestRunWithoutArgumentsStartsStudio(t *testing.T) {
	started := false
	old := OpenWindow
	OpenWindow = func() { started = true }
	defer func() { OpenWindow = old }()
	t.Setenv("DISPLAY", ":0")
	if code := run(nil, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 || !started {
		t.Fatalf("code %d, started %v", code, started)
	}
}

// TestStudioWithoutDisplay: with no display to open the window on, one
// line says so (exit status 2); a window system that fails to start gives
// one line too, not a panic's trace.
func TestStudioWithoutDisplay(t *testing.T) {
	old := OpenWindow
	defer func() { OpenWindow = old }()
	OpenWindow = func() { t.Fatal("the window was opened without a display") }
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	var stdout, stderr bytes.Buffer
	code := run(nil, nil, &stdout, &stderr)
	if runtime.GOOS == "linux" {
		want := "hlstudio: no display (DISPLAY is not set): the studio needs an X11 or Wayland session; run `hlstudio help` for the commands\n"
		if code != 2 || stderr.String() != want || stdout.Len() != 0 {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
	}
	if noDisplay("linux", func(k string) string { return map[string]string{"WAYLAND_DISPLAY": "wayland-0"}[k] }) != "" {
		t.Error("a Wayland session counts as a display")
	}
	if noDisplay("darwin", func(string) string { return "" }) != "" {
		t.Error("macOS needs no DISPLAY")
	}

	t.Setenv("DISPLAY", ":99")
	t.Setenv("GOTRACEBACK", "")
	OpenWindow = func() { panic("NotInitialized: The GLFW library is not initialized") }
	stderr.Reset()
	code = run(nil, nil, &stdout, &stderr)
	want := "hlstudio: the studio window failed: NotInitialized: The GLFW library is not initialized; run `hlstudio help` for the commands\n"
	if code != 1 || stderr.String() != want {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"help"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"version"}, 0},
		{[]string{"frobnicate"}, 2},
	} {
		var stdout, stderr bytes.Buffer
		if got := run(tc.args, strings.NewReader(""), &stdout, &stderr); got != tc.want {
			t.Errorf("hlstudio %s: exit status %d, want %d (stderr %q)", strings.Join(tc.args, " "), got, tc.want, stderr.String())
		}
	}
}
