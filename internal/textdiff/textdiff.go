// Package textdiff writes unified diffs of texts line by line: what
// `hlstudio fmt -d` prints and what the studio's history shows between
// versions of a snippet.
package textdiff

import (
	"fmt"
	"strings"
)

// Unified returns a unified diff (3 lines of context) from a to b, or ""
// when they are equal. Line ends are compared exactly, so a CRLF-only
// change shows up; the diff shows lines without their ends.
func Unified(nameA, nameB, a, b string) string {
	if a == b {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", nameA, nameB)
	// Line ends are compared apart from the text, so that converting a file
	// to CRLF reads as one note instead of every line changed.
	na, nb := strings.ReplaceAll(a, "\r\n", "\n"), strings.ReplaceAll(b, "\r\n", "\n")
	if na == nb {
		sb.WriteString("@@ line ends only: the canonical form ends every line with CRLF @@\n")
		return sb.String()
	}
	ops := diffLines(splitLines(na), splitLines(nb))
	const context = 3
	// Group ops into hunks separated by more than 2*context equal lines.
	for i := 0; i < len(ops); {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(0, i-context)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end >= 2*context {
				break
			}
		}
		end = min(len(ops), end+context)
		ai, bi := ops[start].ai, ops[start].bi
		na, nb := 0, 0
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				na++
			}
			if op.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(ai, na), hunkRange(bi, nb))
		for _, op := range ops[start:end] {
			sb.WriteByte(op.kind)
			sb.WriteString(strings.TrimRight(op.text, "\r\n"))
			sb.WriteByte('\n')
		}
		i = end
	}
	return sb.String()
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines splits s after each LF (or lone CR), keeping the line ends.
func splitLines(s string) []string {
	var lines []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, s)
			break
		}
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	ai, bi int // line indexes before this op in a and b
}

// diffLines computes a shortest edit script with the LCS table; inputs
// past a size limit fall back to replacing everything, which is still a
// correct diff, only a long one.
func diffLines(a, b []string) []diffOp {
	// Trim the common prefix and suffix: formatting changes are usually few.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	ai, bi := pre, pre
	if len(ma)*len(mb) > 4_000_000 {
		for _, l := range ma {
			ops = append(ops, diffOp{'-', l, ai, bi})
			ai++
		}
		for _, l := range mb {
			ops = append(ops, diffOp{'+', l, ai, bi})
			bi++
		}
	} else {
		n, m := len(ma), len(mb)
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && ma[i] == mb[j]:
				ops = append(ops, diffOp{' ', ma[i], ai, bi})
				i, j, ai, bi = i+1, j+1, ai+1, bi+1
			case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, diffOp{'-', ma[i], ai, bi})
				i, ai = i+1, ai+1
			default:
				ops = append(ops, diffOp{'+', mb[j], ai, bi})
				j, bi = j+1, bi+1
			}
		}
	}
	for k := len(a) - suf; k < len(a); k++ {
		ops = append(ops, diffOp{' ', a[k], ai, bi})
		ai, bi = ai+1, bi+1
	}
	return ops
}
