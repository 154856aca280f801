package engine

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/shopspring/decimal"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"hlstudio/hyperlambda"
)

// value is "get value, following expressions" (the reference's GetEx).
func value(n *hyperlambda.Node) (any, error) { return hyperlambda.Value(n) }

// truthy is the reference's conversion to bool: null, false, "false" and
// numeric zero are false; everything else, "" and "0" included, is true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != "false"
	case int32:
		return x != 0
	case int64:
		return x != 0
	case uint32:
		return x != 0
	case uint64:
		return x != 0
	case int16:
		return x != 0
	case uint16:
		return x != 0
	case int8:
		return x != 0
	case uint8:
		return x != 0
	case float64:
		return x != 0
	case float32:
		return x != 0
	case decimal.Decimal:
		return !x.IsZero()
	}
	return true
}

// selected evaluates n's value as an expression and returns the nodes it
// selects; a value that is not an expression is an error naming the slot.
func selected(n *hyperlambda.Node) ([]*hyperlambda.Node, error) {
	return Select(n, nil)
}

// SelectedOrChildren is what a writer of nodes (lambda2yaml, lambda2html,
// ...) writes: the nodes n's expression selects, or with no value n's
// children.
func SelectedOrChildren(n *hyperlambda.Node) ([]*hyperlambda.Node, error) {
	if n.Value == nil {
		return n.Children(), nil
	}
	return Select(n, nil)
}

// Select evaluates n's value as an expression and returns the nodes it
// selects; a value that is not an expression is an error naming the slot.
// A one-node result goes into buf when it has room, so a slot called in a
// loop can keep it on its stack (var one [1]*hyperlambda.Node; one[:0]).
func Select(n *hyperlambda.Node, buf []*hyperlambda.Node) ([]*hyperlambda.Node, error) {
	x, ok := n.Value.(*hyperlambda.Expression)
	if !ok {
		return nil, fmt.Errorf("needs an expression as its value, e.g. %s:x:@.foo", n.Name)
	}
	if cap(buf) > 0 {
		if m, ok := x.EvaluateSingle(n); ok {
			if m == nil {
				return nil, nil
			}
			return append(buf[:0], m), nil
		}
	}
	return x.Evaluate(n)
}

// collators order text for textOrder; a Collator keeps buffers, so each
// comparison borrows one.
var collators = sync.Pool{New: func() any { return collate.New(language.Und) }}

// textOrder orders text as the reference's string.CompareTo does, by
// culture rather than by code (so "apple" < "Banana" < "banana"): here
// the Unicode Collation Algorithm with CLDR's root order, which is the
// same on every machine, unlike a server's current culture.
func textOrder(a, b string) int {
	if a == b {
		return 0
	}
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	return c.CompareString(a, b)
}

// compare orders a and b for eq/lt/...: values of different Go types are
// never equal or ordered (the reference is type-strict: int:5 is not
// long:5). ok is false when they cannot be ordered.
func compare(a, b any) (c int, ok bool) {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case int32:
		if y, ok := b.(int32); ok {
			return cmpOrdered(x, y), true
		}
	case int64:
		if y, ok := b.(int64); ok {
			return cmpOrdered(x, y), true
		}
	case uint32:
		if y, ok := b.(uint32); ok {
			return cmpOrdered(x, y), true
		}
	case uint64:
		if y, ok := b.(uint64); ok {
			return cmpOrdered(x, y), true
		}
	case int16:
		if y, ok := b.(int16); ok {
			return cmpOrdered(x, y), true
		}
	case uint16:
		if y, ok := b.(uint16); ok {
			return cmpOrdered(x, y), true
		}
	case int8:
		if y, ok := b.(int8); ok {
			return cmpOrdered(x, y), true
		}
	case uint8:
		if y, ok := b.(uint8); ok {
			return cmpOrdered(x, y), true
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmpOrdered(x, y), true
		}
	case float32:
		if y, ok := b.(float32); ok {
			return cmpOrdered(x, y), true
		}
	case hyperlambda.Char:
		if y, ok := b.(hyperlambda.Char); ok {
			return cmpOrdered(x, y), true
		}
	case hyperlambda.TimeSpan:
		if y, ok := b.(hyperlambda.TimeSpan); ok {
			return cmpOrdered(x, y), true
		}
	case bool:
		if y, ok := b.(bool); ok {
			return cmpOrdered(b2i(x), b2i(y)), true
		}
	case decimal.Decimal:
		if y, ok := b.(decimal.Decimal); ok {
			return x.Cmp(y), true
		}
	case hyperlambda.Date:
		if y, ok := b.(hyperlambda.Date); ok {
			return x.Time.Compare(y.Time), true
		}
	case hyperlambda.GUID:
		if y, ok := b.(hyperlambda.GUID); ok {
			return bytes.Compare(x[:], y[:]), true
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y), true
		}
	case *hyperlambda.Expression:
		if y, ok := b.(*hyperlambda.Expression); ok {
			return strings.Compare(x.String(), y.String()), true
		}
	case *hyperlambda.Node:
		if y, ok := b.(*hyperlambda.Node); ok && x == y {
			return 0, true
		}
	}
	return 0, false
}

func cmpOrdered[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64 | hyperlambda.Char | hyperlambda.TimeSpan | int](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sizeOf approximates the bytes a value adds to a run's output.
func sizeOf(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	}
	return 8
}

// TextValue is n's value (following an expression) as text to parse:
// a string, or bytes read as text; anything else is an error saying
// what kind of text was expected ("needs JSON text, not int").
func TextValue(n *hyperlambda.Node, kind string) (string, error) {
	v, err := value(n)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	case nil:
		return "", fmt.Errorf("needs %s text, not null", kind)
	}
	return "", fmt.Errorf("needs %s text, not %s", kind, hyperlambda.TypeOf(v))
}

// UTF16Text decodes UTF-16 text read from a file or a response; a lone surrogate or an odd last byte becomes
// U+FFFD.
func UTF16Text(b []byte, bigEndian bool) string {
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if bigEndian {
			units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			units = append(units, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	s := string(utf16.Decode(units))
	if len(b)%2 == 1 {
		s += "\uFFFD"
	}
	return s
}
