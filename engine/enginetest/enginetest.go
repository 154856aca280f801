// Package enginetest runs the engine's data-driven cases (txtar files of
// input, executed lambda, result or error, under a policy) for the engine
// and for every slot family, with a canary slot that must never run.
package enginetest

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"hlstudio/assets"
	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// Each testdata/*/*.txtar is one case:
//
//	-- policy --     a built-in policy's name (default trusted), or
//	-- policy.hl --  a policy written out
//	-- input.hl --   the lambda to run
//	-- output.hl --  the executed lambda, canonical (optional)
//	-- result --     the returned value's canonical text, or returned nodes (optional)
//	-- log --        the run's log, one entry per line (optional)
//	-- error --      "denied", "budget steps", "unknown", "runtime", "throw" and
//	                 optionally ": substring" (optional; no error otherwise)
//
// Every case runs with a canary slot registered: canary.record, with the
// network effect, so only trusted may call it. A case whose policy is not
// trusted fails if the canary was ever called, whatever else happened.

// LoadPolicy parses a built-in policy.
func LoadPolicy(t testing.TB, name string) *whitelist.Policy {
	src, ok := assets.Policy(name)
	if !ok {
		t.Fatalf("no built-in policy %q", name)
	}
	p, err := whitelist.Parse(name+".hl", src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// AddCanary registers canary.record (network effect, so only trusted may
// call it) counting its calls: escape tests assert it never ran.
func AddCanary(e *engine.Engine, calls *atomic.Int64) *engine.Engine {
	err := e.Register(engine.Slot{Sig: whitelist.Signature{Name: "canary.record", Doc: "test canary", Effects: whitelist.Network},
		Fn: func(r *engine.Run, n *hyperlambda.Node) error { calls.Add(1); n.Value = "CALLED"; return nil }})
	if err != nil {
		panic(err)
	}
	return e
}

// RunCases runs every txtar case matching glob with engines from newEngine
// (a canary is added to each).
func RunCases(t *testing.T, glob string, newEngine func() *engine.Engine) {
	runCases(t, glob, newEngine, false)
}

// RunCasesInFreshData is RunCases with a new empty per-user data folder
// for each case, so "{data}/sandbox" (files, the sandbox database) starts
// empty and nothing of the real user's is touched.
func RunCasesInFreshData(t *testing.T, glob string, newEngine func() *engine.Engine) {
	runCases(t, glob, newEngine, true)
}

func runCases(t *testing.T, glob string, newEngine func() *engine.Engine, freshData bool) {
	files, _ := filepath.Glob(glob)
	if len(files) == 0 {
		t.Fatalf("no cases match %s", glob)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(file, "testdata/"), ".txtar"), func(t *testing.T) {
			if freshData {
				t.Setenv("XDG_DATA_HOME", t.TempDir())
			}
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sec := map[string]string{}
			for _, f := range ar.Files {
				sec[f.Name] = string(f.Data)
			}
			policyName := strings.TrimSpace(sec["policy"])
			if policyName == "" {
				policyName = "trusted"
			}
			var policy *whitelist.Policy
			if src, ok := sec["policy.hl"]; ok {
				if policy, err = whitelist.Parse("policy.hl", []byte(src)); err != nil {
					t.Fatal(err)
				}
			} else {
				policy = LoadPolicy(t, policyName)
			}
			lambda, err := hyperlambda.ParseString(sec["input.hl"], hyperlambda.ParseOptions{})
			if err != nil {
				t.Fatalf("input: %v", err)
			}
			var calls atomic.Int64
			e := AddCanary(newEngine(), &calls)
			res, err := e.Execute(context.Background(), lambda, policy)
			if policy.Name != "trusted" && calls.Load() > 0 {
				t.Fatalf("the canary was called %d times under policy %s", calls.Load(), policy.Name)
			}
			if want := strings.TrimSpace(sec["error"]); want != "" {
				CheckError(t, err, want)
				if strings.HasPrefix(want, "denied") && len(res.Denials) == 0 {
					t.Errorf("denial not recorded in the run")
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if want, ok := sec["output.hl"]; ok {
				got := strings.ReplaceAll(hyperlambda.Format(lambda.Children(), hyperlambda.FormatOptions{}), "\r\n", "\n")
				if got != want {
					t.Errorf("executed lambda:\n%s\nwant:\n%s", got, want)
				}
			}
			if want, ok := sec["result"]; ok {
				got := ""
				if res.Value != nil {
					_, got, _ = hyperlambda.ValueText(res.Value)
					got += "\n"
				}
				got += strings.ReplaceAll(hyperlambda.Format(res.Nodes, hyperlambda.FormatOptions{}), "\r\n", "\n")
				if got != want {
					t.Errorf("result:\n%q\nwant:\n%q", got, want)
				}
			}
			if want, ok := sec["log"]; ok {
				var got strings.Builder
				for _, e := range res.Log {
					got.WriteString(e.String() + "\n")
				}
				if got.String() != want {
					t.Errorf("log:\n%s\nwant:\n%s", got.String(), want)
				}
			}
		})
	}
}

// CheckError asserts err has the kind (and text) of want.
func CheckError(t *testing.T, err error, want string) {
	t.Helper()
	kind, substr, _ := strings.Cut(want, ":")
	substr = strings.TrimSpace(substr)
	var ok bool
	switch fields := strings.Fields(kind); fields[0] {
	case "denied":
		var e *engine.DeniedError
		ok = errors.As(err, &e)
	case "budget":
		var e *engine.BudgetError
		ok = errors.As(err, &e) && (len(fields) < 2 || e.Budget == fields[1])
	case "unknown":
		var e *engine.UnknownSlotError
		ok = errors.As(err, &e)
	case "throw":
		var e *engine.ThrowError
		ok = errors.As(err, &e)
	case "runtime":
		var e *engine.RuntimeError
		ok = errors.As(err, &e)
	default:
		t.Fatalf("unknown error kind %q", kind)
	}
	if !ok {
		t.Fatalf("want %s error, got %T: %v", kind, err, err)
	}
	if substr != "" && !strings.Contains(err.Error(), substr) {
		t.Fatalf("error %q does not contain %q", err, substr)
	}
}
