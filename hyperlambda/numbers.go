package hyperlambda

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// numErr classifies a failed number conversion, so that errors can tell
// "not a number" (.NET FormatException) from "out of range" (.NET
// OverflowException).
type numErr uint8

const (
	numOK numErr = iota
	numSyntax
	numRange
)

func (e numErr) reason() string {
	if e == numRange {
		return "out of range"
	}
	return "not a number"
}

// isNetWhite is .NET's white space for number parsing (NumberStyles
// AllowLeadingWhite/AllowTrailingWhite): U+0009..U+000D and U+0020 only.
func isNetWhite(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// trimNumber removes what .NET tolerates around a number: white space on
// both sides, and NUL characters at the very end (.NET's TrailingZeros
// rule, which runs after trailing white space has been consumed).
func trimNumber(s string) string {
	i, j := 0, len(s)
	for j > 0 && s[j-1] == 0 {
		j--
	}
	for i < j && isNetWhite(s[i]) {
		i++
	}
	for j > i && isNetWhite(s[j-1]) {
		j--
	}
	return s[i:j]
}

// parseIntText parses .NET NumberStyles.Integer text: optional white space,
// one optional leading sign, decimal digits. The magnitude saturates; a
// syntax error wins over an overflow, as in .NET.
func parseIntText(s string) (neg bool, mag uint64, e numErr) {
	s = trimNumber(s)
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return neg, 0, numSyntax
	}
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if d > 9 {
			return neg, 0, numSyntax
		}
		if mag > (math.MaxUint64-d)/10 {
			e = numRange
			continue
		}
		mag = mag*10 + d
	}
	return neg, mag, e
}

// parseSigned parses an integer that must fit in a signed type of the
// given bit size.
func parseSigned(s string, bitSize uint) (int64, numErr) {
	neg, mag, e := parseIntText(s)
	if e != numOK {
		return 0, e
	}
	limit := uint64(1) << (bitSize - 1)
	if neg {
		if mag > limit {
			return 0, numRange
		}
		return -int64(mag-1) - 1, numOK // no overflow at the minimum
	}
	if mag >= limit {
		return 0, numRange
	}
	return int64(mag), numOK
}

// parseUnsigned parses an integer that must fit in an unsigned type of the
// given bit size. "-0" is accepted, as in .NET.
func parseUnsigned(s string, bitSize uint) (uint64, numErr) {
	neg, mag, e := parseIntText(s)
	if e != numOK {
		return 0, e
	}
	if neg && mag != 0 {
		return 0, numRange
	}
	if bitSize < 64 && mag >= uint64(1)<<bitSize {
		return 0, numRange
	}
	return mag, numOK
}

// numberText is the result of scanning .NET number text: the significant
// digits (leading zeros dropped, trailing zeros kept) and the position of
// the decimal point relative to them (.NET NumberBuffer.Scale: the value
// is 0.d1d2... × 10^scale).
type numberText struct {
	neg    bool
	digits []byte
	scale  int
	// fracZeros counts fraction digits while no significant digit has
	// been seen, so "0.00" keeps its scale.
	fracZeros int
}

// scanDecimal scans NumberStyles.Number text (what Convert.ToDecimal
// uses): white space, one sign either leading or trailing (trailing may be
// mixed with trailing white space; no white space after a leading sign),
// digits with ',' group separators after the first digit of the integer
// part, an optional '.' fraction, no exponent.
func scanDecimal(s string, buf []byte) (numberText, bool) {
	var n numberText
	n.digits = buf[:0]
	s = trimNumber(s)
	i := 0
	signed := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		n.neg, signed = s[i] == '-', true
		i++
	}
	sawDigit, sawPoint := false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if c != '0' || len(n.digits) > 0 {
				n.digits = append(n.digits, c)
				if !sawPoint {
					n.scale++
				}
			} else if sawPoint {
				n.scale--
				n.fracZeros++
			}
			continue
		case c == '.' && !sawPoint:
			sawPoint = true
			continue
		case c == ',' && sawDigit && !sawPoint:
			continue
		}
		break
	}
	if !sawDigit {
		return n, false
	}
	// Trailing part: white space was trimmed at the ends, so only a sign
	// with optional white space around it can remain.
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case isNetWhite(c):
		case (c == '-' || c == '+') && !signed:
			n.neg, signed = c == '-', true
		default:
			return n, false
		}
	}
	return n, true
}

// u128 is a small unsigned 128-bit integer; decimal mantissas use 96 bits.
type u128 struct{ hi, lo uint64 }

func (x u128) mul10add(d uint64) u128 {
	hi, lo := bits.Mul64(x.lo, 10)
	hi += x.hi * 10 // x.hi < 2^32 here, so no overflow
	lo, c := bits.Add64(lo, d, 0)
	return u128{hi + c, lo}
}

const (
	decimalMaxScale = 28 // .NET decimal: at most 28 fraction digits
	decimalMaxPrec  = 29
)

// netDecimal turns scanned digits into a .NET System.Decimal value the way
// .NET's Number.TryNumberToDecimal does: take digits while the scale stays
// <= 28 and the mantissa fits in 96 bits, then round the rest half to even.
// ok is false on overflow.
func netDecimal(n numberText) (d decimal.Decimal, ok bool) {
	if len(n.digits) == 0 {
		return decimal.New(0, -int32(min(n.fracZeros, decimalMaxScale))), true
	}
	e := n.scale
	if e > decimalMaxPrec {
		return d, false
	}
	digit := func(i int) uint64 {
		if i < len(n.digits) {
			return uint64(n.digits[i] - '0')
		}
		return 0
	}
	var m u128
	i := 0
	for e > 0 || (i < len(n.digits) && e > -decimalMaxScale) {
		next := m.mul10add(digit(i))
		if next.hi >= 1<<32 {
			break
		}
		m = next
		e--
		i++
	}
	if c := digit(i); c >= 5 {
		up := true
		if c == 5 && m.lo&1 == 0 {
			up = false // a tie rounds to even unless the tail is non-zero
			for _, t := range n.digits[min(i+1, len(n.digits)):] {
				if t != '0' {
					up = true
					break
				}
			}
		}
		if up {
			var carry uint64
			m.lo, carry = bits.Add64(m.lo, 1, 0)
			m.hi += carry
			if m.hi == 1<<32 { // rounded up to 2^96: drop one digit
				m = u128{0x19999999, 0x999999999999999A}
				e++
			}
		}
	}
	if e > 0 {
		return d, false
	}
	if e <= -decimalMaxPrec {
		return decimal.New(0, -decimalMaxScale), true
	}
	if m.hi == 0 && m.lo <= math.MaxInt64 {
		v := int64(m.lo)
		if n.neg {
			v = -v
		}
		return decimal.New(v, int32(e)), true
	}
	b := new(big.Int).SetUint64(m.hi)
	b.Lsh(b, 64).Or(b, new(big.Int).SetUint64(m.lo))
	if n.neg {
		b.Neg(b)
	}
	return decimal.NewFromBigInt(b, int32(e)), true
}

func parseDecimal(s string) (decimal.Decimal, numErr) {
	var buf [40]byte
	n, ok := scanDecimal(s, buf[:])
	if !ok {
		return decimal.Decimal{}, numSyntax
	}
	d, ok := netDecimal(n)
	if !ok {
		return d, numRange
	}
	return d, numOK
}

// NetDecimal maps any shopspring value onto the .NET decimal it would
// become when its plain text is parsed (at most 28 fraction digits, 96
// bits of mantissa), so that the canonical text always parses back to
// itself. ok is false when it is beyond the range of a decimal: a
// computation or a parse must then fail or use another type, never keep
// it (it could not be written out as a decimal).
func NetDecimal(d decimal.Decimal) (decimal.Decimal, bool) {
	exp := d.Exponent()
	coef := d.Coefficient()
	if exp <= 0 && exp >= -decimalMaxScale && coef.BitLen() <= 96 {
		return d, true
	}
	n := numberText{neg: coef.Sign() < 0}
	digits := coef.Abs(coef).String()
	if digits == "0" {
		n.fracZeros = int(max(-exp, 0))
		return netDecimal(n)
	}
	n.digits = []byte(digits)
	n.scale = len(digits) + int(exp)
	return netDecimal(n)
}

// formatDecimal writes a decimal as .NET's decimal.ToString() does: plain
// digits with the scale kept, never an exponent, no negative zero.
func formatDecimal(d decimal.Decimal) (string, bool) {
	d, ok := NetDecimal(d)
	if !ok {
		return "", false
	}
	exp := int(d.Exponent())
	coef := d.Coefficient()
	neg := coef.Sign() < 0
	digits := coef.Abs(coef).String()
	if exp < 0 {
		if pad := -exp + 1 - len(digits); pad > 0 {
			digits = strings.Repeat("0", pad) + digits
		}
		p := len(digits) + exp
		digits = digits[:p] + "." + digits[p:]
	}
	if neg {
		digits = "-" + digits
	}
	return digits, true
}

// scanFloat checks NumberStyles.Float|AllowThousands text (what
// Convert.ToDouble uses): white space, one leading sign, digits with ','
// group separators in the integer part, optional '.' fraction, optional
// exponent 'e'/'E' with sign and at least one digit. It returns the text
// reduced to what strconv.ParseFloat expects, and whether it is valid.
func scanFloat(s string) (string, bool) {
	s = trimNumber(s)
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	sawDigit, sawPoint, commas := false, false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			continue
		case c == '.' && !sawPoint:
			sawPoint = true
			continue
		case c == ',' && sawDigit && !sawPoint:
			commas = true
			continue
		}
		break
	}
	if !sawDigit {
		return "", false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k == j {
			return "", false
		}
		i = k
	}
	if i != len(s) {
		return "", false
	}
	if commas {
		s = strings.ReplaceAll(s, ",", "")
	}
	return s, true
}

// parseFloat parses double/single text. Out-of-range values become ±Inf
// or ±0 as in .NET Core 3.0+, never an error. After the numeric syntax
// fails, .NET's symbols (Infinity, -Infinity, NaN, +Infinity, +NaN, -NaN;
// any case) are tried.
func parseFloat(s string, bitSize int) (float64, numErr) {
	if t, ok := scanFloat(s); ok {
		v, err := strconv.ParseFloat(t, bitSize)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return 0, numSyntax
			}
		}
		return v, numOK
	}
	t := strings.TrimSpace(s)
	switch {
	case strings.EqualFold(t, "Infinity"), strings.EqualFold(t, "+Infinity"):
		return math.Inf(1), numOK
	case strings.EqualFold(t, "-Infinity"):
		return math.Inf(-1), numOK
	case strings.EqualFold(t, "NaN"), strings.EqualFold(t, "+NaN"), strings.EqualFold(t, "-NaN"):
		return math.NaN(), numOK
	}
	return 0, numSyntax
}

// formatFloat writes a double (bitSize 64) or single (32) as .NET Core
// 3.0+ ToString(InvariantCulture) does: the shortest round-trip digits,
// positional unless the decimal exponent is beyond max(digits, 15 or 7) or
// below -3 (-4 and smaller), then "d.dddE+XX".
func formatFloat(f float64, bitSize int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	var buf [40]byte
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, bitSize) // [-]d[.ddd]e±XX
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	ePos := strings.LastIndexByte(string(b), 'e')
	exp, _ := strconv.Atoi(string(b[ePos+1:]))
	var digits [32]byte
	nd := 0
	for _, c := range b[:ePos] {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	k, p := nd, exp+1
	maxDigits := 15
	if bitSize == 32 {
		maxDigits = 7
	}
	maxDigits = max(maxDigits, k)
	out := make([]byte, 0, 32)
	if neg {
		out = append(out, '-')
	}
	switch {
	case p > maxDigits || p < -3:
		out = append(out, digits[0])
		if k > 1 {
			out = append(out, '.')
			out = append(out, digits[1:k]...)
		}
		out = append(out, 'E')
		if exp < 0 {
			out = append(out, '-')
			exp = -exp
		} else {
			out = append(out, '+')
		}
		if exp < 10 {
			out = append(out, '0')
		}
		out = strconv.AppendInt(out, int64(exp), 10)
	case p <= 0:
		out = append(out, "0."...)
		for range -p {
			out = append(out, '0')
		}
		out = append(out, digits[:k]...)
	case p >= k:
		out = append(out, digits[:k]...)
		for range p - k {
			out = append(out, '0')
		}
	default:
		out = append(out, digits[:p]...)
		out = append(out, '.')
		out = append(out, digits[p:k]...)
	}
	return string(out)
}

// WholeDecimal reads a double, a float or a decimal v as the exact
// decimal of a whole number, as a conversion to an integer needs it: ok
// is false for any other type; NaN, an infinity or a fraction (which .NET
// would round) is an error.
func WholeDecimal(v any) (d decimal.Decimal, ok bool, err error) {
	switch f := v.(type) {
	case float64:
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return d, true, fmt.Errorf("needs an integer, not %v", f)
		}
		d = decimal.NewFromFloat(f)
	case float32:
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return d, true, fmt.Errorf("needs an integer, not %v", f)
		}
		d = decimal.NewFromFloat32(f)
	case decimal.Decimal:
		d = f
	default:
		return d, false, nil
	}
	if !d.IsInteger() {
		return d, true, fmt.Errorf("needs an integer, not %s %s", TypeOf(v), StringOf(v))
	}
	return d, true, nil
}
