package stringslots

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
)

// netRegex is an RE2 pattern read as the reference's .NET Regex reads it
// where RE2 can: group numbers as .NET gives them, the matches .NET finds,
// and .NET's replacement syntax.
type netRegex struct {
	re *regexp.Regexp
	// groups maps a .NET group number to the RE2 groups it stands for:
	// .NET numbers the unnamed groups first, then the named ones, and
	// groups sharing a name are one group.
	groups [][]int
	names  map[string]int // group name -> .NET group number
	// empty is set when the pattern can match empty text; then at is the
	// pattern anchored one character after the start of its input, to
	// find the empty matches .NET reports right after a match.
	empty bool
	at    *regexp.Regexp
	src   string
	insts int // the size of the compiled pattern, see RegexSteps
	// looksBack: the pattern asserts something about the text before a
	// position (^, \A, \b, \B), so searching the rest of the text from a
	// position is not searching the text there; then after is the search
	// from the second character of its input, the first being the
	// character before the position (see findAll).
	looksBack bool
	after     *regexp.Regexp
}

// RegexSteps is what matching a pattern of insts instructions (see
// PatternSize) over text of n bytes costs in steps: RE2 runs in time
// linear in the text times the pattern's size, about 5 ns per byte and
// instruction here, so a step is about 1024 of them (a few
// microseconds, an ordinary slot call's order).
func RegexSteps(insts, n int) int64 { return int64(n+1) * int64(insts) >> 10 }

// PatternSize is the number of instructions RE2 compiles src to (1 when
// it cannot tell).
func PatternSize(src string) int {
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return 1
	}
	prog, err := syntax.Compile(tree.Simplify())
	if err != nil {
		return 1
	}
	return len(prog.Inst)
}

// find is matches run within the budgets: its cost charged in steps and
// cut by the deadline (Run.Compute), and at most limit matches held (the
// positions of each take two ints per group: a pattern of many groups
// over a long text took gigabytes before anything was counted; audit
// 16): as many as fit in the output budget, whose error reports finding
// more, and fewer when limit says so (one more than it allows).
func (nr *netRegex) find(r *engine.Run, s string, limit int) ([][]int, error) {
	per := (nr.re.NumSubexp()+1)*16 + 24
	fit := int(r.Budgets().OutputBytes)/per + 1
	if limit < 0 || limit > fit {
		limit = fit
	}
	var found [][]int
	var scanned int64
	steps := RegexSteps(nr.insts, len(s))
	allowance := r.StepsLeft() - steps
	if err := r.Compute(steps, func(abandoned func() bool) { found, scanned = nr.matches(s, limit, allowance, abandoned) }); err != nil {
		return nil, err
	}
	// The empty matches looked for after matches (emptyAt) are work too,
	// up to the rest of the text each: charged now, and cut short in
	// matches where they would pass the steps left (audit 24: a pattern
	// kept alive to the end of the text made it quadratic).
	if err := r.Charge(RegexSteps(nr.insts, int(min(scanned, 1<<40)))); err != nil {
		return nil, err
	}
	if len(found) >= fit {
		return nil, r.OutputRoom(len(found) * per) // more than the budget holds
	}
	return found, nil
}

// compileNet compiles pattern; multiline is .NET's RegexOptions.Multiline
// (^ and $ match at line breaks).
func compileNet(pattern string, multiline bool) (*netRegex, error) {
	src := pattern
	if multiline {
		src = "(?m)" + pattern
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("%q is not an RE2 pattern: %v", pattern, err)
	}
	nr := &netRegex{re: re, groups: [][]int{{0}}, names: map[string]int{}, src: src, insts: PatternSize(src)}
	names := re.SubexpNames()
	for i := 1; i < len(names); i++ {
		if names[i] == "" {
			nr.groups = append(nr.groups, []int{i})
		}
	}
	for i := 1; i < len(names); i++ {
		if name := names[i]; name != "" {
			if num, ok := nr.names[name]; ok {
				nr.groups[num] = append(nr.groups[num], i)
				continue
			}
			nr.names[name] = len(nr.groups)
			nr.groups = append(nr.groups, []int{i})
		}
	}
	nr.looksBack = true
	if tree, err := syntax.Parse(src, syntax.Perl); err == nil {
		nr.empty = canBeEmpty(tree)
		nr.looksBack = looksBack(tree)
	}
	if nr.looksBack {
		// RE2 searches unanchored as if the pattern began with (?s:.*?):
		// after is that, behind the one character of context the
		// assertions read, with the pattern's match as group 1. Should it
		// not compile, findAll falls back to RE2's own loop.
		nr.after, _ = regexp.Compile(`\A(?s:.)(?s:.*?)(` + src + `)`)
	}
	return nr, nil
}

// looksBack says whether re asserts anything about the text before the
// position it is tried at.
func looksBack(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if looksBack(sub) {
			return true
		}
	}
	return false
}

// canBeEmpty says whether re can match empty text somewhere (its zero-width
// assertions taken as possibly true).
func canBeEmpty(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return false
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpCapture, syntax.OpPlus:
		return canBeEmpty(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min == 0 || canBeEmpty(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !canBeEmpty(s) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if canBeEmpty(s) {
				return true
			}
		}
		return false
	}
	return true // empty match, star, quest, assertions
}

// matches returns the submatch indexes of every match, as .NET finds
// them. RE2 skips an empty match right after a match; .NET keeps it
// ("aaa" with a* is "aaa" then "" in .NET), so where RE2 moved on, the
// pattern is tried once more where the previous match ended.
//
// scanned is the text the second tries may read (the rest of the text
// each, at most): they stop once that would pass allowance steps, and
// the caller charges it.
func (nr *netRegex) matches(s string, limit int, allowance int64, stop func() bool) (out [][]int, scanned int64) {
	found := nr.findAll(s, limit, stop)
	if !nr.empty || len(found) == 0 {
		return found, 0
	}
	for i, m := range found {
		if stop() {
			return out, scanned // the run is over: nothing will read them
		}
		out = append(out, m)
		end := m[1]
		if m[0] == end || (i+1 < len(found) && found[i+1][0] == end) {
			continue
		}
		if scanned += int64(len(s) - end + 1); RegexSteps(nr.insts, int(min(scanned, 1<<40))) > allowance {
			return out, scanned // over the budget: the charge ends the run
		}
		if e := nr.emptyAt(s, end); e != nil {
			out = append(out, e)
		}
	}
	return out, scanned
}

// findAll is RE2's FindAllStringSubmatchIndex(s, n) as a loop of single
// searches, each of the rest of the text, that ends when stop says so
// (the run is over). RE2's own loop cannot be stopped, and for a pattern
// keeping a branch alive to the end of the text (x|(?:.*Q)? over "xa"...)
// each search reads to the end: quadratic (16 KiB took 1.5 s, 256 KiB
// minutes), so a search the run had given up on went on long after it.
// Now at most the search under way finishes. The rules for empty matches
// are RE2's.
func (nr *netRegex) findAll(s string, n int, stop func() bool) [][]int {
	if onFindAllDone != nil {
		defer onFindAllDone()
	}
	if nr.looksBack && nr.after == nil {
		return nr.re.FindAllStringSubmatchIndex(s, n) // see compileNet
	}
	if n < 0 {
		n = len(s) + 1
	}
	var out [][]int
	for pos, prevEnd := 0, -1; len(out) < n && pos <= len(s) && !stop(); {
		m, from := nr.searchFrom(s, pos)
		if m == nil {
			break
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += from
			}
		}
		accept := true
		if m[1] == pos {
			// Empty, here: not right after a match; then one character on.
			accept = m[0] != prevEnd
			if _, w := utf8.DecodeRuneInString(s[pos:]); w > 0 {
				pos += w
			} else {
				pos = len(s) + 1
			}
		} else {
			pos = m[1]
		}
		prevEnd = m[1]
		if accept {
			out = append(out, m)
		}
	}
	return out
}

// searchFrom is the first match in s at pos or after, as RE2 finds it
// searching all of s from pos, with its indexes counted from the
// returned offset.
func (nr *netRegex) searchFrom(s string, pos int) (m []int, from int) {
	if pos == 0 || !nr.looksBack {
		return nr.re.FindStringSubmatchIndex(s[pos:]), pos
	}
	_, w := utf8.DecodeLastRuneInString(s[:pos])
	from = pos - w
	if m = nr.after.FindStringSubmatchIndex(s[from:]); m != nil {
		m = m[2:] // group 1 is the pattern's match; its own groups follow
	}
	return m, from
}

// onFindAllDone, when set (by tests), is called when a findAll returns:
// how a test sees that a search given up on has stopped.
var onFindAllDone func()

// emptyAt returns the match .NET finds at end (just after a non-empty
// match), when it is empty; RE2 would have returned a non-empty one. The
// pattern runs after the character before end, so that assertions (^ in
// multiline mode, \b) see what precedes it.
func (nr *netRegex) emptyAt(s string, end int) []int {
	if nr.at == nil {
		at, err := regexp.Compile(`\A(?s:.)(?:` + nr.src + `)`)
		if err != nil {
			nr.empty = false
			return nil
		}
		nr.at = at
	}
	_, w := utf8.DecodeLastRuneInString(s[:end])
	from := end - w
	m := nr.at.FindStringSubmatchIndex(s[from:])
	if m == nil || m[1] != w {
		return nil
	}
	m[0] = w
	for i := range m {
		if m[i] >= 0 {
			m[i] += from
		}
	}
	return m
}

// group is the text of .NET group num in match m: the last of its RE2
// groups that took part, "" when none did.
func (nr *netRegex) group(s string, m []int, num int) string {
	best := -1
	for _, g := range nr.groups[num] {
		if m[2*g] >= 0 && (best < 0 || m[2*g+1] >= m[2*best+1]) {
			best = g
		}
	}
	if best < 0 {
		return ""
	}
	return s[m[2*best]:m[2*best+1]]
}

// A replacement is .NET replacement text read into parts: literal text,
// or a reference to a group or to a part of the input.
type replPart struct {
	lit  string
	kind int // replLit, replGroup (num), replLeft, replRight, replLast, replWhole
	num  int
}

const (
	replLit = iota
	replGroup
	replLeft  // $` the text before the match
	replRight // $' the text after the match
	replLast  // $+ the last group
	replWhole // $_ the whole input
)

// parseReplacement reads .NET replacement syntax: $number and ${number}
// (the longest run of digits, when such a group exists), ${name}, $$, $&
// (the match), $`, $', $+ and $_; a $ that starts none of them is itself.
// Anything else is literal: "$1x" is group 1 then "x".
func (nr *netRegex) parseReplacement(rep string) ([]replPart, error) {
	var parts []replPart
	var lit strings.Builder
	ref := func(kind, num int) {
		if lit.Len() > 0 {
			parts = append(parts, replPart{lit: lit.String()})
			lit.Reset()
		}
		parts = append(parts, replPart{kind: kind, num: num})
	}
	for i := 0; i < len(rep); {
		if rep[i] != '$' || i+1 == len(rep) {
			lit.WriteByte(rep[i])
			i++
			continue
		}
		j := i + 1
		angled := rep[j] == '{' && len(rep)-j > 1
		if angled {
			j++
		}
		switch c := rep[j]; {
		case c >= '0' && c <= '9':
			k, num := j, 0
			for ; k < len(rep) && rep[k] >= '0' && rep[k] <= '9'; k++ {
				if num > (1<<31-1-int(rep[k]-'0'))/10 {
					return nil, errors.New("capture group numbers must be less than or equal to Int32.MaxValue")
				}
				num = num*10 + int(rep[k]-'0')
			}
			if angled {
				if k == len(rep) || rep[k] != '}' {
					break
				}
				k++
			}
			if num < len(nr.groups) {
				ref(replGroup, num)
				i = k
				continue
			}
		case angled && isWordRune(rep[j:]):
			k := j
			for k < len(rep) && isWordRune(rep[k:]) {
				_, w := utf8.DecodeRuneInString(rep[k:])
				k += w
			}
			if k < len(rep) && rep[k] == '}' {
				if num, ok := nr.names[rep[j:k]]; ok {
					ref(replGroup, num)
					i = k + 1
					continue
				}
			}
		case !angled:
			kind := -1
			switch c {
			case '$':
				lit.WriteByte('$')
				i = j + 1
				continue
			case '&':
				kind = replGroup
			case '`':
				kind = replLeft
			case '\'':
				kind = replRight
			case '+':
				kind = replLast
			case '_':
				kind = replWhole
			}
			if kind >= 0 {
				ref(kind, 0)
				i = j + 1
				continue
			}
		}
		lit.WriteByte('$')
		i++
	}
	if lit.Len() > 0 {
		parts = append(parts, replPart{lit: lit.String()})
	}
	return parts, nil
}

// isWordRune is .NET's RegexCharClass.IsWordChar for the rune s starts with.
func isWordRune(s string) bool {
	c, _ := utf8.DecodeRuneInString(s)
	return c == '_' || unicode.In(c, unicode.L, unicode.Mn, unicode.Nd, unicode.Pc)
}

// expand is the replacement for match m of s.
func (nr *netRegex) expand(b *strings.Builder, s string, m []int, parts []replPart) {
	for _, p := range parts {
		switch p.kind {
		case replLit:
			b.WriteString(p.lit)
		case replGroup:
			b.WriteString(nr.group(s, m, p.num))
		case replLeft:
			b.WriteString(s[:m[0]])
		case replRight:
			b.WriteString(s[m[1]:])
		case replLast:
			b.WriteString(nr.group(s, m, len(nr.groups)-1))
		case replWhole:
			b.WriteString(s)
		}
	}
}

// expandedLen is the length expand writes.
func (nr *netRegex) expandedLen(s string, m []int, parts []replPart) int {
	n := 0
	for _, p := range parts {
		switch p.kind {
		case replLit:
			n += len(p.lit)
		case replGroup:
			n += len(nr.group(s, m, p.num))
		case replLeft:
			n += m[0]
		case replRight:
			n += len(s) - m[1]
		case replLast:
			n += len(nr.group(s, m, len(nr.groups)-1))
		case replWhole:
			n += len(s)
		}
	}
	return n
}

// patternArgs reads the text, the evaluated children (want of them, the
// first a pattern) and the compiled pattern.
func patternArgs(r *engine.Run, n *hyperlambda.Node, want int, usage string, multiline bool) (string, []string, *netRegex, error) {
	s, err := str(n)
	if err != nil {
		return "", nil, nil, err
	}
	a, err := args(r, n)
	if err != nil {
		return "", nil, nil, err
	}
	if len(a) != want {
		return "", nil, nil, errors.New(usage)
	}
	re, err := compileNet(a[0], multiline)
	return s, a, re, err
}

// regexReplace is the reference's Regex.Replace with
// RegexOptions.Multiline and .NET replacement syntax.
func regexReplace(r *engine.Run, n *hyperlambda.Node) error {
	s, a, re, err := patternArgs(r, n, 2, "needs two children: the pattern and the replacement", true)
	if err != nil {
		return err
	}
	parts, err := re.parseReplacement(a[1])
	if err != nil {
		return err
	}
	found, err := re.find(r, s, -1)
	if err != nil {
		return err
	}
	// The size of the result, before building it.
	size := len(s)
	for _, m := range found {
		size += re.expandedLen(s, m, parts) - (m[1] - m[0])
		if err := r.OutputRoom(size); err != nil {
			return err
		}
	}
	if err := r.OutputRoom(size); err != nil {
		return err
	}
	var b strings.Builder
	b.Grow(size)
	last := 0
	for _, m := range found {
		b.WriteString(s[last:m[0]])
		re.expand(&b, s, m, parts)
		last = m[1]
	}
	b.WriteString(s[last:])
	n.Clear()
	return setText(r, n, b.String())
}

// matches is the reference's Regex.Matches (no options: ^ and $ are the
// ends of the text).
func matches(r *engine.Run, n *hyperlambda.Node) error {
	s, _, re, err := patternArgs(r, n, 1, "needs one child: the pattern", false)
	if err != nil {
		return err
	}
	// Each match is a node: one more than the nodes budget allows is
	// enough to know.
	found, err := re.find(r, s, int(min(r.Budgets().Nodes, 1<<30))+1)
	if err != nil {
		return err
	}
	if err := r.Created(len(found)); err != nil {
		return err
	}
	n.Clear()
	n.Value = nil
	for _, m := range found {
		n.Add(hyperlambda.New(".", s[m[0]:m[1]]))
	}
	return nil
}
