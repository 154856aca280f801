package hyperlambda

import (
	"bufio"
	"errors"
	"math"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
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

// unescapeCase turns \s (a space at either end), \t, \n, \r, \v, \0 into
// characters, so cases can show white space.
func unescapeCase(s string) string {
	return strings.NewReplacer(`\s`, " ", `\t`, "\t", `\n`, "\n", `\r`, "\r", `\v`, "\v", `\0`, "\x00").Replace(s)
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
	// Small values and bools box without allocating; larger ones need the
	// one allocation of boxing and nothing else.
	for _, c := range []struct {
		text, typ string
		max       float64
	}{
		{"12", "int", 0}, {"true", "bool", 0}, {"yes", "bool", 0}, {"7", "byte", 0},
		{" -123456 ", "int", 1}, {"9223372036854775807", "long", 1}, {"18446744073709551615", "ulong", 1},
		{"-32768", "short", 1}, {"4000000000", "uint", 1}, {"100000", "time", 1},
	} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := ConvertText(c.text, c.typ); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > c.max {
			t.Errorf("%s %q: %v allocations, want <= %v", c.typ, c.text, allocs, c.max)
		}
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

// TestConformanceTypedValues checks every single-line typed case of the
// reference dump: the converted value's runtime string is what .NET's
// ToString printed, and its canonical text is what the reference wrote.
func TestConformanceTypedValues(t *testing.T) {
	data, err := os.ReadFile("testdata/conformance/parser-results-latest.txt")
	if err != nil {
		t.Fatal(err)
	}
	dotnet := map[string]string{"Int32": "int", "UInt32": "uint", "Int16": "short", "UInt16": "ushort",
		"Int64": "long", "UInt64": "ulong", "Decimal": "decimal", "Double": "double", "Single": "float",
		"Boolean": "bool", "Char": "char", "Byte": "byte", "SByte": "sbyte", "TimeSpan": "time", "Guid": "guid"}
	line := regexp.MustCompile(`^([^:"]*):\s*([a-z]+)\s*:\s*("?)([^"]*)("?)$`)
	value := regexp.MustCompile(`^  "[^"]*" = (\w+):(.*)$`)
	out := regexp.MustCompile(`^  OUT (".*")$`)
	n := 0
	for _, block := range strings.Split(string(data), "---- IN ")[1:] {
		lines := strings.Split(block, "\n")
		in, err := strconv.Unquote(lines[0])
		if err != nil || strings.ContainsAny(in, "\r\n") {
			continue
		}
		m := line.FindStringSubmatch(in)
		if m == nil || m[3] != m[5] || len(lines) < 3 {
			continue
		}
		vm, om := value.FindStringSubmatch(lines[1]), out.FindStringSubmatch(lines[2])
		if vm == nil || om == nil {
			continue
		}
		typ, lit := m[2], m[4]
		want, ok := dotnet[vm[1]]
		if !ok && vm[1] != "date" && vm[1] != "bytes" {
			continue
		}
		n++
		v, err := ConvertText(lit, typ)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		gotType, canon, err := ValueText(v)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if ok {
			refText, _ := strconv.Unquote(vm[2])
			if gotType != want || StringOf(v) != refText {
				t.Errorf("%q: %s %q, reference %s %q", in, gotType, StringOf(v), want, refText)
			}
		}
		refOut, _ := strconv.Unquote(om[1])
		refOut = strings.TrimSuffix(refOut, "\r\n")
		refLit := refOut[strings.LastIndex(refOut, gotType+":")+len(gotType)+1:]
		if strings.Trim(refLit, `"`) != canon {
			t.Errorf("%q: canonical %q, reference wrote %q", in, canon, refOut)
		}
	}
	if n < 20 {
		t.Fatalf("only %d typed cases found", n)
	}
	t.Logf("%d typed cases", n)
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case Date:
		y, ok := b.(Date)
		return ok && x.Kind == y.Kind && x.Time.Equal(y.Time)
	case decimal.Decimal:
		y, ok := b.(decimal.Decimal)
		return ok && x.Equal(y) && x.Exponent() == y.Exponent()
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y) || ok && math.IsNaN(x) && math.IsNaN(y)
	case float32:
		y, ok := b.(float32)
		return ok && math.Float32bits(x) == math.Float32bits(y) || ok && x != x && y != y
	}
	return reflect.DeepEqual(a, b)
}

// TestRoundTripValues: Go values written as canonical text convert back to
// an equal value (same scale, same kind, same bits) and the same text.
func TestRoundTripValues(t *testing.T) {
	values := []any{
		"", " a:b ", "line1\r\nline2", int32(math.MinInt32), uint32(math.MaxUint32), int16(-7), uint16(7),
		int64(math.MinInt64), uint64(math.MaxUint64), uint8(0), int8(-128), TimeSpan(math.MinInt64),
		decimal.New(550, -2), decimal.New(0, -3), decimal.RequireFromString("-79228162514264337593543950335"),
		decimal.RequireFromString("0.0000000000000000000000000001"),
		1.0 / 3, 1e21, 5e-324, math.MaxFloat64, -1e-5, math.Copysign(0, -1), math.Inf(-1), math.NaN(),
		float32(1) / 3, float32(math.MaxFloat32), float32(math.SmallestNonzeroFloat32), float32(math.Inf(1)),
		true, false, Char('x'), Char(' '), Char(0xFFFD), Char(0xE000), []byte{}, []byte{0, 1, 254, 255},
		GUID{0xa4, 0xa6, 0xe6, 0xd3, 0x2b, 0x1e, 0x4c, 0x2d, 0x9d, 0x43, 0x7f, 0x3c, 0x4e, 0x3f, 0x2a, 0x11},
		Date{time.Date(2020, 12, 23, 23, 59, 11, 123e6, time.UTC), DateUTC},
		Date{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), DateUnspecified},
		Date{time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC), DateLocal},
	}
	for _, v := range values {
		typ, text, err := ValueText(v)
		if err != nil {
			t.Errorf("%T %v: %v", v, v, err)
			continue
		}
		if typ != TypeOf(v) {
			t.Errorf("%T: ValueText type %q, TypeOf %q", v, typ, TypeOf(v))
		}
		back, err := ConvertText(text, typ)
		if err != nil {
			t.Errorf("%T %v: %q does not convert back: %v", v, v, text, err)
			continue
		}
		if !sameValue(v, back) {
			t.Errorf("%s %q: got back %#v, want %#v", typ, text, back, v)
		}
		if _, again, _ := ValueText(back); again != text {
			t.Errorf("%s %q written again as %q", typ, text, again)
		}
	}
}

// TestValueTextNormalizes: values that .NET could not hold are written as
// the .NET value they would become, or refused.
func TestValueTextNormalizes(t *testing.T) {
	for v, want := range map[*decimal.Decimal]string{
		ptr(decimal.New(12, 3)):   "12000",
		ptr(decimal.New(15, -30)): "0.0000000000000000000000000000",
		ptr(decimal.New(25, -29)): "0.0000000000000000000000000002",
	} {
		if _, got, err := ValueText(*v); got != want || err != nil {
			t.Errorf("%s: %q %v, want %q", v, got, err, want)
		}
	}
	bad := []any{Char(0xD800), Char(0x1F600), Char(-1), decimal.New(1, 29),
		Date{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), DateUTC}, Date{time.Now(), 3},
		(*Node)(nil), (*Expression)(nil), int(5), []string{}}
	for _, v := range bad {
		if typ, text, err := ValueText(v); err == nil {
			t.Errorf("%T %v written as %s %q", v, v, typ, text)
		}
	}
	if TypeOf(5) != "?" || TypeOf(nil) != "" {
		t.Errorf("TypeOf: %q %q", TypeOf(5), TypeOf(nil))
	}
}

func ptr[T any](v T) *T { return &v }

func TestDateZone(t *testing.T) {
	defer func(z *time.Location) { DateZone = z }(DateZone)
	DateZone = time.FixedZone("CET", 3600)
	v, err := ConvertText("2021-01-01T10:00:00+02:00", "date")
	if err != nil {
		t.Fatal(err)
	}
	if _, s, _ := ValueText(v); s != "2021-01-01T09:00:00.000+01:00" {
		t.Errorf("local date %q", s)
	}
	if s := StringOf(v); s != "01/01/2021 09:00:00" {
		t.Errorf("StringOf %q", s)
	}
	DateZone = time.FixedZone("NST", -(3*3600 + 30*60))
	if _, s, _ := ValueText(v); s != "2021-01-01T04:30:00.000-03:30" {
		t.Errorf("after changing the zone: %q", s)
	}
	// UTC and unspecified dates do not depend on the zone.
	for text, want := range map[string]string{"2021-01-01T10:00:00Z": "2021-01-01T10:00:00.000Z", "2021-01-01T10:00": "2021-01-01T10:00:00.000"} {
		v, _ := ConvertText(text, "date")
		if _, s, _ := ValueText(v); s != want {
			t.Errorf("%q: %q want %q", text, s, want)
		}
	}
}

func TestStringOfOthers(t *testing.T) {
	x, err := ParseExpression("@.foo/*")
	if err != nil {
		t.Fatal(err)
	}
	root, err := Parse([]byte("a:1\r\n   b:int:2\r\n"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		v    any
		want string
	}{
		{nil, ""}, {"s", "s"}, {int32(-5), "-5"}, {uint64(math.MaxUint64), "18446744073709551615"},
		{1e20, "1E+20"}, {float32(0.1), "0.1"}, {decimal.New(100, -2), "1.00"}, {Char('é'), "é"},
		{[]byte("héllo"), "héllo"}, {[]byte{0xF0, 0x9F, 0x98}, "\uFFFD"}, {[]byte{0xC0, 0x80}, "\uFFFD\uFFFD"},
		{TimeSpan(-937845000000), "-1.02:03:04.5000000"}, {x, "@.foo/*"}, {root, "a:1\r\n   b:int:2\r\n"},
		{Date{time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC), DateUnspecified}, "01/02/2020 03:04:05"},
		{42, "42"},
	}
	for _, c := range cases {
		if got := StringOf(c.v); got != c.want {
			t.Errorf("StringOf(%T %v) = %q, want %q", c.v, c.v, got, c.want)
		}
	}
}

func TestConvertErrorUnwraps(t *testing.T) {
	_, err := ConvertText("a:b\r\n c", "node")
	var ce *ConvertError
	var se *SyntaxError
	if !errors.As(err, &ce) || !errors.As(err, &se) {
		t.Fatalf("%T %v", err, err)
	}
	// "x" returns the expression parser's error as is.
	_, err = ConvertText(`@.foo/"a`, "x")
	var xe *ExprError
	if !errors.As(err, &xe) || errors.As(err, &ce) {
		t.Fatalf("x: %T %v", err, err)
	}
	long := strings.Repeat("é", 100)
	_, err = ConvertText(long, "int")
	if msg := err.Error(); len(msg) > 120 || !utf8.ValidString(msg) || !strings.HasSuffix(msg, ": not a number") {
		t.Errorf("message %q", msg)
	}
}

func BenchmarkConvertText(b *testing.B) {
	for _, c := range [][2]string{{"int", "12345"}, {"bool", "true"}, {"decimal", "1234.50"}, {"double", "0.1"}, {"date", "2021-01-01T10:00:00+02:00"}} {
		b.Run(c[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ConvertText(c[1], c[0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Node values that refer back into themselves, directly or through
// another node value, are written out once and then cut, never forever.
func TestFormatNodeValueCycles(t *testing.T) {
	a, b := New("a", nil), New("b", nil)
	a.Add(New("to-b", b))
	b.Add(New("to-a", a))
	self := New("root", nil)
	self.Add(New("me", self))
	for _, c := range []struct {
		nodes []*Node
		want  string
	}{
		{[]*Node{self}, "root\r\n   me:node:@\"me:node:\"\"\"\"\r\n\"\r\n"},
		{[]*Node{a}, "a\r\n   to-b:node:@\"to-a:node:@\"\"to-b:node:\"\"\"\"\"\"\"\"\r\n\"\"\r\n\"\r\n"},
	} {
		if got := Format(c.nodes, FormatOptions{}); got != c.want {
			t.Errorf("got %q\nwant %q", got, c.want)
		}
	}
	if _, text, err := ValueText(self); err != nil || text != "me:node:\"\"\r\n" {
		t.Errorf("ValueText of a node holding itself: %q, %v", text, err)
	}
}
