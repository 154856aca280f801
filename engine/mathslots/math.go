// Package mathslots is the math.* slot family: arithmetic over Hyperlambda
// values with the reference's promotion rules, except that overflow and
// division by zero are errors instead of wrapping or crashing.
package mathslots

import (
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"hlstudio/engine"
	"hlstudio/hyperlambda"
	"hlstudio/whitelist"
)

// ErrDivideByZero is returned by math.divide and math.modulo.
var ErrDivideByZero = errors.New("division by zero")

// OverflowError is an integer result outside its type.
type OverflowError struct{ Op, Type string }

func (e *OverflowError) Error() string { return fmt.Sprintf("%s overflows %s", e.Op, e.Type) }

var operand = whitelist.ValueSpec{Expr: true, Doc: "first operand (else the first child)"}

// Register adds the family to e.
func Register(e *engine.Engine) error {
	for _, op := range []string{"add", "subtract", "multiply", "divide", "modulo", "max", "min"} {
		op, slot := op, "math."+op // named once: a call does not build it
		err := e.Register(engine.Slot{
			Sig: whitelist.Signature{Name: slot, Doc: op + " of its value and its children's values", Value: operand, Children: whitelist.Code},
			Fn: func(r *engine.Run, n *hyperlambda.Node) error {
				if err := r.Eval(n); err != nil {
					return err
				}
				var small [4]any // most calls have two or three operands
				vals, err := operands(n, small[:0])
				if err != nil {
					return err
				}
				if len(vals) == 0 {
					return errors.New("needs operands: a value and/or children")
				}
				acc := vals[0]
				for _, v := range vals[1:] {
					if acc, err = apply(r, slot, op, acc, v); err != nil {
						return err
					}
				}
				n.Value = acc
				return nil
			},
		})
		if err != nil {
			return err
		}
	}
	for op, arith := range map[string]string{"increment": "add", "decrement": "subtract"} {
		slot := "math." + op
		err := e.Register(engine.Slot{
			Sig: whitelist.Signature{Name: "math." + op, Doc: op + "s the selected nodes' values by its child (default 1)",
				Value: whitelist.ValueSpec{Required: true, Expr: true}, Children: whitelist.Code},
			Fn: func(r *engine.Run, n *hyperlambda.Node) error {
				if _, ok := n.Value.(*hyperlambda.Expression); !ok {
					return errors.New("needs an expression selecting the nodes to change")
				}
				var one [1]*hyperlambda.Node
				dest, err := engine.Select(n, one[:0])
				if err != nil {
					return err
				}
				if err := r.Eval(n); err != nil {
					return err
				}
				var step any = int32(1)
				if n.Len() > 0 {
					if step, err = hyperlambda.Value(n.Child(0)); err != nil {
						return err
					}
				}
				for _, d := range dest {
					v, err := apply(r, slot, arith, d.Value, step)
					if err != nil {
						return err
					}
					d.Value = v
				}
				return nil
			},
		})
		if err != nil {
			return err
		}
	}
	return registerUnary(e)
}

// operands: the node's value (if any) then its children's values.
func operands(n *hyperlambda.Node, buf []any) ([]any, error) {
	out := buf[:0]
	if n.Value != nil {
		v, err := hyperlambda.Value(n)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	for _, c := range n.Children() {
		v, err := hyperlambda.Value(c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// kind orders numeric types for promotion: the wider operand decides.
func kind(v any) int {
	switch v.(type) {
	case int8, uint8, int16, uint16, int32:
		return 1
	case uint32, int64:
		return 2
	case uint64:
		return 3
	case decimal.Decimal:
		return 4
	case float32:
		return 5
	case float64:
		return 6
	}
	return 0
}

// apply is one step of the fold: op ("add", "subtract", ...) of a and b,
// with errors naming slot, the slot that was called (math.increment adds,
// math.abs subtracts).
func apply(r *engine.Run, slot, op string, a, b any) (any, error) {
	// Two ints (the counters of loops) first, before the general rules.
	if x, ok := a.(int32); ok {
		if y, ok := b.(int32); ok {
			return intOp(r, slot, op, int64(x), int64(y), "int")
		}
	}
	if a == nil || b == nil {
		return nil, fmt.Errorf("%s of a null value", slot)
	}
	_, as := a.(string)
	_, bs := b.(string)
	if as || bs {
		if op == "add" {
			// The reference concatenates: text made, counted like
			// strings.concat's, room checked first so that doubling a
			// string in a loop ends at the output budget (audit 16).
			sa, sb := hyperlambda.StringOf(a), hyperlambda.StringOf(b)
			if err := r.OutputRoom(len(sa) + len(sb)); err != nil {
				return nil, err
			}
			return sa + sb, r.Output(len(sa) + len(sb))
		}
		return nil, fmt.Errorf("%s of a string", slot)
	}
	ka, kb := kind(a), kind(b)
	if ka == 0 || kb == 0 {
		// Dates and times are not numbers: checked only once the
		// numbers (the hot path of loops) are ruled out.
		if v, ok, err := dateOp(slot, op, a, b); ok {
			return v, err
		}
		return nil, fmt.Errorf("%s of %s and %s", slot, hyperlambda.TypeOf(a), hyperlambda.TypeOf(b))
	}
	switch k := max(ka, kb); {
	case k >= 5:
		return floatOp(slot, op, a, b, k == 5 && ka != 6 && kb != 6)
	case k == 4:
		return decimalOp(slot, op, toDecimal(a), toDecimal(b))
	default:
		typ := "int"
		if k >= 2 {
			typ = "long"
		}
		if _, ok := a.(int32); ok && k == 1 {
			typ = "int"
		}
		return intOp(r, slot, op, toInt(a), toInt(b), typ)
	}
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case uint8:
		return int64(x)
	case int16:
		return int64(x)
	case uint16:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case int64:
		return x
	case uint64:
		return int64(x) // values above MaxInt64 are caught as overflow below
	}
	return 0
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case decimal.Decimal:
		f, _ := x.Float64()
		return f
	}
	return float64(toInt(v))
}

func toDecimal(v any) decimal.Decimal {
	if d, ok := v.(decimal.Decimal); ok {
		return d
	}
	return decimal.NewFromInt(toInt(v))
}

func intOp(run *engine.Run, slot, op string, a, b int64, typ string) (any, error) {
	var r int64
	overflow := false
	switch op {
	case "add":
		r = a + b
		overflow = (b > 0 && r < a) || (b < 0 && r > a)
	case "subtract":
		r = a - b
		overflow = (b < 0 && r < a) || (b > 0 && r > a)
	case "multiply":
		r = a * b
		overflow = a != 0 && (r/a != b || (a == -1 && b == math.MinInt64))
	case "divide", "modulo":
		if b == 0 {
			return nil, ErrDivideByZero
		}
		if a == math.MinInt64 && b == -1 {
			overflow = true
		} else if op == "divide" {
			r = a / b
		} else {
			r = a % b
		}
	case "max":
		r = max(a, b)
	case "min":
		r = min(a, b)
	}
	if typ == "int" && (r > math.MaxInt32 || r < math.MinInt32) {
		overflow = true
	}
	if overflow {
		return nil, &OverflowError{Op: slot, Type: typ}
	}
	if typ == "int" {
		return run.Int32(int32(r)), nil
	}
	return r, nil
}

// decimalOp computes in arbitrary precision, then maps the result onto
// the .NET decimal it would be (28 fraction digits at most, 96 bits):
// beyond the decimal range it is an overflow, never a value that cannot
// be written back as a decimal.
func decimalOp(slot, op string, a, b decimal.Decimal) (any, error) {
	var r decimal.Decimal
	switch op {
	case "add":
		r = a.Add(b)
	case "subtract":
		r = a.Sub(b)
	case "multiply":
		r = a.Mul(b)
	case "divide", "modulo":
		if b.IsZero() {
			return nil, ErrDivideByZero
		}
		if op == "modulo" {
			r = a.Mod(b)
		} else {
			r = a.DivRound(b, 28)
		}
	case "max":
		r = decimal.Max(a, b)
	default:
		r = decimal.Min(a, b)
	}
	return netDecimal(slot, r)
}

// netDecimal is d as a .NET decimal, or the overflow error of slot.
func netDecimal(slot string, d decimal.Decimal) (any, error) {
	out, ok := hyperlambda.NetDecimal(d)
	if !ok {
		return nil, &OverflowError{Op: slot, Type: "decimal"}
	}
	return out, nil
}

// floatOp is IEEE arithmetic in double (or single), except that nothing
// that is not a finite number comes out of finite operands: division or
// modulo by zero is ErrDivideByZero, a result beyond the type's range an
// overflow (.NET gives Infinity or NaN). Operands written as Infinity or
// NaN are the program's own; a NaN they produce is an error too.
func floatOp(slot, op string, x, y any, single bool) (any, error) {
	a, b := toFloat(x), toFloat(y)
	var r float64
	switch op {
	case "add":
		r = a + b
	case "subtract":
		r = a - b
	case "multiply":
		r = a * b
	case "divide", "modulo":
		if b == 0 {
			return nil, ErrDivideByZero
		}
		if op == "divide" {
			r = a / b
		} else {
			r = math.Mod(a, b)
		}
	case "max":
		r = math.Max(a, b)
	case "min":
		r = math.Min(a, b)
	}
	typ := "double"
	if single {
		typ = "single"
		r = float64(float32(r))
	}
	if err := finite(slot, typ, r, a, b); err != nil {
		return nil, err
	}
	if single {
		return float32(r), nil
	}
	return r, nil
}

// finite checks a floating-point result r computed from operands: NaN is
// an error, and so is an infinity that none of the operands was.
func finite(slot, typ string, r float64, operands ...float64) error {
	if math.IsNaN(r) {
		return fmt.Errorf("%s is not a number (NaN)", slot)
	}
	if math.IsInf(r, 0) {
		for _, o := range operands {
			if math.IsInf(o, 0) {
				return nil
			}
		}
		return &OverflowError{Op: slot, Type: typ}
	}
	return nil
}
