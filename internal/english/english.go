// Package english writes counts of things as a person would: "1 file",
// "2 files", never "1 file(s)".
package english

import "strconv"

// Count is n and the noun that goes with it: one for 1, many otherwise
// (0 included: "0 files").
func Count(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Noun(n, one, many)
}

// Noun is the noun that goes with n, for a count written apart from it
// (a report's right-aligned column of numbers).
func Noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
