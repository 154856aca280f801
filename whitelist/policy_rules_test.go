package whitelist

import (
	"errors"
	"strings"
	"testing"
)

var evalSig = &Signature{Effects: SpawnsCode, Dynamic: true}

// Audit 22: a slot name in allow/deny is taken verbatim, trailing blanks
// and a trailing // comment included (Hyperlambda has no inline
// comments after a name), so `deny` of "eval   // never" or "eval " (an
// invisible trailing space) denies nothing and is accepted without a
// word. Parse's own doc comment writes its example with such comments.
// No slot can be named so: the line must be refused at its position, or
// mean what it says.
func TestDenyLineWithTrailingCommentOrBlankIsNotSilentlyVoid(t *testing.T) {
	for _, line := range []string{
		"eval                  // deny wins over allow",
		"eval // never",
		"eval   ",
		"eval\t",
		"\"eval \"",
	} {
		src := "name:p\r\nallow\r\n   *\r\ndeny\r\n   " + line + "\r\n"
		p, err := Parse("p.hl", []byte(src))
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Pos.Line != 5 {
				t.Errorf("%q: refused without its line: %v", line, err)
			}
			continue
		}
		if p.Allows("eval", evalSig).Allowed {
			t.Errorf("deny %q accepted, and eval is still allowed (deny rule text %q)", line, p.deny[0].text)
		}
	}
}

// A '*' may only end a family pattern (strings.*x is refused), but a
// pattern ending in ".*" with another '*' inside is accepted as a
// literal prefix that matches no slot: `deny *.*` denies nothing.
func TestPatternWithInnerStarIsRefused(t *testing.T) {
	for _, pat := range []string{"*.*", "strings.*.*", "a*.*", "**.*"} {
		src := "name:p\r\nallow\r\n   *\r\ndeny\r\n   " + pat + "\r\n"
		p, err := Parse("p.hl", []byte(src))
		if err == nil {
			t.Errorf("deny %q accepted (prefix %q); strings.concat allowed=%v", pat, p.deny[0].prefix, p.Allows("strings.concat", &Signature{}).Allowed)
			continue
		}
		if !strings.Contains(err.Error(), "p.hl:5:4:") {
			t.Errorf("deny %q: %v, want line 5 column 4", pat, err)
		}
	}
}

// Budget values given as text are read by fmt.Sscan, which stops at the
// first character that is not a digit: "1e9" is a budget of 1 step,
// "1,000,000" of 1, "5s" for time-ms is 5 ms, "100abc" is 100. Typed
// values with junk are refused ("steps:abc" is); text that is not a whole
// number must be too.
func TestBudgetTextMustBeAWholeNumber(t *testing.T) {
	for _, v := range []string{`steps:"1e9"`, `steps:"1,000,000"`, `time-ms:"5s"`, `nodes:"100abc"`, `depth:"7 8"`} {
		src := "name:p\r\nbudgets\r\n   " + v + "\r\n"
		if p, err := Parse("p.hl", []byte(src)); err == nil {
			t.Errorf("%s accepted as budgets %+v", v, p.Budgets)
		}
	}
}

// Values on section nodes that take none are ignored without a word:
// `allow:eval` reads as an empty allow, `files:/srv` as nothing (the
// root must be a child), `budgets:10`, an allowed slot's children.
func TestStrayValuesAndChildrenAreRefused(t *testing.T) {
	for _, src := range []string{
		"name:p\r\nallow:eval\r\n",
		"name:p\r\nbudgets:long:10\r\n",
		"name:p\r\nconstraints\r\n   files:/srv\r\n      root:/y\r\n",
		"name:p\r\nallow\r\n   io.file.load\r\n      root:/srv\r\n",
		"name:p\r\ndescription:int:5\r\n",
	} {
		if _, err := Parse("p.hl", []byte(src)); err == nil {
			t.Errorf("%q accepted", src)
		}
	}
}
