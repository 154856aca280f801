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

// Grouped is n with its thousands grouped by commas ("16,777,216"), as a
// person reads a large count at a glance.
func Grouped(n int64) string {
	digits := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b []byte
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, digits[i])
	}
	return sign + string(b)
}
