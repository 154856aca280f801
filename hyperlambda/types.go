package hyperlambda

// Go types that hold Hyperlambda values:
//
//	Go type          type name
//	nil              (no value)
//	string           string (never written)
//	int32            int
//	uint32           uint
//	int16            short
//	uint16           ushort
//	int64            long
//	uint64           ulong
//	decimal.Decimal  decimal
//	float64          double
//	float32          float ("single" accepted on input)
//	bool             bool
//	Char             char
//	uint8            byte
//	int8             sbyte
//	[]byte           bytes
//	Date             date
//	TimeSpan         time
//	GUID             guid
//	*Expression      x
//	*Node            node

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Char is one character; the reference's char is one UTF-16 code unit, so
// only runes up to U+FFFF (and no surrogates) are chars.
type Char rune

// TypeNames lists the type names in reference order.
var TypeNames = []string{"bytes", "short", "ushort", "int", "uint", "long", "ulong", "decimal", "double", "single", "float", "char", "byte", "sbyte", "string", "bool", "date", "time", "guid", "x", "node"}

// IsTypeName reports whether name is a known type name.
func IsTypeName(name string) bool {
	for _, n := range TypeNames {
		if n == name {
			return true
		}
	}
	return false
}

// ConvertError reports a failed text to value conversion.
type ConvertError struct {
	Type, Text, Reason string
	Unknown            bool
}

func (e *ConvertError) Error() string {
	if e.Unknown {
		return "unknown type declaration '" + e.Type + "'"
	}
	return fmt.Sprintf("cannot convert %q to %s: %s", e.Text, e.Type, e.Reason)
}

// ConvertText converts text to a value of the named type, as the
// reference's Converter does for a literal in the text format. An unknown
// type is a *ConvertError with Unknown set; a bad literal is a
// *ConvertError with a reason, except for x, which returns the *ExprError,
// and node, which returns the *SyntaxError of the nested text.
func ConvertText(text, typeName string) (any, error) {
	bad := func(err error) error { return &ConvertError{Type: typeName, Text: text, Reason: err.Error()} }
	signed := func(bits int) (int64, error) {
		v, err := parseSigned(text, bits)
		if err != nil {
			return 0, bad(err)
		}
		return v, nil
	}
	unsigned := func(bits int) (uint64, error) {
		v, err := parseUnsigned(text, bits)
		if err != nil {
			return 0, bad(err)
		}
		return v, nil
	}
	switch typeName {
	case "string":
		return text, nil
	case "int":
		v, err := signed(32)
		return wrapErr(int32(v), err)
	case "uint":
		v, err := unsigned(32)
		return wrapErr(uint32(v), err)
	case "short":
		v, err := signed(16)
		return wrapErr(int16(v), err)
	case "ushort":
		v, err := unsigned(16)
		return wrapErr(uint16(v), err)
	case "long":
		v, err := signed(64)
		return wrapErr(v, err)
	case "ulong":
		v, err := unsigned(64)
		return wrapErr(v, err)
	case "byte":
		v, err := unsigned(8)
		return wrapErr(uint8(v), err)
	case "sbyte":
		v, err := signed(8)
		return wrapErr(int8(v), err)
	case "time":
		v, err := signed(64)
		return wrapErr(TimeSpan(v), err)
	case "decimal":
		v, err := parseDecimal(text)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "double":
		v, err := parseFloat(text, 64)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "float", "single":
		v, err := parseFloat(text, 32)
		if err != nil {
			return nil, bad(err)
		}
		return float32(v), nil
	case "bool":
		// The reference: true only for exactly "true", never an error.
		return text == "true", nil
	case "char":
		r, size := utf8.DecodeRuneInString(text)
		if text == "" || size != len(text) || r > 0xFFFF || r == utf8.RuneError {
			return nil, bad(errors.New("String must be exactly one character long"))
		}
		return Char(r), nil
	case "date":
		v, err := parseDate(text)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "guid":
		v, err := parseGUID(text)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "bytes":
		// .NET's FromBase64String skips white space; padding is required.
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, text)
		v, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			return nil, bad(errors.New("not valid base64"))
		}
		return v, nil
	case "x":
		return ParseExpression(text)
	case "node":
		return ParseString(text, ParseOptions{})
	}
	return nil, &ConvertError{Type: typeName, Text: text, Unknown: true}
}

func wrapErr(v any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// ValueText returns the type name and the canonical text of v, as the
// serializer writes them. Go types outside the table are an error.
func ValueText(v any) (typeName, text string, err error) {
	switch x := v.(type) {
	case nil:
		return "", "", nil
	case string:
		return "string", x, nil
	case bool:
		return "bool", strconv.FormatBool(x), nil
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
	case decimal.Decimal:
		return "decimal", formatDecimal(x), nil
	case float64:
		return "double", formatFloat(x, 64, 15), nil
	case float32:
		return "float", formatFloat(float64(x), 32, 7), nil
	case Char:
		return "char", string(rune(x)), nil
	case Date:
		return "date", formatDate(x), nil
	case TimeSpan:
		return "time", strconv.FormatInt(int64(x), 10), nil
	case GUID:
		return "guid", x.String(), nil
	case []byte:
		return "bytes", base64.StdEncoding.EncodeToString(x), nil
	case *Expression:
		if x == nil {
			break
		}
		return "x", x.String(), nil
	case *Node:
		if x == nil {
			break
		}
		return "node", Format(x.Children(), FormatOptions{}), nil
	}
	return "", "", fmt.Errorf("hyperlambda: a value of Go type %T has no Hyperlambda type", v)
}

// TypeOf returns the type name of v: "" for nil, "?" for unsupported types.
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

// StringOf converts v to text the way the reference runtime does (C#'s
// Get<string>, i.e. .NET's invariant ToString): bool is "True"/"False",
// dates are MM/dd/yyyy HH:mm:ss, time spans hh:mm:ss.fffffff, bytes are
// read as UTF-8; numbers, guids, expressions and lambdas as in ValueText.
func StringOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case Date:
		t := x.Time
		if x.Kind == DateLocal {
			t = t.In(DateZone)
		}
		return t.Format("01/02/2006 15:04:05")
	case TimeSpan:
		return x.String()
	}
	_, s, err := ValueText(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}
