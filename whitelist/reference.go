package whitelist

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// A name no slot answers to is either a slot of the reference runtime that
// this one does not provide (mail.pop3.fetch, odbc.connect, image.resize...:
// a correct program for Magic that cannot run here) or a name nothing
// declares (an invention of the model, or a typo). Curators and the
// compiler's repair prompt need to tell the two apart.

//go:embed reference-slots.txt
var referenceSlots string

var referenceModules = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(referenceSlots, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		name, module, _ := strings.Cut(strings.TrimSpace(line), " ")
		m[name] = module
	}
	return m
})

// ReferenceModule reports whether name is a slot of the reference runtime
// and, if so, the Magic module that declares it.
func ReferenceModule(name string) (module string, ok bool) {
	module, ok = referenceModules()[name]
	return module, ok
}

// UnknownSlotReason says why no slot of names (sorted) answers to name: a reference
// slot this runtime does not provide, or no slot at all, with the nearest
// registered name when one is a small edit away.
func UnknownSlotReason(name string, names []string) string {
	if module, ok := ReferenceModule(name); ok {
		return fmt.Sprintf("%s is a slot of the reference runtime (%s) that hlstudio does not provide", name, module)
	}
	if s := Nearest(name, names); s != "" {
		return fmt.Sprintf("no slot is named %s; did you mean %s?", name, s)
	}
	return "no slot is named " + name
}

// Nearest returns the name in names within a small edit distance of name
// (one edit for names up to 4 bytes, two beyond; none for shorter than 3),
// the closest and then the first in order; "" if there is none.
func Nearest(name string, names []string) string {
	limit := 2
	switch {
	case len(name) < 3:
		return ""
	case len(name) <= 4:
		limit = 1
	}
	best, bestDist := "", limit+1
	var rows [2][]int // reused by every comparison
	for _, candidate := range names {
		if d := len(name) - len(candidate); d > limit || -d > limit {
			continue
		}
		if need := len(candidate) + 1; cap(rows[0]) < need {
			rows[0], rows[1] = make([]int, need, need+8), make([]int, need, need+8)
		}
		if d := editDistance(name, candidate, bestDist-1, rows[0][:len(candidate)+1], rows[1][:len(candidate)+1]); d < bestDist {
			best, bestDist = candidate, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes
// (names are ASCII), or limit+1 when it exceeds limit; only the band of
// width 2*limit+1 around the diagonal is computed. prev and cur are
// scratch rows of len(b)+1.
func editDistance(a, b string, limit int, prev, cur []int) int {
	if limit < 0 {
		return 0
	}
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	const far = 1 << 30
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		cur[0] = i
		if lo > 1 {
			cur[lo-1] = far
		}
		rowMin := cur[0]
		if lo > 1 {
			rowMin = far
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := prev[j-1] + cost
			if prev[j]+1 < v && j < i+limit {
				v = prev[j] + 1
			}
			if cur[j-1]+1 < v {
				v = cur[j-1] + 1
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if hi < len(b) {
			cur[hi+1] = far
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	if prev[len(b)] > limit {
		return limit + 1
	}
	return prev[len(b)]
}
