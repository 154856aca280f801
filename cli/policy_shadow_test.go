package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Audit 22: `--policy NAME|FILE` tries the built-in names first, so a
// policy file in the current folder named like a built-in is never read
// and nothing says so. A person who copied trusted to ./trusted and took
// network and files away gets the built-in trusted (every slot) from
// `--policy trusted`. Either the file is used, or the ambiguity is
// refused (or at least said), never silently the wider built-in.
func TestPolicyFileNamedLikeABuiltinIsNotSilentlyShadowed(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	src := "name:trusted\r\ndescription:\"mine: no network\"\r\nallow\r\n   effects:pure\r\n"
	if err := os.WriteFile("trusted", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"slots", "--policy", "trusted"}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 || strings.Contains(stderr.String(), "trusted") {
		return // refused or said
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.Contains(line, " http.get:") && !strings.HasPrefix(line, "DENIED") {
			t.Fatalf("--policy trusted with ./trusted present used the built-in silently: %q\nstderr: %q", line, stderr.String())
		}
	}
	p, err := loadPolicy("trusted")
	if err == nil && p.Description != "mine: no network" {
		t.Errorf("loadPolicy(\"trusted\") picked %q, not the file ./trusted", p.Description)
	}
}
