package hyperlambda

// Go types that hold Hyperlambda values (first pass; refined below).
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
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Char is one UTF-16 code unit in the reference.
type Char rune

// TimeSpan is a duration in 100-ns ticks, like .NET TimeSpan.
type TimeSpan int64

// GUID is a 16-byte identifier in RFC 4122 byte order.
type GUID [16]byte

func (g GUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], g[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], g[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], g[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], g[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], g[10:16])
	return string(b[:])
}

// DateKind is .NET DateTimeKind.
type DateKind uint8

const (
	DateUnspecified DateKind = iota
	DateUTC
	DateLocal
)

// Date is a date-time with a .NET DateTimeKind.
type Date struct {
	Time time.Time
	Kind DateKind
}

// DateZone is the zone used for kind-Local dates.
var DateZone = time.UTC

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

// ConvertText converts text to a value of the named type.
func ConvertText(text, typeName string) (any, error) {
	bad := func(err error) error { return &ConvertError{Type: typeName, Text: text, Reason: err.Error()} }
	t := strings.TrimSpace(text)
	switch typeName {
	case "string":
		return text, nil
	case "int":
		v, err := strconv.ParseInt(t, 10, 32)
		if err != nil {
			return nil, bad(err)
		}
		return int32(v), nil
	case "uint":
		v, err := strconv.ParseUint(t, 10, 32)
		if err != nil {
			return nil, bad(err)
		}
		return uint32(v), nil
	case "short":
		v, err := strconv.ParseInt(t, 10, 16)
		if err != nil {
			return nil, bad(err)
		}
		return int16(v), nil
	case "ushort":
		v, err := strconv.ParseUint(t, 10, 16)
		if err != nil {
			return nil, bad(err)
		}
		return uint16(v), nil
	case "long":
		v, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "ulong":
		v, err := strconv.ParseUint(t, 10, 64)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "byte":
		v, err := strconv.ParseUint(t, 10, 8)
		if err != nil {
			return nil, bad(err)
		}
		return uint8(v), nil
	case "sbyte":
		v, err := strconv.ParseInt(t, 10, 8)
		if err != nil {
			return nil, bad(err)
		}
		return int8(v), nil
	case "time":
		v, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return nil, bad(err)
		}
		return TimeSpan(v), nil
	case "decimal":
		v, err := decimal.NewFromString(t)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "double":
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, bad(err)
		}
		return v, nil
	case "float", "single":
		v, err := strconv.ParseFloat(t, 32)
		if err != nil {
			return nil, bad(err)
		}
		return float32(v), nil
	case "bool":
		return text == "true", nil
	case "char":
		r := []rune(text)
		if len(r) != 1 || r[0] > 0xFFFF {
			return nil, bad(fmt.Errorf("String must be exactly one character long"))
		}
		return Char(r[0]), nil
	case "date":
		tm, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return nil, bad(err)
		}
		return Date{Time: tm.UTC(), Kind: DateUTC}, nil
	case "guid":
		s := strings.ReplaceAll(t, "-", "")
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 16 {
			return nil, bad(fmt.Errorf("not a guid"))
		}
		var g GUID
		copy(g[:], b)
		return g, nil
	case "bytes":
		b, err := base64.StdEncoding.DecodeString(t)
		if err != nil {
			return nil, bad(err)
		}
		return b, nil
	case "x":
		return ParseExpression(text)
	case "node":
		return Parse([]byte(text), ParseOptions{})
	}
	return nil, &ConvertError{Type: typeName, Text: text, Unknown: true}
}

// ValueText returns the type name and canonical text of v.
func ValueText(v any) (typeName, text string, err error) {
	typeName = TypeOf(v)
	switch x := v.(type) {
	case nil:
		return "", "", nil
	case string:
		return typeName, x, nil
	case bool:
		return typeName, strconv.FormatBool(x), nil
	case Date:
		s := x.Time.Format("2006-01-02T15:04:05.000")
		switch x.Kind {
		case DateUTC:
			s += "Z"
		case DateLocal:
			s += x.Time.Format("-07:00")
		}
		return typeName, s, nil
	case *Expression:
		return typeName, x.String(), nil
	case *Node:
		return typeName, Format(x.Children(), FormatOptions{}), nil
	case []byte:
		return typeName, base64.StdEncoding.EncodeToString(x), nil
	case Char:
		return typeName, string(rune(x)), nil
	case TimeSpan:
		return typeName, strconv.FormatInt(int64(x), 10), nil
	case float64:
		return typeName, strconv.FormatFloat(x, 'g', -1, 64), nil
	case float32:
		return typeName, strconv.FormatFloat(float64(x), 'g', -1, 32), nil
	}
	if typeName == "?" {
		return "", "", fmt.Errorf("hyperlambda: unsupported value type %T", v)
	}
	return typeName, fmt.Sprint(v), nil
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

// StringOf converts v to a string the way the reference runtime does.
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
	}
	_, s, _ := ValueText(v)
	return s
}
