package main

import (
	"bytes"
	"os"
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
		},
	})
}

func TestRunWithoutArgumentsStartsStudio(t *testing.T) {
	started := false
	old := startStudio
	startStudio = func() int { started = true; return 0 }
	defer func() { startStudio = old }()
	if code := run(nil, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 || !started {
		t.Fatalf("code %d, started %v", code, started)
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
