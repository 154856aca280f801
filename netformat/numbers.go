// Package netformat writes Hyperlambda values as .NET's ToString(format)
// does in the invariant culture: numbers (standard C, D, E, F, G, N, P,
// R, X and custom formats), dates and times (standard and custom
// formats), and guids. The core's [format] and the dates family's
// date.format and time.format share it, so a value reads the same
// wherever it is formatted. Unlike .NET, a format that does not apply to
// a value is an error rather than silently ignored.
package netformat

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"hlstudio/hyperlambda"
)

// Value formats v with the .NET format string spec; "" (or a null v)
// is the value's plain text.
func Value(v any, spec string) (string, error) {
	if spec == "" || v == nil { // .NET writes null as "" whatever the format
		return hyperlambda.StringOf(v), nil
	}
	switch x := v.(type) {
	case hyperlambda.Date:
		if err := checkDateLetters(spec); err != nil {
			return "", err
		}
		return Date(x, spec)
	case hyperlambda.TimeSpan:
		return TimeSpan(x, spec)
	case hyperlambda.GUID:
		return formatGUID(x, spec)
	}
	if num, ok := netNumberOf(v); ok {
		return num.format(spec)
	}
	return "", fmt.Errorf("format %q does not apply to a %s value", spec, hyperlambda.TypeOf(v))
}

// checkDateLetters refuses letters that are not .NET date format letters
// in a custom date format (outside quotes and escapes): .NET copies them,
// which hides a mistyped or misplaced format such as {0:D4} on a date.
func checkDateLetters(spec string) error {
	if len(spec) == 1 {
		return nil // a standard format; the date family refuses unknown ones
	}
	for i := 0; i < len(spec); i++ {
		switch c := spec[i]; {
		case c == '\'' || c == '"':
			end := strings.IndexByte(spec[i+1:], c)
			if end < 0 {
				return fmt.Errorf("format %q: unterminated quote", spec)
			}
			i += end + 1
		case c == '\\':
			i++
		case (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') && !strings.ContainsRune("dfFghHKmMstyz", rune(c)):
			return fmt.Errorf("format %q: %q is not a date format letter (quote literal text)", spec, string(c))
		}
	}
	return nil
}

// formatGUID is .NET's Guid.ToString(format): D, N, B, P.
func formatGUID(g hyperlambda.GUID, spec string) (string, error) {
	d := g.String()
	switch spec {
	case "D", "d":
		return d, nil
	case "N", "n":
		return strings.ReplaceAll(d, "-", ""), nil
	case "B", "b":
		return "{" + d + "}", nil
	case "P", "p":
		return "(" + d + ")", nil
	}
	return "", fmt.Errorf("unknown guid format %q (D, N, B or P)", spec)
}

// netNumber is a number read for .NET formatting: its exact value as a
// decimal, and what .NET knows of its type.
type netNumber struct {
	v        decimal.Decimal
	integral bool // an integer type: D and X apply
	bits     int  // its width, for X of a negative value
	float    bool // double or float: -0 keeps its sign, G and R round-trip
	orig     any
}

func netNumberOf(v any) (netNumber, bool) {
	switch x := v.(type) {
	case int8:
		return netNumber{v: decimal.NewFromInt(int64(x)), integral: true, bits: 8, orig: v}, true
	case int16:
		return netNumber{v: decimal.NewFromInt(int64(x)), integral: true, bits: 16, orig: v}, true
	case int32:
		return netNumber{v: decimal.NewFromInt(int64(x)), integral: true, bits: 32, orig: v}, true
	case int64:
		return netNumber{v: decimal.NewFromInt(x), integral: true, bits: 64, orig: v}, true
	case uint8:
		return netNumber{v: decimal.NewFromInt(int64(x)), integral: true, bits: 8, orig: v}, true
	case uint16:
		return netNumber{v: decimal.NewFromInt(int64(x)), integral: true, bits: 16, orig: v}, true
	case uint32:
		return netNumber{v: decimal.NewFromInt(int64(x)), integral: true, bits: 32, orig: v}, true
	case uint64:
		return netNumber{v: decimal.NewFromBigInt(new(big.Int).SetUint64(x), 0), integral: true, bits: 64, orig: v}, true
	case float32:
		return netNumber{v: exactDecimal(float64(x)), float: true, orig: v}, true
	case float64:
		return netNumber{v: exactDecimal(x), float: true, orig: v}, true
	case decimal.Decimal:
		return netNumber{v: x, orig: v}, true
	}
	return netNumber{}, false
}

// exactDecimal is f's exact value (every finite double is a finite
// decimal), so rounding is .NET's: half away from zero on the exact digits.
func exactDecimal(f float64) decimal.Decimal {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return decimal.Zero
	}
	frac, exp := math.Frexp(math.Abs(f)) // |f| = frac * 2^exp, frac in [0.5, 1)
	mant := new(big.Int).SetUint64(uint64(math.Ldexp(frac, 53)))
	exp -= 53
	if f < 0 {
		mant.Neg(mant)
	}
	if exp >= 0 {
		return decimal.NewFromBigInt(mant.Lsh(mant, uint(exp)), 0)
	}
	five := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(-exp)), nil)
	return decimal.NewFromBigInt(mant.Mul(mant, five), int32(exp))
}

// maxPrecision bounds a standard format's precision digits (.NET allows
// up to 999,999,999, which would only fill memory).
const maxPrecision = 1000

// format applies a .NET numeric format string: a standard one (a letter
// and optional precision digits) or a custom one (0 # . , % ‰ E0 ; and
// quoted literals).
func (x netNumber) format(spec string) (string, error) {
	if f, ok := x.orig.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return specialFloat(f), nil
	}
	if f, ok := x.orig.(float32); ok && (math.IsNaN(float64(f)) || math.IsInf(float64(f), 0)) {
		return specialFloat(float64(f)), nil
	}
	letter, digits, standard := standardSpec(spec)
	if !standard {
		return x.custom(spec)
	}
	prec := -1
	if digits != "" {
		p, err := strconv.Atoi(digits)
		if err != nil || p > maxPrecision {
			return "", fmt.Errorf("format %q: precision above %d", spec, maxPrecision)
		}
		prec = p
	}
	orDefault := func(d int) int {
		if prec < 0 {
			return d
		}
		return prec
	}
	switch letter {
	case 'D', 'd':
		if !x.integral {
			return "", fmt.Errorf("format %q (D) applies to integers, not %s", spec, hyperlambda.TypeOf(x.orig))
		}
		s := x.v.Abs().String()
		if len(s) < prec {
			s = strings.Repeat("0", prec-len(s)) + s
		}
		if x.v.Sign() < 0 {
			s = "-" + s
		}
		return s, nil
	case 'X', 'x':
		if !x.integral {
			return "", fmt.Errorf("format %q (X) applies to integers, not %s", spec, hyperlambda.TypeOf(x.orig))
		}
		u := x.v.BigInt()
		if u.Sign() < 0 { // two's complement in the type's width
			u.Add(u, new(big.Int).Lsh(big.NewInt(1), uint(x.bits)))
		}
		s := u.Text(16)
		if letter == 'X' {
			s = strings.ToUpper(s)
		}
		if len(s) < prec {
			s = strings.Repeat("0", prec-len(s)) + s
		}
		return s, nil
	case 'F', 'f':
		return x.fixed(orDefault(2), false), nil
	case 'N', 'n':
		return x.fixed(orDefault(2), true), nil
	case 'P', 'p':
		y := x
		y.v = x.v.Shift(2)
		s := y.fixed(orDefault(2), true)
		return s + " %", nil
	case 'C', 'c':
		s := x.fixed(orDefault(2), true)
		if neg := strings.HasPrefix(s, "-"); neg {
			return "(¤" + s[1:] + ")", nil
		}
		return "¤" + s, nil
	case 'E', 'e':
		return x.scientific(orDefault(6)+1, string(letter), 3, true), nil
	case 'G', 'g':
		if prec <= 0 {
			return hyperlambda.StringOf(x.orig), nil
		}
		return x.general(prec, letter), nil
	case 'R', 'r':
		if !x.float {
			return "", fmt.Errorf("format %q (R) applies to double and float, not %s", spec, hyperlambda.TypeOf(x.orig))
		}
		return hyperlambda.StringOf(x.orig), nil
	}
	return "", fmt.Errorf("unknown numeric format %q (standard formats are C, D, E, F, G, N, P, R and X)", spec)
}

func specialFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f > 0:
		return "Infinity"
	}
	return "-Infinity"
}

// standardSpec splits a standard format: one letter and at most nine
// digits. Anything else is a custom format.
func standardSpec(spec string) (letter byte, digits string, ok bool) {
	if spec == "" || len(spec) > 10 {
		return 0, "", false
	}
	c := spec[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return 0, "", false
	}
	for i := 1; i < len(spec); i++ {
		if spec[i] < '0' || spec[i] > '9' {
			return 0, "", false
		}
	}
	return c, spec[1:], true
}

// rounded is the value rounded half away from zero to places decimals,
// and whether a minus sign is written: .NET drops it when an integer or
// decimal rounds to zero and keeps it for a negative double.
func (x netNumber) rounded(places int) (neg bool, d decimal.Decimal) {
	d = x.v.Round(int32(places))
	if x.float {
		if f, ok := x.orig.(float64); ok {
			return math.Signbit(f), d
		}
		return math.Signbit(float64(x.orig.(float32))), d
	}
	return d.Sign() < 0, d
}

// fixed is F (and N with groups): places decimals.
func (x netNumber) fixed(places int, groups bool) string {
	neg, d := x.rounded(places)
	s := d.Abs().StringFixed(int32(places))
	if groups {
		intPart, frac, _ := strings.Cut(s, ".")
		s = groupDigits(intPart)
		if frac != "" {
			s += "." + frac
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

func groupDigits(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// significant returns |value| rounded to n significant digits as a digit
// string (no leading zeros; "0" for zero) and the power of ten of its
// first digit.
func significant(v decimal.Decimal, n int) (string, int) {
	v = v.Abs()
	if v.IsZero() {
		return strings.Repeat("0", n), 0
	}
	exp10 := int(v.Exponent()) + len(v.Coefficient().String()) - 1
	r := v.Round(int32(n - 1 - exp10))
	// Rounding may carry into a new first digit (9.99 to 10.0).
	digits := r.Coefficient().String()
	exp := int(r.Exponent()) + len(digits) - 1
	digits = strings.TrimRight(digits, "0")
	if len(digits) > n {
		digits = digits[:n]
	}
	return digits + strings.Repeat("0", n-len(digits)), exp
}

// scientific is E: n significant digits, the exponent with at least
// minExp digits, always signed when signed is set.
func (x netNumber) scientific(n int, e string, minExp int, signed bool) string {
	digits, exp := significant(x.v, n)
	var b strings.Builder
	if x.v.Sign() < 0 || (x.float && math.Signbit(x.floatValue())) {
		b.WriteByte('-')
	}
	b.WriteString(digits[:1])
	if len(digits) > 1 {
		b.WriteString("." + digits[1:])
	}
	b.WriteString(e)
	switch {
	case exp < 0:
		b.WriteByte('-')
		exp = -exp
	case signed:
		b.WriteByte('+')
	}
	s := strconv.Itoa(exp)
	if len(s) < minExp {
		s = strings.Repeat("0", minExp-len(s)) + s
	}
	b.WriteString(s)
	return b.String()
}

func (x netNumber) floatValue() float64 {
	switch f := x.orig.(type) {
	case float64:
		return f
	case float32:
		return float64(f)
	}
	return 0
}

// general is G with a precision: that many significant digits, fixed
// notation unless the exponent is below -5 or not below the precision.
func (x netNumber) general(prec int, letter byte) string {
	digits, exp := significant(x.v, prec)
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		digits = "0"
	}
	if exp < -5 || exp >= prec {
		e := "E"
		if letter == 'g' {
			e = "e"
		}
		return x.sign() + scientificText(digits, exp, e)
	}
	var s string
	switch {
	case exp < 0:
		s = "0." + strings.Repeat("0", -exp-1) + digits
	case exp+1 >= len(digits):
		s = digits + strings.Repeat("0", exp+1-len(digits))
	default:
		s = digits[:exp+1] + "." + digits[exp+1:]
	}
	return x.sign() + s
}

func (x netNumber) sign() string {
	if x.v.Sign() < 0 {
		return "-"
	}
	return ""
}

// scientificText writes d.ddd followed by e, the exponent's sign and at
// least two digits (G's form).
func scientificText(digits string, exp int, e string) string {
	s := digits[:1]
	if len(digits) > 1 {
		s += "." + digits[1:]
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	return s + e + sign + fmt.Sprintf("%02d", exp)
}

// customFormat is one section of a .NET custom numeric format.
type customFormat struct {
	tokens    []customToken
	intPH     int  // digit placeholders before the decimal point
	fracPH    int  // after it
	firstZero int  // index of the first 0 among intPH (intPH when none)
	lastZero  int  // 1 + index of the last 0 among fracPH (0 when none)
	groups    bool // a comma between integer placeholders
	scale     int  // power of ten applied: % +2, ‰ +3, a comma before the point -3
	point     bool
	sci       bool
	expE      string
	expPlus   bool
	expDigits int
}

type customToken struct {
	kind byte // 'i' integer placeholder, 'f' fraction placeholder, '.', 'E', 'l' literal
	n    int  // placeholder index
	text string
}

// splitSections splits a custom format at ; outside quotes and escapes.
func splitSections(spec string) ([]string, error) {
	var out []string
	start := 0
	for i := 0; i < len(spec); i++ {
		switch c := spec[i]; c {
		case '\'', '"':
			end := strings.IndexByte(spec[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("format %q: unterminated quote", spec)
			}
			i += end + 1
		case '\\':
			i++
		case ';':
			out = append(out, spec[start:i])
			start = i + 1
		}
	}
	return append(out, spec[start:]), nil
}

func parseCustom(spec, section string) (*customFormat, error) {
	f := &customFormat{firstZero: -1}
	pendingCommas := 0
	lit := func(s string) {
		if k := len(f.tokens); k > 0 && f.tokens[k-1].kind == 'l' {
			f.tokens[k-1].text += s
			return
		}
		f.tokens = append(f.tokens, customToken{kind: 'l', text: s})
	}
	endInt := func() {
		f.scale -= 3 * pendingCommas
		pendingCommas = 0
	}
	for i := 0; i < len(section); {
		c, size := utf8.DecodeRuneInString(section[i:])
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(section[i+1:], byte(c))
			lit(section[i+1 : i+1+end])
			i += end + 2
			continue
		case c == '\\':
			if i+1 < len(section) {
				r, sz := utf8.DecodeRuneInString(section[i+1:])
				lit(string(r))
				i += sz
			}
		case (c == '0' || c == '#') && !f.sci:
			if f.point {
				if c == '0' {
					f.lastZero = f.fracPH + 1
				}
				f.tokens = append(f.tokens, customToken{kind: 'f', n: f.fracPH})
				f.fracPH++
				break
			}
			if pendingCommas > 0 && f.intPH > 0 {
				f.groups = true
			}
			pendingCommas = 0
			if c == '0' && f.firstZero < 0 {
				f.firstZero = f.intPH
			}
			f.tokens = append(f.tokens, customToken{kind: 'i', n: f.intPH})
			f.intPH++
		case c == '.' && !f.sci:
			if !f.point {
				endInt()
				f.point = true
				f.tokens = append(f.tokens, customToken{kind: '.'})
			}
		case c == ',' && !f.sci:
			if !f.point {
				pendingCommas++
			}
		case c == '%':
			f.scale += 2
			lit("%")
		case c == '‰':
			f.scale += 3
			lit("‰")
		case (c == 'E' || c == 'e') && !f.sci:
			j := i + 1
			plus := false
			if j < len(section) && (section[j] == '+' || section[j] == '-') {
				plus = section[j] == '+'
				j++
			}
			zeros := 0
			for j < len(section) && section[j] == '0' {
				zeros++
				j++
			}
			if zeros == 0 {
				return nil, fmt.Errorf("custom numeric format %q: %q must be followed by 0 (an exponent) or be quoted", spec, string(c))
			}
			if !f.point {
				endInt()
			}
			f.sci, f.expE, f.expPlus, f.expDigits = true, string(c), plus, zeros
			f.tokens = append(f.tokens, customToken{kind: 'E'})
			i = j
			continue
		case c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
			return nil, fmt.Errorf("format %q: %q is not a numeric format character (quote literal text)", spec, string(c))
		default:
			lit(string(c))
		}
		i += size
	}
	if !f.point && !f.sci {
		endInt()
	}
	if f.firstZero < 0 {
		f.firstZero = f.intPH
	}
	return f, nil
}

// custom applies a .NET custom numeric format: up to three sections
// (positive and zero; negative; zero), digit placeholders 0 and #, the
// first '.', ',' for groups (or, before the point, thousands scaling),
// % and ‰, E0/E+0/E-0 exponents, and quoted or escaped literals. Letters
// outside quotes are an error (.NET copies them, hiding a wrong format).
func (x netNumber) custom(spec string) (string, error) {
	sections, err := splitSections(spec)
	if err != nil {
		return "", err
	}
	formats := make([]*customFormat, 0, 3)
	for _, s := range sections[:min(len(sections), 3)] {
		f, err := parseCustom(spec, s)
		if err != nil {
			return "", err
		}
		formats = append(formats, f)
	}
	idx := 0
	if x.v.Sign() < 0 && len(sections) > 1 && sections[1] != "" {
		idx = 1
	}
	intDigits, fracDigits, exp, zero := formats[idx].digits(x.v)
	if zero && len(formats) > 2 {
		idx = 2
		intDigits, fracDigits, exp, _ = formats[idx].digits(decimal.Zero)
	} else if zero && idx == 1 {
		idx = 0
		intDigits, fracDigits, exp, _ = formats[idx].digits(decimal.Zero)
	}
	var b strings.Builder
	if idx == 0 && x.v.Sign() < 0 && !zero {
		b.WriteByte('-')
	}
	formats[idx].write(&b, intDigits, fracDigits, exp)
	return b.String(), nil
}

// digits rounds |v| for the section: the integer digits ("" for none),
// exactly fracPH fraction digits, the exponent, and whether it is zero.
func (f *customFormat) digits(v decimal.Decimal) (intDigits, fracDigits string, exp int, zero bool) {
	v = v.Abs().Shift(int32(f.scale))
	if f.sci && !v.IsZero() {
		lead := int(v.Exponent()) + len(v.Coefficient().String()) - 1
		exp = lead - max(f.intPH, 1) + 1
		if f.intPH == 0 {
			exp = lead + 1
		}
		m := v.Shift(int32(-exp)).Round(int32(f.fracPH))
		if limit := decimal.New(1, int32(max(f.intPH, 0))); m.Cmp(limit) >= 0 { // a carry: 9.99 to 10.0
			exp++
			m = v.Shift(int32(-exp)).Round(int32(f.fracPH))
		}
		v = m
	} else {
		v = v.Round(int32(f.fracPH))
	}
	s := v.StringFixed(int32(f.fracPH))
	intDigits, fracDigits, _ = strings.Cut(s, ".")
	zero = v.IsZero()
	if intDigits == "0" {
		intDigits = ""
	}
	if minInt := f.intPH - f.firstZero; len(intDigits) < minInt {
		intDigits = strings.Repeat("0", minInt-len(intDigits)) + intDigits
	}
	return intDigits, fracDigits, exp, zero
}

func (f *customFormat) write(b *strings.Builder, intDigits, fracDigits string, exp int) {
	keep := len(strings.TrimRight(fracDigits, "0"))
	keep = max(keep, f.lastZero)
	emit := func(k int) { // the integer digit at k, and a group separator after it
		b.WriteByte(intDigits[k])
		if rest := len(intDigits) - 1 - k; f.groups && rest > 0 && rest%3 == 0 {
			b.WriteByte(',')
		}
	}
	for _, t := range f.tokens {
		switch t.kind {
		case 'i':
			j := len(intDigits) - (f.intPH - t.n)
			if t.n == 0 {
				for k := 0; k < j; k++ {
					emit(k)
				}
			}
			if j >= 0 {
				emit(j)
			}
		case '.':
			if f.intPH == 0 {
				for k := range len(intDigits) {
					emit(k)
				}
			}
			if keep > 0 {
				b.WriteByte('.')
			}
		case 'f':
			if t.n < keep {
				b.WriteByte(fracDigits[t.n])
			}
		case 'E':
			b.WriteString(f.expE)
			e := exp
			switch {
			case e < 0:
				b.WriteByte('-')
				e = -e
			case f.expPlus:
				b.WriteByte('+')
			}
			s := strconv.Itoa(e)
			if len(s) < f.expDigits {
				s = strings.Repeat("0", f.expDigits-len(s)) + s
			}
			b.WriteString(s)
		default:
			b.WriteString(t.text)
		}
	}
}
