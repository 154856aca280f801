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
		op := op
		err := e.Register(engine.Slot{
			Sig: whitelist.Signature{Name: "math." + op, Doc: op + " of its value and its children's values", Value: operand, Children: whitelist.Code},
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
					if acc, err = apply(op, acc, v); err != nil {
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
					v, err := apply(arith, d.Value, step)
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

func apply(op string, a, b any) (any, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("math.%s of a null value", op)
	}
	_, as := a.(string)
	_, bs := b.(string)
	if as || bs {
		if op == "add" {
			return hyperlambda.StringOf(a) + hyperlambda.StringOf(b), nil // the reference concatenates
		}
		return nil, fmt.Errorf("math.%s of a string", op)
	}
	ka, kb := kind(a), kind(b)
	if ka == 0 || kb == 0 {
		return nil, fmt.Errorf("math.%s of %s and %s", op, hyperlambda.TypeOf(a), hyperlambda.TypeOf(b))
	}
	switch k := max(ka, kb); {
	case k >= 5:
		return floatOp(op, toFloat(a), toFloat(b), k == 5 && ka != 6 && kb != 6)
	case k == 4:
		return decimalOp(op, toDecimal(a), toDecimal(b))
	default:
		typ := "int"
		if k >= 2 {
			typ = "long"
		}
		if _, ok := a.(int32); ok && k == 1 {
			typ = "int"
		}
		return intOp(op, toInt(a), toInt(b), typ)
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

func intOp(op string, a, b int64, typ string) (any, error) {
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
		return nil, &OverflowError{Op: "math." + op, Type: typ}
	}
	if typ == "int" {
		return int32(r), nil
	}
	return r, nil
}

func decimalOp(op string, a, b decimal.Decimal) (any, error) {
	switch op {
	case "add":
		return a.Add(b), nil
	case "subtract":
		return a.Sub(b), nil
	case "multiply":
		return a.Mul(b), nil
	case "divide", "modulo":
		if b.IsZero() {
			return nil, ErrDivideByZero
		}
		if op == "modulo" {
			return a.Mod(b), nil
		}
		return a.DivRound(b, 28), nil
	case "max":
		return decimal.Max(a, b), nil
	}
	return decimal.Min(a, b), nil
}

func floatOp(op string, a, b float64, single bool) (any, error) {
	var r float64
	switch op {
	case "add":
		r = a + b
	case "subtract":
		r = a - b
	case "multiply":
		r = a * b
	case "divide":
		r = a / b // IEEE: ±Inf or NaN, as in .NET
	case "modulo":
		r = math.Mod(a, b)
	case "max":
		r = math.Max(a, b)
	case "min":
		r = math.Min(a, b)
	}
	if single {
		return float32(r), nil
	}
	return r, nil
}
