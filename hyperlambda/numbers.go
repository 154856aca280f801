package hyperlambda

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// .NET number parsing skips only these as surrounding white space.
const dotnetWhite = " \t\n\v\f\r"

var (
	errNotNumber  = errors.New("not a number")
	errOutOfRange = errors.New("out of range")
)

// parseSigned parses like .NET NumberStyles.Integer: white space around,
// an optional sign, decimal digits only.
func parseSigned(s string, bits int) (int64, error) {
	s = strings.Trim(s, dotnetWhite)
	if !integerSyntax(s) {
		return 0, errNotNumber
	}
	v, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return 0, errOutOfRange
	}
	return v, nil
}

func parseUnsigned(s string, bits int) (uint64, error) {
	s = strings.Trim(s, dotnetWhite)
	if !integerSyntax(s) {
		return 0, errNotNumber
	}
	switch s[0] {
	case '+':
		s = s[1:]
	case '-':
		// .NET accepts "-0" for unsigned types.
		if strings.Trim(s[1:], "0") == "" {
			return 0, nil
		}
		return 0, errOutOfRange
	}
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, errOutOfRange
	}
	return v, nil
}

func integerSyntax(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxDecimal is the largest .NET decimal (2^96 - 1).
var maxDecimal = decimal.RequireFromString("79228162514264337593543950335")

// parseDecimal parses like .NET NumberStyles.Number: white space, a
// leading sign, digits with thousands commas, a decimal point, and no
// exponent. The scale is kept ("5.50" stays 5.50), up to 28 places.
func parseDecimal(s string) (decimal.Decimal, error) {
	s = strings.Trim(s, dotnetWhite)
	var b strings.Builder
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		b.WriteByte(s[i])
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			digits++
		case c == ',' && !point && digits > 0:
			// a thousands separator
		case c == '.' && !point:
			b.WriteByte(c)
			point = true
		default:
			return decimal.Decimal{}, errNotNumber
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, errNotNumber
	}
	d, err := decimal.NewFromString(b.String())
	if err != nil {
		return decimal.Decimal{}, errNotNumber
	}
	if d.Exponent() < -28 {
		d = d.RoundBank(28)
	}
	if d.Abs().GreaterThan(maxDecimal) {
		return decimal.Decimal{}, errOutOfRange
	}
	return d, nil
}

// formatDecimal writes plain digits with the scale kept, never an exponent.
func formatDecimal(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.String()
}

// parseFloat parses like .NET NumberStyles.Float|AllowThousands, including
// the invariant culture's "Infinity" and "NaN"; overflow gives infinity as
// in .NET Core 3.0 and later.
func parseFloat(s string, bits int) (float64, error) {
	s = strings.Trim(s, dotnetWhite)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) <= 1 {
		switch strings.ToLower(body) {
		case "infinity":
			if strings.HasPrefix(s, "-") {
				return math.Inf(-1), nil
			}
			return math.Inf(1), nil
		case "nan":
			return math.NaN(), nil
		}
	}
	var b strings.Builder
	digits, point, exp := 0, false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			if !exp {
				digits++
			}
		case c == ',' && !point && !exp && digits > 0:
		case c == '.' && !point && !exp:
			b.WriteByte(c)
			point = true
		case (c == 'e' || c == 'E') && !exp && digits > 0:
			b.WriteByte(c)
			exp = true
		case (c == '+' || c == '-') && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E'):
			b.WriteByte(c)
		default:
			return 0, errNotNumber
		}
	}
	if digits == 0 {
		return 0, errNotNumber
	}
	v, err := strconv.ParseFloat(b.String(), bits)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errNotNumber
	}
	return v, nil
}

// formatFloat writes a float like .NET Core 3.0+ ToString(): the shortest
// digits that read back, positional unless the decimal point would sit
// more than max(digits, precision) places right or more than 3 places
// left of the first digit; then d.dddE+XX.
func formatFloat(f float64, bits, precision int) string {
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
	s := strconv.FormatFloat(f, 'e', -1, bits) // -d.ddde±XX
	neg := s[0] == '-'
	s = strings.TrimPrefix(s, "-")
	mant, expText, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(expText)
	point := e + 1 // digits are 0.d1d2... × 10^point
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	k := len(digits)
	if point > max(k, precision) || point < -3 {
		b.WriteByte(digits[0])
		if k > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('E')
		if e < 0 {
			b.WriteByte('-')
			e = -e
		} else {
			b.WriteByte('+')
		}
		if e < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(e))
		return b.String()
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(digits)
	case point >= k:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", point-k))
	default:
		b.WriteString(digits[:point])
		b.WriteByte('.')
		b.WriteString(digits[point:])
	}
	return b.String()
}
