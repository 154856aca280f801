package cli

import (
	"flag"
	"fmt"
	"io"

	"hlstudio/engine/vocab"
	"hlstudio/whitelist"
)

func init() {
	commands["check"] = command{summary: "label every node of a file statically under a policy (denied, unknown slot, ...)", run: runCheck}
}

type checkFinding struct {
	Line   int32  `json:"line"`
	Col    int32  `json:"col"`
	Path   string `json:"path"`
	Name   string `json:"name"`
	Label  string `json:"label"`
	Reason string `json:"reason,omitempty"`
}

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("check", flag.ContinueOnError)
	fl.SetOutput(stderr)
	policyName := fl.String("policy", "sandbox", "built-in policy name or policy file")
	asJSON := fl.Bool("json", false, "print every node's label as JSON")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: hlstudio check [--policy NAME|FILE] [--json] FILE")
		fmt.Fprintln(stderr, "\nPrints file:line:col: label: name: reason for each node that is denied, an unknown slot,")
		fmt.Fprintln(stderr, "dynamic or an unknown argument. Exit status 3 when anything is denied or unknown.")
		fl.PrintDefaults()
	}
	file, policy, root, code := loadProgram("check", fl, args, policyName, stderr)
	if code != exitOK {
		return code
	}
	findings := whitelist.Check(root, vocab.New(), policy)
	var all []checkFinding
	for _, f := range findings {
		if f.Label.Blocking() {
			code = exitDenied
		}
		reason := f.Reason
		if reason == "" && f.Rule != "" {
			reason = "allowed by " + policy.Name + " (" + f.Rule + ")"
		}
		cf := checkFinding{Line: f.Node.Pos.Line, Col: f.Node.Pos.Col, Path: f.Node.Path(), Name: f.Node.Name, Label: f.Label.String(), Reason: reason}
		all = append(all, cf)
		if !*asJSON && f.Label != whitelist.LabelData && f.Label != whitelist.LabelAllowed {
			fmt.Fprintf(stdout, "%s:%d:%d: %s: %s: %s\n", file, cf.Line, cf.Col, cf.Label, cf.Name, cf.Reason)
		}
	}
	if *asJSON {
		writeJSON(stdout, map[string]any{"policy": policy.Name, "policy_hash": policy.Hash, "nodes": all})
	}
	return code
}
