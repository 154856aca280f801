package whitelist

import "hlstudio/hyperlambda"

// EffectConstraints limit the slots that reach outside the run: the file
// sandbox root, HTTP origins, the database and its tables, size limits.
type EffectConstraints struct{}

// knownConstraints lists every constraint section, for error messages.
const knownConstraints = "clock and config"

// parseEffectConstraint reads one effect constraint section (files, http,
// data) into c; handled is false for a name it does not know.
func parseEffectConstraint(file string, n *hyperlambda.Node, c *EffectConstraints) (handled bool, err error) {
	return false, nil
}

// narrowEffects combines the effect constraints of two parts of an
// intersection: the result allows only what both allow.
func narrowEffects(a, b EffectConstraints) EffectConstraints { return a }
