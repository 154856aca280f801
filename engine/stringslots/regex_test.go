package stringslots

import (
	"context"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/internal/benchcmp"
	"hlstudio/whitelist"
)

func never() bool { return false }

// findAll finds what RE2's FindAll finds: the same matches, the same empty
// matches (none right after a match), the same limits, over multi-byte and
// invalid UTF-8 text, with patterns that look back (^, \A, \b, \B) too.
func TestFindAllSameAsRE2(t *testing.T) {
	patterns := []string{`x|(?:.*Q)?`, `a*`, `a*?`, `(a)|b`, `é+`, `(?:)`, `.`, `x*y?`, `(\d+)-(\d+)?`,
		`[^a]*`, `(?s).*`, `(?m)$`, `$`, `\z`, `a|ab|abc`, `(?i)A+`, `\x{FFFD}`, `^a`, `\bx`, `(?m)^.`, `\Bb`}
	texts := []string{"", "a", "aaa", "xaxaQ", "abab", "ééaé", "a\xffb\xfe", "1-2 3- 45-6", "line\nline\n", "x y\nbx", "aAbB"}
	for _, p := range patterns {
		nr, err := compileNet(p, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			for _, n := range []int{-1, 0, 1, 2} {
				if got, want := nr.findAll(s, n, never), nr.re.FindAllStringSubmatchIndex(s, n); !reflect.DeepEqual(got, want) {
					t.Errorf("%q over %q, n=%d: %v, RE2 %v", p, s, n, got, want)
				}
			}
		}
	}
	// And random patterns over random text from a small alphabet.
	rnd := rand.New(rand.NewSource(1))
	pieces := []string{"a", "b", "é", ".", "a*", "b+", "(a|b)", "(?:ab)?", "[ab]", "\\d", "x?", "|", "(a*)", "Q", "$", "\\z", "^", "\\b", "\\B", "(?m:^)", "\\A"}
	alphabet := []string{"a", "b", "é", "1", "\n", "\xff", "Q", " "}
	for i := 0; i < 20000; i++ {
		var pb, sb strings.Builder
		for k := rnd.Intn(5) + 1; k > 0; k-- {
			pb.WriteString(pieces[rnd.Intn(len(pieces))])
		}
		for k := rnd.Intn(12); k > 0; k-- {
			sb.WriteString(alphabet[rnd.Intn(len(alphabet))])
		}
		nr, err := compileNet(pb.String(), false)
		if err != nil {
			continue
		}
		s := sb.String()
		if got, want := nr.findAll(s, -1, never), nr.re.FindAllStringSubmatchIndex(s, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q over %q: %v, RE2 %v", pb.String(), s, got, want)
		}
	}
}

// findAll stops between searches once told to.
func TestFindAllStops(t *testing.T) {
	nr, err := compileNet(`x`, false)
	if err != nil {
		t.Fatal(err)
	}
	asked := 0
	stopAfter3 := func() bool { asked++; return asked > 3 }
	if got := nr.findAll(strings.Repeat("x", 1000), -1, stopAfter3); len(got) != 3 {
		t.Fatalf("%d matches after being told to stop at the fourth search", len(got))
	}
}

// A search the run gave up on at its deadline stops too: RE2's own loop
// over 256 KiB of "xa" with a pattern kept alive to the end of the text
// (16 KiB: 1.5 s) would go on for minutes in the background.
func TestRegexGivenUpStops(t *testing.T) {
	done := make(chan struct{}, 16)
	onFindAllDone = func() { done <- struct{}{} }
	defer func() { onFindAllDone = nil }()
	e := engine.New()
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	p, err := whitelist.Parse("p.hl", []byte("name:p\r\nallow\r\n   effects:pure\r\nbudgets\r\n   time-ms:int:200\r\n   steps:long:100000000\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	root, err := hyperlambda.ParseString(".s:"+strings.Repeat("xa", 128<<10)+"\nstrings.matches:x:@.s\n   .:\"x|(?:.*Q)?\"\n", hyperlambda.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Execute(context.Background(), root, p)
	var be *engine.BudgetError
	if !errors.As(err, &be) || be.Budget != "time" {
		t.Fatalf("err %v, want the time budget", err)
	}
	select {
	case <-done:
	case <-time.After(time.Minute): // a bound on a hang, not a timing
		t.Fatal("the search went on after its run ended")
	}
}

// findAll against RE2's FindAll in the same run, on patterns that are not
// quadratic: a match per word, and a literal.
func BenchmarkFindAll(b *testing.B) {
	text := strings.Repeat("order 1234 shipped to 55 Main Street, total 99.50; ", 1300) // ~64 KiB
	for _, p := range []string{`\d+`, `(\w+)@(\w+)`, `Main`, `\b\d+\b`} {
		nr, err := compileNet(p, false)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(p, func(b *testing.B) {
			benchcmp.Compare(b, func() { nr.findAll(text, -1, never) }, func() { nr.re.FindAllStringSubmatchIndex(text, -1) },
				"loop-ns/op", "re2-ns/op", "x-re2")
		})
	}
}

// Any pattern over any text: findAll finds what RE2's FindAll finds.
func FuzzFindAllSameAsRE2(f *testing.F) {
	for _, p := range []string{`x|(?:.*Q)?`, `a*`, `^a`, `\bx`, `(?m)^.`, `\Bb`, `(a)|b`, `$`, `\A|b`} {
		f.Add(p, "xaxaQ ab\nba\xffé", false)
	}
	f.Fuzz(func(t *testing.T, pattern, text string, multiline bool) {
		if len(pattern) > 200 || len(text) > 2000 {
			return // RE2 is linear, but the loop of searches is not: keep inputs quick
		}
		nr, err := compileNet(pattern, multiline)
		if err != nil {
			return
		}
		if got, want := nr.findAll(text, -1, never), nr.re.FindAllStringSubmatchIndex(text, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q over %q: %v, RE2 %v", nr.src, text, got, want)
		}
	})
}
