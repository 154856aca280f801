package hyperlambda

import (
	"bufio"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

// testdata/types/cases.txt holds one case per line:
//
//	type | literal | canonical text            (converts, canonical form)
//	type | literal | !reason substring         (conversion error)
//
// and "string-of" lines giving the runtime string of a converted value:
//
//	type | literal | =runtime string
func TestConvertCases(t *testing.T) {
	f, err := os.Open("testdata/types/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.SplitN(text, " | ", 3)
		if len(parts) != 3 {
			t.Fatalf("line %d: want `type | literal | expectation`: %q", line, text)
		}
		typ, lit, want := parts[0], unescapeCase(parts[1]), unescapeCase(parts[2])
		n++
		v, err := ConvertText(lit, typ)
		switch {
		case strings.HasPrefix(want, "!"):
			var ce *ConvertError
			if !errors.As(err, &ce) || !strings.Contains(ce.Error(), want[1:]) {
				t.Errorf("line %d: %s %q: want error containing %q, got %v (%v)", line, typ, lit, want[1:], err, v)
			}
		case err != nil:
			t.Errorf("line %d: %s %q: %v", line, typ, lit, err)
		case strings.HasPrefix(want, "="):
			if got := StringOf(v); got != want[1:] {
				t.Errorf("line %d: StringOf(%s %q) = %q, want %q", line, typ, lit, got, want[1:])
			}
		default:
			gotType, got, err := ValueText(v)
			if err != nil || got != want {
				t.Errorf("line %d: %s %q: canonical %q (%v), want %q", line, typ, lit, got, err, want)
				continue
			}
			if typ != "single" && gotType != typ {
				t.Errorf("line %d: type %q, want %q", line, gotType, typ)
			}
			// The canonical text converts back to the same text.
			v2, err := ConvertText(got, gotType)
			if err != nil {
				t.Errorf("line %d: canonical %q does not convert back: %v", line, got, err)
				continue
			}
			if _, again, _ := ValueText(v2); again != got {
				t.Errorf("line %d: canonical %q is not a fixed point: %q", line, got, again)
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d cases", n)
	}
}

// unescapeCase turns \s (a space at either end), \t, \n, \r, \v into
// characters, so cases can show white space.
func unescapeCase(s string) string {
	return strings.NewReplacer(`\s`, " ", `\t`, "\t", `\n`, "\n", `\r`, "\r", `\v`, "\v").Replace(s)
}

func TestUnknownType(t *testing.T) {
	_, err := ConvertText("5", "integer")
	var ce *ConvertError
	if !errors.As(err, &ce) || !ce.Unknown || ce.Error() != "unknown type declaration 'integer'" {
		t.Fatalf("%v", err)
	}
	for _, name := range TypeNames {
		if !IsTypeName(name) {
			t.Errorf("%s not a type name", name)
		}
	}
}

func TestValueTextRejectsForeignTypes(t *testing.T) {
	for _, v := range []any{42, 3.5i, map[string]string{}, struct{}{}} {
		if _, _, err := ValueText(v); err == nil {
			t.Errorf("%T accepted", v)
		}
	}
	if err := CheckValues([]*Node{New("a", nil, New("b", 7))}); err == nil || !strings.Contains(err.Error(), `"b" at /0`) {
		t.Errorf("CheckValues: %v", err)
	}
}

func TestFloatSpecials(t *testing.T) {
	cases := map[float64]string{math.Inf(1): "Infinity", math.Inf(-1): "-Infinity", math.Copysign(0, -1): "-0"}
	for v, want := range cases {
		if _, got, _ := ValueText(v); got != want {
			t.Errorf("%v: %q want %q", v, got, want)
		}
	}
	if _, got, _ := ValueText(math.NaN()); got != "NaN" {
		t.Errorf("NaN: %q", got)
	}
}

func TestConvertIntsDoNotAllocateBeyondBoxing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ConvertText("12", "int"); err != nil {
			t.Fatal(err)
		}
		if _, err := ConvertText("true", "bool"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("%v allocations for small int and bool", allocs)
	}
}

// FuzzConvertText: conversion never panics, and a converted value's
// canonical text converts to the same text again.
func FuzzConvertText(f *testing.F) {
	for i, typ := range TypeNames {
		for _, s := range []string{"0", "-1", "1.5", "1e5", "true", "2021-01-01T10:00:00+02:00", "SGVsbG8=", "@.a/*", "a:b", "{x}"} {
			f.Add(s, uint8(i))
		}
		_ = typ
	}
	f.Fuzz(func(t *testing.T, text string, typeIndex uint8) {
		typ := TypeNames[int(typeIndex)%len(TypeNames)]
		v, err := ConvertText(text, typ)
		if err != nil {
			return
		}
		gotType, canon, err := ValueText(v)
		if err != nil {
			t.Fatalf("%s %q converted to %T without canonical text: %v", typ, text, v, err)
		}
		v2, err := ConvertText(canon, gotType)
		if err != nil {
			t.Fatalf("%s %q: canonical %q does not convert back: %v", typ, text, canon, err)
		}
		if _, again, _ := ValueText(v2); again != canon {
			t.Fatalf("%s %q: canonical %q then %q", typ, text, canon, again)
		}
	})
}
