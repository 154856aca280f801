// Package clocale keeps the toolkit quiet under the C locale. Fyne reads
// the user's language at start-up, and under LANG=C.UTF-8 (the default of
// Debian containers and CI machines) it takes "C" for a language tag and
// logs an error on every start, before any of our code runs. Imported for
// its side effect by the command, this package runs first and, only when
// the locale is C or POSIX with a charset and LANGUAGE is unset, sets
// LANGUAGE=en: Fyne then picks English, as it would for plain "C", and C
// programs ignore LANGUAGE under the C locale, so nothing else changes.
//
// It must import nothing but the standard library's earliest packages:
// Go initializes packages in import-path order once their imports are
// done, and this one has to be ready before fyne.io/fyne/v2/lang is.
package clocale

import "os"

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if isCWithCharset(v) {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}

// isCWithCharset reports C.UTF-8, C.utf8, POSIX.UTF-8 and the like (plain
// "C" and "POSIX" Fyne already handles).
func isCWithCharset(v string) bool {
	for _, p := range []string{"C.", "POSIX.", "C@", "POSIX@"} {
		if len(v) > len(p) && v[:len(p)] == p {
			return true
		}
	}
	return false
}
