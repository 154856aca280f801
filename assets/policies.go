package assets

import (
	"embed"
	"sort"
	"strings"
)

//go:embed policies/*.hl
var policies embed.FS

// Policy returns the text of a built-in policy by name (pure, sandbox,
// trusted).
func Policy(name string) ([]byte, bool) {
	data, err := policies.ReadFile("policies/" + name + ".hl")
	return data, err == nil
}

// PolicyNames lists the built-in policies.
func PolicyNames() []string {
	entries, _ := policies.ReadDir("policies")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".hl"))
	}
	sort.Strings(names)
	return names
}
