package hyperlambda

// Hyperlambda values are held in a Node's Value as these Go types:
//
//	Go type          type name  notes
//	nil              -          no value (distinct from "")
//	string           string     the type name is never written
//	int32            int
//	uint32           uint
//	int16            short
//	uint16           ushort
//	int64            long
//	uint64           ulong
//	decimal.Decimal  decimal    github.com/shopspring/decimal; scale kept ("5.50")
//	float64          double
//	float32          float      "single" is accepted on input, "float" is written
//	bool             bool
//	Char             char       one UTF-16 code unit
//	uint8            byte
//	int8             sbyte
//	[]byte           bytes      base64 text
//	Date             date       time plus .NET DateTimeKind (dates.go)
//	TimeSpan         time       100-ns ticks
//	GUID             guid
//	*Expression      x          expr.go
//	*Node            node       a synthetic root; its children are the lambda
//
// Any other Go type is unsupported: ValueText refuses it rather than
// writing the reference's unparseable "[Full.Type]:..." fallback.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Char is the value of the "char" type: one UTF-16 code unit, as .NET's
// System.Char. Values produced by ConvertText are never surrogates.
type Char rune

// TimeSpan is the value of the "time" type: a duration in 100-ns ticks,
// like .NET's TimeSpan (text is the tick count).
type TimeSpan int64

// TicksPerSecond is how many TimeSpan ticks (and .NET DateTime ticks)
// make a second.
const TicksPerSecond = 10_000_000

// GUID is the value of the "guid" type, its 16 bytes in text order.
type GUID [16]byte

// String returns the lowercase 8-4-4-4-12 form (.NET's "D" format).
func (g GUID) String() string {
	const hexDigits = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, c := range g {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[c>>4], hexDigits[c&15]
		j += 2
	}
	return string(b[:])
}

// TypeNames are the built-in type names in the order the reference's
// [types] slot returns them.
var TypeNames = []string{"bytes", "short", "ushort", "int", "uint", "long", "ulong", "decimal", "double", "single", "float", "char", "byte", "sbyte", "string", "bool", "date", "time", "guid", "x", "node"}

// IsTypeName reports whether name is a built-in type name (case-sensitive,
// as in the reference).
func IsTypeName(name string) bool {
	switch name {
	case "bytes", "short", "ushort", "int", "uint", "long", "ulong", "decimal", "double", "single", "float", "char", "byte", "sbyte", "string", "bool", "date", "time", "guid", "x", "node":
		return true
	}
	return false
}

// ConvertError is returned when text cannot be converted to a typed value.
// Unknown is set when the type name itself is not known.
type ConvertError struct {
	Type, Text, Reason string
	Unknown            bool

	err error // the nested *SyntaxError for "node", for errors.Is/As
}

func (e *ConvertError) Error() string {
	if e.Unknown {
		return "unknown type declaration '" + e.Type + "'"
	}
	text := e.Text
	if len(text) > 60 { // node and x text can be long; keep messages readable
		i := 57
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		text = text[:i] + "..."
	}
	return "cannot convert " + strconv.Quote(text) + " to " + e.Type + ": " + e.Reason
}

// Unwrap returns the nested Hyperlambda syntax error of a "node" value, if any.
func (e *ConvertError) Unwrap() error { return e.err }

func convErr(typeName, text, reason string) error {
	return &ConvertError{Type: typeName, Text: text, Reason: reason}
}

// ConvertText converts text to a value of the named type, as the
// reference's Converter does for a string (Convert.ToXxx with the
// invariant culture). Errors are *ConvertError (an unknown type name gives
// one with Unknown set), except for "x", which returns ParseExpression's
// *ExprError as is.
func ConvertText(text, typeName string) (any, error) {
	switch typeName {
	case "string":
		return text, nil
	case "bool":
		return text == "true", nil // the reference compares exactly
	case "int":
		v, e := parseSigned(text, 32)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return int32(v), nil
	case "uint":
		v, e := parseUnsigned(text, 32)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return uint32(v), nil
	case "short":
		v, e := parseSigned(text, 16)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return int16(v), nil
	case "ushort":
		v, e := parseUnsigned(text, 16)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return uint16(v), nil
	case "long":
		v, e := parseSigned(text, 64)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return v, nil
	case "ulong":
		v, e := parseUnsigned(text, 64)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return v, nil
	case "byte":
		v, e := parseUnsigned(text, 8)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return uint8(v), nil
	case "sbyte":
		v, e := parseSigned(text, 8)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return int8(v), nil
	case "time":
		v, e := parseSigned(text, 64)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return TimeSpan(v), nil
	case "decimal":
		v, e := parseDecimal(text)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return v, nil
	case "double":
		v, e := parseFloat(text, 64)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return v, nil
	case "float", "single":
		v, e := parseFloat(text, 32)
		if e != numOK {
			return nil, convErr(typeName, text, e.reason())
		}
		return float32(v), nil
	case "char":
		r, size := utf8.DecodeRuneInString(text)
		if size == 0 || size != len(text) || r > 0xFFFF || (r == utf8.RuneError && size == 1) {
			return nil, convErr(typeName, text, "String must be exactly one character long")
		}
		return Char(r), nil
	case "date":
		d, reason := parseDate(text)
		if reason != "" {
			return nil, convErr(typeName, text, reason)
		}
		return d, nil
	case "guid":
		g, ok := parseGUID(text)
		if !ok {
			return nil, convErr(typeName, text, "not a guid: expected 32 hex digits, as N, D (8-4-4-4-12), {D} or (D)")
		}
		return g, nil
	case "bytes":
		b, err := DecodeBase64(text)
		if err != nil {
			return nil, convErr(typeName, text, "not valid base64")
		}
		return b, nil
	case "x":
		// The expression parser's *ExprError is returned unwrapped: it
		// already names the text and the offset, and the parser maps it to
		// its own error kind.
		x, err := ParseExpression(text)
		if err != nil {
			return nil, err
		}
		return x, nil
	case "node":
		return ConvertNode(text, ParseOptions{})
	}
	return nil, &ConvertError{Type: typeName, Text: text, Unknown: true}
}

// ConvertNode is ConvertText(text, "node") with the parse options given
// (a runtime's depth budget).
func ConvertNode(text string, opts ParseOptions) (*Node, error) {
	// Wrapped, so that callers see a conversion error whose Unwrap
	// gives the nested *SyntaxError (positions are relative to text).
	n, err := ParseString(text, opts)
	if err != nil {
		return nil, &ConvertError{Type: "node", Text: text, Reason: err.Error(), err: err}
	}
	return n, nil
}

// ValueText returns the type name and canonical text of v, as the
// reference's Converter.ToString (what the serializer writes after the
// type name). Strings give typeName "string"; nil gives "", "". Values of
// unsupported Go types, and values that cannot be written so that they
// parse back (a nil pointer, a Char that is a surrogate, a date outside
// years 1..9999, a decimal beyond .NET's range), give an error.
func ValueText(v any) (typeName, text string, err error) {
	return valueText(v, nil)
}

// ErrNodeCycle is the text of a node value that holds, somewhere inside
// it, a reference back to itself or to a node that contains it (as
// [reference:x:..] makes): written out it would never end.
var ErrNodeCycle = errors.New("hyperlambda: the node value refers to a node that contains it")

// valueText is ValueText inside the texts of the node values in open,
// which are still being written.
func valueText(v any, open []*Node) (typeName, text string, err error) {
	switch x := v.(type) {
	case nil:
		return "", "", nil
	case string:
		return "string", x, nil
	case int32:
		return "int", strconv.FormatInt(int64(x), 10), nil
	case uint32:
		return "uint", strconv.FormatUint(uint64(x), 10), nil
	case int16:
		return "short", strconv.FormatInt(int64(x), 10), nil
	case uint16:
		return "ushort", strconv.FormatUint(uint64(x), 10), nil
	case int64:
		return "long", strconv.FormatInt(x, 10), nil
	case uint64:
		return "ulong", strconv.FormatUint(x, 10), nil
	case uint8:
		return "byte", strconv.FormatUint(uint64(x), 10), nil
	case int8:
		return "sbyte", strconv.FormatInt(int64(x), 10), nil
	case TimeSpan:
		return "time", strconv.FormatInt(int64(x), 10), nil
	case decimal.Decimal:
		s, ok := formatDecimal(x)
		if !ok {
			return "", "", fmt.Errorf("hyperlambda: decimal %s is out of the .NET decimal range", x.String())
		}
		return "decimal", s, nil
	case float64:
		return "double", formatFloat(x, 64), nil
	case float32:
		return "float", formatFloat(float64(x), 32), nil
	case bool:
		if x {
			return "bool", "true", nil
		}
		return "bool", "false", nil
	case Char:
		if x < 0 || x > 0xFFFF || (x >= 0xD800 && x <= 0xDFFF) {
			return "", "", fmt.Errorf("hyperlambda: char value %U is not a single non-surrogate UTF-16 code unit", rune(x))
		}
		return "char", string(rune(x)), nil
	case []byte:
		return "bytes", base64.StdEncoding.EncodeToString(x), nil
	case Date:
		s, ok := formatDate(x)
		if !ok {
			return "", "", fmt.Errorf("hyperlambda: date %v (kind %d) cannot be written", x.Time, x.Kind)
		}
		return "date", s, nil
	case GUID:
		return "guid", x.String(), nil
	case *Expression:
		if x == nil {
			return "", "", fmt.Errorf("hyperlambda: nil *Expression value")
		}
		return "x", x.String(), nil
	case *Node:
		if x == nil {
			return "", "", fmt.Errorf("hyperlambda: nil *Node value")
		}
		for _, o := range open {
			if o == x {
				return "", "", ErrNodeCycle
			}
		}
		return "node", string(appendNodes(nil, x.Children(), 0, false, append(open, x))), nil
	}
	return "", "", fmt.Errorf("hyperlambda: unsupported value type %T", v)
}

// TypeOf returns the type name of v: "" for nil, "?" for a Go type that is
// not a Hyperlambda value type.
func TypeOf(v any) string {
	switch v.(type) {
	case nil:
		return ""
	case string:
		return "string"
	case int32:
		return "int"
	case uint32:
		return "uint"
	case int16:
		return "short"
	case uint16:
		return "ushort"
	case int64:
		return "long"
	case uint64:
		return "ulong"
	case decimal.Decimal:
		return "decimal"
	case float64:
		return "double"
	case float32:
		return "float"
	case bool:
		return "bool"
	case Char:
		return "char"
	case uint8:
		return "byte"
	case int8:
		return "sbyte"
	case []byte:
		return "bytes"
	case Date:
		return "date"
	case TimeSpan:
		return "time"
	case GUID:
		return "guid"
	case *Expression:
		return "x"
	case *Node:
		return "node"
	}
	return "?"
}

// StringOf converts v to a string the way the reference runtime does
// (C# Get<string>, i.e. .NET invariant ToString, not the serializer):
// strings as is, []byte decoded as UTF-8 (invalid sequences become U+FFFD),
// bool "True"/"False", date "MM/dd/yyyy HH:mm:ss", time as .NET "c"
// ("1.02:03:04.5000000"), numbers and guids as their canonical text,
// expressions as their text, nodes as the Hyperlambda of their children,
// nil as "". Unsupported Go types use fmt's default format.
func StringOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return decodeUTF8(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case Date:
		return dateString(x)
	case TimeSpan:
		return x.String()
	case Char:
		return string(rune(x))
	case decimal.Decimal:
		if s, ok := formatDecimal(x); ok {
			return s
		}
		return x.String()
	case *Expression:
		if x == nil {
			return ""
		}
		return x.String()
	case *Node:
		if x == nil {
			return ""
		}
		return Format(x.Children(), FormatOptions{})
	}
	if _, s, err := ValueText(v); err == nil {
		return s
	}
	return fmt.Sprint(v)
}

// parseGUID accepts .NET's N, D, B and P forms, any case, with surrounding
// white space.
func parseGUID(s string) (GUID, bool) {
	var g GUID
	s = strings.TrimSpace(s)
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	var hyphens bool
	switch len(s) {
	case 32:
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return g, false
		}
		hyphens = true
	default:
		return g, false
	}
	j := 0
	for i := 0; i < len(s); i += 2 {
		if hyphens && (i == 8 || i == 13 || i == 18 || i == 23) {
			i--
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return g, false
		}
		g[j] = hi<<4 | lo
		j++
	}
	return g, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// DecodeBase64 is .NET's Convert.FromBase64String: space, tab, CR and LF
// are ignored anywhere; padding is required.
func DecodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, s)
	}
	return base64.StdEncoding.DecodeString(s)
}

// decodeUTF8 is .NET's Encoding.UTF8.GetString: each maximal invalid
// subsequence becomes one U+FFFD.
func decodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			size = invalidPrefix(b)
		}
		sb.WriteRune(r)
		b = b[size:]
	}
	return sb.String()
}

// invalidPrefix returns the length of the maximal invalid subsequence at
// the start of b (Unicode "substitution of maximal subparts").
func invalidPrefix(b []byte) int {
	need, lo, hi := 0, byte(0x80), byte(0xBF)
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		if b[n] < lo || b[n] > hi {
			break
		}
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}

// Integer reads a value of any integer type that fits an int64 exactly
// (ulong is left to the caller, which says what "too large" means).
func Integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	}
	return 0, false
}
