package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"hlstudio/hyperlambda"
)

// Canonical parses Hyperlambda code and returns its canonical text (with
// its comments) and its tree hash. A syntax error is returned as the
// parser's *hyperlambda.SyntaxError, which carries line and column.
func Canonical(code string) (canonical, treeHash string, err error) {
	root, err := hyperlambda.ParseString(code, hyperlambda.ParseOptions{Comments: true})
	if err != nil {
		return "", "", err
	}
	canonical = hyperlambda.Format(root.Children(), hyperlambda.FormatOptions{Comments: true})
	treeHash, err = TreeHash(canonical)
	return canonical, treeHash, err
}

// TreeHash returns the tree hash of Hyperlambda code: the SHA-256, in hex,
// of its canonical text without comments. Comments do not change what a
// tree does, so a commented and an uncommented copy share a hash, and a
// run (which executes the comment-less tree) links to the snippet it ran.
func TreeHash(code string) (string, error) {
	root, err := hyperlambda.ParseString(code, hyperlambda.ParseOptions{})
	if err != nil {
		return "", err
	}
	return TreeHashOf(root.Children()), nil
}

// TreeHashOf is TreeHash for a tree parsed without comments (as the
// runtime parses it): the hash of hyperlambda.Format(nodes).
func TreeHashOf(nodes []*hyperlambda.Node) string {
	sum := sha256.Sum256(hyperlambda.AppendFormat(nil, nodes, hyperlambda.FormatOptions{}))
	return hex.EncodeToString(sum[:])
}

// NormalizePrompt returns the form of a prompt used to find near
// duplicates and as part of cache keys: lower case, letters and digits
// only, single spaces. "Create an endpoint!" and "create  an endpoint"
// are the same prompt.
func NormalizePrompt(prompt string) string {
	var b strings.Builder
	b.Grow(len(prompt))
	space := false
	for _, r := range prompt {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			space = true
		}
	}
	return b.String()
}

// PromptHash is the SHA-256, in hex, of the normalised prompt: attempts
// for the same request share it.
func PromptHash(prompt string) string {
	sum := sha256.Sum256([]byte(NormalizePrompt(prompt)))
	return hex.EncodeToString(sum[:])
}
